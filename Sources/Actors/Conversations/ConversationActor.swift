import Logging
import Runtime

/// One customer's conversation with one restaurant: runs the bot on each message, one at a time, in arrival
/// order (the registry's consumer loop is its only caller), and commits each step whole through the
/// ``ConversationStore`` (state + order changes + queued replies + handled mark, invariant 2).
///
/// Across instances the conversation row is versioned: a step computed from a stale version is refused by the
/// store and redone from the fresh row, so two writers never both apply.
public struct ConversationActor: KeyedEntity {
    public typealias Key = ConversationKey
    public typealias Message = ConversationCommand
    public typealias Reply = ConversationResult

    /// What every ConversationActor shares.
    public struct Dependencies: Sendable {
        /// Durable state.
        public var store: any ConversationStore
        /// Restaurant profiles.
        public var directory: TenantDirectory
        /// Dashboard events.
        public var events: any LiveEventPublishing
        /// ISO-8601 UTC timestamps for events.
        public var now: @Sendable () -> String
        /// Logs.
        public var logger: Logger
        /// Hears how long a message took from arrival to its committed replies (the bot-reply histogram).
        public var replyTimer: @Sendable (Duration) -> Void = { _ in }
        /// Hears that a customer asked for a person (restaurant id, conversation id): dashboards are told.
        public var askedForPerson: @Sendable (String, String) async -> Void = { _, _ in }

        /// Creates the dependencies.
        public init(
            store: any ConversationStore, directory: TenantDirectory, events: any LiveEventPublishing,
            now: @escaping @Sendable () -> String, logger: Logger
        ) {
            self.store = store
            self.directory = directory
            self.events = events
            self.now = now
            self.logger = logger
        }
    }

    /// How many times a step is recomputed after version conflicts before the actor reports itself broken.
    static let maximumConflictRetries = 3

    private let key: ConversationKey
    private let dependencies: Dependencies
    private var record: ConversationRecord

    /// Activates the actor for `key`, loading its state (the registry's factory).
    public static func activate(_ key: ConversationKey, dependencies: Dependencies) async throws -> ConversationActor {
        guard let record = try await dependencies.store.loadConversation(key) else {
            throw ConversationActorError.conversationMissing(key)
        }
        return ConversationActor(key: key, dependencies: dependencies, record: record)
    }

    private init(key: ConversationKey, dependencies: Dependencies, record: ConversationRecord) {
        self.key = key
        self.dependencies = dependencies
        self.record = record
    }

    public mutating func handle(_ command: ConversationCommand) async throws -> ConversationResult {
        var handledMessageId: String?
        var receivedAt: ContinuousClock.Instant?
        let decide: (BotState, BotContext) -> BotOutcome
        switch command {
        case .inbound(let messageId, let carried, let arrival):
            receivedAt = arrival
            handledMessageId = messageId
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
            decide = { BotFlow.handle(content, state: $0, context: $1) }
        case .transition(let orderId, let target):
            return try await transition(orderId: orderId, to: target)
        }

        for _ in 0...Self.maximumConflictRetries {
            let previous = record.state
            let outcome = decide(record.state, try await botContext())
            let step = BotStep(
                key: key, conversationId: record.id, expectedVersion: record.version, state: outcome.state,
                language: outcome.language, effects: outcome.effects, replies: outcome.replies,
                handledMessageId: handledMessageId)
            switch try await dependencies.store.commit(step) {
            case .committed(let version, let queued, let orders):
                record.version = version
                record.state = outcome.state
                record.language = outcome.language
                if let latest = orders.last(where: { $0.status != .draft }) { record.latestOrder = latest }
                if let receivedAt, !queued.isEmpty { dependencies.replyTimer(.now - receivedAt) }
                await publish(orders: orders)
                if HandoffPolicy.asksForPerson(from: previous, to: outcome) {
                    await dependencies.askedForPerson(key.restaurantId, record.id)
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
        for _ in 0...Self.maximumConflictRetries {
            guard let order = try await dependencies.store.order(id: orderId, conversationId: record.id) else {
                throw ConversationActorError.orderMissing(orderId)
            }
            var machine = OrderStateMachine(status: order.status, type: order.type)
            try machine.staffMove(to: target)
            var moved = order
            moved.status = machine.status
            let outcome = BotFlow.staffTransition(moved, state: record.state, context: try await botContext())
            let step = BotStep(
                key: key, conversationId: record.id, expectedVersion: record.version, state: outcome.state,
                language: outcome.language,
                effects: [.transition(orderId: orderId, from: order.status, to: target)] + outcome.effects,
                replies: outcome.replies, handledMessageId: nil)
            switch try await dependencies.store.commit(step) {
            case .committed(let version, let queued, let orders):
                record.version = version
                record.state = outcome.state
                record.language = outcome.language
                let latest = orders.last { $0.id == orderId } ?? moved
                if record.latestOrder == nil || record.latestOrder?.id == orderId { record.latestOrder = latest }
                await publish(orders: orders)
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
            language: record.language, latestOrder: record.latestOrder,
            staffAnswering: HandoffPolicy.staffAnswering(until: record.staffAnswerUntil, now: .now))
    }

    private func publish(orders: [OrderSnapshot]) async {
        for order in orders {
            let data =
                "{\"id\":\(JSONText.quoted(order.id)),\"number\":\(order.number),"
                + "\"conversationId\":\(JSONText.quoted(record.id)),\"customer\":\(JSONText.quoted(key.customer)),"
                + "\"type\":\"\(order.type.rawValue)\",\"status\":\"\(order.status.rawValue)\",\"total\":\(order.total)}"
            await dependencies.events.publish(
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
