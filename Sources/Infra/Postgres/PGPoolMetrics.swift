import Metrics

/// What a ``PGPool`` records through swift-metrics (docs/metrics.md).
public struct PGPoolMetrics: Sendable {
    /// Gauge: connections leased by callers now.
    public static let inUse = "sufra_pg_pool_connections_in_use"
    /// Gauge: callers waiting for a connection now.
    public static let waiters = "sufra_pg_pool_waiters"
    /// Histogram: time to obtain a connection (successful leases).
    public static let acquireDuration = "sufra_pg_pool_acquire_duration_seconds"
    /// Counter: leases that failed (timeout, too many waiters, database unavailable, shut down).
    public static let acquireFailures = "sufra_pg_pool_acquire_failures_total"

    let leased: Meter
    let waiting: Meter
    let acquire: Metrics.Timer
    let failures: Counter

    /// The series, created by `factory` (the global `MetricsSystem.factory` when none is given).
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        leased = Meter(label: Self.inUse, factory: factory)
        waiting = Meter(label: Self.waiters, factory: factory)
        acquire = Metrics.Timer(label: Self.acquireDuration, factory: factory)
        failures = Counter(label: Self.acquireFailures, factory: factory)
    }
}

extension PGPool {
    /// ``lease()`` counted: waiting while it runs, the time it took, in use once it returns.
    func measuredLease() async throws -> Leased {
        let started = ContinuousClock.now
        metrics.waiting.increment()
        defer { metrics.waiting.decrement() }
        do {
            let leased = try await lease()
            metrics.acquire.record(duration: .now - started)
            metrics.leased.increment()
            return leased
        } catch {
            metrics.failures.increment()
            throw error
        }
    }
}
