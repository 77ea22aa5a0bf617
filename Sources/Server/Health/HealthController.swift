import Foundation
import HTTPTypes
import Hummingbird
import Infra
import Metrics

/// `GET /health` (docs/http-api.md) and `GET /metrics` (Prometheus text). Each dependency is probed with a
/// deadline so a hung server answers "down", not a hung health check.
///
/// The probes' result is cached for a second and computed by one request at a time (``SnapshotCache``), so a
/// flood of health checks costs the databases nothing more. A failure is named by its kind only
/// (`down: unavailable`, `down: timed out`): never a connection string, user, host or server message.
struct HealthController: Sendable {
    let postgres: PGPool
    let redis: RedisClient
    let metrics: SufraMetrics
    let started: ContinuousClock.Instant
    var probeTimeout: Duration = .seconds(2)
    let snapshots = SnapshotCache<Snapshot>(ttl: .seconds(1))

    /// One round of probes.
    struct Snapshot: Sendable {
        var queue: ProbeResult<QueueCounts>
        var redis: ProbeResult<Void>
    }

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("health") { _, _ in try await health() }
        router.get("metrics") { _, _ in try await prometheus() }
    }

    /// Queue depth and dead letters, read from the outbound messages.
    struct QueueCounts: Sendable {
        var depth: Int
        var dead: Int
    }

    /// The latest probes (at most a second old).
    func snapshot() async -> Snapshot {
        await snapshots.value {
            async let queue = probe { try await queueCounts() }
            async let redisState = probe { _ = try await redis.send(["PING"]) }
            return await Snapshot(queue: queue, redis: redisState)
        }
    }

    private func health() async throws -> Response {
        let snapshot = await snapshot()
        let (queueResult, redisResult) = (snapshot.queue, snapshot.redis)
        let uptime = Int((ContinuousClock.now - started).components.seconds)
        var body: [String: HealthValue] = [
            "postgres": .text(queueResult.failure.map { "down: \($0)" } ?? "ok"),
            "redis": .text(redisResult.failure.map { "down: \($0)" } ?? "ok"),
            "uptimeSeconds": .number(uptime),
            "queueDepth": .number(queueResult.value?.depth ?? 0),
            "deadLetters": .number(queueResult.value?.dead ?? 0),
        ]
        let healthy = queueResult.failure == nil && redisResult.failure == nil
        body["status"] = .text(healthy ? "ok" : "degraded")
        return try JSONBody.response(body, status: healthy ? .ok : .serviceUnavailable)
    }

    private func prometheus() async throws -> Response {
        // Read from PostgreSQL (at most a second old); kept at the last reading while the database is down.
        if let counts = await snapshot().queue.value {
            metrics.queueDepth.set(counts.depth)
            metrics.deadLetters.set(counts.dead)
        }
        let text = metrics.render()
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    private func queueCounts() async throws -> QueueCounts {
        let row = try await postgres.query(
            """
            SELECT (SELECT count(*) FROM messages WHERE direction = 'outbound' AND status IN ('queued', 'sending'))
                       AS depth,
                   (SELECT count(*) FROM messages WHERE status = 'dead') AS dead
            """
        ).single()
        return QueueCounts(depth: try row.decode("depth", as: Int.self), dead: try row.decode("dead", as: Int.self))
    }

    /// Runs `body` with the probe deadline; the failure is the error's kind, without secrets or addresses.
    private func probe<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async -> ProbeResult<T> {
        await withTaskGroup(of: ProbeResult<T>?.self) { group in
            group.addTask {
                do { return ProbeResult(value: try await body()) } catch {
                    return ProbeResult(failure: Self.reason(error))
                }
            }
            group.addTask {
                try? await Task.sleep(for: probeTimeout)
                return Task.isCancelled ? nil : ProbeResult(failure: "timed out")
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? ProbeResult(failure: "cancelled")
        }
    }

    /// The kind of failure only: server messages and connect errors name hosts, users and databases.
    static func reason(_ error: any Error) -> String {
        switch error {
        case let error as PGError:
            if let sqlState = error.sqlState { return "\(error.code) \(sqlState)" }
            return "\(error.code)"
        case let error as RedisError: return "\(error.code)"
        case is CancellationError: return "cancelled"
        default: return "error"
        }
    }
}

/// The outcome of one health probe.
struct ProbeResult<T: Sendable>: Sendable {
    var value: T?
    var failure: String?

    init(value: T) { self.value = value }
    init(failure: String) { self.failure = failure }
}

/// A health field: text or number.
enum HealthValue: Encodable, Sendable {
    case text(String)
    case number(Int)

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .number(let number): try container.encode(number)
        }
    }
}
