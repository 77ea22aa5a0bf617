import HTTPTypes
import HummingbirdTesting
import Infra
import Testing

@testable import Server

/// Deleting a restaurant deletes all its data, the audit lines included (they have no foreign key since migration 7),
/// and leaves other restaurants' data alone.
@Suite(.serialized, .timeLimit(.minutes(2))) struct RestaurantDeletionTests {
    @Test func deletingARestaurantDeletesItsConversationsMessagesOrdersAndAuditLines() async throws {
        try await SufraTestApp.run { app, client, _ in
            let gone = try await client.createRestaurant(name: "Gone")
            let kept = try await client.createRestaurant(name: "Kept")
            for restaurant in [gone, kept] {
                for body in ["مرحبا", "1"] {
                    #expect(
                        try await client.sendWebhook(to: restaurant, from: "whatsapp:+966500000301", body: body).status
                            == .ok)
                }
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

    /// The restaurant's rows per table: conversations, messages (both directions) and audit lines.
    private static func rows(_ app: SufraTestApp, restaurantId: String) async throws -> [(table: String, count: Int)] {
        try await app.database.withClient { db in
            var counts: [(table: String, count: Int)] = []
            for table in ["conversations", "messages", "webhook_audit"] {
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
