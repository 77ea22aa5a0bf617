import Logging
import Runtime
import ServiceLifecycle

/// Re-drives inbound messages that were acknowledged but never handled (the process died after answering
/// Twilio, or a mailbox was full): every `interval`, messages older than `graceSeconds` without a handled
/// mark are sent to their ConversationActor again. Handling is idempotent (the handled mark is checked in
/// the same transaction), so a message re-driven twice is still handled once.
public struct UnhandledSweeper<C: Clock<Duration>>: Service {
    private let store: any ConversationStore
    private let registry: ActorRegistry<ConversationActor, C>
    private let interval: Duration
    private let graceSeconds: Int
    private let logger: Logger

    /// Creates the sweeper.
    public init(
        store: any ConversationStore, registry: ActorRegistry<ConversationActor, C>, interval: Duration = .seconds(5),
        graceSeconds: Int = 10, logger: Logger
    ) {
        self.store = store
        self.registry = registry
        self.interval = interval
        self.graceSeconds = graceSeconds
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await sweepOnce()
            try? await Task.sleep(for: interval)
        }
    }

    /// One pass; returns how many messages were re-driven.
    @discardableResult
    public func sweepOnce() async -> Int {
        do {
            let pending = try await store.unhandledInbound(olderThanSeconds: graceSeconds, limit: 500)
            var sent = 0
            for entry in pending {
                do {
                    try registry.tell(entry.key, .inbound(messageId: entry.messageId, content: nil))
                    sent += 1
                } catch {
                    break
                }
            }
            if sent > 0 { logger.info("re-drove unhandled inbound messages", metadata: ["count": "\(sent)"]) }
            return sent
        } catch {
            logger.warning("unhandled-message sweep failed", metadata: ["error": "\(error)"])
            return 0
        }
    }
}
