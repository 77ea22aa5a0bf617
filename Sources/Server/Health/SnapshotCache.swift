import Synchronization

/// Serves one value computed by an expensive probe, recomputed at most once per ``ttl`` and by one caller at
/// a time: a flood of `/health` requests costs one database and one Redis round trip per second.
///
/// The first caller after the value went stale runs the probe; callers arriving meanwhile wait for its result
/// instead of probing too. The probe must bound its own duration (the health probes carry a deadline).
final class SnapshotCache<Value: Sendable>: Sendable {
    private struct State: ~Copyable {
        var value: Value?
        var computedAt: ContinuousClock.Instant?
        var waiters: [CheckedContinuation<Value, Never>]?
    }

    private enum Step {
        case cached(Value)
        case probe
        case wait
    }

    /// How long a computed value is served.
    let ttl: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex(State())
    private let probes = Atomic(0)

    /// - Parameter now: the clock (tests pass their own).
    init(ttl: Duration, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.ttl = ttl
        self.now = now
    }

    /// How many times a probe ran (for tests).
    var probeCount: Int { probes.load(ordering: .relaxed) }

    /// The cached value if fresh, else the result of `probe` (run by this caller or by one already running it).
    func value(probe: () async -> Value) async -> Value {
        let instant = now()
        let ttl = ttl
        let step: Step = state.withLock { state in
            if let value = state.value, let at = state.computedAt, instant - at < ttl { return .cached(value) }
            if state.waiters != nil { return .wait }
            state.waiters = []
            return .probe
        }
        switch step {
        case .cached(let value):
            return value
        case .wait:
            return await withCheckedContinuation { continuation in
                let ready: Value? = state.withLock { state in
                    guard state.waiters != nil else { return state.value }
                    state.waiters?.append(continuation)
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        case .probe:
            probes.add(1, ordering: .relaxed)
            let value = await probe()
            let finishedAt = now()
            let waiters = state.withLock { state in
                state.value = value
                state.computedAt = finishedAt
                defer { state.waiters = nil }
                return state.waiters ?? []
            }
            for waiter in waiters { waiter.resume(returning: value) }
            return value
        }
    }
}
