/// What looking a job up at the provider found (``OutboundMessageSending/find(_:tenant:)``): the answer to "did
/// the uncertain attempt reach Twilio?".
public enum SentMessageLookup: Sendable, Hashable {
    /// The provider has the message: it was sent, with this sid.
    case found(sid: String)
    /// The provider has no such message since the first attempt: it was not sent.
    case notFound
    /// The lookup itself failed (timeout, 5xx…): still unknown.
    case failed(reason: String)
}

/// How an uncertain job is settled after its lookup (``OutboundRetryPolicy/resolve(_:attemptsBefore:random:)``).
public enum UncertainResolution: Sendable, Hashable {
    /// Record this decision without sending.
    case record(OutboundDecision)
    /// Not at the provider and attempts remain: send it (again).
    case resend
}
