import Metrics
import Synchronization

/// What a ``RedisClient`` records through swift-metrics (docs/metrics.md). The `command` label is the Redis
/// command's name (`EVALSHA`, `PUBLISH`, `SET`…, `PIPELINE` for a pipeline): a bounded set, never a key.
public final class RedisMetrics: Sendable {
    /// Histogram, label `command`: one command's (or pipeline's) round trip, errors included.
    public static let commandDuration = "sufra_redis_command_duration_seconds"
    /// Counter, label `kind` (``RedisError/Code``: `server`, `connection`, `timeout`…): failed commands.
    public static let errors = "sufra_redis_errors_total"

    private let factory: any MetricsFactory
    private let timers = Mutex<[String: Metrics.Timer]>([:])

    /// The series, created by `factory` (the global `MetricsSystem.factory` when none is given).
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    /// Runs `body` (the command `name`), timing it and counting its failure.
    func measure<Result: Sendable>(
        _ name: String, _ body: () async throws -> Result
    ) async throws -> Result {
        let started = ContinuousClock.now
        defer { timer(name).record(duration: .now - started) }
        do {
            return try await body()
        } catch {
            let kind = (error as? RedisError).map { "\($0.code)" } ?? "other"
            Counter(label: Self.errors, dimensions: [("kind", kind)], factory: factory).increment()
            throw error
        }
    }

    /// The label value for a command whose first argument is `name`: its upper-cased name when it looks like a
    /// Redis command (letters only, at most 24), otherwise `OTHER`.
    static func commandLabel(_ name: [UInt8]?) -> String {
        guard let name, !name.isEmpty, name.count <= 24,
            name.allSatisfy({ (65...90).contains($0) || (97...122).contains($0) })
        else { return "OTHER" }
        return String(decoding: name, as: UTF8.self).uppercased()
    }

    private func timer(_ command: String) -> Metrics.Timer {
        timers.withLock { timers in
            if let timer = timers[command] { return timer }
            let timer = Metrics.Timer(
                label: Self.commandDuration, dimensions: [("command", command)], factory: factory)
            timers[command] = timer
            return timer
        }
    }
}
