import Logging
import Metrics
import Runtime

/// One customer's conversation with one restaurant: runs the bot on each message, one at a time, in arrival
/// order (the registry's consumer loop is its only caller).
///
/// A fresh webhook is decided before anything is written: the bot step runs on the state held in memory, and the
/// message and its step are committed together by the group-commit ingest (one transaction for many
/// conversations). A duplicate `MessageSid` discards the step; a conversation moved by another process stores the
/// message unhandled, and the actor reloads and handles it from the stored row, like the sweeper's re-drives and
/// the staff's moves, which commit through the ``ConversationStore`` (state + order changes + queued replies +
/// handled mark, docs/invariants.md 2). Across instances the conversation row is versioned: a step decided from a stale
/// version is refused and redone from the fresh row, so two writers never both apply.
public struct ConversationActor: KeyedEntity {
    public typealias Key = ConversationKey
    public typealias Message = ConversationCommand
    public typealias Reply = ConversationResult

    /// What every ConversationActor shares.
    public struct Dependencies: Sendable {
        /// Durable state.
        public var store: any ConversationStore
        /// Where fresh webhooks and their steps are committed (group commit).
        public var ingest: any InboundIngest
        /// Restaurant profiles.
        public var directory: TenantDirectory
        /// Dashboard events.
        public var events: any LiveEventPublishing
        /// ISO-8601 UTC timestamps for events.
        public var now: @Sendable () -> String
        /// Logs.
        public var logger: Logger
        /// How long a message took from arrival to its committed replies (`sufra_bot_reply_duration_seconds`).
        public var replyTimer = Metrics.Timer(label: BotMetrics.replyDuration)
        /// Hears that a customer asked for a person (restaurant id, conversation id): dashboards are told.
        public var askedForPerson: @Sendable (String, String) async -> Void = { _, _ in }

        /// Creates the dependencies.
        public init(
            store: any ConversationStore, ingest: any InboundIngest, directory: TenantDirectory,
            events: any LiveEventPublishing, now: @escaping @Sendable () -> String, logger: Logger
        ) {
            self.store = store
            self.ingest = ingest
            self.directory = directory
            self.events = events
            self.now = now
            self.logger = logger
        }
    }

    /// How many times a step is recomputed after version conflicts before the actor reports itself broken.
    static let maximumConflictRetries = 3

    /// The dependencies every conversation shares, behind one reference: between messages an entity rests in the
    /// registry's entry table, so each byte stored inline counts once per resident conversation.
    public final class Shared: Sendable {
        let dependencies: Dependencies

        /// Shares `dependencies` (create one for all conversations).
        public init(_ dependencies: Dependencies) {
            self.dependencies = dependencies
        }
    }

    private let key: ConversationKey
    private let shared: Shared
    private var dependencies: Dependencies { shared.dependencies }
    /// The stored conversation; nil until its first message is stored.
    private var record: ConversationRecord?
    /// The last `RecentMessageSids.capacity` sids stored: a Twilio retry of one of them is a duplicate at once.
    private var recentSids = RecentMessageSids()

    /// Activates the actor for `key`, loading its state (the registry's factory). A conversation with no row yet
    /// starts from the initial state at version 0; its first commit creates the row.
    public static func activate(_ key: ConversationKey, shared: Shared) async throws -> ConversationActor {
        ConversationActor(
            key: key, shared: shared, record: try await shared.dependencies.store.loadConversation(key))
    }

    private init(key: ConversationKey, shared: Shared, record: ConversationRecord?) {
        self.key = key
        self.shared = shared
        self.record = record
    }

    public mutating func handle(_ command: ConversationCommand) async throws -> ConversationResult {
        switch command {
        case .webhook(let webhook, let content, let receivedAt):
            return .ingested(try await ingest(webhook, content: content, receivedAt: receivedAt))
        case .inbound(let messageId, let content, let receivedAt):
            return try await handleStored(messageId: messageId, content: content, receivedAt: receivedAt)
        case .transition(let orderId, let target):
            return try await transition(orderId: orderId, to: target)
        }
    }

    /// Decide before commit: the step is computed on the state in memory, then committed with the message.
    private mutating func ingest(
        _ webhook: InboundWebhook, content: InboundContent, receivedAt: ContinuousClock.Instant
    )
        async throws -> IngestOutcome
    {
        if recentSids.contains(webhook.messageSid) { return .duplicate }
        var decided: DecidedStep?
        do {
            let outcome = BotFlow.handle(content, state: record?.state ?? .initial, context: try await botContext())
            decided = DecidedStep(
                expectedVersion: record?.version ?? 0, conversationId: record?.id, state: outcome.state,
                language: outcome.language, effects: outcome.effects, replies: outcome.replies)
        } catch {
            // Nothing to decide with (the restaurant just left the directory, the menu is unreadable): the message
            // is still stored, unhandled, for the sweeper.
            dependencies.logger.warning(
                "bot step not decided; storing the message unhandled",
                metadata: ["conversation": "\(key)", "error": "\(error)"])
        }
        let outcome = try await dependencies.ingest.ingest(webhook, step: decided)
        recentSids.remember(webhook.messageSid)
        guard case .accepted(let receipt) = outcome else { return outcome }
        if let decided, let committed = receipt.step {
            let previous = record?.state ?? .initial
            record = ConversationRecord(
                id: receipt.conversationId, language: decided.language, state: decided.state,
                version: committed.version,
                latestOrder: committed.orders.last(where: { $0.status != .draft }) ?? record?.latestOrder,
                staffAnswerUntil: record?.staffAnswerUntil)
            if !committed.queuedMessageIds.isEmpty { dependencies.replyTimer.record(duration: .now - receivedAt) }
            publish(orders: committed.orders, conversationId: receipt.conversationId)
            if decided.state == .withStaff && previous != .withStaff {
                await dependencies.askedForPerson(key.restaurantId, receipt.conversationId)
            }
            return outcome
        }
        // Stored but not handled (another writer moved the conversation, or no step): handle it from the row now.
        // It is acknowledged either way; if this fails too, the sweeper re-drives it.
        do {
            try await reload()
            _ = try await handleStored(messageId: receipt.messageId, content: content, receivedAt: receivedAt)
        } catch {
            dependencies.logger.warning(
                "stored message left for the sweeper",
                metadata: ["conversation": "\(key)", "message": "\(receipt.messageId)", "error": "\(error)"])
        }
        return outcome
    }

    /// Runs the bot on a stored message and commits the step through the store (re-drives, conflicts).
    private mutating func handleStored(
        messageId: String, content carried: InboundContent?, receivedAt: ContinuousClock.Instant?
    ) async throws -> ConversationResult {
        let content: InboundContent
        if let carried {
            content = carried
        } else {
            guard let stored = try await dependencies.store.inboundMessage(id: messageId) else {
                throw ConversationActorError.messageMissing(messageId)
            }
            if stored.handled { return .alreadyHandled }
            content = stored.content
        }
        if record == nil { try await reload() }
        for _ in 0...Self.maximumConflictRetries {
            guard let current = record else { throw ConversationActorError.conversationMissing(key) }
            let previous = current.state
            let outcome = BotFlow.handle(content, state: current.state, context: try await botContext())
            let step = BotStep(
                key: key, conversationId: current.id, expectedVersion: current.version, state: outcome.state,
                language: outcome.language, effects: outcome.effects, replies: outcome.replies,
                handledMessageId: messageId)
            switch try await dependencies.store.commit(step) {
            case .committed(let version, let queued, let orders):
                record?.version = version
                record?.state = outcome.state
                record?.language = outcome.language
                if let latest = orders.last(where: { $0.status != .draft }) { record?.latestOrder = latest }
                if let receivedAt, !queued.isEmpty { dependencies.replyTimer.record(duration: .now - receivedAt) }
                publish(orders: orders, conversationId: current.id)
                if HandoffPolicy.asksForPerson(from: previous, to: outcome) {
                    await dependencies.askedForPerson(key.restaurantId, current.id)
                }
                return .handled(queuedMessageIds: queued)
            case .alreadyHandled:
                try await reload()
                return .alreadyHandled
            case .versionConflict, .orderChanged:
                try await reload()
            }
        }
        throw BrokenEntityError(ConversationActorError.versionConflicts(key))
    }

    /// A staff move: checked against the state machine on the order as stored, then the status change, the
    /// customer's notice (and on `DELIVERED` the rating question) and the bot state commit together.
    private mutating func transition(orderId: String, to target: OrderStatus) async throws -> ConversationResult {
        if record == nil { try await reload() }
        for _ in 0...Self.maximumConflictRetries {
            guard let current = record else { throw ConversationActorError.conversationMissing(key) }
            guard let order = try await dependencies.store.order(id: orderId, conversationId: current.id) else {
                throw ConversationActorError.orderMissing(orderId)
            }
            var machine = OrderStateMachine(status: order.status, type: order.type)
            try machine.staffMove(to: target)
            var moved = order
            moved.status = machine.status
            let outcome = BotFlow.staffTransition(moved, state: current.state, context: try await botContext())
            let step = BotStep(
                key: key, conversationId: current.id, expectedVersion: current.version, state: outcome.state,
                language: outcome.language,
                effects: [.transition(orderId: orderId, from: order.status, to: target)] + outcome.effects,
                replies: outcome.replies, handledMessageId: nil)
            switch try await dependencies.store.commit(step) {
            case .committed(let version, let queued, let orders):
                record?.version = version
                record?.state = outcome.state
                record?.language = outcome.language
                let latest = orders.last { $0.id == orderId } ?? moved
                if current.latestOrder == nil || current.latestOrder?.id == orderId { record?.latestOrder = latest }
                publish(orders: orders, conversationId: current.id)
                return .transitioned(latest, queuedMessageIds: queued)
            case .versionConflict, .alreadyHandled, .orderChanged:
                try await reload()
            }
        }
        throw BrokenEntityError(ConversationActorError.versionConflicts(key))
    }

    private mutating func reload() async throws {
        guard let fresh = try await dependencies.store.loadConversation(key) else {
            throw BrokenEntityError(ConversationActorError.conversationMissing(key))
        }
        record = fresh
    }

    private func botContext() async throws -> BotContext {
        guard let tenant = dependencies.directory.tenant(id: key.restaurantId) else {
            throw ConversationActorError.restaurantMissing(key.restaurantId)
        }
        let profile = RestaurantProfile(
            id: tenant.id, name: tenant.name, language: Language(rawValue: tenant.language) ?? .ar,
            supportContact: tenant.supportContact, promoContentSid: tenant.promoContentSid)
        return BotContext(
            restaurant: profile, menu: try await dependencies.store.menu(restaurantId: key.restaurantId),
            language: record?.language, latestOrder: record?.latestOrder,
            staffAnswering: HandoffPolicy.staffAnswering(until: record?.staffAnswerUntil, now: .now))
    }

    private func publish(orders: [OrderSnapshot], conversationId: String) {
        for order in orders {
            // One buffer appended to: joining the pieces with `+` allocated once per piece.
            var data = "{\"id\":"
            data.reserveCapacity(256)
            JSONText.appendQuoted(order.id, to: &data)
            data += ",\"number\":"
            data += String(order.number)
            data += ",\"conversationId\":"
            JSONText.appendQuoted(conversationId, to: &data)
            data += ",\"customer\":"
            JSONText.appendQuoted(key.customer, to: &data)
            data += ",\"type\":\""
            data += order.type.rawValue
            data += "\",\"status\":\""
            data += order.status.rawValue
            data += "\",\"total\":"
            data += String(order.total)
            data += "}"
            dependencies.events.publish(
                LiveEvent(kind: .orderUpdated, restaurantId: key.restaurantId, at: dependencies.now(), dataJSON: data))
        }
    }
}

/// Why a ConversationActor could not run a command.
public enum ConversationActorError: Error, Sendable, Equatable {
    /// The conversation row does not exist.
    case conversationMissing(ConversationKey)
    /// The inbound message does not exist.
    case messageMissing(String)
    /// The restaurant is not in the directory (deleted).
    case restaurantMissing(String)
    /// The order is not one of this conversation's.
    case orderMissing(String)
    /// The row kept moving under us.
    case versionConflicts(ConversationKey)
}
