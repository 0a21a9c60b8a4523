import Foundation
import Tensors

/// A data set too large for memory, stored as NPY files (shards) of one width: read in blocks
/// of rows, never whole, so what is held at once is bounded by the block, not the data.
///
/// Shards are `.npy` files of shape `n × D` (or `n`, one feature), C order, any element type
/// NPY readers take (decoded to Float32 block by block). A folder's shards are taken in the
/// order of their names (`part-000.npy`, `part-001.npy`, …), which is the order of the rows.
/// Headers are read and checked when the data set is opened (widths agree, sizes match the
/// files); values are checked (finite) as blocks are read.
public struct NPYShards: Sendable {
    /// One file: its path, rows, and where its data start.
    public struct Shard: Sendable {
        public let path: String
        public let rows: Int
        let dataStart: Int
        let dtype: NPY.ElementType
    }

    /// What the data set was opened from (a folder, or the first shard).
    public let name: String
    public let shards: [Shard]
    /// Features per row, D.
    public let columns: Int
    /// Rows over all shards, n.
    public let rows: Int
    /// Rows read so far, by this value and its copies.
    private let reads = ReadCount()

    /// Rows read from the files so far (by this data set and its copies, every pass and
    /// batch counted): what a process of a data-parallel run reads of the data.
    public var rowsRead: Int { reads.value }

    func countRead(_ rows: Int) { reads.add(rows) }

    /// The `.npy` files of `folder`, in the order of their names.
    public init(folder: String) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw DataFormatError(folder, nil, "is not a folder of .npy shards")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.lowercased().hasSuffix(".npy") && !$0.hasPrefix(".") }.sorted()
        guard !names.isEmpty else { throw DataFormatError(folder, nil, "holds no .npy files (a data set of shards is a folder of .npy files of one width)") }
        try self.init(paths: names.map { (folder as NSString).appendingPathComponent($0) }, name: folder)
    }

    /// The shards `location` names: a folder's `.npy` files, or the files a pattern matches
    /// (`data/part-*.npy`: `*`, `?` and `[…]` as the shell reads them), in the order of their
    /// names.
    public init(opening location: String) throws {
        guard Self.isPattern(location) else {
            try self.init(folder: location)
            return
        }
        var matches = glob_t()
        defer { globfree(&matches) }
        let status = glob(location, 0, nil, &matches)
        guard status == 0 else {
            throw DataFormatError(location, nil, status == GLOB_NOMATCH ? "matches no files" : "cannot be listed (glob error \(status))")
        }
        let paths = (0..<Int(matches.gl_pathc)).compactMap { matches.gl_pathv[$0].map { String(cString: $0) } }.sorted()
        if let other = paths.first(where: { !$0.lowercased().hasSuffix(".npy") }) {
            throw DataFormatError(location, nil, "matches \(other), which is not a .npy file")
        }
        try self.init(paths: paths, name: location)
    }

    /// Whether `location` is a pattern of shards (`*`, `?` or `[` in it, ending in `.npy`) rather
    /// than a path; a file that exists by that very name is a path.
    public static func isPattern(_ location: String) -> Bool {
        location.lowercased().hasSuffix(".npy") && location.contains(where: { "*?[".contains($0) })
            && !FileManager.default.fileExists(atPath: location)
    }

    /// The shards at `paths`, in that order.
    public init(paths: [String], name: String) throws {
        guard !paths.isEmpty else { throw DataFormatError(name, nil, "no shards") }
        var shards: [Shard] = []
        var columns: Int? = nil
        for path in paths {
            let (header, dtype, dataStart) = try NPY.layout(path)
            guard !header.fortranOrder || header.shape.count <= 1 else {
                throw DataFormatError(path, nil, "is in Fortran order; shards are read by rows, so save them in C order (np.ascontiguousarray)")
            }
            guard (1...2).contains(header.shape.count) else {
                throw DataFormatError(path, nil, "has shape \(header.shape); a shard holds rows: n × D, or n values of one feature")
            }
            let width = header.shape.count == 2 ? header.shape[1] : 1
            if let columns, width != columns {
                throw DataFormatError(path, nil, "has \(width) features per row; the shards before it have \(columns)")
            }
            columns = width
            shards.append(Shard(path: path, rows: header.shape[0], dataStart: dataStart, dtype: dtype))
        }
        (self.name, self.shards, self.columns) = (name, shards, columns!)
        rows = shards.reduce(0) { $0 + $1.rows }
        guard rows > 0, self.columns > 0 else { throw DataFormatError(name, nil, "the shards hold no values (\(rows) rows × \(self.columns) features)") }
    }

    /// Calls `body` with consecutive blocks of at most `blockRows` rows (`rows × D`, Float32),
    /// from the first row to the last; a block may span shards. Holds one block at a time.
    public func forEachBlock(rows blockRows: Int, _ body: (_ firstRow: Int, _ block: Tensor) throws -> Void) throws {
        precondition(blockRows > 0, "blocks need at least one row")
        try MemoryBudget.check(blockRows * columns * (MemoryLayout<Float>.size + 8), for: "a block of \(blockRows) rows × \(columns) features", file: name)
        var pending: [Float] = []
        pending.reserveCapacity(min(blockRows, rows) * columns)
        var first = 0
        for shard in shards {
            let file = try FileIO.open(shard.path)
            defer { fclose(file) }
            var row = 0
            while row < shard.rows {
                let take = min(shard.rows - row, blockRows - pending.count / columns)
                let count = take * columns
                guard fseeko(file, off_t(shard.dataStart + row * columns * shard.dtype.width), SEEK_SET) == 0 else {
                    throw DataFormatError(shard.path, nil, "cannot seek: \(String(cString: strerror(errno)))")
                }
                pending += try values(count, of: shard, at: shard.dataStart + row * columns * shard.dtype.width, firstRow: row, from: file)
                reads.add(take)
                row += take
                if pending.count == blockRows * columns {
                    try body(first, try Tensor(shape: [blockRows, columns], scalars: pending))
                    first += blockRows
                    pending.removeAll(keepingCapacity: true)
                }
            }
        }
        if !pending.isEmpty { try body(first, try Tensor(shape: [pending.count / columns, columns], scalars: pending)) }
    }

    /// Rows `range` of shard `index` (`rows × D`, Float32), values checked finite.
    public func rows(_ range: Range<Int>, ofShard index: Int) throws -> Tensor {
        let shard = shards[index]
        precondition(range.lowerBound >= 0 && range.upperBound <= shard.rows, "rows \(range) of a shard of \(shard.rows)")
        try MemoryBudget.check(range.count * columns * (MemoryLayout<Float>.size + shard.dtype.width), for: "\(range.count) rows × \(columns) features", file: shard.path)
        let file = try FileIO.open(shard.path)
        defer { fclose(file) }
        return try Tensor(shape: [range.count, columns], scalars: try read(range, ofShard: index, from: file))
    }

    /// Rows `range` of shard `index` from `file` (the shard, open), decoded and checked finite.
    func read(_ range: Range<Int>, ofShard index: Int, from file: UnsafeMutablePointer<FILE>) throws -> [Float] {
        let shard = shards[index]
        let count = range.count * columns
        let offset = shard.dataStart + range.lowerBound * columns * shard.dtype.width
        guard fseeko(file, off_t(offset), SEEK_SET) == 0 else {
            throw DataFormatError(shard.path, nil, "cannot seek: \(String(cString: strerror(errno)))")
        }
        let values = try self.values(count, of: shard, at: offset, firstRow: range.lowerBound, from: file)
        reads.add(range.count)
        return values
    }

    /// `count` values of `shard` from byte `offset` of `file` (the shard, open, positioned
    /// there), decoded to Float32 and checked finite (`firstRow`: the shard's row they start at,
    /// for messages).
    private func values(_ count: Int, of shard: Shard, at offset: Int, firstRow: Int, from file: UnsafeMutablePointer<FILE>) throws -> [Float] {
        var values: [Float]
        if shard.dtype.kind == .float, shard.dtype.width == 4, !shard.dtype.bigEndian {
            // Float32 in this machine's order: read into the values themselves, no copy, no zeroing.
            var read = 0
            values = try [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                read = try FileIO.readFully(file, into: UnsafeMutableRawBufferPointer(buffer), path: shard.path)
                initialized = read == count * 4 ? count : 0
            }
            guard read == count * 4 else { throw DataFormatError(shard.path, .byte(offset + read), "file ends early (changed while being read?)") }
        } else {
            var bytes = [UInt8](repeating: 0, count: count * shard.dtype.width)
            let read = try bytes.withUnsafeMutableBytes { try FileIO.readFully(file, into: $0, path: shard.path) }
            guard read == bytes.count else { throw DataFormatError(shard.path, .byte(offset + read), "file ends early (changed while being read?)") }
            values = [Float](repeating: 0, count: count)
            var integers: [Int]? = nil
            bytes.withUnsafeBufferPointer { shard.dtype.decode($0.baseAddress!, count: count, into: &values, integers: &integers) }
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw DataFormatError(shard.path, nil, "row \(firstRow + bad / columns), column \(bad % columns): non-finite value \(values[bad])")
        }
        return values
    }

    /// Calls `body` with the rows `range` (of all shards' rows in order) in consecutive blocks
    /// of at most `blockRows` rows, each within one shard: a process reads its part of the
    /// data and nothing else. The blocks depend only on `range` and the shards.
    public func forEachBlock(in range: Range<Int>, rows blockRows: Int, _ body: (_ firstRow: Int, _ block: Tensor) throws -> Void) throws {
        precondition(blockRows > 0 && range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) of \(rows) in blocks of \(blockRows)")
        var first = 0
        for (index, shard) in shards.enumerated() {
            let shardRows = first..<(first + shard.rows)
            let wanted = shardRows.clamped(to: range)
            for start in stride(from: wanted.lowerBound, to: wanted.upperBound, by: blockRows) {
                let end = min(wanted.upperBound, start + blockRows)
                try body(start, try self.rows((start - first)..<(end - first), ofShard: index))
            }
            first += shard.rows
            if first >= range.upperBound { break }
        }
    }

    /// All rows in one tensor (`n × D`), for data that fit after all (checked against the memory limit).
    public func readAll() throws -> Tensor {
        try MemoryBudget.check(rows * columns * MemoryLayout<Float>.size, for: "reading all \(rows) × \(columns) values of the shards", file: name)
        var scalars: [Float] = []
        scalars.reserveCapacity(rows * columns)
        try forEachBlock(rows: GramAccumulator.rowsPerBlock) { _, block in scalars += block.scalars }
        return try Tensor(shape: [rows, columns], scalars: scalars)
    }
}

/// A count shared by a value type's copies (the rows an ``NPYShards`` read).
final class ReadCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    var value: Int { lock.withLock { count } }
    func add(_ rows: Int) { lock.withLock { count += rows } }
}
