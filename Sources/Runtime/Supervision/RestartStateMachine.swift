import DequeModule

/// The supervision decision as a pure value: fed the failures of one child, it says whether to restart it (and
/// after which backoff) or to stop it and escalate. No clock, no randomness: the caller passes `now` and a uniform
/// random number, so tests drive it directly.
public struct RestartStateMachine<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// What to do with a child that just failed.
    public enum Decision: Hashable, Sendable {
        /// Restart it after this backoff.
        case restart(after: Duration)
        /// The restart limit is reached: stop it and escalate.
        case stop
    }

    /// The policy this machine applies.
    public let policy: RestartPolicy
    private var restarts: Deque<Instant> = []

    /// A machine with no failures recorded.
    public init(policy: RestartPolicy) {
        self.policy = policy
    }

    /// True once the machine answered `.stop`: the child must not run again.
    public private(set) var isExhausted = false

    /// Restarts counted in the window ending at the last failure.
    public var recentRestarts: Int { restarts.count }

    /// Records a failure at `now`. `random` is a uniform number in `0..<1` used for jitter (0.5 = no jitter).
    public mutating func failed(now: Instant, random: Double) -> Decision {
        while let first = restarts.first, first.duration(to: now) >= policy.window {
            restarts.removeFirst()
        }
        guard restarts.count < policy.maxRestarts, !isExhausted else {
            isExhausted = true
            return .stop
        }
        let backoff = Self.backoff(policy: policy, attempt: restarts.count, random: random)
        restarts.append(now)
        return .restart(after: backoff)
    }

    /// Forgets every recorded failure (e.g. after a long healthy run).
    public mutating func reset() {
        restarts.removeAll()
        isExhausted = false
    }

    /// `initialBackoff * 2^attempt`, capped at `maxBackoff`, then scaled by `1 + jitter * (2 * random - 1)`.
    static func backoff(policy: RestartPolicy, attempt: Int, random: Double) -> Duration {
        let base = policy.initialBackoff.seconds * Double(1 << min(attempt, 30))
        let capped = min(base, policy.maxBackoff.seconds)
        let unit = min(max(random, 0), 1)
        let factor = 1 + policy.jitter * (2 * unit - 1)
        return .seconds(double: capped * factor)
    }
}
