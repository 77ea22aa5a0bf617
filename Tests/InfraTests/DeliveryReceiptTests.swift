import Foundation
import Testing

@testable import Infra

/// A receipt's `job` is read as Foundation reads a uuid, without Foundation's `sscanf`.
@Suite struct DeliveryReceiptTests {
    @Test func aJobIdIsAUUIDInLowerCaseOrNothing() {
        for _ in 0..<100 {
            let uuid = UUID()
            #expect(DeliveryReceipt.lowercasedUUID(uuid.uuidString) == uuid.uuidString.lowercased())
            #expect(DeliveryReceipt.lowercasedUUID(uuid.uuidString.lowercased()) == uuid.uuidString.lowercased())
        }
        for text in [
            "", "job", "0000000-0000-0000-0000-0000000000001", "00000000-0000-0000-0000-00000000000g",
            "00000000_0000-0000-0000-000000000000", "00000000-0000-0000-0000-0000000000",
            "{00000000-0000-0000-0000-000000000000}",
            "00000000-0000-0000-0000-0000000000000",
        ] {
            #expect(DeliveryReceipt.lowercasedUUID(text) == nil, "\(text)")
            #expect(UUID(uuidString: text) == nil, "Foundation agrees: \(text)")
        }
        let receipt = DeliveryReceipt(
            restaurantId: "r", sid: "SM1", status: "sent", jobId: "6BA7B810-9DAD-11D1-80B4-00C04FD430C8")
        #expect(receipt.jobUUID == "6ba7b810-9dad-11d1-80b4-00c04fd430c8")
    }
}
