/// A chaos run's webhook attempts by the second they were sent: what failed, and how their replies fared. The
/// recovery time of a fault is read from it (``recovery(from:)``).
struct ChaosTimeline: Sendable {
    /// One second of attempts.
    struct Second: Sendable, Codable {
        var attempts = 0
        var acknowledged = 0
        /// Answered other than 200, or not answered.
        var failed = 0
        /// Acknowledged, but the reply did not arrive within the customer's reply timeout.
        var replyTimeouts = 0
        /// Acknowledged and answered, later than ``ChaosTimeline/slowReply``.
        var slowReplies = 0

        /// A second is unhealthy when an attempt failed, a reply timed out, or more than 5 % of replies were slow.
        var healthy: Bool {
            failed == 0 && replyTimeouts == 0 && slowReplies * 20 <= max(acknowledged, 1)
        }
    }

    /// A reply slower than this (from its webhook) counts as slow.
    static let slowReply: Duration = .seconds(2)

    /// Second 0 starts here.
    let start: ContinuousClock.Instant
    /// The seconds, by offset from ``start``.
    private(set) var seconds: [Int: Second] = [:]

    init(start: ContinuousClock.Instant) { self.start = start }

    /// Adds one attempt to the second it was sent in.
    mutating func add(_ sample: LoadSample) {
        guard let sentAt = sample.sentAt, sample.sent > 0 else { return }
        let offset = Int((sentAt - start).components.seconds)
        var second = seconds[offset] ?? Second()
        second.attempts += 1
        if sample.acknowledged > 0 {
            second.acknowledged += 1
            if sample.error == "reply timeout" { second.replyTimeouts += 1 }
            if let reply = sample.reply, reply > Self.slowReply { second.slowReplies += 1 }
        } else {
            second.failed += 1
        }
        seconds[offset] = second
    }

    /// Seconds from `faultStart` (seconds since ``start``) to the end of the last second, from then on (before
    /// `next`, the next fault), in which a webhook attempt failed (`outage`, 0 when none did) or which was
    /// unhealthy at all (`recovery`: after it, webhooks are answered 200 at the first try and replies arrive within
    /// 2 s).
    func recovery(from faultStart: Double, until next: Double = .infinity) -> (outage: Double, recovery: Double) {
        let first = Int(faultStart.rounded(.down))
        var outage = 0.0
        var recovery = 0.0
        for (offset, second) in seconds where offset >= first && Double(offset) < next {
            let end = Double(offset + 1) - faultStart
            if second.failed > 0 { outage = max(outage, end) }
            if !second.healthy { recovery = max(recovery, end) }
        }
        return (outage, recovery)
    }

    /// Acknowledged webhooks per second over `range` (seconds since ``start``).
    func acknowledgedPerSecond(in range: Range<Int>) -> Double {
        guard !range.isEmpty else { return 0 }
        let total = range.reduce(0) { $0 + (seconds[$1]?.acknowledged ?? 0) }
        return Double(total) / Double(range.count)
    }
}
