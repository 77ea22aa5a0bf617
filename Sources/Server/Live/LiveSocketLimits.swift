/// How many dashboard WebSockets one process takes: a restaurant's dashboards multiply every event of its chat
/// (each frame is a write to each socket), so without a bound one restaurant with many open dashboards and a busy
/// chat spends the cores every restaurant's webhooks need (BENCHMARKS.md, "Dashboards: fan-out to 10,000
/// WebSockets"). A socket past either limit is closed at once with `1013 try again later` (``LiveSocketRefusal``).
public struct LiveSocketLimits: Sendable, Equatable {
    /// `DASHBOARD_SOCKETS_PER_RESTAURANT`: sockets of one restaurant on this process.
    public var perRestaurant: Int
    /// `DASHBOARD_SOCKETS_MAX`: sockets on this process in all.
    public var total: Int

    /// Limits of `perRestaurant` and `total` sockets (each at least 1).
    public init(perRestaurant: Int = 100, total: Int = 10_000) {
        self.perRestaurant = max(1, perRestaurant)
        self.total = max(1, total)
    }
}
