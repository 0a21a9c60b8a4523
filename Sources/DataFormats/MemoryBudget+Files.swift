import Tensors

extension MemoryBudget {
    /// Throws unless `bytes` fit within the limit; `what` says what would be allocated.
    public static func check(_ bytes: Int, for what: String, file: String, at position: FilePosition? = nil) throws {
        let limit = self.limit
        guard bytes <= limit else { throw DataFormatError(file, position, refusal(bytes, for: what)) }
    }

}
