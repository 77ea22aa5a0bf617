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

    /// How the run came back from a fault injected at `faultStart` (seconds since ``start``), looking at the seconds
    /// from then on and before `next` (the next injection).
    struct Recovery: Sendable, Codable {
        /// To the end of the last second in which a webhook attempt was not answered 200 (0 when none was).
        var outage: Double
        /// To the first of ``healthyStreak`` consecutive healthy seconds (webhooks answered 200 at once, replies
        /// within 2 s).
        var recovered: Double
        /// To the end of the last unhealthy second (0 when none was): for a kill, the conversations whose reply was
        /// in flight wait for the lease.
        var lastDisturbance: Double
    }

    /// Healthy seconds in a row that count as recovered.
    static let healthyStreak = 5

    /// The recovery from a fault injected at `faultStart`.
    func recovery(from faultStart: Double, until next: Double = .infinity) -> Recovery {
        let first = Int(faultStart.rounded(.down))
        let last = min(seconds.keys.max() ?? first, next.isFinite ? Int(next) - 1 : .max)
        var result = Recovery(outage: 0, recovered: 0, lastDisturbance: 0)
        var streak = 0
        var recovered: Int?
        guard first <= last else { return result }
        for offset in first...last {
            let second = seconds[offset] ?? Second()
            let end = Double(offset + 1) - faultStart
            if second.failed > 0 { result.outage = end }
            if second.healthy {
                streak += 1
                if streak == Self.healthyStreak, recovered == nil { recovered = offset - Self.healthyStreak + 1 }
            } else {
                streak = 0
                result.lastDisturbance = end
            }
        }
        result.recovered = max(0, Double(recovered ?? last + 1) - faultStart)
        return result
    }

    /// Acknowledged webhooks per second over `range` (seconds since ``start``).
    func acknowledgedPerSecond(in range: Range<Int>) -> Double {
        guard !range.isEmpty else { return 0 }
        let total = range.reduce(0) { $0 + (seconds[$1]?.acknowledged ?? 0) }
        return Double(total) / Double(range.count)
    }
}
