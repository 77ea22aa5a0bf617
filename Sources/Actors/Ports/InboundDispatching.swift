/// Hands an accepted, committed inbound message to its customer's ConversationActor.
public protocol InboundDispatching: Sendable {
    /// Enqueues the message for the bot without waiting for it to be handled. A full mailbox is not an error
    /// here: the message is durable and unhandled, and the sweeper re-drives it.
    func dispatch(_ key: ConversationKey, messageId: String, content: InboundContent)
}
