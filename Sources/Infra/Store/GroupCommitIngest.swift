import Actors
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The webhook write path: concurrent callers' messages are batched and written by multi-row statements in one
/// transaction per flush (message rows, conversation upserts, unread counts, audit lines), and every caller is
/// answered only after its batch committed (invariant 1). Duplicate `MessageSid`s, within a batch or against
/// earlier ones, are settled by the unique index (invariant 3).
///
/// A few flushers run at once, so while one batch waits for its commit (fsync) the next one fills: batches grow
/// with load and latency stays near one commit when idle.
public final class GroupCommitIngest: InboundIngest, Service {
    /// Batching limits.
    public struct Options: Sendable {
        /// Most messages per transaction.
        public var maximumBatch = 256
        /// Flushes in flight at once.
        public var flushers = 4
        /// Most callers waiting; beyond it `ingest` fails fast with ``StorageUnavailable`` (invariant 5).
        public var maximumPending = 10_000

        /// Default options.
        public init() {}
    }

    fileprivate enum Entry {
        case message(InboundWebhook, CheckedContinuation<IngestOutcome, any Error>)
        case audit(InboundWebhook, String, CheckedContinuation<IngestOutcome, any Error>)

        var continuation: CheckedContinuation<IngestOutcome, any Error> {
            switch self {
            case .message(_, let continuation), .audit(_, _, let continuation): continuation
            }
        }
    }

    private struct State {
        var pending: [Entry] = []
        var idleFlushers: [CheckedContinuation<Bool, Never>] = []
        var stopped = false
    }

    private let client: PostgresClient
    private let options: Options
    private let logger: Logger
    private let state = Mutex(State())

    /// Creates the writer over `client`.
    public init(client: PostgresClient, options: Options = Options(), logger: Logger) {
        self.client = client
        self.options = options
        self.logger = logger
    }

    public func ingest(_ message: InboundWebhook) async throws -> IngestOutcome {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(.message(message, continuation))
        }
    }

    public func audit(_ message: InboundWebhook, outcome: String) async throws {
        _ = try await withCheckedThrowingContinuation { continuation in
            enqueue(.audit(message, outcome, continuation))
        }
    }

    /// Runs the flushers until shutdown; what is pending then is still flushed.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<max(1, options.flushers) {
                    group.addTask { await self.flushLoop() }
                }
            }
        } onGracefulShutdown: {
            self.stop()
        }
    }

    private func enqueue(_ entry: Entry) {
        let outcome = state.withLock { state -> (accepted: Bool, wake: CheckedContinuation<Bool, Never>?) in
            guard !state.stopped, state.pending.count < options.maximumPending else { return (false, nil) }
            state.pending.append(entry)
            return (true, state.idleFlushers.popLast())
        }
        guard outcome.accepted else {
            entry.continuation.resume(throwing: StorageUnavailable("ingest queue full or stopped"))
            return
        }
        outcome.wake?.resume(returning: true)
    }

    private func stop() {
        let waiters = state.withLock { state in
            state.stopped = true
            defer { state.idleFlushers.removeAll() }
            return state.idleFlushers
        }
        for waiter in waiters { waiter.resume(returning: false) }
    }

    private func flushLoop() async {
        while true {
            let batch = state.withLock { state -> [Entry] in
                let count = min(state.pending.count, options.maximumBatch)
                defer { state.pending.removeFirst(count) }
                return Array(state.pending.prefix(count))
            }
            if !batch.isEmpty {
                await flush(batch)
                continue
            }
            let keepGoing = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let decision = state.withLock { state -> Bool? in
                    if !state.pending.isEmpty { return true }
                    if state.stopped { return false }
                    state.idleFlushers.append(continuation)
                    return nil
                }
                if let decision { continuation.resume(returning: decision) }
            }
            if !keepGoing { return }
        }
    }

    private func flush(_ batch: [Entry]) async {
        var attempt = 0
        while true {
            do {
                let outcomes = try await client.withTransaction { connection in
                    try await IngestBatchWriter(entries: batch.map(\.payload)).write(on: connection)
                }
                for (entry, outcome) in zip(batch, outcomes) { entry.continuation.resume(returning: outcome) }
                return
            } catch let error as PostgresError where error.isRetryableTransactionFailure && attempt < 2 {
                attempt += 1
                logger.debug("ingest batch retried", metadata: ["error": "\(error)"])
            } catch {
                logger.error("ingest batch failed", metadata: ["size": "\(batch.count)", "error": "\(error)"])
                let failure = StorageUnavailable("database write failed")
                for entry in batch { entry.continuation.resume(throwing: failure) }
                return
            }
        }
    }
}

extension GroupCommitIngest.Entry {
    fileprivate var payload: IngestBatchWriter.Item {
        switch self {
        case .message(let message, _): .message(message)
        case .audit(let message, let outcome, _): .auditOnly(message, outcome)
        }
    }
}
