/// What one attempt to hand a message to the provider came to (the port's view of Twilio's answers).
public enum SendOutcome: Sendable, Hashable {
    /// Accepted; `sid` is the provider's message id.
    case sent(sid: String)
    /// Definitely not sent, try again later: 429 (with `Retry-After` when given), 5xx, or a connection that never
    /// carried the request (name not resolved, connection refused, TLS handshake failed).
    case retryLater(after: Duration?, reason: String)
    /// Maybe sent: the request left but no readable answer came back (a timeout after the request was written, a
    /// connection reset, an unreadable 2xx, a cancelled transfer). Resending blindly could deliver it twice, so the
    /// job is looked up at the provider first (``OutboundMessageSending/find(_:tenant:)``).
    case uncertain(reason: String)
    /// Refused for good (400, 403, 404, …): never retried.
    case rejected(code: Int, message: String)
    /// The restaurant's credentials are wrong (401 / 20003).
    case badCredentials(code: Int, message: String)
}
