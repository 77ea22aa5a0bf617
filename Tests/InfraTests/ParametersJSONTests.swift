import Actors
import Foundation
import Testing

@testable import Infra

/// Twilio's parameters as stored in `messages.params` and the audit payload: arrival order, a repeated name's
/// values in an array at its first place, and JSON that any parser reads back to the same values.
@Suite struct ParametersJSONTests {
    @Test func keepsOrderAndGroupsARepeatedNameAtItsFirstPlace() {
        let json = IngestBatchWriter.parametersJSON([
            ("MessageSid", "SM1"), ("MediaUrl", "a"), ("Body", "مرحبا"), ("MediaUrl", "b"), ("To", "whatsapp:+1"),
            ("MediaUrl", "c"),
        ])
        #expect(json == #"{"MessageSid":"SM1","MediaUrl":["a","b","c"],"Body":"مرحبا","To":"whatsapp:+1"}"#)
    }

    @Test func escapesWhatJSONRequiresAndParsesBack() throws {
        let parameters: [(name: String, value: String)] = [
            ("Body", "say \"hi\"\\ now\n\tplease\u{1}"), ("Empty", ""), ("Name\"Quoted", "x"),
        ]
        let json = IngestBatchWriter.parametersJSON(parameters)
        let parsed = try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String])
        #expect(parsed == ["Body": "say \"hi\"\\ now\n\tplease\u{1}", "Empty": "", "Name\"Quoted": "x"])
    }

    /// The parameters are written as bytes, events as a `String`: both quote every value the same way, and a JSON
    /// parser reads the value back.
    @Test func theBytePathQuotesEveryValueAsTheStringPathDoes() throws {
        let controls = String(String.UnicodeScalarView((0..<32).map { Unicode.Scalar(UInt8($0)) }))
        for value in ["", "plain", "مرحبا 👋🏽", "a\"b\\c", controls, "end\u{7F}é\u{301}", "\"\"\\\\"] {
            var bytes: [UInt8] = []
            JSONText.appendQuoted(value, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == JSONText.quoted(value), "\(value.debugDescription)")
            let parsed = try JSONSerialization.jsonObject(with: Data(("[" + JSONText.quoted(value) + "]").utf8))
            #expect((parsed as? [String])?.first == value, "\(value.debugDescription)")
        }
    }

    @Test func noParametersIsAnEmptyObject() {
        #expect(IngestBatchWriter.parametersJSON([]) == "{}")
    }
}
