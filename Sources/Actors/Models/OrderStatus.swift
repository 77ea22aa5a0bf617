/// The life of an order. Raw values are exactly the API's (docs/http-api.md; `orders.status`, `/api/orders?status=`).
///
/// The legal moves between them live in ``OrderStateMachine``.
public enum OrderStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Being assembled by the bot; not yet seen by the kitchen.
    case draft = "DRAFT"
    /// Confirmed by the customer; it has a number and a total.
    case confirmed = "CONFIRMED"
    /// The kitchen is preparing it.
    case preparing = "PREPARING"
    /// On its way to the customer (delivery orders only).
    case outForDelivery = "OUT_FOR_DELIVERY"
    /// Delivered, or handed over for pickup orders.
    case delivered = "DELIVERED"
    /// The customer rated it.
    case rated = "RATED"
    /// Cancelled (from `DRAFT` or `CONFIRMED`).
    case cancelled = "CANCELLED"
}
