import Actors
import Testing

@testable import Infra

/// ``ReplyRowsWriter``: a batch's replies in one insert, each born claimed when its restaurant is active and its
/// conversation has nothing pending.
@Suite(.timeLimit(.minutes(2))) struct ReplyRowsWriterTests {
    /// Whether a reply is born claimed is decided once per reply: the plan holds one probe of the restaurant and
    /// one of the conversation's pending replies. Flattened into the insert, the deciding subquery was planned again
    /// for each of the five columns it decides (ten probes per reply).
    @Test func eachReplysClaimIsDecidedOnce() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            try await PostgresTestSupport.withClient(configuration) { client in
                let restaurant = try await PostgresTestSupport.migratedRestaurant(client)
                let conversation = try await client.query(
                    "INSERT INTO conversations (restaurant_id, customer) VALUES (\(restaurant)::uuid, 'whatsapp:+1') RETURNING id"
                ).single().decodeID("id")
                let writer = ReplyRowsWriter(groups: [
                    .init(
                        restaurantId: restaurant, conversationId: conversation, replies: [.text("one"), .text("two")],
                        claim: .init(owner: "writer-test", leaseMilliseconds: 60_000))
                ])
                let query = try #require(try writer.query())
                let plan = try await client.withConnection { connection in
                    try await connection.simpleQuery("BEGIN")
                    let rows = try await connection.query(
                        PGQuery(unsafeSQL: "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + query.sql, binds: query.binds))
                    try await connection.simpleQuery("ROLLBACK")
                    return try rows.map { try $0.decode("QUERY PLAN", as: String.self) }
                }
                let subplans = plan.filter { $0.drop(while: { $0 == " " }).hasPrefix("SubPlan") }
                #expect(subplans.count == 2, "\(plan.joined(separator: "\n"))")

                let written = try await client.withConnection { try await writer.insert(on: $0) }
                #expect(written.map(\.bornClaimed) == [true])
                #expect(written.first?.ids.count == 2)
            }
        }
    }
}
