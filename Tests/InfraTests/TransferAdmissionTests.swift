import Testing

@testable import Infra

/// The client's connection slots as values: who starts, who waits, who is next.
@Suite("TransferAdmission")
struct TransferAdmissionTests {
    @Test func transfersBeyondTheLimitWaitAndStartInArrivalOrder() {
        var admission = TransferAdmission(limit: 2)
        let r1 = admission.admit(1, origin: "http://a")
        #expect(r1)
        let r2 = admission.admit(2, origin: "http://a")
        #expect(r2)
        let r3 = admission.admit(3, origin: "http://a")
        #expect(!r3)
        let r4 = admission.admit(4, origin: "http://a")
        #expect(!r4)
        #expect(admission.waitingCount == 2)
        let r5 = admission.release("http://a")
        #expect(r5 == 3)
        let r6 = admission.release("http://a")
        #expect(r6 == 4)
        #expect(admission.running("http://a") == 2)
        let r7 = admission.release("http://a")
        #expect(r7 == nil)
        let r8 = admission.release("http://a")
        #expect(r8 == nil)
        #expect(admission.running("http://a") == 0)
        #expect(admission.waitingCount == 0)
    }

    @Test func eachOriginHasItsOwnSlots() {
        var admission = TransferAdmission(limit: 1)
        let r9 = admission.admit(1, origin: "http://a")
        #expect(r9)
        let r10 = admission.admit(2, origin: "http://b")
        #expect(r10)
        let r11 = admission.admit(3, origin: "http://a")
        #expect(!r11)
        let r12 = admission.release("http://b")
        #expect(r12 == nil)
        let r13 = admission.release("http://a")
        #expect(r13 == 3)
    }

    @Test func aWithdrawnTransferIsNeverHandedASlot() {
        var admission = TransferAdmission(limit: 1)
        let r14 = admission.admit(1, origin: "http://a")
        #expect(r14)
        let r15 = admission.admit(2, origin: "http://a")
        #expect(!r15)
        let r16 = admission.admit(3, origin: "http://a")
        #expect(!r16)
        let r17 = admission.withdraw(2, origin: "http://a")
        #expect(r17)
        let r18 = admission.withdraw(2, origin: "http://a")
        #expect(!r18)
        let r19 = admission.withdraw(1, origin: "http://a")
        #expect(!r19, "a running transfer is not waiting")
        #expect(admission.waitingCount == 1)
        let r20 = admission.release("http://a")
        #expect(r20 == 3)
    }

    @Test func noLimitAdmitsEverything() {
        var admission = TransferAdmission(limit: 0)
        var admitted = 0
        for id in 1...1000 where admission.admit(UInt64(id), origin: "http://a") { admitted += 1 }
        #expect(admitted == 1000)
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
