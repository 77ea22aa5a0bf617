import Foundation
import HummingbirdTesting
import Infra
import SufraDev
import Testing

@testable import Server

/// Staff replies take the bot's "reply queued" path: rows by `ReplyRowsWriter`, senders woken by the
/// `OutboundNotifier` after the commit, never a `NOTIFY` inside the transaction.
@Suite(.serialized, .timeLimit(.minutes(3))) struct StaffReplyPathTests {
    static func conversation(_ app: SufraTestApp, restaurant: String, customer: String) async throws -> String {
        try await app.database.withClient { db in
            try await db.query(
                """
                INSERT INTO conversations (restaurant_id, customer, last_inbound_at)
                VALUES (\(restaurant)::uuid, \(customer), now()) RETURNING id::text AS id
                """
            ).single().decode("id", as: String.self)
        }
    }

    /// Notifications arrive in commit order: a marker notified after the reply committed is the first the
    /// listener hears only if the reply's transaction notified nothing.
    @Test func aStaffReplyNotifiesNothingInsideItsTransaction() async throws {
        try await SufraTestApp.run(options: OutboundHarness.withoutSender()) { app, client, sufra in
            let restaurant = try await client.createRestaurant()
            let conversation = try await Self.conversation(
                app, restaurant: restaurant.id, customer: "whatsapp:+966550003001")
            let listener = PGListener(
                configuration: try PGConfiguration(url: app.database.url), channels: [OutboundQueue.channel])
            var events = listener.makeAsyncIterator()
            #expect(try await events.next() == .listening)
            let reply = try await StaffStore(client: sufra.postgres).reply(
                restaurantId: restaurant.id, conversationId: conversation, body: "from staff")
            #expect(reply?.status == "queued")
            try await app.database.withClient { db in
                _ = try await db.query("SELECT pg_notify(\(OutboundQueue.channel), 'marker')")
            }
            var first: String?
            while first == nil {
                if case .notification(let note) = try await events.next() { first = note.payload }
            }
            #expect(first == "marker", "the reply's transaction notified \(first ?? "")")
        }
    }

    /// With polls far slower than the test, only the notifier's wake-up after the commit delivers the reply.
    @Test func aStaffReplyIsDeliveredThroughTheNotifierAfterItsCommit() async throws {
        var options = OutboundHarness.options()
        options.outbound.pollInterval = .seconds(60)
        options.outbound.sender.pollInterval = .seconds(60)
        try await OutboundHarness.run(options: options) { app, client, sufra, sandbox in
            let restaurant = try await client.createRestaurant()
            sandbox.registerAccount(sid: restaurant.accountSid, authToken: restaurant.authToken)
            let customer = "whatsapp:+966550003002"
            let conversation = try await Self.conversation(app, restaurant: restaurant.id, customer: customer)
            let store = StaffStore(client: sufra.postgres, notifier: sufra.notifier)
            _ = try await store.reply(restaurantId: restaurant.id, conversationId: conversation, body: "staff here")
            let received = try await sandbox.waitForMessages(count: 1, to: customer)
            #expect(received.map(\.body) == ["staff here"])
        }
    }
}
