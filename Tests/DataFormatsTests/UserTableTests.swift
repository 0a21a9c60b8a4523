import DataFormats
import Foundation
import Testing
import Tensors
import TestSupport

/// Tables as users bring them: what pandas writes by default, European delimiters, id and text
/// columns, labels that must mean the same in every file, missing values.
@Suite struct UserTables {
    func parse(_ text: String, _ options: CSVOptions = .init()) throws -> Dataset {
        try CSV.parse(Array(text.utf8), file: "t.csv", options: options)
    }

    /// `pandas.DataFrame(x).to_csv("t.csv")`: a header `,0,1,2` and an index column 0…n−1.
    @Test func pandasDefaultHeaderAndIndexAreNotData() throws {
        let table = try parse(",0,1,2\n0,1.5,2,3\n1,4,5,6\n2,7,8,9.5\n")
        #expect(table.samples == Tensor([[1.5, 2, 3], [4, 5, 6], [7, 8, 9.5]]))
        #expect(table.featureNames == ["0", "1", "2"])
        #expect(table.notes.count == 1 && table.notes[0].contains("pandas' index: dropped"), "\(table.notes)")
    }

    /// `to_csv(index=False)`: the header reads 0, 1, …, D − 1, all numbers; it is still a header.
    @Test func pandasNumberHeaderWithoutIndex() throws {
        let table = try parse("0,1,2\n10,20,30\n40,50,60\n")
        #expect(table.samples == Tensor([[10, 20, 30], [40, 50, 60]]))
        #expect(table.notes.count == 1 && table.notes[0].contains("pandas' default column names"))
        // Told there is no header, the first row is data; told there is, any row is a header.
        #expect(try parse("0,1,2\n10,20,30\n", CSVOptions(header: .absent)).samples == Tensor([[0, 1, 2], [10, 20, 30]]))
        #expect(try parse("5,6\n7,8\n", CSVOptions(header: .present)).samples == Tensor([[7, 8]]))
        // A first row of other numbers is data, as before.
        #expect(try parse("0,2,1\n3,4,5\n").samples == Tensor([[0, 2, 1], [3, 4, 5]]))
    }

    /// An unnamed first column that is not 0, 1, …, n − 1 stays a feature, with a note saying how
    /// to drop it.
    @Test func unnamedColumnThatIsNoDefaultIndex() throws {
        let table = try parse(",a,b\n3,1,2\n7,3,4\n")
        #expect(table.samples == Tensor([[3, 1, 2], [7, 3, 4]]))
        #expect(table.notes.count == 1 && table.notes[0].contains("`indexColumn: 0`"))
    }

    @Test func indexDropAndKeepColumns() throws {
        let text = "id,name,x,y,z,species\nr1,Ann,1,2,3,cat\nr2,Bob,4,5,6,dog\n"
        let table = try parse(text, CSVOptions(labelColumn: .name("species"), indexColumn: .name("id"), dropColumns: [.nameOrIndex("name")]))
        #expect(table.samples == Tensor([[1, 2, 3], [4, 5, 6]]) && table.ids == ["r1", "r2"])
        #expect(table.featureNames == ["x", "y", "z"] && table.labels == [0, 1] && table.classNames == ["cat", "dog"])
        let kept = try parse(text, CSVOptions(labelColumn: .nameOrIndex("5"), columns: [.nameOrIndex("z"), .index(2)]))
        #expect(kept.samples == Tensor([[1, 3], [4, 6]]) && kept.featureNames == ["x", "z"])
        // The same through the parallel unquoted path and the quote-aware scanner.
        let quoted = text.replacingOccurrences(of: "Ann", with: "\"Ann, Jr\"")
        let general = try parse(quoted, CSVOptions(labelColumn: .name("species"), indexColumn: .name("id"), dropColumns: [.name("name")]))
        #expect(general.samples == table.samples && general.labels == table.labels && general.ids == table.ids)
    }

    @Test func columnErrorsNameTheColumn() {
        let text = "a,b,c\n1,2,3\n"
        #expect(errorText { _ = try parse(text, CSVOptions(dropColumns: [.name("d")])) }.contains("no column named 'd' for the dropped column"))
        #expect(errorText { _ = try parse(text, CSVOptions(dropColumns: [.index(7)])) }.contains("dropped column 7 is outside the 3 columns"))
        #expect(errorText { _ = try parse(text, CSVOptions(labelColumn: .name("a"), dropColumns: [.name("a")])) }.contains("named both as label column and as dropped column"))
        #expect(errorText { _ = try parse(text, CSVOptions(columns: [])) }.contains("no feature columns"))
        #expect(errorText { _ = try parse("a,b\nx,2\n", CSVOptions(dropColumns: [.name("b")])) }.contains("line 2: 1 column of text, not numbers: 'a' (0) holds 'x'"))
    }

    @Test(arguments: [";", "\t"])
    func delimitersAreSniffedOrGiven(delimiter: String) throws {
        let text = ["a", "b", "c"].joined(separator: delimiter) + "\n" + ["1", "2", "3"].joined(separator: delimiter) + "\n"
        #expect(try parse(text).samples == Tensor([[1, 2, 3]]))
        #expect(try parse(text, CSVOptions(delimiter: UInt8(ascii: Unicode.Scalar(delimiter)!))).samples == Tensor([[1, 2, 3]]))
        // Given a comma, the whole line is one field, which is not a number.
        #expect(errorText { _ = try parse("1" + delimiter + "2\n", CSVOptions(delimiter: UInt8(ascii: ","), header: .absent)) }.contains("of text, not numbers"))
    }

    /// Labels mean the same in every file: names map through the model's classes, integers stay
    /// integers, whole-number floats are integers.
    @Test func labelsMapThroughKnownClasses() throws {
        let train = try parse("x,y\n1,setosa\n2,versicolor\n3,virginica\n", CSVOptions(labelColumn: .name("y")))
        #expect(train.classNames == ["setosa", "versicolor", "virginica"])
        // A test file that lacks a class and lists the others in another order.
        let test = try parse("x,y\n1,virginica\n2,setosa\n", CSVOptions(labelColumn: .name("y"), knownClasses: train.classNames))
        #expect(test.labels == [2, 0] && test.classNames == train.classNames)
        // Without the model's classes the file would number its own: virginica 1, setosa 0.
        #expect(try parse("x,y\n1,virginica\n2,setosa\n", CSVOptions(labelColumn: .name("y"))).labels == [1, 0])
        let unknown = errorText { _ = try parse("x,y\n1,setosa\n2,daisy\n", CSVOptions(labelColumn: .name("y"), knownClasses: train.classNames)) }
        #expect(unknown.contains("t.csv: sample 1 (0-based), label column 'y' (1): class 'daisy' was not among the classes the model was fitted with"), "\(unknown)")
        let integers = try parse("x,y\n1,3\n2,10\n3,-1\n4,2.0\n", CSVOptions(labelColumn: .name("y"), knownClasses: train.classNames))
        #expect(integers.labels == [3, 10, -1, 2] && integers.classNames == nil)
    }

    @Test func datasetsAlignByClassName() throws {
        let reference = try Dataset(samples: Tensor.zeros([3, 1]), labels: [0, 1, 2], classNames: ["a", "b", "c"])
        let other = try Dataset(samples: Tensor.zeros([3, 1]), labels: [0, 1, 1], classNames: ["c", "d"])
        let aligned = try other.aligningClasses(to: reference.classNames!, extendable: true)
        #expect(aligned.labels == [2, 3, 3] && aligned.classNames == ["a", "b", "c", "d"])
        #expect(errorText { _ = try other.aligningClasses(to: reference.classNames!, extendable: false) }.contains("class 'd'"))
    }

    @Test(arguments: [MissingValues.dropRows, .mean, .median])
    func missingValuesAreHandledAndCounted(policy: MissingValues) throws {
        let text = "a,b\n1,2\n,4\n3,NA\n5,?\n9,10\n"
        #expect(errorText { _ = try parse(text) }.contains("line 3, column 0 ('a'): missing value"))
        let raw = try parse(text, CSVOptions(missingAsNaN: true))
        let table = try policy.apply(to: raw)
        #expect(table.notes.count == 1)
        switch policy {
        case .dropRows:
            #expect(table.samples == Tensor([[1, 2], [9, 10]]) && table.notes[0].contains("dropped 3 of 5 samples"))
        case .mean:
            #expect(table.samples == Tensor([[1, 2], [4.5, 4], [3, 16.0 / 3], [5, 16.0 / 3], [9, 10]]) && table.notes[0].contains("filled 3 missing values"))
        default:
            #expect(table.samples == Tensor([[1, 2], [4, 4], [3, 4], [5, 4], [9, 10]]))
        }
    }

    @Test func labelsFilesWithHeadersAndSeveralColumns() throws {
        let folder = temporaryFolder()
        try FileIO.writeAtomically(Array("x\n1\n2\n3\n".utf8), to: folder + "/x.csv")
        let cases: [(String, String, CSVOptions.Column?, [Int], [String]?)] = [
            ("plain.csv", "1\n0\n1\n", nil, [1, 0, 1], nil),
            ("named.csv", "target\n1\n0\n1\n", nil, [1, 0, 1], nil),
            ("floats.csv", "2.0\n1.0\n0.0\n", nil, [2, 1, 0], nil),
            ("species.csv", "species\nsetosa\nversicolor\nsetosa\n", nil, [0, 1, 0], ["setosa", "versicolor"]),
            ("table.tsv", "id\tspecies\n7\tb\n8\ta\n9\tb\n", .nameOrIndex("species"), [1, 0, 1], ["a", "b"]),
            ("table.csv", "id,species\n7,b\n8,a\n9,b\n", .nameOrIndex("1"), [1, 0, 1], ["a", "b"]),
        ]
        for (name, text, column, labels, classNames) in cases {
            try FileIO.writeAtomically(Array(text.utf8), to: folder + "/" + name)
            let loaded = try DatasetLoader(csv: CSVOptions(labelColumn: column), labelsPath: folder + "/" + name).load(folder + "/x.csv")
            #expect(loaded.labels == labels && loaded.classNames == classNames, "\(name)")
            // The data keep their one column: the label column named the labels file's.
            #expect(loaded.features == 1)
        }
        try FileIO.writeAtomically(Array("a,b\n1,2\n3,4\n5,6\n".utf8), to: folder + "/two.csv")
        #expect(errorText { _ = try DatasetLoader(labelsPath: folder + "/two.csv").load(folder + "/x.csv") }.contains("say which holds the labels with `labelColumn`"))
    }

    @Test func labelColumnForDataWithoutColumnsIsAnError() throws {
        let path = temporaryFolder() + "/x.npy"
        try NPY.write(Tensor.zeros([3, 2]), to: path)
        #expect(errorText { _ = try DatasetLoader(csv: CSVOptions(labelColumn: .name("y"))).load(path) }.contains("has no columns"))
        #expect(errorText { _ = try DatasetLoader(csv: CSVOptions(labelColumn: .name("y"))).load("circle") }.contains("has no columns"))
    }

    /// gzip works for every text and array format, named by what the archive holds.
    @Test func gzipForTablesAndArrays() throws {
        let folder = temporaryFolder()
        let expected = Tensor([[1, 2], [3, 4]])
        try FileIO.writeAtomically(GZip.compress(Array("a,b\n1,2\n3,4\n".utf8)), to: folder + "/t.csv.gz")
        try FileIO.writeAtomically(GZip.compress(Array("a\tb\n1\t2\n3\t4\n".utf8)), to: folder + "/t.tsv.gz")
        try FileIO.writeAtomically(GZip.compress(NPY.encode(expected)), to: folder + "/t.npy.gz")
        for name in ["t.csv.gz", "t.tsv.gz", "t.npy.gz"] {
            #expect(try DatasetLoader().load(folder + "/" + name).samples == expected, "\(name)")
        }
        try FileIO.writeAtomically(Array("a,b\n1,2\n".utf8), to: folder + "/plain.csv.gz")
        #expect(errorText { _ = try DatasetLoader().load(folder + "/plain.csv.gz") }.contains("not a gzip file"))
    }

    /// uint8 pixels read the same from NPY as from IDX: divided by 255.
    @Test func unsignedBytesScaleAlikeInEveryContainer() throws {
        let path = temporaryFolder() + "/images-idx2-ubyte"
        let pixels = Tensor([[0, 255, 7], [1, 2, 3]])
        try IDX.write(pixels, as: .uint8, to: path)
        let fromIDX = try DatasetLoader().load(path).samples
        let fromNPY = try DatasetLoader().load(fixture("uint8.npy")).samples
        #expect(fromIDX == pixels / 255 && fromNPY == fromIDX)
        // Labels stored as uint8 stay the integers they are.
        #expect(try NPY.read(fixture("uint8.npy")).scalars.max() == 255)
    }

    /// NPZ archives as scikit-learn users write them: `np.savez(f, data=X, target=y)`, with
    /// float targets that are whole numbers.
    @Test func npzTargetsAreLabels() throws {
        let path = temporaryFolder() + "/t.npz"
        try NPZ.write([("data", Tensor([[1, 2], [3, 4], [5, 6]])), ("target", Tensor([2, 0, 1]))], to: path)
        #expect(try DatasetLoader().load(path).labels == [2, 0, 1])
        try NPZ.write([("data", Tensor([[1, 2], [3, 4]])), ("target", Tensor([0.5, 1]))], to: path)
        #expect(errorText { _ = try DatasetLoader().load(path) }.contains("holding fractions"))
    }
}
