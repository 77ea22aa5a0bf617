import Foundation
import SufraTestSupport
import Testing

@testable import Infra

/// Throwaway databases on the local test server (`TEST_DATABASE_URL`); a missing server fails the test.
enum PostgresTestSupport {
    static func serverConfiguration() throws -> PGConfiguration {
        let url = try #require(
            ProcessInfo.processInfo.environment["TEST_DATABASE_URL"], "TEST_DATABASE_URL is not set (run scripts/test)")
        try TestServices.require("PostgreSQL", url: url, variable: "TEST_DATABASE_URL")
        return try PGConfiguration(url: url)
    }

    /// Creates a fresh database, runs `body` with its configuration, drops it afterwards.
    static func withDatabase<Result: Sendable>(
        _ body: (PGConfiguration) async throws -> Result
    ) async throws -> Result {
        let server = try serverConfiguration()
        let name = "t_pg_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let admin = try await PGConnection.connect(configuration: server)
        try await admin.simpleQuery("CREATE DATABASE \(name)")
        var configuration = server
        configuration.database = String(name)
        do {
            let result = try await body(configuration)
            try await admin.simpleQuery("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            await admin.close()
            return result
        } catch {
            _ = try? await admin.simpleQuery("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            await admin.close()
            throw error
        }
    }

    /// Runs a pool for the duration of `body`.
    static func withClient<Result: Sendable>(
        _ configuration: PGConfiguration, options: PGPool.Options = .init(),
        _ body: (PGPool) async throws -> Result
    ) async throws -> Result {
        let client = PGPool(configuration: configuration, options: options)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            do {
                let result = try await body(client)
                group.cancelAll()
                try await group.waitForAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    /// Applies Sufra's migrations through `client` and creates one restaurant; answers its id.
    static func migratedRestaurant(_ client: PGPool) async throws -> String {
        try await Migrator().migrate(client)
        return try await client.query(
            """
            INSERT INTO restaurants (name, whatsapp_from, twilio_account_sid, twilio_auth_token_enc)
            VALUES ('R', 'whatsapp:+1000', 'AC1', 'k1:x') RETURNING id
            """
        ).single().decodeID("id")
    }

    /// Terminates a backend from a separate session and waits until the server no longer lists it.
    static func terminate(backend pid: Int32, server configuration: PGConfiguration) async throws {
        let admin = try await PGConnection.connect(configuration: configuration)
        try await admin.query("SELECT pg_terminate_backend(\(pid))")
        while try await !admin.query("SELECT 1 FROM pg_stat_activity WHERE pid = \(pid)").isEmpty {
            try await Task.sleep(for: .milliseconds(5))
        }
        await admin.close()
    }
}
