import Actors
import Logging
import Runtime
import ServiceLifecycle
import Synchronization

/// Send outcomes and delivery receipts, group-committed like webhooks (``GroupCommitIngest`` is the model): the
/// completions the send loops record and the status callbacks Twilio posts wait in one queue; one flusher
/// (``GroupCommitOptions/outcomes``) takes up to `maximumBatch` and writes them in one transaction and one round trip
/// (``OutcomeBatchWriter``: every completion in one fenced multi-row `UPDATE`, each receipt's statement after it,
/// pipelined), and every caller is answered only after its batch committed.
/// While the flusher waits for its commit the next batch fills, and it starts a batch at most once per
/// ``GroupCommitOptions/gatherWindow`` (10 ms), so batches grow with load and an idle system still answers in about
/// one commit.
///
/// One bad entry never fails its neighbours: a batch the server rejects is split in halves and each half retried,
/// down to the entry at fault, which fails alone; a lost connection fails the batch at once (the send loop retries
/// its record until the lease ends; Twilio retries a receipt answered 503). A full queue fails fast.
///
/// As an ``OutboundQueueing`` it is what the send loops use: claims and releases go straight to the queue, a 401's
/// completion too (it deactivates the restaurant in its own transaction).
public final class GroupCommitOutcomes: OutboundQueueing, Service {
    private struct Entry: Sendable {
        var item: OutcomeBatchWriter.Item
        var reply: OneShotReply<OutcomeBatchWriter.Result>
    }

    /// The durable queue whose rows the outcomes settle.
    public let queue: OutboundQueue
    private let logger: Logger
    private let batches: BatchQueue<Entry>
    private let transactions = Atomic<Int>(0)
    /// Answers receipts whose deadline passed before their batch committed (the write itself goes on).
    private let deadlines = DeadlineQueue(
        clock: ContinuousClock(), error: StorageUnavailable("deadline passed before the database answered"))

    /// Batches outcomes for `queue` (on its pool, which must be running).
    public init(queue: OutboundQueue, options: GroupCommitOptions = .outcomes, logger: Logger) {
        self.queue = queue
        self.logger = logger
        batches = BatchQueue(options: options)
    }

    public var leaseDuration: Duration { queue.leaseDuration }

    public func claim(restaurantId: String, limit: Int) async throws -> [OutboundJob] {
        try await queue.claim(restaurantId: restaurantId, limit: limit)
    }

    public func release(_ jobs: [OutboundJob]) async throws {
        try await queue.release(jobs)
    }

    public func complete(_ job: OutboundJob, with decision: OutboundDecision) async throws -> OutboundCompletion {
        if case .credentialsRejected = decision { return try await queue.complete(job, with: decision) }
        guard case .completion(let completion) = try await submit(.completion(job, decision)) else {
            return .leaseLost
        }
        return completion
    }

    /// Stores a delivery receipt with the other outcomes of its batch; nil when no message has its sid. Past
    /// `deadline` the caller is answered ``StorageUnavailable`` (Twilio is then told 503 before it gives up), while
    /// the receipt is still written with its batch: a status only ever moves forward, so writing it late is harmless.
    public func applyStatus(
        _ receipt: DeliveryReceipt, deadline: ContinuousClock.Instant? = nil
    ) async throws -> OutboundQueue.StatusUpdate? {
        guard case .receipt(let update) = try await submit(.receipt(receipt), deadline: deadline) else { return nil }
        return update
    }

    /// Transactions committed so far (tests prove a burst of outcomes shares them).
    public var committedTransactions: Int { transactions.load(ordering: .relaxed) }

    /// Outcomes waiting for a flusher.
    public var pendingCount: Int { batches.pendingCount }

    /// Runs the flushers until shutdown or cancellation; what is pending then is still flushed.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            // The deadline loop lives exactly as long as the flushers: cancelled once they have drained.
            group.addTask { await self.deadlines.run() }
            await batches.run { batch in await self.flush(batch) }
            group.cancelAll()
        }
    }

    private func submit(
        _ item: OutcomeBatchWriter.Item, deadline: ContinuousClock.Instant? = nil
    ) async throws -> OutcomeBatchWriter.Result {
        try await withCheckedThrowingContinuation { continuation in
            let entry = Entry(item: item, reply: OneShotReply(continuation))
            guard batches.enqueue(entry) else {
                _ = entry.reply.resume(throwing: StorageUnavailable("outcome queue full or stopped"))
                return
            }
            if let deadline { deadlines.add(entry.reply, deadline: deadline) }
        }
    }

    private func flush(_ batch: [Entry]) async {
        let writer = OutcomeBatchWriter(owner: queue.owner, items: batch.map(\.item))
        var attempt = 0
        while true {
            do {
                let results = try await queue.client.withConnection { connection in
                    try await writer.commit(on: connection)
                }
                transactions.add(1, ordering: .relaxed)
                for (entry, result) in zip(batch, results) { _ = entry.reply.resume(returning: result) }
                return
            } catch let error as PGError where error.isRetryableTransactionFailure && attempt < 2 {
                attempt += 1
                // Rare (rows are locked in one order), and worth a line: a deadlock has cost `deadlock_timeout` (1 s).
                logger.warning(
                    "outcome batch retried after a deadlock or serialization failure",
                    metadata: ["size": "\(batch.count)", "attempt": "\(attempt)", "error": "\(error)"])
            } catch let error as PGError where !error.isConnectionError {
                await isolate(batch, error: error)
                return
            } catch {
                logger.error("outcome batch failed", metadata: ["size": "\(batch.count)", "error": "\(error)"])
                for entry in batch { _ = entry.reply.resume(throwing: error) }
                return
            }
        }
    }

    /// A batch the server rejected: halves are retried apart until the entry at fault is alone; it fails alone.
    private func isolate(_ batch: [Entry], error: PGError) async {
        if batch.count > 1 {
            let middle = batch.count / 2
            await flush(Array(batch[..<middle]))
            await flush(Array(batch[middle...]))
        } else {
            logger.error("outcome rejected by the database", metadata: ["error": "\(error)"])
            for entry in batch { _ = entry.reply.resume(throwing: error) }
        }
    }
}
