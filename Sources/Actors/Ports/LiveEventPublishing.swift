/// Publishes real-time events for dashboards (docs/staff-api.md), on every instance.
public protocol LiveEventPublishing: Sendable {
    /// Hands `event` over for publishing and returns at once: publishing is best effort and never delays the
    /// caller (an answer to Twilio waits for no Redis round trip); a failure is logged and counted.
    func publish(_ event: LiveEvent)
}

/// One dashboard event: `{ "type", "restaurantId", "at", "data" }`.
public struct LiveEvent: Sendable, Equatable {
    /// The event types of docs/http-api.md and the Redis channel each goes to.
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
    public var channel: String { Self.joined(forEachChannelPiece) }

    /// The one spelling of the channels' names: a restaurant's channels all start with this.
    public static func channelPrefix(restaurantId: String) -> String {
        channelHead + restaurantId + channelSeparator
    }

    /// Every channel of a restaurant (what a dashboard hub subscribes to: exact channels, not a pattern, since
    /// Redis matches each published message against every pattern any client subscribed to).
    public static func channels(restaurantId: String) -> [String] {
        Set(Kind.allCases.map(\.channel)).sorted().map { channelPrefix(restaurantId: restaurantId) + $0 }
    }

    /// The frame as sent to WebSockets.
    public var frameJSON: String { Self.joined(forEachFramePiece) }

    /// ``channel``'s text in pieces, in order: a publisher copies them where they go without joining them first.
    public func forEachChannelPiece(_ body: (String) -> Void) {
        body(Self.channelHead)
        body(restaurantId)
        body(Self.channelSeparator)
        body(kind.channel)
    }

    /// ``frameJSON``'s text in pieces, in order.
    public func forEachFramePiece(_ body: (String) -> Void) {
        body("{\"type\":\"")
        body(kind.rawValue)
        body("\",\"restaurantId\":\"")
        body(restaurantId)
        body("\",\"at\":\"")
        body(at)
        body("\",\"data\":")
        body(dataJSON)
        body("}")
    }

    private static let channelHead = "ws:restaurant:"
    private static let channelSeparator = ":"

    private static func joined(_ pieces: ((String) -> Void) -> Void) -> String {
        var text = ""
        pieces { text += $0 }
        return text
    }
}
