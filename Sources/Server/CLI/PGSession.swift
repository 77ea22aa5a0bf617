import Infra
import Logging

/// Runs `body` with a running PostgreSQL pool, for one-shot commands (`migrate`, `tenant …`): the pool's
/// `run()` is a child task for exactly as long as `body` runs.
public func withPostgres<Result: Sendable>(
    url: String, logger: Logger, _ body: @Sendable (PGPool) async throws -> Result
) async throws -> Result {
    let configuration: PGConfiguration
    do {
        configuration = try PGConfiguration(url: url)
    } catch {
        throw ConfigurationError.invalid("DATABASE_URL", "\(error)")
    }
    var options = PGPool.Options()
    options.minimumConnections = 1
    options.maximumConnections = 2
    let client = PGPool(configuration: configuration, options: options, logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await client.run() }
        defer {
            client.shutdown()
            group.cancelAll()
        }
        return try await body(client)
    }
}
