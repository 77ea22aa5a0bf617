import Foundation
import HummingbirdTesting
import Infra
import Testing

@testable import Server

/// The hot path decides the bot step before anything is written and commits it with the message: by the time
/// Twilio has its 200, the message is handled and its replies are queued, in the same transaction.
@Suite(.serialized, .timeLimit(.minutes(3))) struct DecideBeforeCommitTests {
    private static func inboundAndReplies(
        _ app: SufraTestApp, customer: String
    ) async throws -> (
        handled: [Bool], replies: Int, version: Int64
    ) {
        try await app.database.withClient { db in
            let handled = try await db.query(
                """
                SELECT m.handled_at IS NOT NULL AS handled FROM messages m
                JOIN conversations c ON c.id = m.conversation_id
                WHERE c.customer = \(customer) AND m.direction = 'inbound' ORDER BY m.created_at
                """
            ).map { try $0.decode("handled", as: Bool.self) }
            let replies = try await db.query(
                """
                SELECT count(*) AS n FROM messages m JOIN conversations c ON c.id = m.conversation_id
                WHERE c.customer = \(customer) AND m.direction = 'outbound'
                """
            ).single().decode("n", as: Int.self)
            let version = try await db.query(
                "SELECT version FROM conversations WHERE customer = \(customer)"
            ).single().decode("version", as: Int64.self)
            return (handled, replies, version)
        }
    }

    @Test func theAnswerComesAfterTheMessageItsStepAndItsRepliesCommittedTogether() async throws {
        try await SufraTestApp.run { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let customer = "whatsapp:+966520000001"
            let response = try await client.sendWebhook(to: restaurant, from: customer, body: "مرحبا")
            #expect(response.status == .ok)
            // No waiting: the 200 came after the one commit that holds everything.
            let state = try await Self.inboundAndReplies(app, customer: customer)
            #expect(state.handled == [true])
            #expect(state.replies == 1)
            #expect(state.version == 1)
            let audit = try await app.database.withClient { db in
                try await db.query(
                    "SELECT outcome FROM webhook_audit_log WHERE restaurant_id = \(restaurant.id)::uuid"
                ).map { try $0.decode("outcome", as: String.self) }
            }
            #expect(audit == ["accepted"])
        }
    }

    @Test func aDuplicateMessageSidDiscardsItsStep() async throws {
        try await SufraTestApp.run { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let customer = "whatsapp:+966520000002"
            let sid = TestSid.make()
            #expect(try await client.sendWebhook(to: restaurant, from: customer, body: "1", sid: sid).status == .ok)
            #expect(try await client.sendWebhook(to: restaurant, from: customer, body: "1", sid: sid).status == .ok)
            let state = try await Self.inboundAndReplies(app, customer: customer)
            #expect(state.handled == [true])
            #expect(state.replies == 1)
            #expect(state.version == 1)
        }
    }

    @Test func aStepDecidedFromAStaleVersionIsRedoneFromTheStoredRow() async throws {
        try await SufraTestApp.run { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let customer = "whatsapp:+966520000003"
            #expect(try await client.sendWebhook(to: restaurant, from: customer, body: "hello").status == .ok)
            // Another process moves the conversation: it is now choosing the order type, at a newer version.
            try await app.database.withClient { db in
                _ = try await db.execute(
                    """
                    UPDATE conversations SET version = version + 5, bot_state = '{"v":1,"step":"choosingType"}'::jsonb
                    WHERE customer = \(customer)
                    """)
            }
            // "2" means pickup in that state (a stale actor would read it as "my order status").
            #expect(try await client.sendWebhook(to: restaurant, from: customer, body: "2").status == .ok)
            let state = try await Self.inboundAndReplies(app, customer: customer)
            #expect(state.handled == [true, true])
            #expect(state.version == 7)
            let orders = try await app.database.withClient { db in
                try await db.query("SELECT type, status FROM orders WHERE customer = \(customer)").map {
                    "\(try $0.decode("type", as: String.self)) \(try $0.decode("status", as: String.self))"
                }
            }
            #expect(orders == ["pickup DRAFT"])
        }
    }

    @Test func concurrentCustomersShareCommitsAndEachGetsItsReply() async throws {
        try await SufraTestApp.run { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let customers = (0..<40).map { "whatsapp:+96653000\(String(format: "%04d", $0))" }
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for customer in customers {
                    group.addTask {
                        Int(try await client.sendWebhook(to: restaurant, from: customer, body: "hi").status.code)
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: customers.count))
            let counts = try await app.database.withClient { db in
                let row = try await db.query(
                    """
                    SELECT count(*) FILTER (WHERE direction = 'inbound' AND handled_at IS NOT NULL) AS handled,
                           count(*) FILTER (WHERE direction = 'outbound') AS replies
                    FROM messages WHERE restaurant_id = \(restaurant.id)::uuid
                    """
                ).single()
                return (try row.decode("handled", as: Int.self), try row.decode("replies", as: Int.self))
            }
            #expect(counts.0 == customers.count)
            #expect(counts.1 == customers.count)
        }
    }
}
