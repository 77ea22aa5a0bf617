import Foundation
import HummingbirdTesting
import Infra
import SufraTestSupport
import Testing

@testable import Server

@Suite(.serialized, .timeLimit(.minutes(3))) struct BotConversationTests {
    /// Sends `texts` in order as one customer and waits until the bot handled them all.
    static func converse(
        _ app: SufraTestApp, _ client: some TestClientProtocol, _ restaurant: TestRestaurant, customer: String,
        _ messages: [(String, [(String, String)])]
    ) async throws {
        for (text, extra) in messages {
            let response = try await client.sendWebhook(to: restaurant, from: customer, body: text, extra: extra)
            #expect(response.status == .ok, "webhook '\(text)'")
        }
        try await eventually("all messages handled") {
            try await app.database.withClient { db in
                try await db.query(
                    """
                    SELECT count(*) AS n FROM messages m JOIN conversations c ON c.id = m.conversation_id
                    WHERE c.customer = \(customer) AND m.direction = 'inbound' AND m.handled_at IS NULL
                    """
                ).single().decode("n", as: Int.self) == 0
            }
        }
    }

    static func replies(_ app: SufraTestApp, customer: String) async throws -> [String] {
        try await app.database.withClient { db in
            try await db.query(
                """
                SELECT coalesce(m.body, m.content_sid) AS body FROM messages m
                JOIN conversations c ON c.id = m.conversation_id
                WHERE c.customer = \(customer) AND m.direction = 'outbound' ORDER BY m.created_at, m.id
                """
            ).map { try $0.decode("body", as: String.self) }
        }
    }

    @Test func completeArabicPickupOrderEndsConfirmedWithItemsAndTotal() async throws {
        try await SufraTestApp.run { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let customer = "whatsapp:+966511111111"
            try await Self.converse(
                app, client, restaurant, customer: customer,
                [("مرحبا", []), ("1", []), ("2", []), ("1 x2", []), ("3", []), ("تم", []), ("1", [])])
            let order = try await app.database.withClient { db in
                let row = try await db.query(
                    "SELECT id, number, type, status, total FROM orders WHERE customer = \(customer)"
                ).single()
                let items = try await db.query(
                    """
                    SELECT name, quantity, unit_price, line_total FROM order_items
                    WHERE order_id = \(try row.decode("id", as: String.self))::uuid ORDER BY position
                    """
                ).map {
                    "\(try $0.decode("name", as: String.self))×\(try $0.decode("quantity", as: Int.self))="
                        + "\(try $0.decode("line_total", as: Int64.self))"
                }
                return (
                    try row.decode("number", as: Int.self), try row.decode("type", as: String.self),
                    try row.decode("status", as: String.self), try row.decode("total", as: Int64.self), items
                )
            }
            #expect(order.0 == 1)
            #expect(order.1 == "pickup")
            #expect(order.2 == "CONFIRMED")
            #expect(order.3 == 3500)
            #expect(order.4 == ["شاورما×2=3000", "عصير×1=500"])
            let replies = try await Self.replies(app, customer: customer)
            #expect(replies.count == 7, "one reply per message: \(replies)")
            #expect(replies.last?.contains("1") == true)
        }
    }

    @Test func completeEnglishDeliveryOrderWithLocation() async throws {
        try await SufraTestApp.run { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let customer = "whatsapp:+966522222222"
            try await Self.converse(
                app, client, restaurant, customer: customer,
                [
                    ("hello", []), ("1", []), ("delivery", []),
                    ("", [("Latitude", "24.7136"), ("Longitude", "46.6753"), ("Address", "Riyadh")]),
                    ("2*3", []), ("done", []), ("confirm", []),
                ])
            let order = try await app.database.withClient { db in
                let row = try await db.query(
                    """
                    SELECT type, status, total, location->>'latitude' AS lat, c.language
                    FROM orders o JOIN conversations c ON c.id = o.conversation_id WHERE o.customer = \(customer)
                    """
                ).single()
                return (
                    try row.decode("type", as: String.self), try row.decode("status", as: String.self),
                    try row.decode("total", as: Int64.self), try row.decode("lat", as: String?.self),
                    try row.decode("language", as: String?.self)
                )
            }
            #expect(order.0 == "delivery")
            #expect(order.1 == "CONFIRMED")
            #expect(order.2 == 2400)
            #expect(order.3 == "24.7136")
            #expect(order.4 == "en")
            let replies = try await Self.replies(app, customer: customer)
            #expect(replies.first?.lowercased().contains("welcome") == true, "English welcome: \(replies)")
        }
    }

    @Test func cancelAndNonsenseNeverCrashAndRestaurantsStayApart() async throws {
        try await SufraTestApp.run { app, client, _ in
            let first = try await client.createRestaurant()
            let second = try await client.createRestaurant()
            let customer = "whatsapp:+966533333333"
            try await Self.converse(
                app, client, first, customer: customer,
                [("hi", []), ("1", []), ("2", []), ("asdfgh", []), ("cancel", [])])
            let statuses = try await app.database.withClient { db in
                try await db.query("SELECT status FROM orders WHERE restaurant_id = \(first.id)::uuid")
                    .map { try $0.decode("status", as: String.self) }
            }
            #expect(statuses == ["CANCELLED"])
            let replies = try await Self.replies(app, customer: customer)
            #expect(replies.count == 5)
            #expect(replies.allSatisfy { !$0.isEmpty })
            let secondTouched = try await app.database.withClient { db in
                try await db.query(
                    """
                    SELECT (SELECT count(*) FROM conversations WHERE restaurant_id = \(second.id)::uuid)
                         + (SELECT count(*) FROM messages WHERE restaurant_id = \(second.id)::uuid) AS n
                    """
                ).single().decode("n", as: Int.self)
            }
            #expect(secondTouched == 0)
        }
    }

    @Test func messageAcknowledgedButNeverHandledIsHandledOnceAfterRestart() async throws {
        try await SufraTestApp.run { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let customer = "whatsapp:+966544444444"
            // What a crash right after answering Twilio leaves behind: a stored, unhandled message.
            try await app.database.withClient { db in
                _ = try await db.execute(
                    """
                    WITH c AS (
                        INSERT INTO conversations (restaurant_id, customer) VALUES (\(restaurant.id)::uuid, \(customer))
                        RETURNING id
                    )
                    INSERT INTO messages (restaurant_id, conversation_id, direction, body, sid, status, created_at)
                    SELECT \(restaurant.id)::uuid, c.id, 'inbound', 'hello', \(TestSid.make()), 'received',
                           now() - interval '1 minute'
                    FROM c
                    """)
            }
            try await eventually("the sweeper handles the orphan") {
                try await app.database.withClient { db in
                    try await db.query(
                        "SELECT count(*) AS n FROM messages WHERE direction = 'inbound' AND handled_at IS NULL"
                    ).single().decode("n", as: Int.self) == 0
                }
            }
            // A second sweep after handling changes nothing: still exactly one reply.
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await Self.replies(app, customer: customer).count == 1)
        }
    }
}
