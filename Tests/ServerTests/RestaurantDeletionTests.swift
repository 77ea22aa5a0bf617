import HTTPTypes
import HummingbirdTesting
import Infra
import SufraTestSupport
import Testing

@testable import Server

/// Deleting a restaurant deletes all its data, its messages and audit lines included (neither has a foreign key to
/// what it belongs to since migrations 7 and 9), and leaves other restaurants' data alone.
@Suite(.serialized, .timeLimit(.minutes(2))) struct RestaurantDeletionTests {
    @Test func deletingARestaurantDeletesItsConversationsMessagesOrdersAndAuditLines() async throws {
        try await SufraTestApp.run { app, client, _ in
            // Two messages a minute: the third webhook is throttled, and its audit line is a row of its own (an
            // accepted webhook's line is its message, migration 9).
            let gone = try await client.createRestaurant(name: "Gone", extra: ["inboundPerMinute": "2"])
            let kept = try await client.createRestaurant(name: "Kept", extra: ["inboundPerMinute": "2"])
            for restaurant in [gone, kept] {
                for body in ["مرحبا", "1"] {
                    #expect(
                        try await client.sendWebhook(to: restaurant, from: "whatsapp:+966500000301", body: body).status
                            == .ok)
                }
                #expect(
                    try await client.sendWebhook(to: restaurant, from: "whatsapp:+966500000301", body: "2").status
                        == .tooManyRequests)
            }
            let before = try await Self.rows(app, restaurantId: gone.id)
            #expect(before.allSatisfy { $0.count > 0 }, "\(before)")

            let deleted = try await client.execute(
                uri: "/admin/restaurants/\(gone.id)", method: .delete,
                headers: [.authorization: "Bearer \(SufraTestApp.adminToken)"])
            #expect(deleted.status == .noContent)

            #expect(try await Self.rows(app, restaurantId: gone.id).allSatisfy { $0.count == 0 })
            #expect(try await Self.rows(app, restaurantId: kept.id).allSatisfy { $0.count > 0 })
        }
    }

    /// A batch still writing a message into one of the restaurant's conversations when the deletion starts: the
    /// deletion waits for it and deletes its message too (messages have no foreign key to cascade from since
    /// migration 9, so a delete that ran before the batch committed would leave the message behind).
    @Test func aMessageCommittedWhileTheRestaurantIsDeletedGoesWithIt() async throws {
        try await SufraTestApp.run { app, client, sufra in
            let restaurant = try await client.createRestaurant(name: "Gone")
            #expect(
                try await client.sendWebhook(to: restaurant, from: "whatsapp:+966500000302", body: "مرحبا").status
                    == .ok)
            let conversation = try await app.database.withClient { db in
                try await db.query("SELECT id FROM conversations WHERE restaurant_id = \(restaurant.id)::uuid")
                    .single().decodeID("id")
            }
            let postgres = sufra.postgres
            try await withThrowingTaskGroup(of: Void.self) { group in
                let holding = AsyncStream<Void>.makeStream()
                let release = AsyncStream<Void>.makeStream()
                // As an ingest batch does: the conversation locked, a message inserted, the commit still to come.
                group.addTask {
                    try await postgres.withConnection { connection in
                        try await connection.simpleQuery("BEGIN")
                        try await connection.query(
                            "SELECT id FROM conversations WHERE id = \(conversation)::uuid FOR NO KEY UPDATE")
                        try await connection.query(
                            """
                            INSERT INTO messages (restaurant_id, conversation_id, body, sid, direction, status)
                            VALUES (\(restaurant.id)::uuid, \(conversation)::uuid, 'late', 'SMlate', 'inbound',
                                'received')
                            """)
                        holding.continuation.yield()
                        for await _ in release.stream { break }
                        try await connection.simpleQuery("COMMIT")
                    }
                }
                for await _ in holding.stream { break }
                group.addTask {
                    let deleted = try await client.execute(
                        uri: "/admin/restaurants/\(restaurant.id)", method: .delete,
                        headers: [.authorization: "Bearer \(SufraTestApp.adminToken)"])
                    #expect(deleted.status == .noContent)
                }
                try await eventually("the deletion waits for the batch") { try await app.database.lockWaiters() == 1 }
                release.continuation.yield()
                try await group.waitForAll()
            }
            #expect(try await Self.rows(app, restaurantId: restaurant.id).allSatisfy { $0.count == 0 })
        }
    }

    /// The restaurant's rows per table: conversations, messages (both directions), audit lines of their own and the
    /// audit log (its accepted lines are the inbound messages).
    private static func rows(_ app: SufraTestApp, restaurantId: String) async throws -> [(table: String, count: Int)] {
        try await app.database.withClient { db in
            var counts: [(table: String, count: Int)] = []
            for table in ["conversations", "messages", "webhook_audit", "webhook_audit_log"] {
                let count = try await db.query(
                    PGQuery(
                        unsafeSQL: "SELECT count(*) AS n FROM \(table) WHERE restaurant_id = $1::uuid", [restaurantId])
                ).single().decode("n", as: Int.self)
                counts.append((table, count))
            }
            return counts
        }
    }
}
