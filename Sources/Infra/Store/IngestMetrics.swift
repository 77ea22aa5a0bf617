import Metrics

/// What the ``GroupCommitIngest`` records through swift-metrics (docs/metrics.md).
public struct IngestMetrics: Sendable {
    /// Histogram: entries (messages and audit lines) per committed group-commit transaction.
    public static let batchSize = "sufra_group_commit_batch_size"
    /// Histogram: one group-commit transaction, from leasing its connection to COMMIT.
    public static let commitDuration = "sufra_group_commit_duration_seconds"

    let batch: Recorder
    let commit: Metrics.Timer

    /// The series, created by `factory` (the global `MetricsSystem.factory` when none is given).
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        batch = Recorder(label: Self.batchSize, aggregate: true, factory: factory)
        commit = Metrics.Timer(label: Self.commitDuration, factory: factory)
    }

    /// Records one committed batch of `size` entries that took `duration`.
    func committed(size: Int, duration: Duration) {
        batch.record(size)
        commit.record(duration: duration)
    }
}
