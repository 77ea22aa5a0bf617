/// What the queue records for a job after an attempt (decided by ``OutboundRetryPolicy``).
public enum OutboundDecision: Sendable, Hashable {
    /// Sent: store the sid, status `sent` (unless a callback already ranked it higher).
    case sent(sid: String)
    /// Back to `queued`, one attempt used, due again after `after`.
    case retry(after: Duration, reason: String)
    /// The last attempt failed: status `dead` (a dead letter, retryable through the admin API).
    case dead(reason: String)
    /// Refused for good: status `failed`. `attempted` is false when nothing was sent (e.g. 24-hour window).
    case failed(code: String?, reason: String, attempted: Bool)
    /// Bad credentials: back to `queued` without using an attempt; the restaurant becomes `inactive`.
    case credentialsRejected(reason: String)
}
