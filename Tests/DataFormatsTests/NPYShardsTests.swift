import DataFormats
import Foundation
import Testing
import TestSupport
import Tensors

/// A data set in NPY shards reads, block by block, the rows the shards hold in the order of
/// their names, with blocks that cross shard boundaries; bad shards are clear errors.
@Suite struct NPYShardFolders {
    /// `matrix` split into shards of the given row counts (`part-000.npy`, …), float32 unless
    /// `float64` names a shard index.
    static func write(_ matrix: Tensor, rowsPerShard: [Int], float64: Set<Int> = [], into folder: String) throws {
        var start = 0
        for (index, count) in rowsPerShard.enumerated() {
            let part = matrix.rows(start..<(start + count))
            let path = folder + "/part-" + String(format: "%03d", index) + ".npy"
            if float64.contains(index) {
                let payload = part.scalars.flatMap { withUnsafeBytes(of: Double($0).bitPattern.littleEndian, Array.init) }
                try Data(npyBytes(descr: "<f8", shape: part.shape, payload: payload)).write(to: URL(fileURLWithPath: path))
            } else {
                try NPY.write(part, to: path)
            }
            start += count
        }
    }

    @Test(arguments: [1, 333, 4096, 20_000])
    func blocksReadTheRowsInOrder(blockRows: Int) throws {
        let folder = temporaryFolder()
        let matrix = randomTensor([10_000, 7], seed: 5)
        let counts = [1, 999, 2500, 17, 3000, 483, 3000]
        try Self.write(matrix, rowsPerShard: counts, float64: [3], into: folder)
        let shards = try NPYShards(folder: folder)
        #expect(shards.rows == 10_000 && shards.columns == 7 && shards.shards.map(\.rows) == counts)
        var read: [Float] = [], starts: [Int] = []
        try shards.forEachBlock(rows: blockRows) { first, block in
            #expect(block.shape[1] == 7 && block.shape[0] <= blockRows)
            starts.append(first)
            read += block.scalars
        }
        #expect(read == matrix.scalars)
        #expect(starts == Array(stride(from: 0, to: 10_000, by: blockRows)))
        #expect(try shards.readAll() == matrix)
    }

    /// A range of rows (a process's part) reads those rows and no others, in blocks within shards.
    @Test(arguments: [0..<10_000, 0..<1, 999..<1000, 1_000..<3_517, 3_400..<9_999, 5_000..<5_000])
    func aRangeReadsItsRowsOnly(range: Range<Int>) throws {
        let folder = temporaryFolder()
        let matrix = randomTensor([10_000, 7], seed: 6)
        try Self.write(matrix, rowsPerShard: [1, 999, 2500, 17, 3000, 483, 3000], into: folder)
        let shards = try NPYShards(folder: folder)
        var read: [Float] = [], next = range.lowerBound
        try shards.forEachBlock(in: range, rows: 700) { first, block in
            #expect(first == next && block.shape[0] <= 700)
            next += block.shape[0]
            read += block.scalars
        }
        #expect(next == range.upperBound)
        #expect(read == matrix.rows(range).scalars)
    }

    /// Rows by address (a process's share of a shuffled batch): the rows asked for, in the
    /// order asked (repeats, neighbours, several shards, a float64 shard), and only they are
    /// counted as read.
    @Test(arguments: [[(0, 0)], [(6, 2999), (0, 0), (1, 5), (1, 6), (1, 7), (3, 16), (1, 5)], [(2, 10), (2, 9), (2, 11), (4, 0), (3, 0)], []])
    func rowsByAddressAreThoseRows(addresses: [(Int, Int)]) throws {
        let folder = temporaryFolder()
        let matrix = randomTensor([10_000, 7], seed: 7)
        let counts = [1, 999, 2500, 17, 3000, 483, 3000]
        try Self.write(matrix, rowsPerShard: counts, float64: [3], into: folder)
        let shards = try NPYShards(folder: folder)
        let starts = counts.indices.map { counts[..<$0].reduce(0, +) }
        let rows = try shards.gatherRows(addresses.map { NPYShards.RowAddress(shard: $0.0, row: $0.1) })
        #expect(rows.shape == [addresses.count, 7])
        #expect(rows.scalars == addresses.flatMap { matrix.rows((starts[$0.0] + $0.1)..<(starts[$0.0] + $0.1 + 1)).scalars })
        // Neighbours are read once (one read of rows 5 … 7); a repeat costs nothing more.
        let distinct = Set(addresses.map { "\($0.0):\($0.1)" }).count
        #expect(shards.rowsRead == distinct)
        // A reader keeps its shards open across calls (an epoch's batches): the same rows again.
        let reader = NPYShards.Reader(shards)
        for _ in 0..<2 { #expect(try reader.gatherRows(addresses.map { NPYShards.RowAddress(shard: $0.0, row: $0.1) }) == rows) }
        #expect(shards.rowsRead == 3 * distinct)
    }

    /// A pattern names shards as the shell would (`part-00[1-3].npy`, `*.npy`), in the order of
    /// their names; a pattern that matches nothing, or matches other files, is an error.
    @Test func aPatternNamesShards() throws {
        let folder = temporaryFolder()
        let matrix = randomTensor([100, 3], seed: 8)
        try Self.write(matrix, rowsPerShard: [10, 20, 30, 40], into: folder)
        let some = try NPYShards(opening: folder + "/part-00[1-2].npy")
        #expect(some.rows == 50 && some.shards.map(\.rows) == [20, 30])
        #expect(try some.readAll() == matrix.rows(10..<60))
        #expect(try NPYShards(opening: folder + "/*.npy").readAll() == matrix)
        #expect(try DatasetSpec(parsing: folder + "/part-*.npy") == .file(path: folder + "/part-*.npy", format: .npyShards))
        #expect { _ = try NPYShards(opening: folder + "/none-*.npy") } throws: { "\($0)".contains("none-*.npy: matches no files") }
        try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/notes.NPY.txt"))
        try FileManager.default.createDirectory(atPath: folder + "/sub.npy", withIntermediateDirectories: false)
        #expect { _ = try NPYShards(opening: folder + "/*.npy") } throws: { "\($0)".contains("sub.npy") }
    }

    @Test func badShardsAreClearErrors() throws {
        let folder = temporaryFolder()
        #expect { _ = try NPYShards(folder: folder) } throws: { "\($0)".contains("holds no .npy files") }
        try NPY.write(randomTensor([5, 3], seed: 1), to: folder + "/a.npy")
        try NPY.write(randomTensor([5, 4], seed: 2), to: folder + "/b.npy")
        #expect { _ = try NPYShards(folder: folder) } throws: { "\($0)".contains("b.npy: has 4 features per row; the shards before it have 3") }
        try NPY.write(randomTensor([5, 3], seed: 2), to: folder + "/b.npy")
        var values = randomTensor([5, 3], seed: 3)
        values.withUnsafeMutableBufferPointer { $0[7] = .nan }
        try NPY.write(values, to: folder + "/c.npy")
        let shards = try NPYShards(folder: folder)
        #expect { try shards.forEachBlock(rows: 4) { _, _ in } } throws: { "\($0)".contains("c.npy: row 2, column 1: non-finite value nan") }
        #expect { _ = try shards.gatherRows([.init(shard: 2, row: 0), .init(shard: 2, row: 2)]) } throws: {
            "\($0)".contains("c.npy: row 2, column 1: non-finite value nan")
        }
        let bytes = try FileIO.read(folder + "/c.npy")
        try Data(bytes.dropLast(4)).write(to: URL(fileURLWithPath: folder + "/c.npy"))
        #expect { _ = try NPYShards(folder: folder) } throws: { "\($0)".contains("c.npy") && "\($0)".contains("file ends early") }
        var fortran = npyBytes(descr: "<f4", shape: [2, 3], payload: float32Bytes([1, 2, 3, 4, 5, 6]))
        let (from, to) = (Array("'fortran_order': False".utf8), Array("'fortran_order': True ".utf8))
        let at = try #require((0...(fortran.count - from.count)).first { Array(fortran[$0..<($0 + from.count)]) == from })
        fortran.replaceSubrange(at..<(at + from.count), with: to)
        try Data(fortran).write(to: URL(fileURLWithPath: folder + "/c.npy"))
        #expect { _ = try NPYShards(folder: folder) } throws: { "\($0)".contains("c.npy: is in Fortran order") }
    }
}
