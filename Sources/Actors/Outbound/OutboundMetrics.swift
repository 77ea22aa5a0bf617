import Metrics

/// What the outbound senders record through swift-metrics (docs/metrics.md). Per-message series carry no
/// restaurant; only the credentials alert names one (it fires once per restaurant made inactive).
public struct OutboundMetrics: Sendable {
    /// Counter: messages accepted by Twilio.
    public static let sent = "sufra_messages_sent_total"
    /// Counter: messages failed for good or dead-lettered.
    public static let failed = "sufra_messages_failed_total"
    /// Counter, label `restaurant`: restaurants made inactive because Twilio rejected their credentials.
    public static let credentialAlerts = "sufra_credential_alerts_total"
    /// Gauge, label `state` (`looking_up`, `sending`, `recording`): outbound jobs in flight in this process.
    public static let inFlight = "sufra_outbound_in_flight"

    /// Where a claimed job is.
    public enum Phase: String, Sendable, CaseIterable {
        /// An uncertain job is being looked up at the provider before any resend.
        case lookingUp = "looking_up"
        /// The provider's send call.
        case sending
        /// The outcome is being written to the queue.
        case recording
    }

    let sentCount: Counter
    let failedCount: Counter
    let lookingUp: Meter
    let sending: Meter
    let recording: Meter
    private let factory: any MetricsFactory

    /// The series, created by `factory` (the global `MetricsSystem.factory` when none is given).
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        sentCount = Counter(label: Self.sent, factory: factory)
        failedCount = Counter(label: Self.failed, factory: factory)
        func phase(_ phase: Phase) -> Meter {
            Meter(label: Self.inFlight, dimensions: [("state", phase.rawValue)], factory: factory)
        }
        lookingUp = phase(.lookingUp)
        sending = phase(.sending)
        recording = phase(.recording)
    }

    /// Counts `restaurantId` made inactive for rejected credentials.
    func credentialsRejected(restaurantId: String) {
        Counter(label: Self.credentialAlerts, dimensions: [("restaurant", restaurantId)], factory: factory).increment()
    }

    /// Runs `body` counted as in flight in `phase`.
    func during<Result>(_ phase: Phase, _ body: () async -> Result) async -> Result {
        let meter =
            switch phase {
            case .lookingUp: lookingUp
            case .sending: sending
            case .recording: recording
            }
        meter.increment()
        defer { meter.decrement() }
        return await body()
    }
}
