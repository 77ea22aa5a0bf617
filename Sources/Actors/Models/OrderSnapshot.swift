/// What the bot knows about one of the customer's orders: enough to answer "my order status" and to tell the
/// customer about staff moves.
public struct OrderSnapshot: Sendable, Hashable, Codable {
    /// The order id (uuid text).
    public var id: String
    /// The per-restaurant order number (from 1); 0 for a draft that has none yet.
    public var number: Int
    /// Delivery or pickup.
    public var type: OrderType
    /// The current status.
    public var status: OrderStatus
    /// The total in minor units.
    public var total: Int64

    /// Creates a snapshot.
    public init(id: String, number: Int, type: OrderType, status: OrderStatus, total: Int64 = 0) {
        self.id = id
        self.number = number
        self.type = type
        self.status = status
        self.total = total
    }
}
