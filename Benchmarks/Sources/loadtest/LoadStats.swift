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
