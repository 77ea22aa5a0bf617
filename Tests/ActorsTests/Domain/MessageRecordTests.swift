import Foundation
import Testing

@testable import Actors

@Suite("MessageRecord")
struct MessageRecordTests {
    static let record = MessageRecord(
        id: "m-1", conversationId: "c-1", body: "say \"hi\"\n\\ شكرا", contentSid: nil, sid: "SM1", status: "delivered",
        errorCode: nil, attempts: 2, lastError: nil, createdAt: "2026-12-02T11:00:00.000Z")

    /// The event payload is the API's message object: every field, `null` for the absent ones, text escaped.
    @Test func itsJSONIsTheEncodedObject() throws {
        let text = Self.record.json
        #expect(text.hasPrefix("{\"id\":\"m-1\",\"conversationId\":\"c-1\",\"direction\":\"outbound\","))
        let parsed = try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(parsed.count == 11)
        #expect(parsed["body"] as? String == "say \"hi\"\n\\ شكرا")
        #expect(parsed["contentSid"] is NSNull && parsed["errorCode"] is NSNull && parsed["lastError"] is NSNull)
        #expect(parsed["attempts"] as? Int == 2)
        let decoded = try JSONDecoder().decode(MessageRecord.self, from: Data(text.utf8))
        #expect(decoded == Self.record)
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(Self.record)) as? NSDictionary
        #expect(encoded == parsed as NSDictionary)
    }
}
