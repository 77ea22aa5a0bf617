/// Hands out a restaurant's order numbers, each in a short transaction of its own.
///
/// The counter is one row per restaurant; taking it inside the bot step's transaction held that row's lock through
/// the step's remaining statements and its WAL flush, so simultaneous confirmations at one restaurant queued
/// behind each other while holding pool connections (20 ms a confirmation at 1000 customers, and webhook
/// acknowledgements starved of connections). Here the lock lasts one statement: the transaction commits without
/// waiting for its flush (`synchronous_commit = off`), which is safe because the order that uses the number
/// commits later with a flush, and a WAL flush covers everything written before it. A number whose step then
/// fails is skipped: numbers increase, and may have gaps.
struct OrderNumberAllocator: Sendable {
    let client: PGPool

    /// The next order number of `restaurantId` (one round trip).
    func next(restaurantId: String) async throws -> Int {
        let results = try await client.withConnection { connection in
            try await connection.pipeline([
                "BEGIN", "SET LOCAL synchronous_commit = off",
                """
                UPDATE restaurants SET next_order_number = next_order_number + 1
                WHERE id = \(restaurantId)::uuid RETURNING next_order_number - 1 AS number
                """,
                "COMMIT",
            ])
        }
        return try results[2].single().decode("number", as: Int.self)
    }
}
