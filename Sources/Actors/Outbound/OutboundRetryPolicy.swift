/// Retry rules of docs/outbound.md, as a pure value: attempts count the first; the backoff doubles from
/// `initialBackoff` (5 s, 10 s, 20 s …) with up to `jitter` (20 %) added; on 429 the wait is the larger of the
/// backoff and `Retry-After`.
public struct OutboundRetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included (default 3).
    public var maxAttempts: Int
    /// Wait after the first failed attempt.
    public var initialBackoff: Duration
    /// Longest wait between attempts.
    public var maxBackoff: Duration
    /// Fraction of the backoff added at random (0…0.2 by contract).
    public var jitter: Double

    /// The documented defaults (docs/outbound.md): 3 attempts, 5 s doubling, at most 20 % jitter.
    public init(
        maxAttempts: Int = 3, initialBackoff: Duration = .seconds(5), maxBackoff: Duration = .seconds(3_600),
        jitter: Double = 0.2
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.jitter = min(max(jitter, 0), 1)
    }

    /// The wait after `attempt` failed attempts (1-based), with `random` in 0..<1 choosing the jitter.
    public func backoff(afterAttempt attempt: Int, random: Double) -> Duration {
        var delay = initialBackoff
        var step = 1
        while step < attempt && delay < maxBackoff {
            delay *= 2
            step += 1
        }
        delay = min(delay, maxBackoff)
        let factor = 1 + jitter * min(max(random, 0), 0.999_999)
        return .seconds(double: delay.seconds * factor)
    }

    /// The decision for `outcome` of an attempt made after `attemptsBefore` earlier attempts, with the token of
    /// `credentialsVersion`.
    public func decide(
        _ outcome: SendOutcome, attemptsBefore: Int, random: Double, credentialsVersion: Int64 = 0
    ) -> OutboundDecision {
        switch outcome {
        case .sent(let sid):
            return .sent(sid: sid)
        case .rejected(let code, let message):
            return .failed(code: String(code), reason: message, attempted: true)
        case .badCredentials(let code, let message):
            return .credentialsRejected(
                reason: "Twilio rejected the credentials (\(code): \(message))", credentialsVersion: credentialsVersion)
        case .uncertain(let reason):
            // Never dead from here, even after the last attempt: only a lookup that finds nothing may give up.
            let attempts = attemptsBefore + 1
            return .uncertain(
                after: backoff(afterAttempt: attempts, random: random), reason: "outcome unknown: \(reason)",
                attempted: true)
        case .retryLater(let retryAfter, let reason):
            let attempts = attemptsBefore + 1
            guard attempts < maxAttempts else {
                return .dead(reason: "gave up after \(attempts) attempts: \(reason)")
            }
            let delay = max(backoff(afterAttempt: attempts, random: random), retryAfter ?? .zero)
            return .retry(after: delay, reason: reason)
        }
    }

    /// Settles an uncertain job (``OutboundJob/uncertain``) after `attemptsBefore` attempts from the provider's
    /// answer to a lookup: found → `sent` with the provider's sid, without sending; not found → send again while
    /// attempts remain, else `dead`; lookup failed → stays uncertain, looked up again after a backoff (no attempt
    /// used).
    public func resolve(_ lookup: SentMessageLookup, attemptsBefore: Int, random: Double) -> UncertainResolution {
        switch lookup {
        case .found(let sid):
            return .record(.sent(sid: sid, attempted: false))
        case .notFound:
            guard attemptsBefore < maxAttempts else {
                return .record(
                    .dead(reason: "gave up after \(attemptsBefore) attempts: the provider has no such message"))
            }
            return .resend
        case .failed(let reason):
            return .record(
                .uncertain(
                    after: backoff(afterAttempt: max(1, attemptsBefore), random: random),
                    reason: "lookup failed: \(reason)", attempted: false))
        }
    }
}
