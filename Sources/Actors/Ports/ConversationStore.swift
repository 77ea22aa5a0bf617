/// The durable side of a ConversationActor: its state, its orders, its queued replies, all written together.
public protocol ConversationStore: Sendable {
    /// The conversation's stored state, or nil when it does not exist (the ingest writer creates it).
    func loadConversation(_ key: ConversationKey) async throws -> ConversationRecord?

    /// The menu the bot shows, in position order.
    func menu(restaurantId: String) async throws -> [MenuItem]

    /// The content of a stored inbound message and whether the bot already handled it.
    func inboundMessage(id: String) async throws -> StoredInbound?

    /// Commits a bot step in one transaction (docs/invariants.md 2): the new state (only if the stored version is
    /// still `expectedVersion`), the order effects, the replies as queued outbound messages, and the inbound
    /// message's handled mark (only if it was not handled yet).
    func commit(_ step: BotStep) async throws -> BotStepResult

    /// One order of the conversation `conversationId`, or nil when it has no such order.
    func order(id: String, conversationId: String) async throws -> OrderSnapshot?

    /// Inbound messages acknowledged but not handled, older than `seconds` (the sweeper re-drives them).
    func unhandledInbound(olderThanSeconds seconds: Int, limit: Int) async throws -> [UnhandledInbound]
}

/// A conversation as the bot needs it.
public struct ConversationRecord: Sendable, Equatable {
    /// The conversation id.
    public var id: String
    /// Its language, nil until set.
    public var language: Language?
    /// The bot's state.
    public var state: BotState
    /// The row version (optimistic concurrency across instances).
    public var version: Int64
    /// The customer's latest non-draft order.
    public var latestOrder: OrderSnapshot?
    /// Until when staff answer instead of the bot (``HandoffPolicy``); nil in `bot` mode.
    public var staffAnswerUntil: ContinuousClock.Instant?

    /// Creates a record.
    public init(
        id: String, language: Language?, state: BotState, version: Int64, latestOrder: OrderSnapshot?,
        staffAnswerUntil: ContinuousClock.Instant? = nil
    ) {
        self.id = id
        self.language = language
        self.state = state
        self.version = version
        self.latestOrder = latestOrder
        self.staffAnswerUntil = staffAnswerUntil
    }
}

/// A stored inbound message, read back for a re-drive.
public struct StoredInbound: Sendable, Equatable {
    /// What the customer sent.
    public var content: InboundContent
    /// Whether the bot already handled it.
    public var handled: Bool

    /// Creates a stored message.
    public init(content: InboundContent, handled: Bool) {
        self.content = content
        self.handled = handled
    }
}

/// An inbound message the sweeper must re-drive.
public struct UnhandledInbound: Sendable, Equatable {
    /// Whose conversation.
    public var key: ConversationKey
    /// The message id.
    public var messageId: String

    /// Creates an entry.
    public init(key: ConversationKey, messageId: String) {
        self.key = key
        self.messageId = messageId
    }
}

/// One bot step to commit.
public struct BotStep: Sendable {
    /// The conversation.
    public var key: ConversationKey
    /// Its id.
    public var conversationId: String
    /// The version read; the write fails with ``BotStepResult/versionConflict`` if it moved.
    public var expectedVersion: Int64
    /// The new bot state.
    public var state: BotState
    /// The new language.
    public var language: Language?
    /// Order changes, in order.
    public var effects: [OrderEffect]
    /// Replies in order (rendered by the store once it knows the order number).
    public var replies: [BotReply]
    /// The inbound message this step handles, if any (staff moves have none).
    public var handledMessageId: String?

    /// Creates a step.
    public init(
        key: ConversationKey, conversationId: String, expectedVersion: Int64, state: BotState, language: Language?,
        effects: [OrderEffect], replies: [BotReply], handledMessageId: String?
    ) {
        self.key = key
        self.conversationId = conversationId
        self.expectedVersion = expectedVersion
        self.state = state
        self.language = language
        self.effects = effects
        self.replies = replies
        self.handledMessageId = handledMessageId
    }
}

/// How a commit ended.
public enum BotStepResult: Sendable, Equatable {
    /// Written; `version` is the new row version, `queuedMessageIds` the replies' message ids.
    case committed(version: Int64, queuedMessageIds: [String], orders: [OrderSnapshot])
    /// Another writer moved the conversation; reload and redo.
    case versionConflict
    /// The inbound message was already handled; nothing was written.
    case alreadyHandled
    /// An order a ``OrderEffect/transition(orderId:from:to:)`` names is no longer in `from`; nothing was
    /// written.
    case orderChanged
}
