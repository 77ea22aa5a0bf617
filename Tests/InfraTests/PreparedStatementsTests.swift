import Foundation
import Testing

@testable import Infra

@Suite(.timeLimit(.minutes(3))) struct PreparedStatementsTests {
    private static let select = PreparedStatements.Key(sql: "SELECT $1", types: [0])

    @Test func aTextIsPreparedTheSecondTimeAndRunByNameAfter() {
        var cache = PreparedStatements()
        #expect(cache.plan(for: Self.select) == .unnamed)
        guard case .prepare(let name) = cache.plan(for: Self.select) else {
            Issue.record("the second run should prepare")
            return
        }
        cache.didPrepare(Self.select, as: name)
        #expect(cache.plan(for: Self.select) == .run(name))
        #expect(cache.count == 1)
    }

    @Test func aFailedPrepareIsNotRemembered() {
        var cache = PreparedStatements()
        _ = cache.plan(for: Self.select)
        #expect(cache.plan(for: Self.select) != .unnamed)
        // No didPrepare: the next run is a first sighting again.
        #expect(cache.plan(for: Self.select) == .unnamed)
        #expect(cache.count == 0)
    }

    @Test func sameTextWithOtherParameterTypesIsAnotherStatement() {
        var cache = PreparedStatements()
        let binary = PreparedStatements.Key(sql: "SELECT $1", types: [17])
        _ = cache.plan(for: Self.select)
        #expect(cache.plan(for: binary) == .unnamed)
    }

    @Test func capacityBoundsPreparedAndSeenStatements() {
        var cache = PreparedStatements(capacity: 2, seenCapacity: 3)
        for index in 0..<3 {
            let key = PreparedStatements.Key(sql: "SELECT \(index)", types: [])
            _ = cache.plan(for: key)
            if case .prepare(let name) = cache.plan(for: key) { cache.didPrepare(key, as: name) }
        }
        #expect(cache.count == 2)
        let third = PreparedStatements.Key(sql: "SELECT 2", types: [])
        #expect(cache.plan(for: third) == .unnamed)
    }

    @Test func forgottenStatementIsPreparedAgain() {
        var cache = PreparedStatements()
        _ = cache.plan(for: Self.select)
        guard case .prepare(let name) = cache.plan(for: Self.select) else { return }
        cache.didPrepare(Self.select, as: name)
        cache.forget(Self.select)
        #expect(cache.plan(for: Self.select) == .unnamed)
    }

    @Test func repeatedStatementsRunPreparedOnTheServer() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            let connection = try await PGConnection.connect(configuration: configuration)
            try await connection.simpleQuery("CREATE TABLE t (id integer PRIMARY KEY, name text)")
            for id in 1...5 {
                try await connection.execute("INSERT INTO t (id, name) VALUES (\(id), \("n\(id)"))")
            }
            for id in 1...5 {
                let row = try await connection.query("SELECT name FROM t WHERE id = \(id)").single()
                #expect(try row.decode("name", as: String.self) == "n\(id)")
            }
            let prepared = try await connection.query(
                "SELECT statement FROM pg_prepared_statements WHERE NOT from_sql ORDER BY statement")
            let texts = try prepared.map { try $0.decode("statement", as: String.self) }
            #expect(texts.contains { $0.hasPrefix("INSERT INTO t") })
            #expect(texts.contains { $0.hasPrefix("SELECT name FROM t") })
            #expect(try await connection.query("SELECT count(*) AS n FROM t").single().decode("n", as: Int.self) == 5)
            await connection.close()
        }
    }

    @Test func preparedStatementsSurviveRollbackAndErrors() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            let connection = try await PGConnection.connect(configuration: configuration)
            try await connection.simpleQuery("CREATE TABLE t (id integer PRIMARY KEY)")
            // Prepared inside a transaction that rolls back: still usable afterwards.
            try await connection.simpleQuery("BEGIN")
            for id in 1...2 { try await connection.execute("INSERT INTO t (id) VALUES (\(id))") }
            try await connection.simpleQuery("ROLLBACK")
            try await connection.execute("INSERT INTO t (id) VALUES (\(1))")
            // A failing prepared run (duplicate key) reports its error; the next run works.
            await #expect(throws: PGError.self) {
                try await connection.execute("INSERT INTO t (id) VALUES (\(1))")
            }
            try await connection.execute("INSERT INTO t (id) VALUES (\(2))")
            // A statement the server cannot prepare fails with the server's error, every time.
            for _ in 0..<3 {
                await #expect(throws: PGError.self) {
                    try await connection.query("SELECT nope FROM t WHERE id = \(1)")
                }
            }
            // The session forgets every name: one run fails, then the text is prepared again.
            try await connection.simpleQuery("DEALLOCATE ALL")
            await #expect(throws: PGError.self) {
                try await connection.execute("INSERT INTO t (id) VALUES (\(3))")
            }
            for id in 3...5 { try await connection.execute("INSERT INTO t (id) VALUES (\(id))") }
            #expect(try await connection.query("SELECT count(*) AS n FROM t").single().decode("n", as: Int.self) == 5)
            await connection.close()
        }
    }
}
