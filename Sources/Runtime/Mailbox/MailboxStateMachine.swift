import DequeModule

/// The bounded multi-producer single-consumer mailbox as a pure value (no locks, no tasks).
///
/// `Consumer` and `Producer` are whatever the shell uses to resume a parked consumer or a waiting producer
/// (continuations in production, plain values in tests). The machine only decides; the shell resumes.
///
/// Backpressure uses two watermarks over `queued` (buffered + handed to the consumer and not yet reported done):
/// when `queued` reaches `highWatermark` the mailbox becomes *backpressured*: `send` answers `.full` (policy
/// *reject now*) and `sendOrWait` parks the producer with its element (policy *suspend*). When the consumer
/// reports progress and `queued` falls to `lowWatermark`, waiting producers are admitted in arrival order.
struct MailboxStateMachine<Element, Consumer, Producer> {
    /// A producer that waits for room, holding the element it wants to send.
    struct Waiter {
        var id: UInt64
        var element: Element
        var producer: Producer?
    }

    enum SendAction {
        case enqueued(wake: Consumer?)
        case full
        case closed
    }

    enum WaitAction {
        case enqueued(wake: Consumer?)
        case waiting
        case closed
    }

    enum NextAction {
        /// Process these in order; resume the admitted producers (their elements are already queued).
        case batch(Deque<Element>, admitted: [Producer])
        /// Nothing queued: park the consumer.
        case empty
        /// Closed and drained: the consumer should stop.
        case finished
    }

    let highWatermark: Int
    let lowWatermark: Int
    private(set) var buffer: Deque<Element> = []
    private(set) var inFlight = 0
    private(set) var waiters: Deque<Waiter> = []
    private(set) var consumer: Consumer?
    private(set) var isBackpressured = false
    private(set) var isClosed = false

    /// A mailbox that refuses at `highWatermark` queued elements and re-admits at `lowWatermark`.
    init(highWatermark: Int, lowWatermark: Int) {
        self.highWatermark = max(highWatermark, 1)
        self.lowWatermark = min(max(lowWatermark, 0), self.highWatermark - 1)
    }

    /// Elements accepted and not yet reported processed.
    var queued: Int { buffer.count + inFlight }

    /// True when the consumer is parked and nothing is queued.
    var isIdle: Bool { consumer != nil && buffer.isEmpty }

    /// Policy *reject now*.
    mutating func send(_ element: Element) -> SendAction {
        if isClosed { return .closed }
        if isBackpressured || !waiters.isEmpty { return .full }
        return .enqueued(wake: append(element))
    }

    /// Policy *suspend*: enqueue now if there is room, else park `producer` with `element` under `id`.
    mutating func sendOrWait(_ element: Element, id: UInt64, producer: Producer?) -> WaitAction {
        if isClosed { return .closed }
        if isBackpressured || !waiters.isEmpty {
            waiters.append(Waiter(id: id, element: element, producer: producer))
            return .waiting
        }
        return .enqueued(wake: append(element))
    }

    /// Removes the waiting producer `id` (deadline passed or task cancelled); `nil` if it was already admitted.
    mutating func removeWaiter(id: UInt64) -> Waiter? {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
        return waiters.remove(at: index)
    }

    /// The consumer reports `completed` elements done and asks for at most `maxBatch` more.
    mutating func next(completed: Int, maxBatch: Int) -> NextAction {
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
        let batch: Deque<Element>
        if buffer.count <= maxBatch {
            batch = buffer
            buffer = Deque()
        } else {
            batch = Deque(buffer.prefix(maxBatch))
            buffer.removeFirst(maxBatch)
        }
        inFlight += batch.count
        return .batch(batch, admitted: admitted)
    }

    /// Parks the consumer; returns it back if it must not sleep (elements queued or mailbox closed).
    mutating func park(_ consumer: Consumer) -> Consumer? {
        if !buffer.isEmpty || isClosed { return consumer }
        self.consumer = consumer
        return nil
    }

    /// Takes the parked consumer (to wake it for another reason, e.g. passivation).
    mutating func takeConsumer() -> Consumer? {
        defer { consumer = nil }
        return consumer
    }

    /// Refuses further sends; returns the parked consumer (to see the end) and the waiting producers (to fail).
    mutating func close() -> (consumer: Consumer?, refused: [Waiter]) {
        isClosed = true
        let refused = Array(waiters)
        waiters.removeAll()
        return (takeConsumer(), refused)
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

    private mutating func append(_ element: Element) -> Consumer? {
        buffer.append(element)
        if queued >= highWatermark { isBackpressured = true }
        return takeConsumer()
    }
}

extension MailboxStateMachine: Sendable where Element: Sendable, Consumer: Sendable, Producer: Sendable {}
extension MailboxStateMachine.Waiter: Sendable where Element: Sendable, Producer: Sendable {}
extension MailboxStateMachine.SendAction: Sendable where Consumer: Sendable {}
extension MailboxStateMachine.WaitAction: Sendable where Consumer: Sendable {}
extension MailboxStateMachine.NextAction: Sendable where Element: Sendable, Producer: Sendable {}
