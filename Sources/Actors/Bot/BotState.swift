/// Where a customer's conversation with the bot stands. Stored as `conversations.bot_state` jsonb (see
/// `BotState+Codable.swift` for the versioned, forgiving encoding).
///
/// The cart travels in the state (the bot needs it for every reply); the order row mirrors it through
/// ``OrderEffect/setLines(_:)``. The open draft is "the conversation's `DRAFT` order": the shell finds it, so
/// the state does not carry its id.
public enum BotState: Sendable, Hashable {
    /// Nothing pending: the next message, whatever it is, gets the welcome. The initial state.
    case idle
    /// The welcome was shown; waiting for 1 new order / 2 my order status / 3 talk to us.
    case mainMenu
    /// "New order" chosen; waiting for 1 delivery / 2 pickup. No draft exists yet.
    case choosingType
    /// A delivery draft exists; waiting for a location pin or a typed address.
    case awaitingLocation
    /// The menu was shown; adding items to `cart`.
    case ordering(type: OrderType, cart: Cart)
    /// The summary was shown; waiting for 1 confirm / 2 edit / 3 cancel.
    case reviewing(type: OrderType, cart: Cart)
    /// "Talk to us" chosen: the bot stays silent so staff can answer; only "menu" brings the bot back.
    case withStaff
    /// The order `orderId` was delivered; waiting for a rating 1–5.
    case awaitingRating(orderId: String)

    /// The state of a conversation that has none stored (or whose stored state cannot be read).
    public static let initial = BotState.idle

    /// Whether the conversation has a `DRAFT` order open (created once the order type was chosen).
    public var hasDraft: Bool {
        switch self {
        case .awaitingLocation, .ordering, .reviewing: true
        case .idle, .mainMenu, .choosingType, .withStaff, .awaitingRating: false
        }
    }

    /// Whether the customer is in the middle of placing an order ("cancel" applies).
    public var isPlacingOrder: Bool { hasDraft || self == .choosingType }
}
