/// The batching limits of a group-commit writer (``GroupCommitIngest``, ``GroupCommitOutcomes``).
public struct GroupCommitOptions: Sendable {
    /// Most entries per transaction. A webhook waits about as long as its batch takes, so for webhooks a cap well
    /// above the mean batch (~40 under load) only lengthens the tail (docs/inbound.md, "Group commit").
    public var maximumBatch = 64
    /// Transactions in flight at once (`INGEST_FLUSHERS` for webhooks): fewer make bigger batches, more let a
    /// database with many cores commit in parallel.
    public var flushers = 2
    /// Most callers waiting; beyond it callers fail fast with ``StorageUnavailable`` (docs/invariants.md 5).
    public var maximumPending = 10_000
    /// The least time between two batch starts (zero: start the next as soon as one is due, the default), whichever
    /// flusher takes them. Entries that arrive meanwhile wait for the next batch, so it trades their latency for fewer
    /// transactions.
    public var gatherWindow: Duration = .zero
    /// With a ``gatherWindow``: pending entries that start a batch without waiting out the window or for the batch in
    /// flight (nil: a full batch, ``maximumBatch``). Under load more are always pending, so no flusher waits.
    public var gatherEnough: Int?

    /// Default limits.
    public init() {}

    /// For webhooks (``GroupCommitIngest``): two transactions in flight, up to 64 webhooks each, batches at least
    /// 10 ms apart while fewer than 4 webhooks wait. At customer pace (a webhook every few milliseconds, each batch
    /// its own transaction) the webhooks of a window share one commit; under load batches hold more than 4 and start
    /// as before (docs/inbound.md, "Flushers").
    public static var ingest: GroupCommitOptions {
        var options = GroupCommitOptions()
        options.gatherWindow = .milliseconds(10)
        options.gatherEnough = 4
        return options
    }

    /// For send outcomes and delivery receipts (``GroupCommitOutcomes``): one transaction in flight, up to 256
    /// entries, at most one every 10 ms. No customer waits on them, so fewer and larger transactions, each a WAL
    /// flush and a lock statement fewer, beat two committing at once: at 400 messages/s, 1.60–1.69 → 1.38–1.40
    /// commits per message and reply p50 22–24 → 16–17 ms (docs/outbound.md, "Outcomes and receipts:
    /// group-committed").
    public static var outcomes: GroupCommitOptions {
        var options = GroupCommitOptions()
        options.flushers = 1
        options.maximumBatch = 256
        options.gatherWindow = .milliseconds(10)
        return options
    }
}
