/// What the bot decided for one message (or one staff move): the next state, the conversation's language,
/// the replies in sending order and the order effects in applying order.
public struct BotOutcome: Sendable, Hashable {
    /// The state to store.
    public var state: BotState
    /// The conversation language to store (`nil`: still unset; replies then used the restaurant's).
    public var language: Language?
    /// The replies, in order. Empty only in ``BotState/withStaff`` (staff answer) and for staff moves the
    /// customer need not hear about.
    public var replies: [BotReply]
    /// The order changes, in order.
    public var effects: [OrderEffect]

    /// Creates an outcome.
    public init(state: BotState, language: Language?, replies: [BotReply], effects: [OrderEffect] = []) {
        self.state = state
        self.language = language
        self.replies = replies
        self.effects = effects
    }

    /// The replies ready to queue, with `orderNumber` (from performing ``OrderEffect/confirm``) filled in.
    public func renderedReplies(orderNumber: Int? = nil) -> [Reply] {
        replies.map { $0.rendered(orderNumber: orderNumber) }
    }
}
