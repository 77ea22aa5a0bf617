import Actors
import Logging
import ServiceLifecycle
import Synchronization

/// ``LiveEventPublishing`` on Redis pub/sub: each event goes to its ``LiveEvent/channel``
/// (`ws:restaurant:{id}:<kind>`), where every instance's WebSocket hub hears it.
///
/// `publish` only appends to a bounded buffer and returns: nobody waits for Redis (an answer to Twilio least of
/// all). The service's loop sends everything buffered as one pipeline, one round trip per batch, so a burst of
/// webhooks costs a few round trips, not one per event. When Redis is slow the buffer fills and the oldest
/// events are dropped and counted (live events are a view; the database has the record).
public final class RedisLiveEvents: LiveEventPublishing, Service {
    private struct State {
        var pending: [LiveEvent] = []
        var waiter: CheckedContinuation<Bool, Never>?
        var stopped = false
        var dropped = 0
    }

    /// Most events buffered; past it the oldest are dropped.
    public let maximumPending: Int
    /// Most events in one pipeline.
    public let maximumBatch: Int
    private let client: RedisClient
    private let logger: Logger
    private let state = Mutex(State())

    /// Publishes through `client`'s pool.
    public init(client: RedisClient, maximumPending: Int = 10_000, maximumBatch: Int = 512, logger: Logger) {
        self.client = client
        self.maximumPending = maximumPending
        self.maximumBatch = maximumBatch
        self.logger = logger
    }

    /// Events dropped because the buffer was full (since start).
    public var droppedCount: Int { state.withLock { $0.dropped } }

    public func publish(_ event: LiveEvent) {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            if state.pending.count >= maximumPending {
                state.pending.removeFirst()
                state.dropped += 1
            }
            state.pending.append(event)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: true)
    }

    /// Sends buffered events until shutdown; what is buffered then is still sent (best effort).
    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                while let batch = await nextBatch() {
                    await send(batch)
                }
            } onCancel: {
                self.stop()
            }
        } onGracefulShutdown: {
            self.stop()
        }
    }

    private func stop() {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            state.stopped = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: false)
    }

    /// The next events to send, waiting for some; nil once stopped with nothing left.
    private func nextBatch() async -> [LiveEvent]? {
        while true {
            let batch = state.withLock { state -> [LiveEvent] in
                let count = min(state.pending.count, maximumBatch)
                defer { state.pending.removeFirst(count) }
                return Array(state.pending.prefix(count))
            }
            if !batch.isEmpty { return batch }
            let more = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let decision = state.withLock { state -> Bool? in
                    if !state.pending.isEmpty { return true }
                    if state.stopped { return false }
                    state.waiter = continuation
                    return nil
                }
                if let decision { continuation.resume(returning: decision) }
            }
            if !more { return nil }
        }
    }

    private func send(_ batch: [LiveEvent]) async {
        let commands = batch.map { event in
            [RedisArgument("PUBLISH"), RedisArgument(event.channel), RedisArgument(event.frameJSON)]
        }
        do {
            _ = try await client.pipeline(commands)
        } catch {
            logger.warning("live events not published", metadata: ["count": "\(batch.count)", "error": "\(error)"])
        }
    }
}
