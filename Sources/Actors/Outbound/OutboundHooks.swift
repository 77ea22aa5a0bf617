/// Callbacks the composition root attaches to the sender (metrics, alerts); all default to doing nothing.
public struct OutboundHooks: Sendable {
    /// A message was accepted by the provider (restaurant id).
    public var sent: @Sendable (String) -> Void
    /// A message failed for good or was dead-lettered (restaurant id).
    public var failed: @Sendable (String) -> Void
    /// A restaurant's credentials were rejected and it was made inactive (restaurant id, reason).
    public var credentialsRejected: @Sendable (String, String) -> Void

    /// Hooks; each defaults to nothing.
    public init(
        sent: @escaping @Sendable (String) -> Void = { _ in },
        failed: @escaping @Sendable (String) -> Void = { _ in },
        credentialsRejected: @escaping @Sendable (String, String) -> Void = { _, _ in }
    ) {
        self.sent = sent
        self.failed = failed
        self.credentialsRejected = credentialsRejected
    }
}
