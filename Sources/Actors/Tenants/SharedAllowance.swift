import Synchronization

/// A ``LeasedAllowance`` shared by every tenant of this process (the global bucket), behind a lock.
public final class SharedAllowance: Sendable {
    private let state = Mutex(LeasedAllowance())

    /// An empty allowance.
    public init() {}

    /// What the bucket needs at `now`.
    public func need(at now: ContinuousClock.Instant) -> LeasedAllowance.Need {
        state.withLock { $0.need(at: now) }
    }

    /// Spends one token if one is on hand; false when none is (another caller took the last one).
    public func spend(at now: ContinuousClock.Instant) -> Bool {
        state.withLock { allowance in
            guard allowance.need(at: now) == .ready else { return false }
            allowance.spend()
            return true
        }
    }

    /// Adds leased tokens.
    public func granted(_ count: Int, at now: ContinuousClock.Instant) {
        state.withLock { $0.granted(count, at: now) }
    }

    /// Remembers a denial.
    public func denied(retryAfterSeconds: Int, at now: ContinuousClock.Instant) {
        state.withLock { $0.denied(retryAfterSeconds: retryAfterSeconds, at: now) }
    }
}
