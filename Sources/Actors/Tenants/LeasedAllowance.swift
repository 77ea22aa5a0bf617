/// One process's share of a token bucket that every instance shares: tokens leased from the shared store in
/// slices and spent locally, so most webhooks cost no round trip. A pure state machine, tested as a value.
///
/// Precision: across `n` processes a bucket can admit at most `n × slice` more than its limit in a window (the
/// tokens leased and not yet spent), and leftovers are dropped after ``lifetime`` so old capacity is not hoarded.
/// A denial is remembered until the bucket has a token again, so a throttled flood costs no round trip either.
public struct LeasedAllowance: Sendable, Equatable {
    /// What admission needs from this bucket now.
    public enum Need: Sendable, Equatable {
        /// A token is on hand.
        case ready
        /// Lease a slice first.
        case lease
        /// The shared bucket said no; ask again after this many whole seconds.
        case denied(retryAfterSeconds: Int)
    }

    /// How long leased tokens stay usable.
    public static let lifetime: Duration = .seconds(60)

    /// Tokens on hand.
    public private(set) var tokens = 0
    private var leasedAt: ContinuousClock.Instant?
    private var deniedUntil: ContinuousClock.Instant?

    /// An empty allowance.
    public init() {}

    /// How many tokens one lease asks for, for a bucket of `perMinute`: a tenth of the capacity, between 1 and
    /// 500 (so a process holds at most six seconds' worth of the shared limit).
    public static func slice(perMinute: Int) -> Int {
        max(1, min(perMinute / 10, 500))
    }

    /// What this bucket needs at `now`.
    public func need(at now: ContinuousClock.Instant) -> Need {
        if tokens > 0, let leasedAt, now - leasedAt < Self.lifetime { return .ready }
        if let deniedUntil, now < deniedUntil {
            let left = deniedUntil - now
            return .denied(
                retryAfterSeconds: max(1, Int(left.components.seconds) + (left.components.attoseconds > 0 ? 1 : 0)))
        }
        return .lease
    }

    /// Spends one token (admission checked ``need(at:)`` first).
    public mutating func spend() {
        tokens = max(0, tokens - 1)
    }

    /// Adds `count` freshly leased tokens at `now` (leftovers of an expired lease are dropped).
    public mutating func granted(_ count: Int, at now: ContinuousClock.Instant) {
        if let leasedAt, now - leasedAt >= Self.lifetime { tokens = 0 }
        tokens += count
        leasedAt = now
        deniedUntil = nil
    }

    /// Remembers that the shared bucket was empty for `retryAfterSeconds`.
    public mutating func denied(retryAfterSeconds: Int, at now: ContinuousClock.Instant) {
        tokens = 0
        deniedUntil = now + .seconds(max(1, retryAfterSeconds))
    }

    /// True when the allowance holds nothing worth keeping at `now` (it may be forgotten).
    public func isSpent(at now: ContinuousClock.Instant) -> Bool {
        need(at: now) == .lease
    }
}
