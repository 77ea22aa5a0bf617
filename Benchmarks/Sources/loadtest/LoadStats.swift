/// What one group of customers saw: latencies, outcomes and completed orders.
struct LoadStats: Sendable {
    /// Webhook sent (or intended, in open mode) → 200 received.
    var ack = LatencyHistogram()
    /// Webhook sent (or intended) → the bot's reply accepted by the sandbox.
    var reply = LatencyHistogram()
    /// Webhooks sent (duplicates included).
    var sent = 0
    /// Webhooks answered 200.
    var acknowledged = 0
    /// 429 answers by bucket (`global`, `restaurant`, `customer`).
    var throttled: [String: Int] = [:]
    /// Failures by kind (`status 503`, `transport`, `reply timeout`, …).
    var errors: [String: Int] = [:]
    /// Conversations that reached a confirmed order.
    var ordersConfirmed = 0

    /// Adds one attempt's outcome.
    mutating func add(_ sample: LoadSample) {
        if let ack = sample.ack { self.ack.record(ack) }
        if let reply = sample.reply { self.reply.record(reply) }
        sent += sample.sent
        acknowledged += sample.acknowledged
        if let bucket = sample.throttled { throttled[bucket, default: 0] += 1 }
        if let error = sample.error { errors[error, default: 0] += 1 }
        ordersConfirmed += sample.ordersConfirmed
    }

    /// Adds `other` into this.
    mutating func merge(_ other: LoadStats) {
        ack.add(other.ack)
        reply.add(other.reply)
        sent += other.sent
        acknowledged += other.acknowledged
        throttled.merge(other.throttled, uniquingKeysWith: +)
        errors.merge(other.errors, uniquingKeysWith: +)
        ordersConfirmed += other.ordersConfirmed
    }
}
