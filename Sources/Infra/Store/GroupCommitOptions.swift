/// The batching limits of a group-commit writer (``GroupCommitIngest``, ``GroupCommitOutcomes``).
public struct GroupCommitOptions: Sendable {
    /// Most entries per transaction.
    public var maximumBatch = 256
    /// Transactions in flight at once (`INGEST_FLUSHERS` for webhooks): fewer make bigger batches, more let a
    /// database with many cores commit in parallel.
    public var flushers = 2
    /// Most callers waiting; beyond it callers fail fast with ``StorageUnavailable`` (docs/invariants.md 5).
    public var maximumPending = 10_000

    /// Default limits.
    public init() {}
}
