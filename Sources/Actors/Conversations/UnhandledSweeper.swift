import Logging
import Metrics
import Runtime
import ServiceLifecycle

/// Re-drives inbound messages that were acknowledged but never handled (the process died after answering
/// Twilio, a mailbox was full, or handling failed): every `interval`, the due ones (earliest due first) are sent to
/// their ConversationActor again. Handling is idempotent (the handled mark is checked in the same transaction), so
/// a message re-driven twice is still handled once.
///
/// A message that keeps failing is not retried forever: each re-drive counts an attempt and pushes the next one
/// back (``InboundRetryPolicy``), so poison messages wait their backoff while the others progress, and after the
/// last attempt the message is marked failed (status `failed`, error code `unhandled`, `lastError` the last
/// handling error), counted (``SweeperMetrics``) and visible in the staff messages API.
public struct UnhandledSweeper<C: Clock<Duration>>: Service {
    private let queue: any UnhandledInboundQueueing
    private let registry: ActorRegistry<ConversationActor, C>
    private let policy: InboundRetryPolicy
    private let interval: Duration
    private let graceSeconds: Int
    private let concurrency: Int
    private let metrics: SweeperMetrics
    private let logger: Logger

    /// Creates the sweeper; `metrics` counts re-drives by outcome and the messages marked failed.
    public init(
        queue: any UnhandledInboundQueueing, registry: ActorRegistry<ConversationActor, C>,
        policy: InboundRetryPolicy = InboundRetryPolicy(), interval: Duration = .seconds(5), graceSeconds: Int = 10,
        concurrency: Int = 16, metrics: SweeperMetrics = SweeperMetrics(), logger: Logger
    ) {
        self.queue = queue
        self.registry = registry
        self.policy = policy
        self.interval = interval
        self.graceSeconds = graceSeconds
        self.concurrency = max(1, concurrency)
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await sweepOnce()
            try? await Task.sleep(for: interval)
        }
    }

    /// How one re-drive went.
    private enum Redrive: Sendable {
        case handled
        case refused
        case failed(String)
    }

    /// One pass; returns how many messages were re-driven.
    @discardableResult
    public func sweepOnce() async -> Int {
        let batch: UnhandledBatch
        do {
            batch = try await queue.takeDue(graceSeconds: graceSeconds, limit: 500, policy: policy)
        } catch {
            logger.warning("unhandled-message sweep failed", metadata: ["error": "\(error)"])
            return 0
        }
        if !batch.failed.isEmpty {
            metrics.failedCount.increment(by: batch.failed.count)
            logger.error(
                "inbound messages failed for good: not handled after every re-drive",
                metadata: [
                    "count": "\(batch.failed.count)", "attempts": "\(policy.maxAttempts)",
                    "messages": "\(batch.failed.prefix(10).map(\.messageId))",
                ])
        }
        let results = await redrive(batch.redrive)
        let refused = results.compactMap { if case .refused = $0.1 { $0.0 } else { nil } }
        for (_, result) in results {
            switch result {
            case .handled: metrics.handled.increment()
            case .refused: metrics.refused.increment()
            case .failed: metrics.failedRedrives.increment()
            }
        }
        if !refused.isEmpty {
            do {
                try await queue.release(messageIds: refused, after: interval)
            } catch {
                logger.warning("could not give back refused re-drives", metadata: ["error": "\(error)"])
            }
        }
        for case (let id, .failed(let reason)) in results {
            try? await queue.recordError(messageId: id, error: reason)
        }
        let sent = results.count - refused.count
        if sent > 0 { logger.info("re-drove unhandled inbound messages", metadata: ["count": "\(sent)"]) }
        return sent
    }

    /// Asks each message's conversation to handle it, `concurrency` at a time.
    private func redrive(_ entries: [UnhandledInbound]) async -> [(String, Redrive)] {
        await withTaskGroup(of: (String, Redrive).self) { group in
            var results: [(String, Redrive)] = []
            var pending = entries.makeIterator()
            func start(_ entry: UnhandledInbound) {
                group.addTask {
                    do {
                        _ = try await registry.ask(entry.key, .inbound(messageId: entry.messageId, content: nil))
                        return (entry.messageId, .handled)
                    } catch let error as RegistryError
                        where error == .mailboxFull || error == .tooManyEntities || error == .shuttingDown
                    {
                        // Not the message's fault: it did not run, so the attempt does not count.
                        return (entry.messageId, .refused)
                    } catch {
                        return (entry.messageId, .failed("\(error)"))
                    }
                }
            }
            for _ in 0..<concurrency {
                guard let entry = pending.next() else { break }
                start(entry)
            }
            while let result = await group.next() {
                results.append(result)
                if let entry = pending.next() { start(entry) }
            }
            return results
        }
    }
}
