import DequeModule
import Synchronization

/// A bounded multi-producer single-consumer mailbox with high/low watermark backpressure.
///
/// Producers choose the admission policy per call: `trySend` (*reject now*, for the HTTP edge) or
/// `send(_:timeout:clock:)` (*suspend until room, with a deadline*). Exactly one task consumes with `next()` or
/// `nextBatch(max:)`; asking for the next element tells the mailbox the previous ones are done, which is what the
/// watermarks count. Decisions live in `MailboxStateMachine`; this shell only locks and resumes.
public final class Mailbox<Element: Sendable>: Sendable {
    typealias Machine = MailboxStateMachine<
        Element, CheckedContinuation<Void, Never>, CheckedContinuation<Void, any Error>
    >

    private struct State {
        var machine: Machine
        var lastTaken = 0
        var nextID: UInt64 = 0
        /// Waiter ids handed out whose sender has not registered yet.
        var unregistered: Set<UInt64> = []
        /// Deadlines or cancellations that fired before their sender registered: it fails on registration.
        var expiredEarly: [UInt64: any Error] = [:]
    }

    private let state: Mutex<State>

    /// A mailbox refusing at `highWatermark` queued elements and re-admitting at `lowWatermark` (default: half).
    public init(highWatermark: Int, lowWatermark: Int? = nil) {
        let high = max(highWatermark, 1)
        state = Mutex(State(machine: Machine(highWatermark: high, lowWatermark: lowWatermark ?? high / 2)))
    }

    /// Elements accepted and not yet reported processed.
    public var count: Int { state.withLock { $0.machine.queued } }

    /// Enqueues `element` now or throws `MailboxError.full` / `.closed` (policy *reject now*).
    public func trySend(_ element: Element) throws(MailboxError) {
        let action = state.withLock { $0.machine.send(element) }
        switch action {
        case .enqueued(let wake): wake?.resume()
        case .full: throw .full
        case .closed: throw .closed
        }
    }

    /// Enqueues `element`, waiting up to `timeout` for room (policy *suspend*). Throws `MailboxError.timedOut`,
    /// `.closed`, or `CancellationError`; an element is either enqueued exactly once or the call throws.
    public func send<C: Clock<Duration>>(_ element: Element, timeout: Duration, clock: C) async throws {
        let fast = state.withLock { $0.machine.send(element) }
        switch fast {
        case .enqueued(let wake):
            wake?.resume()
            return
        case .closed: throw MailboxError.closed
        case .full: break
        }
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            state.unregistered.insert(state.nextID)
            return state.nextID
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await clock.sleep(for: timeout)
                self.expire(id: id, error: MailboxError.timedOut)
            }
            defer { group.cancelAll() }
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (producer: CheckedContinuation<Void, any Error>) in
                    let (action, expired) = state.withLock { state -> (Machine.WaitAction, (any Error)?) in
                        state.unregistered.remove(id)
                        if let error = state.expiredEarly.removeValue(forKey: id) { return (.waiting, error) }
                        return (state.machine.sendOrWait(element, id: id, producer: producer), nil)
                    }
                    if let expired { return producer.resume(throwing: expired) }
                    switch action {
                    case .enqueued(let wake):
                        wake?.resume()
                        producer.resume()
                    case .waiting: break
                    case .closed: producer.resume(throwing: MailboxError.closed)
                    }
                }
            } onCancel: {
                self.expire(id: id, error: CancellationError())
            }
        }
    }

    /// The next element, in send order; `nil` once the mailbox is closed and drained. Single consumer only.
    public func next() async -> Element? {
        await nextBatch(max: 1)?.first
    }

    /// Up to `max` next elements, in send order; `nil` once closed and drained. Single consumer only.
    public func nextBatch(max: Int) async -> Deque<Element>? {
        while true {
            let action = state.withLock { state -> Machine.NextAction in
                let action = state.machine.next(completed: state.lastTaken, maxBatch: Swift.max(max, 1))
                if case .batch(let batch, _) = action { state.lastTaken = batch.count } else { state.lastTaken = 0 }
                return action
            }
            switch action {
            case .batch(let batch, let admitted):
                for producer in admitted { producer.resume() }
                return batch
            case .finished:
                return nil
            case .empty:
                await withCheckedContinuation { (consumer: CheckedContinuation<Void, Never>) in
                    state.withLock { $0.machine.park(consumer) }?.resume()
                }
            }
        }
    }

    /// Refuses further sends (waiting producers get `MailboxError.closed`); the consumer drains what was accepted.
    public func close() {
        let (consumer, refused) = state.withLock { $0.machine.close() }
        consumer?.resume()
        for waiter in refused { waiter.producer?.resume(throwing: MailboxError.closed) }
    }

    private func expire(id: UInt64, error: any Error) {
        let waiter = state.withLock { state -> Machine.Waiter? in
            if state.unregistered.remove(id) != nil {
                state.expiredEarly[id] = error
                return nil
            }
            return state.machine.removeWaiter(id: id)
        }
        waiter?.producer?.resume(throwing: error)
    }
}
