/// What went wrong with a request to the explorer (or with what it was given to explore): a
/// message that says what and where, and the HTTP status a server answers it with.
public struct ExplorationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The kind of failure, as an HTTP status code.
    public enum Status: Int, Sendable {
        /// A value that cannot be read: a wrong count, not a number, beyond the allowed range.
        case badRequest = 400
        /// A path or an item that does not exist.
        case notFound = 404
        /// A method other than GET (and HEAD).
        case methodNotAllowed = 405
        /// A request line longer than ``ExplorationLimits/requestLine``.
        case uriTooLong = 414
        /// Input that is well formed but cannot be explored (a clustering's codes, a conditional model).
        case unprocessable = 422
    }

    public let status: Status
    public let message: String

    public init(_ status: Status, _ message: String) {
        (self.status, self.message) = (status, message)
    }

    public var description: String { message }
}
