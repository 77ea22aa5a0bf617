/// How the customer receives an order. Raw values are the API's (docs/http-api.md; `orders.type`).
public enum OrderType: String, Sendable, Hashable, Codable, CaseIterable {
    /// Brought to the customer's location.
    case delivery
    /// Collected by the customer at the restaurant.
    case pickup
}
