import Testing

@testable import Infra

/// The client's connection slots as values: who starts, who waits, who is next.
@Suite("TransferAdmission")
struct TransferAdmissionTests {
    /// Admits each id in turn: whether each may start now.
    static func admit(_ ids: [UInt64], to admission: inout TransferAdmission, origin: String = "http://a") -> [Bool] {
        ids.map { admission.admit($0, origin: origin) }
    }

    /// Releases `count` slots in turn: the transfer each was handed to, if any.
    static func release(_ count: Int, of admission: inout TransferAdmission, origin: String = "http://a") -> [UInt64?] {
        (0..<count).map { _ in admission.release(origin) }
    }

    @Test func transfersBeyondTheLimitWaitAndStartInArrivalOrder() {
        var admission = TransferAdmission(limit: 2)
        #expect(Self.admit([1, 2, 3, 4], to: &admission) == [true, true, false, false])
        #expect(admission.waitingCount == 2)
        #expect(Self.release(2, of: &admission) == [3, 4])
        #expect(admission.running("http://a") == 2)
        #expect(Self.release(2, of: &admission) == [nil, nil])
        #expect(admission.running("http://a") == 0)
        #expect(admission.waitingCount == 0)
    }

    @Test func eachOriginHasItsOwnSlots() {
        var admission = TransferAdmission(limit: 1)
        #expect(Self.admit([1], to: &admission, origin: "http://a") == [true])
        #expect(Self.admit([2], to: &admission, origin: "http://b") == [true])
        #expect(Self.admit([3], to: &admission, origin: "http://a") == [false])
        #expect(Self.release(1, of: &admission, origin: "http://b") == [nil])
        #expect(Self.release(1, of: &admission, origin: "http://a") == [3])
    }

    @Test func aWithdrawnTransferIsNeverHandedASlot() {
        var admission = TransferAdmission(limit: 1)
        #expect(Self.admit([1, 2, 3], to: &admission) == [true, false, false])
        let withdrawn = [2, 2, 1].map { admission.withdraw($0, origin: "http://a") }
        // The second time 2 is no longer waiting; 1 is running, not waiting.
        #expect(withdrawn == [true, false, false])
        #expect(admission.waitingCount == 1)
        #expect(Self.release(1, of: &admission) == [3])
    }

    @Test func noLimitAdmitsEverything() {
        var admission = TransferAdmission(limit: 0)
        #expect(Self.admit(Array(1...1000), to: &admission).allSatisfy { $0 })
        #expect(admission.waitingCount == 0)
    }

    @Test(arguments: [
        ("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json", "https://api.twilio.com"),
        ("http://Host:8080/x?y#z", "http://host:8080"),
        ("http://127.0.0.1:9000?query", "http://127.0.0.1:9000"),
        ("http://127.0.0.1:9000", "http://127.0.0.1:9000"),
    ])
    func theOriginIsTheSchemeAndAuthority(_ url: String, _ origin: String) {
        #expect(TransferAdmission.origin(of: url) == origin)
    }
}
