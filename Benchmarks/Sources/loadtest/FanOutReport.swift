/// The fan-out scenario's numbers (in the JSON file's `fanOut`).
struct FanOutReport: Sendable, Codable {
    /// Dashboards opened, how many completed their upgrade, and how many of those saw the server close them at once
    /// with `1013` (past its dashboards-per-restaurant or per-process limit; the client misses some of these).
    var sockets: Int
    var connected: Int
    var refused: Int
    /// Sockets the server took (each heard the warm-up), and how many its limits allow of `sockets`.
    var attached: Int
    var admitted: Int
    /// The server's `sufra_websocket_refused_total` after the run (nil until read).
    var serverRefused: Int?
    var restaurants: Int
    /// Seconds to open them all.
    var connectSeconds: Double
    /// Sockets that failed to connect or lost their connection, by reason.
    var failures: [String: Int]
    /// Distinct `message.received` events heard while measuring, and the messages answered 200 meanwhile (one
    /// event each).
    var events: Int
    var acknowledged: Int
    /// Their deliveries, and how many there should be (each acknowledged message × the attached sockets of its
    /// restaurant).
    var deliveries: Int
    var expectedDeliveries: Int
    /// Attached sockets that missed at least one event of their restaurant.
    var socketsMissingEvents: Int
    /// Every frame heard (all event types), frames of another restaurant (must be 0), frames not an event.
    var frames: Int
    var foreignFrames: Int
    var unreadableFrames: Int
    /// From the server publishing a `message.received` event (its `at`) to a socket having it, per delivery.
    var latency: LatencySummary
}
