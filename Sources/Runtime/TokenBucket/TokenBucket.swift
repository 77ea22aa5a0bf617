/// A token bucket as a pure value: `capacity` tokens at most, refilled continuously at `refillPerSecond`.
///
/// It never reads a clock: every call takes `now` from an injected clock (`ContinuousClock`, or `ManualClock`
/// in tests), so the owner decides time and the bucket stays trivially testable.
///
/// ```swift
/// var bucket = TokenBucket.perMinute(120, now: clock.now)   // capacity ceil(120 / 6) = 20, 2 tokens/s
/// switch bucket.take(1, now: clock.now) {
/// case .granted: send()
/// case .wait(let delay): try await clock.sleep(for: delay)
/// case .exceedsCapacity: reject()
/// }
/// ```
public struct TokenBucket<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// The answer to `take(_:now:)`.
    public enum TakeResult: Hashable, Sendable {
        /// The tokens were taken.
        case granted
        /// Not enough tokens yet; `n` will be available after this delay (nothing was taken).
        case wait(Duration)
        /// `n` is larger than the capacity: it can never be granted.
        case exceedsCapacity
    }

    /// Maximum number of tokens the bucket holds (the burst size).
    public let capacity: Double
    /// Tokens added per second.
    public let refillPerSecond: Double
    /// Rounding slack so a caller that waited exactly the advised delay is granted.
    private static var epsilon: Double { 1e-9 }
    private var tokens: Double
    private var updated: Instant

    /// A bucket holding `capacity` tokens, refilled at `refillPerSecond`; starts full unless told otherwise.
    public init(capacity: Int, refillPerSecond: Double, now: Instant, startFull: Bool = true) {
        self.capacity = Double(max(capacity, 0))
        self.refillPerSecond = max(refillPerSecond, 0)
        self.tokens = startFull ? self.capacity : 0
        self.updated = now
    }

    /// A bucket for a per-minute rate: capacity `ceil(perMinute / burstDivisor)` (default 6, i.e. ten
    /// seconds' worth), refilled continuously at `perMinute / 60` per second.
    public static func perMinute(_ perMinute: Int, burstDivisor: Int = 6, now: Instant) -> TokenBucket {
        let rate = max(perMinute, 0)
        let divisor = max(burstDivisor, 1)
        let capacity = (rate + divisor - 1) / divisor
        return TokenBucket(capacity: max(capacity, rate > 0 ? 1 : 0), refillPerSecond: Double(rate) / 60, now: now)
    }

    /// Tokens available at `now` (refills first).
    public mutating func available(now: Instant) -> Double {
        refill(now: now)
        return tokens
    }

    /// Takes `n` tokens if they are available at `now`; otherwise takes nothing and says how long to wait.
    public mutating func take(_ n: Int = 1, now: Instant) -> TakeResult {
        let wanted = Double(max(n, 0))
        guard wanted <= capacity else { return .exceedsCapacity }
        refill(now: now)
        if tokens + Self.epsilon >= wanted {
            tokens = max(0, tokens - wanted)
            return .granted
        }
        return .wait(delay(until: wanted))
    }

    /// How long until `n` tokens are available (`.zero` if they are now); `nil` if `n` exceeds the capacity or the
    /// bucket never refills.
    public mutating func timeUntilAvailable(_ n: Int = 1, now: Instant) -> Duration? {
        let wanted = Double(max(n, 0))
        guard wanted <= capacity else { return nil }
        refill(now: now)
        if tokens + Self.epsilon >= wanted { return .zero }
        guard refillPerSecond > 0 else { return nil }
        return delay(until: wanted)
    }

    private func delay(until wanted: Double) -> Duration {
        guard refillPerSecond > 0 else { return .seconds(Int64.max / 2) }
        return .seconds(double: (wanted - tokens) / refillPerSecond)
    }

    private mutating func refill(now: Instant) {
        let elapsed = updated.duration(to: now)
        guard elapsed > .zero else { return }
        tokens = min(capacity, tokens + elapsed.seconds * refillPerSecond)
        updated = now
    }
}
