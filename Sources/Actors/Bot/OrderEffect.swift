/// A change the shell makes to the conversation's orders, in the same transaction as the new bot state and
/// the replies. "The draft" is the conversation's open `DRAFT` order.
public enum OrderEffect: Sendable, Hashable, Codable {
    /// Create the draft, of this type (`DRAFT`, no number yet).
    case createDraft(OrderType)
    /// Set the draft's delivery location.
    case setLocation(Location)
    /// Replace the draft's lines (sent after every cart change; the total is the sum of `lineTotal`).
    case setLines([OrderLine])
    /// Confirm the draft: the shell assigns the next order number, stores the total and moves it to `CONFIRMED`,
    /// then renders the replies with that number (``BotOutcome/renderedReplies(orderNumber:)``).
    case confirm
    /// Cancel the draft (`DRAFT → CANCELLED`).
    case cancelDraft
    /// Record the rating of a delivered order and move it to `RATED`.
    case rate(orderId: String, rating: Int)
    /// Staff moved the order `orderId` from `from` to `to` (already checked against the state machine). The
    /// shell applies it only while the order is still in `from`; otherwise the whole step is refused with
    /// ``BotStepResult/orderChanged`` and the actor re-reads the order.
    case transition(orderId: String, from: OrderStatus, to: OrderStatus)
}
