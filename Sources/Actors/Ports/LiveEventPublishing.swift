/// Publishes real-time events for dashboards (CONTRACT.md §5), on every instance.
public protocol LiveEventPublishing: Sendable {
    /// Publishes `event` (best effort: a failure is logged and counted, never fails the caller).
    func publish(_ event: LiveEvent) async
}

/// One dashboard event: `{ "type", "restaurantId", "at", "data" }`.
public struct LiveEvent: Sendable, Equatable {
    /// The event types of CONTRACT.md §5 and the Redis channel each goes to.
    public enum Kind: String, Sendable, CaseIterable {
        case messageReceived = "message.received"
        case messageSent = "message.sent"
        case messageStatus = "message.status"
        case orderUpdated = "order.updated"
        case conversationUpdated = "conversation.updated"

        /// The channel suffix: `messages`, `orders` or `conversations`.
        public var channel: String {
            switch self {
            case .messageReceived, .messageSent, .messageStatus: "messages"
            case .orderUpdated: "orders"
            case .conversationUpdated: "conversations"
            }
        }
    }

    /// The type.
    public var kind: Kind
    /// The restaurant it belongs to.
    public var restaurantId: String
    /// ISO-8601 UTC time.
    public var at: String
    /// The `data` object, already encoded as JSON.
    public var dataJSON: String

    /// Creates an event.
    public init(kind: Kind, restaurantId: String, at: String, dataJSON: String) {
        self.kind = kind
        self.restaurantId = restaurantId
        self.at = at
        self.dataJSON = dataJSON
    }

    /// The Redis channel: `ws:restaurant:{id}:messages|orders|conversations`.
    public var channel: String { "ws:restaurant:\(restaurantId):\(kind.channel)" }

    /// The frame as sent to WebSockets.
    public var frameJSON: String {
        "{\"type\":\"\(kind.rawValue)\",\"restaurantId\":\"\(restaurantId)\",\"at\":\"\(at)\",\"data\":\(dataJSON)}"
    }
}
