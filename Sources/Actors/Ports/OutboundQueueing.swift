/// The durable outbound queue as the sender sees it (PostgreSQL in Infra): claim due jobs, record outcomes.
public protocol OutboundQueueing: Sendable {
    /// Claims up to `limit` due jobs of one restaurant (leased to this process), oldest first, never a message
    /// while an earlier one of the same conversation is still queued or sending, nothing for a restaurant that is
    /// not active.
    func claim(restaurantId: String, limit: Int) async throws -> [OutboundJob]

    /// Records `decision` for a claimed job and returns the message as it now stands (nil if it is gone).
    func complete(_ job: OutboundJob, with decision: OutboundDecision) async throws -> MessageRecord?
}
