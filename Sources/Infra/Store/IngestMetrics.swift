import Metrics

/// What the ``GroupCommitIngest`` records through swift-metrics (docs/metrics.md).
public struct IngestMetrics: Sendable {
    /// Histogram: entries (messages and audit lines) per committed group-commit transaction.
    public static let batchSize = "sufra_group_commit_batch_size"
    /// Histogram: one group-commit transaction, from leasing its connection to COMMIT.
    public static let commitDuration = "sufra_group_commit_duration_seconds"
    /// Counter: committed group-commit transactions by how they were written, `path` `one_round_trip` or `careful`
    /// (a batch that did not qualify for one round trip, or whose attempt was rolled back; docs/inbound.md).
    public static let batches = "sufra_group_commit_batches_total"

    let batch: Recorder
    let commit: Metrics.Timer
    let inOneRoundTrip: Counter
    let careful: Counter

    /// The series, created by `factory` (the global `MetricsSystem.factory` when none is given).
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        batch = Recorder(label: Self.batchSize, aggregate: true, factory: factory)
        commit = Metrics.Timer(label: Self.commitDuration, factory: factory)
        inOneRoundTrip = Counter(label: Self.batches, dimensions: [("path", "one_round_trip")], factory: factory)
        careful = Counter(label: Self.batches, dimensions: [("path", "careful")], factory: factory)
    }

    /// Records one committed batch of `size` entries that took `duration`, written in one round trip or not.
    func committed(size: Int, duration: Duration, inOneRoundTrip oneTrip: Bool) {
        batch.record(size)
        commit.record(duration: duration)
        (oneTrip ? inOneRoundTrip : careful).increment()
    }
}
