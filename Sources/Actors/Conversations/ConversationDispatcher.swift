import Logging
import Runtime

/// Delivers admitted webhooks to ConversationActors hosted by an ``ActorRegistry`` and waits for their commit.
///
/// Not generic over the registry's clock: the Supervisor calls it through `any InboundDispatching`, and a generic
/// dispatcher would reach the registry through unspecialized code on every webhook.
public struct ConversationDispatcher: InboundDispatching {
    /// The registry hosting the actors.
    public let registry: ActorRegistry<ConversationActor, ContinuousClock>

    /// Creates a dispatcher over `registry`.
    public init(registry: ActorRegistry<ConversationActor, ContinuousClock>) {
        self.registry = registry
    }

    public func handle(
        _ webhook: InboundWebhook, content: InboundContent, receivedAt: ContinuousClock.Instant,
        deadline: ContinuousClock.Instant
    )
        async throws -> IngestOutcome
    {
        let key = ConversationKey(restaurantId: webhook.restaurantId, customer: webhook.from)
        let command = ConversationCommand.webhook(webhook, content: content, receivedAt: receivedAt)
        switch try await registry.ask(key, command, timeout: ContinuousClock.now.duration(to: deadline)) {
        case .ingested(let outcome): return outcome
        case .alreadyHandled: return .duplicate
        case .handled, .transitioned: throw StorageUnavailable("conversation answered a webhook with another result")
        }
    }
}
