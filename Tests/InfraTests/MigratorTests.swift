import Testing

@testable import Infra

@Suite(.timeLimit(.minutes(3))) struct MigratorTests {
    @Test func runsOnceAndIsIdempotent() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            try await PostgresTestSupport.withClient(configuration) { client in
                let migrator = try Migrator()
                #expect(try await migrator.migrate(client) == Migration.all.map(\.version))
                #expect(try await migrator.migrate(client) == [])
                let tables = try await client.query(
                    "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY(\("{restaurants,menu_items,conversations,messages,orders,order_items,webhook_audit,schema_migrations}"))"
                )
                #expect(try tables.single().decode("n", as: Int.self) == 8)
            }
        }
    }

    @Test func concurrentMigratorsApplyEachMigrationOnce() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            let migrations = [
                Migration(version: 1, name: "one", sql: "CREATE TABLE one (n int); SELECT pg_sleep(0.05)"),
                Migration(version: 2, name: "two", sql: "CREATE TABLE two (n int)"),
            ]
            let migrator = try Migrator(migrations: migrations)
            let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        let connection = try await PGConnection.connect(configuration: configuration)
                        let applied = try await migrator.migrate(on: connection)
                        await connection.close()
                        return applied
                    }
                }
                return try await group.reduce(into: [Int]()) { $0 += $1 }
            }
            #expect(applied.sorted() == [1, 2], "each migration applied by exactly one migrator")
            let connection = try await PGConnection.connect(configuration: configuration)
            #expect(try await migrator.appliedVersions(on: connection) == [1, 2])
            await connection.close()
        }
    }

    @Test func failingMigrationRollsBackCompletely() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            let migrator = try Migrator(migrations: [
                Migration(version: 1, name: "bad", sql: "CREATE TABLE half (n int); SELECT no_such_function()")
            ])
            let connection = try await PGConnection.connect(configuration: configuration)
            await #expect(throws: PGError.self) { try await migrator.migrate(on: connection) }
            let half = try await connection.query("SELECT to_regclass('half') IS NULL AS gone").single()
            #expect(try half.decode("gone", as: Bool.self))
            await connection.close()
        }
    }

    @Test func duplicateVersionsAreRejected() {
        #expect(throws: PGError.self) {
            try Migrator(migrations: [
                Migration(version: 1, name: "a", sql: ""), Migration(version: 1, name: "b", sql: ""),
            ])
        }
    }
}
