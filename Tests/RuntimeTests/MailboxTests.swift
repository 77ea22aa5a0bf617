import Testing

@testable import Runtime

@Suite(.timeLimit(.minutes(1))) struct MailboxTests {
    @Test func deliversInOrderAndEndsAfterClose() async throws {
        let mailbox = Mailbox<Int>(highWatermark: 100)
        for value in 0..<10 { try mailbox.trySend(value) }
        mailbox.close()
        #expect(throws: MailboxError.closed) { try mailbox.trySend(99) }
        var received: [Int] = []
        while let value = await mailbox.next() { received.append(value) }
        #expect(received == Array(0..<10))
    }

    @Test func rejectsWhenFullAndSuspendedSenderResumesWhenDrained() async throws {
        let clock = ManualClock()
        let mailbox = Mailbox<Int>(highWatermark: 2, lowWatermark: 0)
        try mailbox.trySend(1)
        try mailbox.trySend(2)
        #expect(throws: MailboxError.full) { try mailbox.trySend(3) }
        async let sent: Void = mailbox.send(3, timeout: .seconds(5), clock: clock)
        await clock.waitForSleepers(count: 1)
        #expect(await mailbox.next() == 1)
        #expect(await mailbox.next() == 2)
        #expect(await mailbox.next() == 3)  // admitted once 1 and 2 were done
        try await sent
    }

    @Test func suspendedSenderTimesOut() async throws {
        let clock = ManualClock()
        let mailbox = Mailbox<Int>(highWatermark: 1)
        try mailbox.trySend(1)
        async let sent: Void = mailbox.send(2, timeout: .seconds(5), clock: clock)
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(5))
        do {
            _ = try await sent
            Issue.record("expected MailboxError.timedOut")
        } catch {
            #expect(error as? MailboxError == MailboxError.timedOut)
        }
        #expect(mailbox.count == 1)
    }
}
