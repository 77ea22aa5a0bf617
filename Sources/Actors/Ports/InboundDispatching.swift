/// Hands an admitted webhook to its customer's ConversationActor, which decides the bot step and commits it with
/// the message (decide before commit), and waits for that commit.
public protocol InboundDispatching: Sendable {
    /// Decides and commits `webhook` on its conversation; answers once the message is durable, or when `deadline`
    /// passes first.
    ///
    /// - Throws: ``StorageUnavailable`` when the message could not be stored (nothing was acknowledged), or the
    ///   runtime's error when the conversation's mailbox refused it (the caller then stores it unhandled) or the
    ///   deadline passed (`RegistryError.deadlineExceeded`: the message may still be committed later, and Twilio's
    ///   retry of it is then a duplicate).
    func handle(
        _ webhook: InboundWebhook, content: InboundContent, receivedAt: ContinuousClock.Instant,
        deadline: ContinuousClock.Instant
    ) async throws
        -> IngestOutcome
}
