import DataFormats
import Foundation
import Testing

/// JSON values: what is parsed is written back to the same value, keys sorted; what JSON cannot
/// hold (NaN) becomes null; what is not JSON is an error.
@Suite struct JSONValues {
    static let documents = [
        #"{"b":[1,2.5,-3e-07,true,null],"a":{"z":"x\"y\\\n","y":[]},"c":"é/✓"}"#,
        #"[]"#, #"{}"#, #""text""#, #"0"#, #"-12345678901234"#, #"[{"k":false}]"#,
    ]

    @Test(arguments: documents)
    func textRoundTrips(_ document: String) throws {
        let value = try JSONValue(parsing: Data(document.utf8))
        #expect(try JSONValue(parsing: Data(value.text.utf8)) == value)
        // JSON that Foundation reads the same way: the text is valid JSON.
        #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(value.text.utf8), options: .fragmentsAllowed) }
    }

    @Test func objectsAreWrittenWithSortedKeysAndWholeNumbersPlain() throws {
        let value = try JSONValue(parsing: Data(#"{"b":2.0,"a":[1,0.5],"c":"/"}"#.utf8))
        #expect(value.text == #"{"a":[1,0.5],"b":2,"c":"/"}"#)
    }

    @Test func nonFiniteNumbersBecomeNull() throws {
        struct Result: Encodable { var finite = 1.5, missing = Double.nan, large = Double.infinity, list = [Double.nan, 2] }
        #expect(try JSONValue(encoding: Result()).text == #"{"finite":1.5,"large":null,"list":[null,2],"missing":null}"#)
    }

    @Test(arguments: ["", "{", #"{"a":}"#, "[1,,2]", "nul", #"{"a":1"#, "\u{0}"])
    func malformedTextIsAnError(_ text: String) {
        #expect(throws: (any Error).self) { try JSONValue(parsing: Data(text.utf8)) }
    }

    @Test func accessorsReadOnlyTheirKind() throws {
        let value = try JSONValue(parsing: Data(#"{"n":3,"f":3.5,"s":"x","a":[1]}"#.utf8))
        let members = try #require(value.objectValue)
        #expect(members["n"]?.intValue == 3 && members["f"]?.intValue == nil && members["s"]?.stringValue == "x")
        #expect(members["a"]?.arrayValue?.count == 1 && members["s"]?.intValue == nil && value.arrayValue == nil)
    }
}
