/// The conversation every simulated customer holds (docs/bot.md): greet, new order, pickup, add items, done,
/// confirm. Each message gets exactly one reply in every state it can reach, and the last confirms an order.
enum ConversationScript {
    /// A full pickup order: welcome → type question → menu → added → added → summary → confirmed.
    static let order = ["hello", "1", "2", "1 x2", "2", "0", "1"]
    /// Opens a conversation after one was abandoned midway (cancels the draft and shows the welcome).
    static let restart = "menu"
    /// Replies the flow prescribes per accepted message of ``order`` (never `withStaff`, the silent state).
    static let repliesPerMessage = 1
}
