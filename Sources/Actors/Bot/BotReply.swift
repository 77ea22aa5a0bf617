/// A reply as the bot produces it: ready to send, or waiting for a value only the shell knows.
///
/// The one such value is the order number, assigned when the shell performs ``OrderEffect/confirm`` (from
/// `restaurants.next_order_number`, inside the transaction). Rather than guessing it or scanning text for a
/// placeholder, the bot returns `.orderConfirmed` and the shell renders it with the number it just assigned.
public enum BotReply: Sendable, Hashable, Codable {
    /// A finished reply.
    case ready(Reply)
    /// "Your order #N is confirmed, total T", to be rendered with the assigned number.
    case orderConfirmed(total: Int64, language: Language, format: MoneyFormat)

    /// Whether the text waits for the order number (``rendered(orderNumber:)`` ignores it otherwise).
    public var needsOrderNumber: Bool {
        if case .orderConfirmed = self { true } else { false }
    }

    /// The reply to send; `orderNumber` fills `.orderConfirmed` (without one it is left out of the text).
    public func rendered(orderNumber: Int?) -> Reply {
        switch self {
        case .ready(let reply):
            reply
        case .orderConfirmed(let total, let language, let format):
            .text(BotTexts(language: language, money: format).confirmed(number: orderNumber, total: total))
        }
    }
}
