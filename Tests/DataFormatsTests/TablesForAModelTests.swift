import DataFormats
import Foundation
import Testing
import Tensors
import TestSupport

/// What a reader decides about a table that a guess would get wrong: which columns a model's
/// features are, whether a row of numbers is a header, which classes integer labels make, and
/// which values fill a gap.
@Suite struct TablesForAModel {
    func parse(_ text: String, _ options: CSVOptions = .init()) throws -> Dataset {
        try CSV.parse(Array(text.utf8), file: "t.csv", options: options)
    }

    /// Reordered, with an extra column: the model's order, every value where it belongs, and
    /// the origin (subtracted in Double) in the model's order too.
    @Test(arguments: [false, true])
    func featuresComeInTheModelsOrder(withOrigin: Bool) throws {
        let text = "c,extra,a,b\n3000000.5,x,1,2000000.25\n3000001.5,y,2,2000001.25\n"
        var options = CSVOptions(modelFeatures: ["a", "b", "c"])
        if withOrigin { options.origin = .given([0, 2_000_000, 3_000_000]) }
        let table = try parse(text, options)
        #expect(table.featureNames == ["a", "b", "c"])
        let values = (0..<2).map { row in (0..<3).map { Double(table.samples[row, $0]) + (table.origin?[$0] ?? 0) } }
        #expect(values == [[1, 2_000_000.25, 3_000_000.5], [2, 2_000_001.25, 3_000_001.5]], "\(values)")
        #expect(table.notes.contains { $0.contains("in another order") } && table.notes.contains { $0.contains("'extra' (1)") })
        if withOrigin { #expect(table.origin == [0, 2_000_000, 3_000_000]) }
    }

    @Test func missingAndDuplicatedFeaturesAreErrors() throws {
        #expect(errorText { _ = try parse("a,c\n1,2\n", CSVOptions(modelFeatures: ["a", "b", "c", "d"])) }
                    .contains("2 of the model's 4 features are not among the table's columns: 'b', 'd'"))
        #expect(errorText { _ = try parse("a,b,a\n1,2,3\n", CSVOptions(modelFeatures: ["a", "b"])) }.contains("the model's feature 'a' names columns 0 and 2"))
        // Dropping one of the two by position settles it.
        #expect(try parse("a,b,a\n1,2,3\n", CSVOptions(dropColumns: [.index(2)], modelFeatures: ["a", "b"])).samples == Tensor([[1, 2]]))
        #expect(errorText { _ = try parse("a,b,a\n1,2,3\n", CSVOptions(labelColumn: .name("a"))) }.contains("names 2 columns, at 0-based positions 0 and 2"))
    }

    /// The signs of a header of numbers, each alone too weak, two together decisive.
    @Test(arguments: [
        ("400,402,404,406\n0.1,0.52,0.3,0.2\n0.4,0.2,0.6,0.1\n0.3,0.25,0.5,0.9\n", true),    // all three signs
        ("2001,2002,2003\n15,3,20\n7,9,1\n12,5,3\n", true),                                      // increasing, far outside
        ("1,2,3\n0.5,0.2,0.9\n0.1,0.7,0.3\n0.4,0.4,0.8\n", true),                                // integers over decimals, increasing
        ("9.5,1.25,3.75\n0.5,0.2,0.9\n0.1,0.7,0.3\n0.4,0.4,0.8\n", false),                       // far outside only: data, noted
        ("1,5,2\n3,4,6\n2,2,9\n", false),                                                        // counts: nothing unusual
        ("1.5,,3.25\n2.5,1.0,4.0\n0.5,2.0,1.0\n", false),                                        // a gap is data
    ])
    func headersOfNumbers(text: String, isHeader: Bool) throws {
        let table = try parse(text, CSVOptions(missingAsNaN: true))
        let rows = text.split(separator: "\n").count
        #expect(table.count == (isHeader ? rows - 1 : rows), "\(table.notes)")
        #expect((table.featureNames != nil) == isHeader)
    }

    /// Whole-number labels: 0 … k − 1 stay; others are classes named by their values; a
    /// model's such classes number every later file.
    @Test func integerLabelsAreTheDistinctValues() throws {
        #expect(try ClassLabels.encode(integers: [0, 2, 1, 2], knownClasses: nil, file: "f") == ([0, 2, 1, 2], nil))
        let tens = try ClassLabels.encode(integers: [30, 10, 20, 10], knownClasses: nil, file: "f")
        #expect(tens.labels == [2, 0, 1, 0] && tens.classNames == ["10", "20", "30"])
        #expect(try ClassLabels.encode(integers: [20, 30], knownClasses: ["10", "20", "30"], file: "f") == ([1, 2], ["10", "20", "30"]))
        #expect(errorText { _ = try ClassLabels.encode(integers: [15], knownClasses: ["10", "20", "30"], file: "f") }.contains("class 15 was not among"))
        // A model's names that are not numbers: integers are class indices already.
        #expect(try ClassLabels.encode(integers: [1, 0], knownClasses: ["cat", "dog"], file: "f") == ([1, 0], nil))
        let texts = try parse("x,y\n1,1\n2,2\n3,2\n", CSVOptions(labelColumn: .name("y")))
        #expect(texts.labels == [0, 1, 1] && texts.classNames == ["1", "2"])
    }

    /// A model's fill values fill every file the same way; the fitted ones are kept for the model.
    @Test func fillValuesAreTheModels() throws {
        let raw = try parse("a,b\n1,2\n,4\n3,NA\n", CSVOptions(missingAsNaN: true))
        let fitted = try MissingValues.mean.apply(to: raw)
        #expect(fitted.missingFill == MissingValueFill(policy: .mean, values: [2, 3]))
        let one = try parse("a,b\n,7\n", CSVOptions(missingAsNaN: true))
        let filled = try MissingValues.mean.apply(to: one, fill: fitted.missingFill)
        #expect(filled.samples == Tensor([[2, 7]]) && filled.notes[0].contains("the model's mean"))
        // Measured from an origin, the fill lands in the file's units.
        var shifted = one
        shifted.samples = Tensor([[.nan, 6]])
        shifted.origin = [1, 1]
        #expect(try MissingValues.median.apply(to: shifted, fill: MissingValueFill(policy: .median, values: [5, 5])).samples == Tensor([[4, 6]]))
    }
}
