/// Identifies one customer's conversation with one restaurant: the key of its ConversationActor.
public struct ConversationKey: Hashable, Sendable, CustomStringConvertible {
    /// The restaurant id.
    public var restaurantId: String
    /// The customer, e.g. `whatsapp:+9665…`.
    public var customer: String

    /// Creates a key.
    public init(restaurantId: String, customer: String) {
        self.restaurantId = restaurantId
        self.customer = customer
    }

    public var description: String { "\(restaurantId)/\(customer)" }
}
