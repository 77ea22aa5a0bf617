/// The fast path of idempotency: "this MessageSid was already accepted". The database's unique index
/// decides; this cache is written only after commit (invariant 3), so losing it costs a round trip, never a
/// message.
public protocol AcceptedMessageCache: Sendable {
    /// True when the message was accepted before (false when unknown or the cache is unreachable).
    func wasAccepted(messageSid: String) async -> Bool
    /// Remembers that the message was accepted (best effort).
    func markAccepted(messageSid: String) async
}
