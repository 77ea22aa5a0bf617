/// A bot step decided in memory for a message not yet stored (decide before commit): what the conversation
/// becomes if the message turns out to be new and nobody else moved the conversation meanwhile.
public struct DecidedStep: Sendable, Equatable {
    /// The conversation row version the step was decided from (0 for a conversation with no row yet).
    public var expectedVersion: Int64
    /// The id of the conversation row it was decided from (nil for a conversation with no row yet): with it the
    /// batch can be written in one round trip (docs/inbound.md).
    public var conversationId: String?
    /// The new bot state.
    public var state: BotState
    /// The new language.
    public var language: Language?
    /// Order changes, in order.
    public var effects: [OrderEffect]
    /// Replies in order (rendered by the writer once it knows the order number).
    public var replies: [BotReply]

    /// Creates a decided step.
    public init(
        expectedVersion: Int64, conversationId: String? = nil, state: BotState, language: Language?,
        effects: [OrderEffect], replies: [BotReply]
    ) {
        self.expectedVersion = expectedVersion
        self.conversationId = conversationId
        self.state = state
        self.language = language
        self.effects = effects
        self.replies = replies
    }

    /// Whether committing the step needs an order number allocated first.
    public var confirmsOrder: Bool { effects.contains(.confirm) }
}
