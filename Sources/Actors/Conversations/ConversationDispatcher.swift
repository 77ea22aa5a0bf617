import Logging
import Runtime

/// Delivers accepted inbound messages to ConversationActors hosted by an ``ActorRegistry``.
public struct ConversationDispatcher<C: Clock<Duration>>: InboundDispatching {
    /// The registry hosting the actors.
    public let registry: ActorRegistry<ConversationActor, C>
    private let logger: Logger

    /// Creates a dispatcher over `registry`.
    public init(registry: ActorRegistry<ConversationActor, C>, logger: Logger) {
        self.registry = registry
        self.logger = logger
    }

    public func dispatch(_ key: ConversationKey, messageId: String, content: InboundContent) {
        do {
            try registry.tell(key, .inbound(messageId: messageId, content: content, receivedAt: .now))
        } catch {
            // Durable and unhandled: the sweeper re-drives it once the mailbox has room.
            logger.warning(
                "conversation mailbox refused a message; the sweeper will re-drive it",
                metadata: ["conversation": "\(key)", "message": "\(messageId)", "error": "\(error)"])
        }
    }
}
