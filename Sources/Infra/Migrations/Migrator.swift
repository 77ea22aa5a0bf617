import Logging

/// Applies versioned migrations: each in its own transaction, recorded in `schema_migrations`, under a
/// transaction-scoped advisory lock so processes running it at the same time take turns and each migration
/// runs exactly once. Running it again is a no-op.
public struct Migrator: Sendable {
    /// The migrations this migrator knows, sorted by version.
    public let migrations: [Migration]
    /// The `pg_advisory_xact_lock` key that serializes migrators (any fixed 64-bit number).
    public let lockKey: Int64
    let logger: Logger

    /// A migrator for `migrations` (Sufra's by default). Throws `.invalidQuery` on duplicate versions.
    public init(
        migrations: [Migration] = Migration.all, lockKey: Int64 = 0x5375_6672_614D_6967,
        logger: Logger = Logger(label: "sufra.migrations")
    ) throws(PGError) {
        let sorted = migrations.sorted { $0.version < $1.version }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where previous.version == next.version {
            throw PGError(.invalidQuery, "two migrations have version \(next.version)")
        }
        self.migrations = sorted
        self.lockKey = lockKey
        self.logger = logger
    }

    /// Applies every migration not yet recorded; returns the versions this call applied.
    @discardableResult
    public func migrate(_ client: PGPool) async throws -> [Int] {
        try await client.withConnection { try await migrate(on: $0) }
    }

    /// Applies pending migrations on one connection (for tools and tests that hold a connection).
    @discardableResult
    ///
    /// A migration may run longer than a request's deadline: the connection's deadline and the transaction's
    /// `statement_timeout` are lifted while migrating (the lock wait and the DDL are bounded by nothing else).
    public func migrate(on connection: PGConnection) async throws -> [Int] {
        let deadline = await connection.requestTimeout
        await connection.setRequestTimeout(nil)
        var applied: [Int] = []
        do {
            for migration in migrations {
                if try await apply(migration, on: connection) { applied.append(migration.version) }
            }
        } catch {
            await connection.setRequestTimeout(deadline)
            throw error
        }
        await connection.setRequestTimeout(deadline)
        return applied
    }

    /// The versions recorded as applied (empty before the first run).
    public func appliedVersions(on connection: PGConnection) async throws -> [Int] {
        let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
        guard try exists.single().decode("present", as: Bool.self) else { return [] }
        let rows = try await connection.query("SELECT version FROM schema_migrations ORDER BY version")
        return try rows.map { try $0.decode("version", as: Int.self) }
    }

    /// Applies one migration if it is not recorded yet; true when this call applied it.
    private func apply(_ migration: Migration, on connection: PGConnection) async throws -> Bool {
        try await connection.simpleQuery("BEGIN")
        do {
            try await connection.simpleQuery("SET LOCAL statement_timeout = 0")
            // The lock is held until COMMIT/ROLLBACK; a second migrator waits here, then sees the recorded version.
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))")
            try await connection.simpleQuery(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version bigint PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
            let recorded = try await connection.query(
                "SELECT 1 FROM schema_migrations WHERE version = \(migration.version)")
            guard recorded.isEmpty else {
                try await connection.simpleQuery("COMMIT")
                return false
            }
            logger.info(
                "applying migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            try await connection.simpleQuery(migration.sql)
            try await connection.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))")
            try await connection.simpleQuery("COMMIT")
            return true
        } catch {
            _ = try? await connection.simpleQuery("ROLLBACK")
            throw error
        }
    }
}
