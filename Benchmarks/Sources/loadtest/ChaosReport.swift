/// A chaos run's faults and how the system came back from each, as written to the JSON file.
struct ChaosReport: Sendable, Codable {
    /// One injection.
    struct Injection: Sendable, Codable {
        var event: ChaosEvent
        /// Seconds from the injection to the end of the last second in which a webhook attempt failed.
        var outageSeconds: Double
        /// Seconds from the injection until webhooks are answered 200 at the first try and replies arrive within
        /// 2 s (the end of the last unhealthy second, ``ChaosTimeline``).
        var recoverySeconds: Double
    }

    var fault: ChaosFault
    var injections: [Injection]
    /// Acknowledged webhooks per second before the first injection (the run's normal pace).
    var acknowledgedPerSecondBefore: Double
    /// The per-second timeline (for plots and post-mortems).
    var timeline: [Int: ChaosTimeline.Second]

    init(fault: ChaosFault, events: [ChaosEvent], timeline: ChaosTimeline) {
        self.fault = fault
        injections = events.enumerated().map { index, event in
            let next = index + 1 < events.count ? events[index + 1].startedAt : .infinity
            let (outage, recovery) = timeline.recovery(from: event.startedAt, until: next)
            return Injection(event: event, outageSeconds: outage, recoverySeconds: recovery)
        }
        let before = Int(events.first?.startedAt ?? 0)
        acknowledgedPerSecondBefore = timeline.acknowledgedPerSecond(in: min(5, before)..<before)
        self.timeline = timeline.seconds
    }
}
