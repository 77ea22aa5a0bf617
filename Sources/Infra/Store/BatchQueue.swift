import ServiceLifecycle
import Synchronization

/// The queue behind a group-commit writer (``GroupCommitIngest``, ``GroupCommitOutcomes``): callers' entries wait
/// here until one of a few flushers takes up to `maximumBatch` of them, so while one batch waits for its commit the
/// next one fills. Past `maximumPending` waiting entries, or once stopped, ``enqueue(_:)`` refuses.
///
/// Batches are staggered: with no batch in flight a flusher takes what is pending at once (an idle system
/// commits each message as it comes), but while one is in flight another flusher waits until half as many entries
/// as the batch last started are pending, or until no batch is in flight any more. With a gather window, batches
/// also start that far apart, and no second one beside one in flight, unless `gatherEnough` entries are pending
/// (``BatchStagger``). Without the stagger an idle flusher woke for the first entry after a big batch left, so
/// batches alternated between a handful and everything else, each small one a whole transaction's fixed cost
/// (docs/inbound.md, "Group commit").
final class BatchQueue<Entry: Sendable>: Sendable {
    /// What a flusher does next.
    private enum Next {
        case flush([Entry])
        case gather(until: ContinuousClock.Instant)
        case idle
    }

    private struct State {
        var pending: [Entry] = []
        var idleFlushers: [CheckedContinuation<Bool, Never>] = []
        var stagger: BatchStagger
        var stopped = false

        /// The next step of a flusher (see ``BatchStagger``): a batch, marked in flight; a gather until the window
        /// passes; or nothing to do yet. Once stopped, whatever is pending leaves at once.
        mutating func next(maximumBatch: Int, now: ContinuousClock.Instant) -> Next {
            let decision: BatchStagger.Decision =
                stopped ? (pending.isEmpty ? .wait : .start) : stagger.decide(pending: pending.count, now: now)
            switch decision {
            case .start:
                let count = min(pending.count, maximumBatch)
                defer { pending.removeFirst(count) }
                stagger.started(count, at: now)
                return .flush(Array(pending.prefix(count)))
            case .gather(let instant):
                stagger.setGathering(true)
                return .gather(until: instant)
            case .wait:
                return .idle
            }
        }
    }

    private let maximumBatch: Int
    private let maximumPending: Int
    private let flushers: Int
    private let state: Mutex<State>

    /// A queue handing batches of at most `maximumBatch` to `flushers` concurrent flushes; with a `gatherWindow`,
    /// batches start at least that far apart, and no two are in flight, unless `gatherEnough` entries are pending
    /// (``GroupCommitOptions/gatherWindow``; a full batch by default).
    init(
        maximumBatch: Int, maximumPending: Int, flushers: Int, gatherWindow: Duration = .zero,
        gatherEnough: Int? = nil
    ) {
        self.maximumBatch = max(1, maximumBatch)
        self.maximumPending = maximumPending
        self.flushers = max(1, flushers)
        // Without a window nothing holds a batch back but the stagger; with one, a full batch by default.
        let enough = gatherWindow > .zero ? gatherEnough ?? self.maximumBatch : 1
        let stagger = BatchStagger(window: gatherWindow, enough: enough)
        state = Mutex(State(stagger: stagger))
    }

    /// A queue with the limits of a group-commit writer's `options`.
    convenience init(options: GroupCommitOptions) {
        self.init(
            maximumBatch: options.maximumBatch, maximumPending: options.maximumPending, flushers: options.flushers,
            gatherWindow: options.gatherWindow, gatherEnough: options.gatherEnough)
    }

    /// Entries waiting for a flusher.
    var pendingCount: Int { state.withLock { $0.pending.count } }

    /// Queues `entry` and wakes an idle flusher when a batch may start or a window should be gathered; false when
    /// the queue is full or stopped (the caller fails it).
    func enqueue(_ entry: Entry) -> Bool {
        let now = ContinuousClock.now
        let outcome = state.withLock { state -> (accepted: Bool, wake: CheckedContinuation<Bool, Never>?) in
            guard !state.stopped, state.pending.count < maximumPending else { return (false, nil) }
            state.pending.append(entry)
            let due = state.stagger.decide(pending: state.pending.count, now: now) != .wait
            return (true, due ? state.idleFlushers.popLast() : nil)
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

    private func flushLoop(_ flush: @Sendable ([Entry]) async -> Void) async {
        var finished = false
        while true {
            let next = state.withLock { state -> Next in
                if finished { state.stagger.finished() }
                return state.next(maximumBatch: maximumBatch, now: .now)
            }
            finished = false
            switch next {
            case .flush(let batch):
                await flush(batch)
                finished = true
                continue
            case .gather(let instant):
                // A cancelled sleep just ends the wait: what is pending is flushed on the way out.
                try? await Task.sleep(until: instant, clock: .continuous)
                state.withLock { $0.stagger.setGathering(false) }
                continue
            case .idle:
                break
            }
            let keepGoing = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let decision = state.withLock { state -> Bool? in
                    if state.stopped { return !state.pending.isEmpty }
                    if state.stagger.decide(pending: state.pending.count, now: .now) != .wait { return true }
                    state.idleFlushers.append(continuation)
                    return nil
                }
                if let decision { continuation.resume(returning: decision) }
            }
            if !keepGoing { return }
        }
    }
}
