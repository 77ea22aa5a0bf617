import Testing

@testable import Infra

/// ``PGQuery/genericPlans``: the batch writers' statements, prepared once per session, find a batch of keys by
/// index whatever the table looked like when they were planned.
@Suite(.timeLimit(.minutes(2))) struct GenericPlansTests {
    /// Planned on a fresh table (never analyzed, as in a new database before autovacuum's first visit), the
    /// generic plan of a batch-of-keys join hashes the whole table with the plan cache mode alone, and looks each
    /// key up by index with ``PGQuery/genericPlans``.
    @Test func aBatchOfKeysIsLookedUpByIndexOnATablePlannedWhileEmpty() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            let connection = try await PGConnection.connect(configuration: configuration)
            try await connection.simpleQuery("CREATE TABLE items (id uuid PRIMARY KEY, name text)")
            func plan(opening: PGQuery) async throws -> String {
                _ = try await connection.pipeline(["BEGIN", opening])
                try await connection.simpleQuery(
                    "PREPARE lookup(uuid[]) AS SELECT i.name FROM unnest($1) AS v(id) JOIN items i ON i.id = v.id")
                let rows = try await connection.simpleQuery(
                    "EXPLAIN EXECUTE lookup('{00000000-0000-0000-0000-000000000001}')")
                // A prepared statement outlives its transaction: the next plan starts from a fresh one.
                try await connection.simpleQuery("ROLLBACK; DEALLOCATE lookup")
                return try rows.map { try $0.decode("QUERY PLAN", as: String.self) }.joined(separator: "\n")
            }
            let modeAlone = try await plan(opening: "SET LOCAL plan_cache_mode = force_generic_plan")
            #expect(modeAlone.contains("Seq Scan on items"), "the trap: \(modeAlone)")
            let keyed = try await plan(opening: .genericPlans)
            #expect(keyed.contains("Index Scan using items_pkey"), "\(keyed)")
            #expect(!keyed.contains("Seq Scan"), "\(keyed)")
            await connection.close()
        }
    }
}
