import Metrics

/// What the ``UnhandledSweeper`` records through swift-metrics (docs/metrics.md).
public struct SweeperMetrics: Sendable {
    /// Counter: inbound messages marked failed after every re-drive failed.
    public static let failed = "sufra_inbound_unhandled_failed_total"
    /// Counter, label `outcome` (`handled`, `refused`, `failed`): re-drives of unhandled inbound messages.
    public static let redrives = "sufra_inbound_redrives_total"

    let failedCount: Counter
    let handled: Counter
    let refused: Counter
    let failedRedrives: Counter

    /// The series, created by `factory` (the global `MetricsSystem.factory` when none is given).
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        failedCount = Counter(label: Self.failed, factory: factory)
        func redrives(_ outcome: String) -> Counter {
            Counter(label: Self.redrives, dimensions: [("outcome", outcome)], factory: factory)
        }
        handled = redrives("handled")
        refused = redrives("refused")
        failedRedrives = redrives("failed")
    }
}
