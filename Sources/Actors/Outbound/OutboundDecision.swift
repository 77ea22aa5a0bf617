/// What the queue records for a job after an attempt (decided by ``OutboundRetryPolicy``).
public enum OutboundDecision: Sendable, Hashable {
    /// Sent: store the sid, status `sent` (unless a callback already ranked it higher). `attempted` is false when
    /// no attempt was made now: the provider's list showed that an earlier, uncertain attempt went through.
    case sent(sid: String, attempted: Bool = true)
    /// Back to `queued`, one attempt used, due again after `after`.
    case retry(after: Duration, reason: String)
    /// Back to `queued` marked *uncertain*, due after `after`: before any resend the job is looked up at the
    /// provider (and a receipt carrying the job id may settle it first). `attempted` says whether an attempt was
    /// used (false when only the lookup failed).
    case uncertain(after: Duration, reason: String, attempted: Bool)
    /// The last attempt failed: status `dead` (a dead letter, retryable through the admin API).
    case dead(reason: String)
    /// Refused for good: status `failed`. `attempted` is false when nothing was sent (e.g. 24-hour window).
    case failed(code: String?, reason: String, attempted: Bool)
    /// Bad credentials: back to `queued` without using an attempt; the restaurant becomes `inactive`, but only if
    /// `credentialsVersion` (the version of the token the send used) is still its current one: a 401 for a token
    /// rotated since proves nothing about the new one.
    case credentialsRejected(reason: String, credentialsVersion: Int64)
}
