import ServiceLifecycle
import Synchronization

/// The queue behind a group-commit writer (``GroupCommitIngest``, ``GroupCommitOutcomes``): callers' entries wait
/// here until one of a few flushers takes up to `maximumBatch` of them, so while one batch waits for its commit the
/// next one fills. Past `maximumPending` waiting entries, or once stopped, ``enqueue(_:)`` refuses.
///
/// Batches are staggered: with no batch in flight a flusher takes what is pending at once (an idle system
/// commits each message as it comes), but while one is in flight another flusher waits until half as many entries
/// as the batch last started are pending, or until no batch is in flight any more (``BatchStagger``). Without it an
/// idle flusher woke for the first entry after a big batch left, so batches alternated between a handful and
/// everything else, each small one a whole transaction's fixed cost (docs/inbound.md, "Group commit").
final class BatchQueue<Entry: Sendable>: Sendable {
    private struct State {
        var pending: [Entry] = []
        var idleFlushers: [CheckedContinuation<Bool, Never>] = []
        var stagger = BatchStagger()
        var stopped = false

        /// The next batch if a flusher may take one now (see ``BatchStagger``), marking it in flight.
        mutating func take(maximumBatch: Int) -> [Entry]? {
            guard !pending.isEmpty, stopped || stagger.mayStart(pending: pending.count) else { return nil }
            let count = min(pending.count, maximumBatch)
            defer { pending.removeFirst(count) }
            stagger.started(count)
            return Array(pending.prefix(count))
        }
    }

    private let maximumBatch: Int
    private let maximumPending: Int
    private let flushers: Int
    private let gatherWindow: Duration
    private let state = Mutex(State())

    /// A queue handing batches of at most `maximumBatch` to `flushers` concurrent flushes; with a `gatherWindow`,
    /// a flusher starts a batch at most once per window (``GroupCommitOptions/gatherWindow``).
    init(maximumBatch: Int, maximumPending: Int, flushers: Int, gatherWindow: Duration = .zero) {
        self.maximumBatch = max(1, maximumBatch)
        self.maximumPending = maximumPending
        self.flushers = max(1, flushers)
        self.gatherWindow = gatherWindow
    }

    /// A queue with the limits of a group-commit writer's `options`.
    convenience init(options: GroupCommitOptions) {
        self.init(
            maximumBatch: options.maximumBatch, maximumPending: options.maximumPending, flushers: options.flushers,
            gatherWindow: options.gatherWindow)
    }

    /// Entries waiting for a flusher.
    var pendingCount: Int { state.withLock { $0.pending.count } }

    /// Queues `entry` and wakes an idle flusher; false when the queue is full or stopped (the caller fails it).
    func enqueue(_ entry: Entry) -> Bool {
        let outcome = state.withLock { state -> (accepted: Bool, wake: CheckedContinuation<Bool, Never>?) in
            guard !state.stopped, state.pending.count < maximumPending else { return (false, nil) }
            state.pending.append(entry)
            let wake = state.stagger.mayStart(pending: state.pending.count) ? state.idleFlushers.popLast() : nil
            return (true, wake)
        }
        outcome.wake?.resume(returning: true)
        return outcome.accepted
    }

    /// Runs the flushers, each handing its batches to `flush`, until graceful shutdown or cancellation; what is
    /// pending then is still flushed.
    func run(flush: @escaping @Sendable ([Entry]) async -> Void) async {
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await withTaskGroup(of: Void.self) { group in
                    for _ in 0..<flushers {
                        group.addTask { await self.flushLoop(flush) }
                    }
                }
            } onCancel: {
                self.stop()
            }
        } onGracefulShutdown: {
            self.stop()
        }
    }

    private func stop() {
        let waiters = state.withLock { state in
            state.stopped = true
            defer { state.idleFlushers.removeAll() }
            return state.idleFlushers
        }
        for waiter in waiters { waiter.resume(returning: false) }
    }

    /// Lets entries gather until `instant` unless a full batch already waits or the queue stopped; a cancelled
    /// sleep just ends the wait (what is pending is flushed on the way out).
    private func gather(until instant: ContinuousClock.Instant) async {
        let waitingIsUseful = state.withLock { !$0.stopped && $0.pending.count < maximumBatch }
        guard waitingIsUseful, instant > .now else { return }
        try? await Task.sleep(until: instant, clock: .continuous)
    }

    private func flushLoop(_ flush: @Sendable ([Entry]) async -> Void) async {
        var finished = false
        while true {
            let batch = state.withLock { state -> [Entry]? in
                if finished { state.stagger.finished() }
                return state.take(maximumBatch: maximumBatch)
            }
            finished = false
            if let batch {
                let started = ContinuousClock.now
                await flush(batch)
                finished = true
                if gatherWindow > .zero { await gather(until: started + gatherWindow) }
                continue
            }
            let keepGoing = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let decision = state.withLock { state -> Bool? in
                    if state.stopped { return !state.pending.isEmpty }
                    if state.stagger.mayStart(pending: state.pending.count) { return true }
                    state.idleFlushers.append(continuation)
                    return nil
                }
                if let decision { continuation.resume(returning: decision) }
            }
            if !keepGoing { return }
        }
    }
}
