import Testing

@testable import Infra

@Suite(.timeLimit(.minutes(3))) struct PGListenerTests {
    @Test func receivesNotifyAndAgainAfterReconnect() async throws {
        let server = try PostgresTestSupport.serverConfiguration()
        let channel = "sufra_test_\(UInt32.random(in: 0...UInt32.max))"
        let listener = PGListener(configuration: server, channels: [channel], initialBackoff: .milliseconds(10))
        let notifier = try await PGConnection.connect(configuration: server)
        var events = listener.makeAsyncIterator()

        #expect(try await events.next() == .listening)
        try await notifier.query("SELECT pg_notify(\(channel), \("first"))")
        guard case .notification(let first) = try await events.next() else {
            Issue.record("expected a notification")
            return
        }
        #expect(first.channel == channel)
        #expect(first.payload == "first")

        let pid = try #require(await events.currentConnection?.backendPID)
        try await PostgresTestSupport.terminate(backend: pid, server: server)
        #expect(try await events.next() == .listening, "reconnected and listening again")
        #expect(await events.currentConnection?.backendPID != pid)

        try await notifier.query("SELECT pg_notify(\(channel), \("after reconnect"))")
        #expect(
            try await events.next()
                == .notification(
                    PGNotification(channel: channel, payload: "after reconnect", backendPID: notifier.backendPID))
        )
        await notifier.close()
    }
}
