import DataFormats
import Testing
import Tensors

@Suite struct CSVFiles {
    func parse(_ text: String, _ options: CSVOptions = .init()) throws -> Dataset {
        try CSV.parse(Array(text.utf8), file: "t.csv", options: options)
    }

    @Test func headerIsDetected() throws {
        let withHeader = try parse("a,b\n1,2\n3,4\n")
        #expect(withHeader.samples == Tensor([[1, 2], [3, 4]]))
        let without = try parse("1,2\n3,4\n")
        #expect(without.samples == Tensor([[1, 2], [3, 4]]))
        let forced = try parse("1,2\n3,4\n", CSVOptions(header: .present))
        #expect(forced.samples == Tensor([[3, 4]]))
    }

    @Test func labelColumnByNameOrIndex() throws {
        let byName = try parse("x,label,y\n1,0,2\n3,1,4\n", CSVOptions(labelColumn: .name("label")))
        #expect(byName.samples == Tensor([[1, 2], [3, 4]]) && byName.labels == [0, 1] && byName.classNames == nil)
        let byIndex = try parse("1,2,cat\n3,4,dog\n5,6,cat\n", CSVOptions(labelColumn: .index(2)))
        #expect(byIndex.labels == [0, 1, 0] && byIndex.classNames == ["cat", "dog"])
    }

    @Test func pandasFileWithQuotedFields() throws {
        let table = try CSV.read(fixture("pandas.csv"), options: CSVOptions(labelColumn: .name("species")))
        #expect(table.samples == Tensor([[1, 4], [2.5, 5], [-3, 6.25]]))
        #expect(table.classNames == ["setosa", "virginica, wild"] && table.labels == [0, 1, 0])
    }

    @Test func quotesCRLFBOMBlankLinesAndSpaces() throws {
        let text = "\u{FEFF}\"a\",\"b\"\r\n\" 1.5 \",2e3\r\n\r\n-0.25 , \"3\"\r\n"
        #expect(try parse(text).samples == Tensor([[1.5, 2000], [-0.25, 3]]))
        let quotedLabel = try parse("v,name\n1,\"say \"\"hi\"\"\"\n2,\"two\nlines\"\n", CSVOptions(labelColumn: .name("name")))
        #expect(quotedLabel.classNames == ["say \"hi\"", "two\nlines"])
    }

    @Test func tabSeparatedByExtension() throws {
        let path = temporaryFolder() + "/t.tsv"
        try FileIO.writeAtomically(Array("a\tb\n1\t2\n".utf8), to: path)
        #expect(try CSV.read(path).samples == Tensor([[1, 2]]))
    }

    @Test(arguments: ["0", "-0", "1e-45", "3.4028235e38", "0.1", "123456789012345678901234567890", "1.000000000000000000001",
                      "2.5e-310", "9007199254740993", ".5", "5.", "+7", "1E5"])
    func numbersRoundAsNumPyDoes(text: String) throws {
        // NumPy parses a float64 and casts to float32.
        let expected = Float(Double(text.hasPrefix(".") ? "0" + text : text)!)
        #expect(try parse(text + "\n").samples.scalars == [expected], "\(text)")
    }

    @Test(arguments: [[0, 3], [1, 1], [50, 7]])
    func roundTrips(shape: [Int]) throws {
        var generator = RandomGenerator(seed: 5)
        let samples = Tensor.randomNormal(shape, using: &generator)
        let labels = (0..<shape[0]).map { $0 % 3 }
        let path = temporaryFolder() + "/t.csv"
        try CSV.write(samples, to: path, labels: labels, classNames: ["a", "b,c", "d\"e"])
        // No rows: the header alone, which reads back as a clear error rather than an empty table.
        guard shape[0] > 0 else {
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "x0,x1,x2,label\n")
            #expect(errorText { _ = try CSV.read(path, options: CSVOptions(labelColumn: .name("label"))) }.contains("no data rows"))
            return
        }
        let back = try CSV.read(path, options: CSVOptions(labelColumn: .name("label")))
        #expect(back.samples == samples)
        #expect(back.labels.map { $0.map { back.classNames![$0] } } == labels.map { ["a", "b,c", "d\"e"][$0] })
    }
}

/// Tables over 1 MiB without quotes are split into chunks parsed in parallel; with one quote
/// anywhere they go through the general scanner. Both must agree, and errors in later chunks
/// must name the right line.
@Suite struct CSVLargeTables {
    func table(rows: Int, crlf: Bool, quoteFirstLabel: Bool) -> String {
        var generator = RandomGenerator(seed: 9)
        var text = "a,b,c,label\(crlf ? "\r\n" : "\n")"
        for row in 0..<rows {
            let values = (0..<3).map { _ in "\(Float(generator.nextNormal()))" }.joined(separator: ",")
            let label = row == 0 && quoteFirstLabel ? "\"cat\"" : (row % 3 == 0 ? "cat" : "dog")
            text += values + "," + label + (crlf ? "\r\n" : "\n")
            if row % 1000 == 999 { text += crlf ? "\r\n" : "\n" }  // blank lines
        }
        return text
    }

    @Test(arguments: [false, true])
    func parallelChunksMatchTheGeneralScanner(crlf: Bool) throws {
        let options = CSVOptions(labelColumn: .name("label"), threads: 3)
        let fast = try CSV.parse(Array(table(rows: 40_000, crlf: crlf, quoteFirstLabel: false).utf8), file: "t.csv", options: options)
        let general = try CSV.parse(Array(table(rows: 40_000, crlf: crlf, quoteFirstLabel: true).utf8), file: "t.csv", options: options)
        #expect(fast.samples.shape == [40_000, 3] && fast.samples == general.samples)
        #expect(fast.labels == general.labels && fast.classNames == ["cat", "dog"])
    }

    @Test func errorsInLaterChunksNameTheirLine() {
        var lines = table(rows: 40_000, crlf: false, quoteFirstLabel: false).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Line numbers are 1-based and count the header and blank lines.
        lines[35_000] = "1,2,x,cat"
        let text = lines.joined(separator: "\n")
        let options = CSVOptions(labelColumn: .name("label"), threads: 3)
        #expect(errorText { _ = try CSV.parse(Array(text.utf8), file: "t.csv", options: options) } == "t.csv: line 35001, column 2 ('c'): not a number: 'x'")
        lines[35_000] = "1,2,cat"
        #expect(errorText { _ = try CSV.parse(Array(lines.joined(separator: "\n").utf8), file: "t.csv", options: options) }
                == "t.csv: line 35001: 3 fields where the first row has 4")
        lines[35_000] = "1,2,3,"
        #expect(errorText { _ = try CSV.parse(Array(lines.joined(separator: "\n").utf8), file: "t.csv", options: options) }
                == "t.csv: line 35001, column 3 ('label'): missing label")
        lines[35_000] = "1,inf,3,dog"
        #expect(errorText { _ = try CSV.parse(Array(lines.joined(separator: "\n").utf8), file: "t.csv", options: options) }
                == "t.csv: line 35001, column 1 ('b'): non-finite value inf (`allowNonFinite` accepts them)")
    }
}

@Suite struct CSVMalformed {
    func failure(_ text: String, _ options: CSVOptions = .init()) -> String {
        errorText { _ = try CSV.parse(Array(text.utf8), file: "t.csv", options: options) }
    }

    @Test func missingValueNamesLineAndColumn() {
        #expect(failure("a,b\n1,2\n3,\n") == "t.csv: line 3, column 1 ('b'): missing value (`missing` drops or fills them)")
        #expect(failure("a,b\n1,NA\n").contains("line 2, column 1 ('b'): not a number: 'NA'"))
    }

    @Test func raggedRows() {
        #expect(failure("1,2,3\n4,5\n") == "t.csv: line 2: 2 fields where the first row has 3")
    }

    @Test func nonFiniteRejectedUnlessAllowed() throws {
        #expect(failure("1,nan\n").contains("line 1, column 1: non-finite value nan"))
        #expect(failure("1,-inf\n").contains("non-finite"))
        let allowed = try CSV.parse(Array("1,nan\n".utf8), file: "t.csv", options: CSVOptions(allowNonFinite: true))
        #expect(allowed.samples.scalars[1].isNaN)
    }

    @Test func badQuotesAndLabels() {
        #expect(failure("1,\"2\n").contains("quoted field never closes"))
        #expect(failure("1,\"2\"x\n").contains("after a closing quote"))
        #expect(failure("a,b\n1,2\n", CSVOptions(labelColumn: .name("c"))).contains("no column named 'c'"))
        #expect(failure("1,2\n", CSVOptions(labelColumn: .name("c"))).contains("needs a header row"))
        #expect(failure("a,l\n1,\n", CSVOptions(labelColumn: .name("l"))).contains("line 2, column 1 ('l'): missing label"))
        #expect(failure("").contains("no data rows"))
    }
}
