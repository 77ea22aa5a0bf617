/// A chaos run's faults and how the system came back from each, as written to the JSON file.
struct ChaosReport: Sendable, Codable {
    /// One injection.
    struct Injection: Sendable, Codable {
        var event: ChaosEvent
        /// Seconds from the injection: webhooks failing, recovered, last disturbance (``ChaosTimeline/Recovery``).
        var recovery: ChaosTimeline.Recovery
    }

    var fault: ChaosFault
    var injections: [Injection]
    /// Acknowledged webhooks per second before the first injection (the run's normal pace).
    var acknowledgedPerSecondBefore: Double
    /// Webhooks `serve` answered since it last started, and of those, the ones it took more than 5 s and more than
    /// 10 s to answer (its own `sufra_webhook_duration_seconds`: the harness's client adds its queueing).
    var serverWebhooks = 0
    var serverWebhooksOver5s = 0
    var serverWebhooksOver10s = 0
    /// The per-second timeline (for plots and post-mortems).
    var timeline: [Int: ChaosTimeline.Second]

    /// Adds `serve`'s webhook duration buckets (cumulative counts by bound).
    mutating func addServerDurations(_ buckets: [String: Int]) {
        let total = buckets["+Inf"] ?? 0
        serverWebhooks = total
        serverWebhooksOver5s = max(0, total - (buckets["5.0"] ?? buckets["5"] ?? total))
        serverWebhooksOver10s = max(0, total - (buckets["10.0"] ?? buckets["10"] ?? total))
    }

    init(fault: ChaosFault, events: [ChaosEvent], timeline: ChaosTimeline) {
        self.fault = fault
        injections = events.enumerated().map { index, event in
            let next = index + 1 < events.count ? events[index + 1].startedAt : .infinity
            return Injection(event: event, recovery: timeline.recovery(from: event.startedAt, until: next))
        }
        let before = Int(events.first?.startedAt ?? 0)
        acknowledgedPerSecondBefore = timeline.acknowledgedPerSecond(in: min(5, before)..<before)
        self.timeline = timeline.seconds
    }
}
