/// The sendrate scenario's numbers (in the JSON file's `sendRate`): each restaurant's replies as they reached
/// Twilio (the sandbox) while its outbound queue held a backlog, against its `sendPerMinute` (DESIGN.md's target:
/// every restaurant's rate held within ±2 %, 100 restaurants sending at once).
struct SendRateReport: Sendable, Codable {
    /// One restaurant's measured rate.
    struct Restaurant: Sendable, Codable {
        var id: String
        var sendPerMinute: Int
        /// Replies that reached the sandbox in the window.
        var sent: Int
        /// `(sent − 1)` intervals over the time from the first to the last, per minute.
        var measuredPerMinute: Double
        /// How far `measuredPerMinute` is from `sendPerMinute`, in percent (negative: slower).
        var deviationPercent: Double
        /// Replies still queued or being sent when the window closed (must be above 0: the queue never ran dry).
        var backlogAtEnd: Int
    }

    /// The restaurants of one `sendPerMinute`.
    struct RateClass: Sendable, Codable {
        var sendPerMinute: Int
        var restaurants: Int
        var minimumPerMinute: Double
        var medianPerMinute: Double
        var maximumPerMinute: Double
        /// The largest |deviation| in the class, in percent.
        var worstDeviationPercent: Double
    }

    /// The measured window (seconds), after the warm-up in which each bucket spends its ten seconds' burst.
    var windowSeconds: Double
    var restaurants: [Restaurant]
    var classes: [RateClass]

    /// The largest |deviation| of any restaurant, in percent.
    var worstDeviationPercent: Double { restaurants.map { abs($0.deviationPercent) }.max() ?? .infinity }

    /// The report from each restaurant's arrival times (seconds, any epoch) inside a window of `windowSeconds`, its
    /// `sendPerMinute` and its backlog when the window closed.
    init(
        arrivals: [String: [Double]], sendPerMinute: [String: Int], backlog: [String: Int], windowSeconds: Double
    ) {
        self.windowSeconds = windowSeconds
        let restaurants = sendPerMinute.keys.sorted().map { id in
            let times = (arrivals[id] ?? []).sorted()
            let rate = sendPerMinute[id] ?? 0
            var measured = 0.0
            if times.count >= 2, let first = times.first, let last = times.last, last > first {
                measured = Double(times.count - 1) / (last - first) * 60
            }
            let deviation = rate > 0 ? (measured - Double(rate)) / Double(rate) * 100 : 0
            return Restaurant(
                id: id, sendPerMinute: rate, sent: times.count, measuredPerMinute: measured,
                deviationPercent: deviation, backlogAtEnd: backlog[id] ?? 0)
        }
        self.restaurants = restaurants
        classes = Dictionary(grouping: restaurants, by: \.sendPerMinute).keys.sorted().map { rate in
            let measured = restaurants.filter { $0.sendPerMinute == rate }.map(\.measuredPerMinute).sorted()
            let worst = restaurants.filter { $0.sendPerMinute == rate }.map { abs($0.deviationPercent) }.max() ?? 0
            return RateClass(
                sendPerMinute: rate, restaurants: measured.count, minimumPerMinute: measured.first ?? 0,
                medianPerMinute: measured.isEmpty ? 0 : measured[measured.count / 2],
                maximumPerMinute: measured.last ?? 0, worstDeviationPercent: worst)
        }
    }
}
