/// What one message attempt produced, recorded into a group's ``LoadStats`` under the recorder's lock (a few
/// counters and at most two histogram values: no histogram of its own, which would cost ~230 KB per message).
struct LoadSample: Sendable {
    /// Send (or intended send) → 200.
    var ack: Duration?
    /// Send (or intended send) → the reply at the sandbox.
    var reply: Duration?
    /// Webhooks posted (duplicates included).
    var sent = 0
    /// 1 when answered 200.
    var acknowledged = 0
    /// The bucket of a 429.
    var throttled: String?
    /// The kind of a failure.
    var error: String?
    /// When the attempt was sent (or intended); the chaos timeline buckets attempts by it.
    var sentAt: ContinuousClock.Instant?
    /// 1 when this completed an order.
    var ordersConfirmed = 0
}
