/// The Supervisor's answer to one webhook; the HTTP layer maps each case to its status code (docs/inbound.md).
public enum InboundVerdict: Sendable, Equatable {
    /// No restaurant has this `To` number (404).
    case unknownRestaurant
    /// `X-Twilio-Signature` missing or wrong (403).
    case badSignature
    /// The `MessageSid` was accepted before (200, nothing processed).
    case duplicate
    /// A token bucket was empty (429 with `Retry-After`).
    case throttled(RateVerdict.Bucket, retryAfterSeconds: Int)
    /// Stored durably; the bot will handle it (200).
    case accepted(messageId: String, conversationId: String)
    /// Storage failed; nothing half-written (503).
    case unavailable(String)
}
