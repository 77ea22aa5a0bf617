/// How often the sweeper re-drives an inbound message that stays unhandled, as a pure value: attempt `n` (1-based)
/// is followed by a wait of `initialBackoff · 2^(n-1)`, at most `maxBackoff`; once `maxAttempts` re-drives did not
/// handle it, the next sweep marks it failed for good (status `failed`, error code `unhandled`) instead.
///
/// Why: a message whose handling always fails (a poison message) used to be re-driven on every sweep, oldest first,
/// so 500 of them took every sweep and the rest never recovered. With backoff they wait their turn; the sweep takes
/// the earliest due first.
public struct InboundRetryPolicy: Sendable, Hashable {
    /// Re-drives before giving up.
    public var maxAttempts: Int
    /// Wait after the first re-drive.
    public var initialBackoff: Duration
    /// Longest wait between re-drives.
    public var maxBackoff: Duration

    /// 5 re-drives, 10 s doubling, at most 10 minutes apart (about 5 minutes from the first re-drive to failed).
    public init(maxAttempts: Int = 5, initialBackoff: Duration = .seconds(10), maxBackoff: Duration = .seconds(600)) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = initialBackoff
        self.maxBackoff = max(initialBackoff, maxBackoff)
    }

    /// The wait after re-drive number `attempt` (1-based). The store computes the same in SQL.
    public func backoff(afterAttempt attempt: Int) -> Duration {
        var delay = initialBackoff
        var step = 1
        while step < attempt && delay < maxBackoff {
            delay *= 2
            step += 1
        }
        return min(delay, maxBackoff)
    }

    /// What the sweep does with a due message after `attemptsBefore` re-drives.
    public func next(attemptsBefore: Int) -> InboundRedrive {
        attemptsBefore >= maxAttempts ? .fail : .redrive(dueAgainAfter: backoff(afterAttempt: attemptsBefore + 1))
    }
}

/// The sweep's decision for one due message.
public enum InboundRedrive: Sendable, Hashable {
    /// Send it to its conversation again; if that does not handle it, it is due again after this long.
    case redrive(dueAgainAfter: Duration)
    /// Give up: mark it failed, visible to staff, counted by a metric.
    case fail
}
