import Actors
import DequeModule
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// ``LiveEventPublishing`` on Redis pub/sub: each event goes to its ``LiveEvent/channel``
/// (`ws:restaurant:{id}:<kind>`), where every instance's WebSocket hub hears it.
///
/// `publish` only appends to a bounded buffer and returns: nobody waits for Redis (an answer to Twilio least of
/// all). The service's loop sends everything buffered as one pipeline, one round trip per batch, so a burst of
/// webhooks costs a few round trips, not one per event. When Redis is slow the buffer fills and the oldest
/// events are dropped (live events are a view; the database has the record): each is counted in
/// `sufra_live_events_dropped_total`, and the first of each spell of drops is logged.
public final class RedisLiveEvents: LiveEventPublishing, Service {
    /// Counter: events dropped because the buffer was full (docs/metrics.md).
    public static let droppedMetric = "sufra_live_events_dropped_total"

    private struct State {
        /// A deque: when Redis stalls, every publish drops the oldest, which must not shift 10,000 events.
        var pending: Deque<LiveEvent> = []
        var waiter: CheckedContinuation<Bool, Never>?
        var stopped = false
        var dropped = 0
        /// Events are being dropped and no batch has been sent since: the spell's first drop was logged.
        var dropping = false
    }

    /// Most events buffered; past it the oldest are dropped.
    public let maximumPending: Int
    /// Most events in one pipeline.
    public let maximumBatch: Int
    private let client: RedisClient
    private let logger: Logger
    private let droppedCounter: Counter
    private let state = Mutex(State())

    /// Publishes through `client`'s pool; drops are counted by `metrics` (the global factory when none is given).
    public init(
        client: RedisClient, maximumPending: Int = 10_000, maximumBatch: Int = 512, logger: Logger,
        metrics: any MetricsFactory = MetricsSystem.factory
    ) {
        self.client = client
        self.maximumPending = max(1, maximumPending)
        self.maximumBatch = maximumBatch
        self.logger = logger
        self.droppedCounter = Counter(label: Self.droppedMetric, factory: metrics)
    }

    /// Events dropped because the buffer was full (since start).
    public var droppedCount: Int { state.withLock { $0.dropped } }

    public func publish(_ event: LiveEvent) {
        let (waiter, dropped, spellBegins) = state.withLock { state in
            var dropped = false
            var spellBegins = false
            if state.pending.count >= maximumPending {
                state.pending.removeFirst()
                state.dropped += 1
                dropped = true
                spellBegins = !state.dropping
                state.dropping = true
            }
            state.pending.append(event)
            defer { state.waiter = nil }
            return (state.waiter, dropped, spellBegins)
        }
        waiter?.resume(returning: true)
        if dropped { droppedCounter.increment() }
        if spellBegins {
            logger.warning(
                "live events dropped: Redis is not keeping up, the oldest buffered events go first",
                metadata: ["buffered": "\(maximumPending)"])
        }
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
        // Each event's channel and frame are copied into the pipeline piece by piece, never joined into strings.
        var commands = RedisCommandBatch(byteCapacity: batch.count * 512, commandCapacity: batch.count)
        for event in batch {
            commands.beginCommand(arguments: 3)
            commands.appendArgument("PUBLISH")
            commands.appendArgument(pieces: event.forEachChannelPiece)
            commands.appendArgument(pieces: event.forEachFramePiece)
        }
        do {
            _ = try await client.pipeline(commands)
            state.withLock { $0.dropping = false }
        } catch {
            logger.warning("live events not published", metadata: ["count": "\(batch.count)", "error": "\(error)"])
        }
    }
}
