/// Which live-event stream of a restaurant (CONTRACT.md §5).
public enum RedisEventKind: String, Sendable, Hashable, CaseIterable {
    /// `message.received`, `message.sent`, `message.status`.
    case messages
    /// `order.updated`.
    case orders
    /// `conversation.updated`.
    case conversations
}

/// The publishing side of the dashboard's live events: one Redis channel per restaurant and kind,
/// `ws:restaurant:<id>:messages|orders|conversations`. The WebSocket side subscribes with ``RedisSubscriber``.
public struct RedisEventBus: Sendable {
    let client: RedisClient

    /// Publishes through `client`'s pool.
    public init(client: RedisClient) { self.client = client }

    /// The channel of a restaurant's events of one kind.
    public static func channel(restaurantId: String, kind: RedisEventKind) -> String {
        "ws:restaurant:\(restaurantId):\(kind.rawValue)"
    }

    /// Publishes an event frame (already encoded JSON); returns how many subscribers (server instances) got it.
    @discardableResult
    public func publish(restaurantId: String, kind: RedisEventKind, json: [UInt8]) async throws -> Int {
        try await client.publish(channel: Self.channel(restaurantId: restaurantId, kind: kind), message: json)
    }

    /// Publishes an event frame given as a JSON string.
    @discardableResult
    public func publish(restaurantId: String, kind: RedisEventKind, json: String) async throws -> Int {
        try await publish(restaurantId: restaurantId, kind: kind, json: Array(json.utf8))
    }
}
