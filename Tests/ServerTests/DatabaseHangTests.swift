import Foundation
import HummingbirdTesting
import Infra
import Testing

@testable import Server

/// A database that stops answering makes the webhook answer 503 within the request deadline, not hang until
/// Twilio gives up; once the database answers again, so does the webhook.
@Suite struct DatabaseHangTests {
    @Test func webhookAnswers503WithinTheDeadlineWhileTheDatabaseHangs() async throws {
        try await SufraTestApp.run(databaseParameters: "request_timeout=1000&statement_timeout=0") { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let customer = "whatsapp:+966511111119"
            // Another session holds the messages table: every insert into it waits, as on a frozen server.
            let blocker = try await PGConnection.connect(
                configuration: PGConfiguration(url: app.database.url))
            try await blocker.simpleQuery("BEGIN; LOCK TABLE messages IN ACCESS EXCLUSIVE MODE")
            let clock = ContinuousClock()
            let started = clock.now
            let hung = try await client.sendWebhook(to: restaurant, from: customer, body: "hi")
            let waited = clock.now - started
            try await blocker.simpleQuery("ROLLBACK")
            await blocker.close()
            #expect(hung.status == .serviceUnavailable)
            #expect(waited < .seconds(5), "answered after \(waited)")
            let next = try await client.sendWebhook(to: restaurant, from: customer, body: "hi again")
            #expect(next.status == .ok)
        }
    }
}
