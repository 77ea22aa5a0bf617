import Foundation

/// The dashboard limits the server runs with: `DASHBOARD_SOCKETS_PER_RESTAURANT` and `DASHBOARD_SOCKETS_MAX` from
/// the environment it inherits from the harness (defaults 100 and 10,000, as the server's). The fan-out scenario
/// checks that exactly the sockets these allow connected and the rest were refused.
struct DashboardLimits: Sendable {
    var perRestaurant = 100
    var total = 10_000

    /// The limits in `environment` (unset or unreadable values keep the server's defaults).
    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let value = environment["DASHBOARD_SOCKETS_PER_RESTAURANT"].flatMap(Int.init), value > 0 {
            perRestaurant = value
        }
        if let value = environment["DASHBOARD_SOCKETS_MAX"].flatMap(Int.init), value > 0 { total = value }
    }

    /// How many of `sockets` dashboards spread round-robin over `restaurants` the server takes.
    func admitted(sockets: Int, restaurants: Int) -> Int {
        guard restaurants > 0 else { return 0 }
        let perRestaurant = (0..<restaurants).map { index in
            min(self.perRestaurant, sockets / restaurants + (index < sockets % restaurants ? 1 : 0))
        }
        return min(total, perRestaurant.reduce(0, +))
    }
}
