/// The series the conversations record through swift-metrics (docs/metrics.md).
public enum BotMetrics {
    /// Histogram: an inbound message's arrival to its committed bot replies.
    public static let replyDuration = "sufra_bot_reply_duration_seconds"
}
