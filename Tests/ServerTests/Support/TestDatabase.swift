import Foundation
import Infra
import Logging
import SufraTestSupport

@testable import Server

/// A throwaway PostgreSQL database per test, migrated, on the server of `TEST_DATABASE_URL` (started by
/// scripts/services). Tests fail, never skip, when the server is not there.
struct TestDatabase: Sendable {
    let url: String
    let name: String

    static var serverURL: String { TestServices.databaseURL }

    static var redisURL: String { TestServices.redisURL }

    /// Creates and migrates a fresh database.
    static func create() async throws -> TestDatabase {
        try TestServices.require("PostgreSQL", url: serverURL, variable: "TEST_DATABASE_URL")
        let name = "t_srv_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        let logger = Logger(label: "test")
        _ = try await withPostgres(url: serverURL, logger: logger) { client in
            try await client.execute(PGQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        }
        let base = serverURL.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let database = TestDatabase(url: "\(base)/\(name)", name: String(name))
        _ = try await withPostgres(url: database.url, logger: logger) { client in
            try await Migrator(logger: logger).migrate(client)
        }
        return database
    }

    /// Runs `body` with a pool on this database.
    func withClient<Result: Sendable>(_ body: @Sendable (PGPool) async throws -> Result) async throws -> Result {
        try await withPostgres(url: url, logger: Logger(label: "test"), body)
    }

    /// How many sessions on this database wait for a lock now (a test awaits this to know a transaction queued
    /// behind the one it holds).
    func lockWaiters() async throws -> Int {
        try await withClient { db in
            try await db.query(
                """
                SELECT count(*)::int AS n FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock'
                """
            ).single().decode("n", as: Int.self)
        }
    }

    /// Drops the database.
    func drop() async {
        _ = try? await withPostgres(url: Self.serverURL, logger: Logger(label: "test")) { client in
            try await client.execute(PGQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
        }
    }
}
