import Actors
import Foundation
import Logging
import Runtime
import ServiceLifecycle

/// The webhook write path: concurrent callers' messages and the bot steps decided for them are batched and
/// written by multi-row statements in one transaction per flush (conversations created or locked, then moved with
/// their versioned state; message rows, order effects, queued replies, handled marks, audit lines —
/// ``IngestBatchWriter``), and every
/// caller is answered only after its batch committed (invariants 1 and 2). Duplicate `MessageSid`s, within a batch
/// or against earlier ones, are settled by the unique index (docs/invariants.md 3) and their steps discarded.
///
/// A few flushers run at once, so while one batch waits for its commit (fsync) the next one fills: batches grow
/// with load and latency stays near one commit when idle.
///
/// One bad entry never fails its neighbours: a batch the server rejects (a constraint, a restaurant deleted
/// under it) is split in halves and each half retried, down to the single entry, which is then retried without
/// its step (stored unhandled, for the sweeper) before it alone fails. Connection failures fail the batch at once.
public final class GroupCommitIngest: InboundIngest, Service {
    fileprivate enum Entry: Sendable {
        /// A message, the step decided for it and, when the step confirms an order, the number taken for it.
        case message(InboundWebhook, DecidedStep?, orderNumber: Int?, OneShotReply<IngestOutcome>)
        case audit(InboundWebhook, String, OneShotReply<IngestOutcome>)

        var reply: OneShotReply<IngestOutcome> {
            switch self {
            case .message(_, _, _, let reply), .audit(_, _, let reply): reply
            }
        }

        /// The same entry without its step.
        var withoutStep: Entry {
            if case .message(let message, _, _, let reply) = self {
                return .message(message, nil, orderNumber: nil, reply)
            }
            return self
        }

        var hasStep: Bool {
            if case .message(_, .some, _, _) = self { return true }
            return false
        }
    }

    private let client: PGPool
    private let notifier: OutboundNotifier?
    private let handoff: (any OutboundHandoff)?
    private let logger: Logger
    private let metrics: IngestMetrics
    private let queue: BatchQueue<Entry>
    /// Answers callers whose deadline passed before their batch committed.
    private let deadlines = DeadlineQueue(
        clock: ContinuousClock(), error: StorageUnavailable("deadline passed before the database answered"))

    /// Creates the writer over `client`; after each commit, `notifier` hears which restaurants got queued replies
    /// (without one, senders find them by their poll only), and `handoff` (this process's sender, if it runs one)
    /// takes the replies written born claimed into its channels. `metrics` records batch sizes and commit times.
    public init(
        client: PGPool, notifier: OutboundNotifier? = nil, handoff: (any OutboundHandoff)? = nil,
        options: GroupCommitOptions = GroupCommitOptions(), logger: Logger, metrics: IngestMetrics = IngestMetrics()
    ) {
        self.metrics = metrics
        self.client = client
        self.notifier = notifier
        self.handoff = handoff
        self.logger = logger
        queue = BatchQueue(options: options)
    }

    public func ingest(
        _ message: InboundWebhook, step: DecidedStep?, deadline: ContinuousClock.Instant?
    )
        async throws -> IngestOutcome
    {
        let orderNumber = await orderNumber(for: step, restaurantId: message.restaurantId)
        // A confirming step without its number is dropped: the message is stored unhandled, for the sweeper.
        let step = step?.confirmsOrder == true && orderNumber == nil ? nil : step
        return try await withCheckedThrowingContinuation { continuation in
            enqueue(
                .message(message, step, orderNumber: orderNumber, OneShotReply(continuation)), deadline: deadline)
        }
    }

    public func audit(_ message: InboundWebhook, outcome: String, deadline: ContinuousClock.Instant?) async throws {
        _ = try await withCheckedThrowingContinuation { continuation in
            enqueue(.audit(message, outcome, OneShotReply(continuation)), deadline: deadline)
        }
    }

    /// Runs the flushers until shutdown or cancellation; what is pending then is still flushed.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            // The deadline loop lives exactly as long as the flushers: cancelled once they have drained.
            group.addTask { await self.deadlines.run() }
            await queue.run { batch in await self.flush(batch) }
            group.cancelAll()
        }
    }

    private func enqueue(_ entry: Entry, deadline: ContinuousClock.Instant?) {
        guard queue.enqueue(entry) else {
            entry.reply.resume(throwing: StorageUnavailable("ingest queue full or stopped"))
            return
        }
        if let deadline { deadlines.add(entry.reply, deadline: deadline) }
    }

    private func flush(_ candidates: [Entry]) async {
        // An entry whose caller stopped waiting (deadline) is not written: it was never acknowledged.
        let batch = candidates.filter { !$0.reply.isSettled }
        guard !batch.isEmpty else { return }
        let items = batch.map(\.payload)
        // Room in the restaurants' outbound channels, so the replies can be written born claimed.
        let reservations = ReplyReservations(
            replies: items.map { ($0.webhook.restaurantId, $0.step?.replies.count ?? 0) }, handoff: handoff)
        var writer = IngestBatchWriter(entries: items)
        writer.claims = reservations.claims
        var attempt = 0
        while true {
            do {
                let started = ContinuousClock.now
                let written = try await client.withConnection { [writer] connection in
                    try await writer.commitBatch(on: connection)
                }
                metrics.committed(
                    size: batch.count, duration: .now - started, inOneRoundTrip: written.inOneRoundTrip)
                reservations.deliver(written.bornClaimed)
                for restaurant in written.queuedRestaurants { notifier?.queued(restaurantId: restaurant) }
                for (entry, outcome) in zip(batch, written.outcomes) { entry.reply.resume(returning: outcome) }
                return
            } catch let error as PGError where error.isRetryableTransactionFailure && attempt < 2 {
                attempt += 1
                // Rare (rows are locked in one order), and worth a line: a deadlock has cost `deadlock_timeout` (1 s).
                logger.warning(
                    "ingest batch retried after a deadlock or serialization failure",
                    metadata: ["size": "\(batch.count)", "attempt": "\(attempt)", "error": "\(error)"])
            } catch let error as PGError where !error.isConnectionError {
                reservations.release()
                await isolate(batch, error: error)
                return
            } catch {
                reservations.release()
                logger.error("ingest batch failed", metadata: ["size": "\(batch.count)", "error": "\(error)"])
                let failure = StorageUnavailable("database write failed")
                for entry in batch { entry.reply.resume(throwing: failure) }
                return
            }
        }
    }

    /// A batch the server rejected: halves are retried apart until the entry at fault is alone; it is retried
    /// without its step, then fails alone.
    private func isolate(_ batch: [Entry], error: PGError) async {
        if batch.count > 1 {
            let middle = batch.count / 2
            await flush(Array(batch[..<middle]))
            await flush(Array(batch[middle...]))
        } else if let entry = batch.first, entry.hasStep {
            logger.warning(
                "bot step rejected by the database; storing the message unhandled", metadata: ["error": "\(error)"])
            await flush([entry.withoutStep])
        } else {
            logger.error("webhook rejected by the database", metadata: ["error": "\(error)"])
            for entry in batch {
                entry.reply.resume(throwing: StorageUnavailable("database rejected the write"))
            }
        }
    }

    /// The order number for a step that confirms an order, taken in its own short transaction (see
    /// ``OrderNumberAllocator``) by the confirming caller before its entry joins a batch, so the batch's other
    /// callers never wait for it; nil for any other step, or when no number can be had (logged).
    private func orderNumber(for step: DecidedStep?, restaurantId: String) async -> Int? {
        guard let step, step.confirmsOrder else { return nil }
        do {
            return try await OrderNumberAllocator(client: client).next(restaurantId: restaurantId)
        } catch {
            logger.warning(
                "no order number for a confirmation; its message is stored unhandled for the sweeper",
                metadata: ["restaurant": "\(restaurantId)", "error": "\(error)"])
            return nil
        }
    }
}

extension GroupCommitIngest.Entry {
    /// What the writer gets.
    fileprivate var payload: IngestBatchWriter.Item {
        switch self {
        case .message(let message, let step, let orderNumber, _): .message(message, step, orderNumber: orderNumber)
        case .audit(let message, let outcome, _): .auditOnly(message, outcome)
        }
    }
}
