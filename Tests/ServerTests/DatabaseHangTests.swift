import Foundation
import HummingbirdTesting
import Infra
import SufraTestSupport
import Testing

@testable import Server

/// A database that stops answering makes the webhook answer 503 within the request deadline, not hang until
/// Twilio gives up; once the database answers again, so does the webhook.
@Suite(.serialized, .timeLimit(.minutes(2))) struct DatabaseHangTests {
    @Test func webhookAnswers503WithinTheDeadlineWhileTheDatabaseHangs() async throws {
        try await SufraTestApp.run(databaseParameters: "request_timeout=1000&statement_timeout=0") { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let customer = "whatsapp:+966511111119"
            // Another session holds the messages table: every insert into it waits, as on a frozen server.
            let (hung, waited) = try await Self.whileLocked("messages", in: app) {
                try await client.sendWebhook(to: restaurant, from: customer, body: "hi")
            }
            #expect(hung.status == .serviceUnavailable)
            #expect(waited < .seconds(5), "answered after \(waited)")
            let next = try await client.sendWebhook(to: restaurant, from: customer, body: "hi again")
            #expect(next.status == .ok)
        }
    }

    /// The database answers nothing within the webhook's deadline, though each of its requests may take the full
    /// 5 s: a new customer's conversation cannot even load. Without one deadline per webhook, the failed
    /// activation was retried under the restart policy behind the asker (5 restarts, each up to 5 s), and then a
    /// second ingest was tried: well past Twilio's 15 s.
    @Test func webhookIsAnswered503ByItsDeadlineWhileItsConversationCannotLoad() async throws {
        try await SufraTestApp.run(
            overrides: ["WEBHOOK_DEADLINE_MS": "1500"], databaseParameters: "request_timeout=5000&statement_timeout=0"
        ) { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let customer = "whatsapp:+966511111120"
            let sid = TestSid.make()
            let (hung, waited) = try await Self.whileLocked("conversations, messages", in: app) {
                try await client.sendWebhook(to: restaurant, from: customer, body: "hi", sid: sid)
            }
            #expect(hung.status == .serviceUnavailable)
            #expect(waited < .seconds(3), "answered after \(waited)")
            // Twilio's retry of the refused webhook is handled as new: stored once, and the bot answers it.
            let retried = try await client.sendWebhook(to: restaurant, from: customer, body: "hi", sid: sid)
            #expect(retried.status == .ok)
            try await eventually("the retried message is stored once and handled") {
                try await app.database.withClient { db in
                    let row = try await db.query(
                        "SELECT count(*) AS stored, bool_and(handled_at IS NOT NULL) AS handled FROM messages WHERE sid = \(sid)"
                    ).single()
                    return try row.decode("stored", as: Int.self) == 1 && row.decode("handled", as: Bool?.self) == true
                }
            }
        }
    }

    /// A conversation already in memory whose commit hangs: the webhook is answered by its deadline, not by the
    /// database's 5 s request timeout; the commit that finishes later makes Twilio's retry a duplicate.
    @Test func residentConversationsWebhookIsAnswered503ByItsDeadlineWhileItsCommitHangs() async throws {
        try await SufraTestApp.run(
            overrides: ["WEBHOOK_DEADLINE_MS": "1500"], databaseParameters: "request_timeout=5000&statement_timeout=0"
        ) { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let customer = "whatsapp:+966511111121"
            #expect(try await client.sendWebhook(to: restaurant, from: customer, body: "hi").status == .ok)
            let sid = TestSid.make()
            let (hung, waited) = try await Self.whileLocked("messages", in: app) {
                try await client.sendWebhook(to: restaurant, from: customer, body: "menu", sid: sid)
            }
            #expect(hung.status == .serviceUnavailable)
            #expect(waited < .seconds(3), "answered after \(waited)")
            let retried = try await client.sendWebhook(to: restaurant, from: customer, body: "menu", sid: sid)
            #expect(retried.status == .ok)
            let stored = try await app.database.withClient { db in
                try await db.query("SELECT count(*) AS stored FROM messages WHERE sid = \(sid)").single()
                    .decode("stored", as: Int.self)
            }
            #expect(stored == 1)
        }
    }

    /// Runs `send` while another session holds `tables` locked (every statement on them waits, as on a frozen
    /// server); answers its response and how long it took. The lock is released before returning.
    private static func whileLocked(
        _ tables: String, in app: SufraTestApp, _ send: () async throws -> TestResponse
    ) async throws -> (TestResponse, Duration) {
        let blocker = try await PGConnection.connect(configuration: PGConfiguration(url: app.database.url))
        try await blocker.simpleQuery("BEGIN; LOCK TABLE \(tables) IN ACCESS EXCLUSIVE MODE")
        let clock = ContinuousClock()
        let started = clock.now
        let response = await Result { try await send() }
        let waited = clock.now - started
        try await blocker.simpleQuery("ROLLBACK")
        await blocker.close()
        return (try response.get(), waited)
    }
}

extension Result where Failure == any Error {
    /// The outcome of `body`, kept so that cleanup runs before it is rethrown.
    fileprivate init(_ body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
