import Foundation
import Infra

/// Rows the staff tests need that the bot would take many messages to make.
enum StaffFixtures {
    /// A `CONFIRMED` delivery order (two shawarmas) in `customer`'s existing conversation; returns the
    /// conversation and order ids.
    static func confirmedOrder(
        _ app: SufraTestApp, restaurant: TestRestaurant, customer: String
    ) async throws -> (conversation: String, order: String) {
        try await app.database.withClient { db in
            let row = try await db.query(
                """
                WITH n AS (
                    UPDATE restaurants SET next_order_number = next_order_number + 1
                    WHERE id = \(restaurant.id)::uuid RETURNING next_order_number - 1 AS number
                ), c AS (
                    SELECT id FROM conversations WHERE restaurant_id = \(restaurant.id)::uuid AND customer = \(customer)
                ), o AS (
                    INSERT INTO orders (restaurant_id, number, conversation_id, customer, type, status, total)
                    SELECT \(restaurant.id)::uuid, n.number, c.id, \(customer), 'delivery', 'CONFIRMED', 3000 FROM n, c
                    RETURNING id, conversation_id
                ), i AS (
                    INSERT INTO order_items (order_id, position, name, quantity, unit_price, line_total)
                    SELECT id, 0, 'Shawarma', 2, 1500, 3000 FROM o
                )
                SELECT o.id::text AS id, o.conversation_id::text AS conversation FROM o
                """
            ).single()
            return (try row.decode("conversation", as: String.self), try row.decode("id", as: String.self))
        }
    }

    /// `count` conversations with one handled inbound message each, a minute apart, newest first in the
    /// returned order.
    static func seedConversations(
        _ app: SufraTestApp, restaurant: TestRestaurant, count: Int
    ) async throws -> [(id: String, customer: String)] {
        try await app.database.withClient { db in
            let rows = try await db.query(
                """
                WITH c AS (
                    INSERT INTO conversations (restaurant_id, customer, last_message_at, created_at)
                    SELECT \(restaurant.id)::uuid, 'whatsapp:+9665' || lpad(g::text, 8, '0'),
                           now() - (g + 10) * interval '1 minute', now() - (g + 10) * interval '1 minute'
                    FROM generate_series(1, \(count)) g
                    RETURNING id, customer, last_message_at
                ), m AS (
                    INSERT INTO messages (restaurant_id, conversation_id, direction, body, status, handled_at,
                        created_at)
                    SELECT \(restaurant.id)::uuid, c.id, 'inbound', 'seed', 'received', now(), c.last_message_at FROM c
                )
                SELECT id::text AS id, customer FROM c ORDER BY last_message_at DESC, id DESC
                """)
            return try rows.map { row -> (id: String, customer: String) in
                (try row.decode("id", as: String.self), try row.decode("customer", as: String.self))
            }
        }
    }

    /// The outbound messages of `customer`'s conversation in queue order: body, or the template's content sid.
    static func outbound(_ app: SufraTestApp, customer: String) async throws -> [String] {
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

    /// The status and rating of the customer's latest order.
    static func latestOrder(
        _ app: SufraTestApp, customer: String
    ) async throws -> (id: String, status: String, rating: Int?) {
        try await app.database.withClient { db in
            let row = try await db.query(
                """
                SELECT id::text AS id, status, rating::int AS rating FROM orders WHERE customer = \(customer)
                  AND status <> 'DRAFT' ORDER BY created_at DESC LIMIT 1
                """
            ).single()
            return (
                try row.decode("id", as: String.self), try row.decode("status", as: String.self),
                try row.decode("rating", as: Int?.self)
            )
        }
    }
}
