import HTTPTypes
import HummingbirdTesting
import Infra
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
