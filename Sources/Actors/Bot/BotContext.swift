/// Everything the bot reads besides the message and its state. The shell loads it; the bot never does I/O.
public struct BotContext: Sendable, Hashable {
    /// The restaurant: name, default language, support contact, promo template.
    public var restaurant: RestaurantProfile
    /// The menu in position order. Unavailable items may be included: the bot skips them when numbering.
    public var menu: [MenuItem]
    /// The conversation's language so far, `nil` until a message with letters arrived.
    public var language: Language?
    /// The customer's most recent non-draft order, for "my order status".
    public var latestOrder: OrderSnapshot?
    /// How prices are written.
    public var moneyFormat: MoneyFormat
    /// Staff took the conversation over (``HandoffPolicy``): the bot stays silent.
    public var staffAnswering: Bool

    /// Creates a context.
    public init(
        restaurant: RestaurantProfile, menu: [MenuItem], language: Language? = nil, latestOrder: OrderSnapshot? = nil,
        moneyFormat: MoneyFormat = .default, staffAnswering: Bool = false
    ) {
        self.restaurant = restaurant
        self.menu = menu
        self.language = language
        self.latestOrder = latestOrder
        self.moneyFormat = moneyFormat
        self.staffAnswering = staffAnswering
    }

    /// The items the customer can order, numbered by their index + 1.
    public var availableMenu: [MenuItem] { menu.filter(\.available) }
}
