/// What one attempt to hand a message to the provider came to (the port's view of Twilio's answers).
public enum SendOutcome: Sendable, Hashable {
    /// Accepted; `sid` is the provider's message id.
    case sent(sid: String)
    /// Try again later: 429 (with `Retry-After` when given), 5xx, timeouts, connection errors.
    case retryLater(after: Duration?, reason: String)
    /// Refused for good (400, 403, 404, …): never retried.
    case rejected(code: Int, message: String)
    /// The restaurant's credentials are wrong (401 / 20003).
    case badCredentials(code: Int, message: String)
}
