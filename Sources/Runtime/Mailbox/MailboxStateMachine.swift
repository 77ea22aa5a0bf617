import DequeModule

/// The bounded multi-producer single-consumer mailbox as a pure value (no locks, no tasks).
///
/// `Producer` is whatever the shell uses to resume a waiting producer (a continuation in production, a plain value
/// in tests). The machine only decides; the shell resumes and starts consumers.
///
/// **No parked consumer.** The mailbox records whether a consumer is running (`hasConsumer`). A send to a mailbox
/// without one answers `.enqueued(start: true)` and counts the consumer as running from then on: the shell starts
/// it. A consumer that finds the mailbox empty calls `end()`, which retires it only if nothing arrived meanwhile;
/// an idle mailbox therefore costs its fields and nothing else (no task, no continuation).
///
/// Backpressure uses two watermarks over `queued` (buffered + handed to the consumer and not yet reported done):
/// when `queued` reaches `highWatermark` the mailbox becomes *backpressured*: `send` answers `.full` (policy
/// *reject now*) and `sendOrWait` parks the producer with its element (policy *suspend*). When the consumer
/// reports progress and `queued` falls to `lowWatermark`, waiting producers are admitted in arrival order.
struct MailboxStateMachine<Element, Producer> {
    /// A producer that waits for room, holding the element it wants to send.
    struct Waiter {
        var id: UInt64
        var element: Element
        var producer: Producer?
    }

    enum SendAction: Hashable {
        /// Queued; `start` when no consumer was running (the caller starts one, now counted as running).
        case enqueued(start: Bool)
        case full
        case closed
    }

    enum WaitAction: Hashable {
        /// Queued; `start` as for `SendAction.enqueued`.
        case enqueued(start: Bool)
        case waiting
        case closed
    }

    enum NextAction {
        /// The batch was moved into the consumer's deque: process it in order; resume the admitted producers (their
        /// elements are already queued).
        case batch(admitted: [Producer])
        /// Nothing queued: the consumer may `end()`.
        case empty
        /// Closed and drained: the consumer should stop.
        case finished
    }

    let highWatermark: Int
    let lowWatermark: Int
    private(set) var buffer: Deque<Element> = []
    private(set) var inFlight = 0
    private(set) var waiters: Deque<Waiter> = []
    /// True from the send (or `claimConsumer()`) that starts a consumer until that consumer's `end()`.
    private(set) var hasConsumer = false
    private(set) var isBackpressured = false
    private(set) var isClosed = false

    /// A mailbox that refuses at `highWatermark` queued elements and re-admits at `lowWatermark`.
    init(highWatermark: Int, lowWatermark: Int) {
        self.highWatermark = max(highWatermark, 1)
        self.lowWatermark = min(max(lowWatermark, 0), self.highWatermark - 1)
    }

    /// Elements accepted and not yet reported processed.
    var queued: Int { buffer.count + inFlight }

    /// True when no consumer runs and nothing is queued.
    var isIdle: Bool { !hasConsumer && buffer.isEmpty }

    /// Policy *reject now*.
    mutating func send(_ element: Element) -> SendAction {
        if isClosed { return .closed }
        if isBackpressured || !waiters.isEmpty { return .full }
        return .enqueued(start: append(element))
    }

    /// Policy *suspend*: enqueue now if there is room, else park `producer` with `element` under `id`.
    mutating func sendOrWait(_ element: Element, id: UInt64, producer: Producer?) -> WaitAction {
        if isClosed { return .closed }
        if isBackpressured || !waiters.isEmpty {
            waiters.append(Waiter(id: id, element: element, producer: producer))
            return .waiting
        }
        return .enqueued(start: append(element))
    }

    /// Removes the waiting producer `id` (deadline passed or task cancelled); `nil` if it was already admitted.
    mutating func removeWaiter(id: UInt64) -> Waiter? {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
        return waiters.remove(at: index)
    }

    /// The consumer reports `completed` elements done and asks for at most `maxBatch` more, moved into `batch`
    /// (which it hands back empty: when the whole buffer is taken, the two deques are swapped, so neither the
    /// elements are copied nor the buffer's storage reallocated).
    mutating func next(completed: Int, maxBatch: Int, into batch: inout Deque<Element>) -> NextAction {
        inFlight = max(inFlight - completed, 0)
        var admitted: [Producer] = []
        if isBackpressured && queued <= lowWatermark {
            isBackpressured = false
            while !isBackpressured, let waiter = waiters.popFirst() {
                _ = append(waiter.element)
                if let producer = waiter.producer { admitted.append(producer) }
            }
        }
        if buffer.isEmpty { return isClosed ? .finished : .empty }
        batch.removeAll(keepingCapacity: true)
        if buffer.count <= maxBatch {
            swap(&batch, &buffer)
        } else {
            while batch.count < maxBatch, let element = buffer.popFirst() { batch.append(element) }
        }
        inFlight += batch.count
        return .batch(admitted: admitted)
    }

    /// The running consumer retires; `false` (and it carries on) if elements arrived since it saw the mailbox empty.
    mutating func end() -> Bool {
        guard buffer.isEmpty else { return false }
        hasConsumer = false
        buffer = Deque()  // an idle mailbox keeps no storage (the buffer may hold the consumer's swapped deque)
        return true
    }

    /// Counts a consumer as running for another reason than a message (to passivate the entity); `false` if one
    /// already runs.
    mutating func claimConsumer() -> Bool {
        if hasConsumer { return false }
        hasConsumer = true
        return true
    }

    /// Refuses further sends; returns the waiting producers (to fail).
    mutating func close() -> [Waiter] {
        isClosed = true
        let refused = Array(waiters)
        waiters.removeAll()
        return refused
    }

    /// Empties the mailbox (nothing will process these); returns queued elements and waiting producers.
    mutating func removeAll() -> (elements: Deque<Element>, refused: [Waiter]) {
        let elements = buffer
        let refused = Array(waiters)
        buffer = Deque()
        waiters.removeAll()
        isBackpressured = false
        return (elements, refused)
    }

    /// Appends; answers whether a consumer must be started.
    private mutating func append(_ element: Element) -> Bool {
        buffer.append(element)
        if queued >= highWatermark { isBackpressured = true }
        return claimConsumer()
    }
}

extension MailboxStateMachine: Sendable where Element: Sendable, Producer: Sendable {}
extension MailboxStateMachine.Waiter: Sendable where Element: Sendable, Producer: Sendable {}
extension MailboxStateMachine.NextAction: Sendable where Element: Sendable, Producer: Sendable {}
