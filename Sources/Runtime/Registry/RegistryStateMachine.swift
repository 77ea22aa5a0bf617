import DequeModule

/// The keyed registry as a pure value: which keys are live, their mailboxes, idle tracking, the LRU cap and the
/// shutdown phases. The `ActorRegistry` shell holds it under one lock and performs the actions it returns.
///
/// Entry life cycle (one consumer task per entry, spawned when the entry is created):
///
/// ```
///  (absent) ──tell──▶ active ──sweep/evict/shutdown (only when idle)──▶ passivating ──passivated──▶ (absent)
///                       ▲                                                   │ messages arrived meanwhile
///                       └───────────────────────────────────────────────────┘ (next incarnation, same task)
/// ```
///
/// Idle time is counted in sweeps, not clock readings: each `sweep()` bumps an epoch and every message stamps its
/// entry with the current epoch, so the hot path never reads a clock.
struct RegistryStateMachine<Key: Hashable, Envelope, Consumer, Producer> {
    typealias Mailbox = MailboxStateMachine<Envelope, Consumer, Producer>

    enum Phase: Hashable {
        case active
        case passivating(PassivationReason)
    }

    struct Entry {
        var mailbox: Mailbox
        var phase: Phase = .active
        var lastUse: UInt64
        var lastEpoch: UInt64
    }

    enum Lifecycle: Hashable {
        case running
        /// No new messages; consumers drain then passivate.
        case draining
        /// Drain deadline passed: queued messages are failed.
        case abandoning
    }

    enum SendAction {
        case enqueued(wake: Consumer?)
        /// A new entry: the shell spawns its consumer task (and wakes the evicted entry's consumer, if any).
        case spawn(evict: Consumer?)
        case waiting
        case rejected(RegistryError)
    }

    enum ConsumerAction {
        case process(Deque<Envelope>, admitted: [Producer])
        case park
        case passivate(PassivationReason)
        /// Shutdown deadline passed: fail these (and the producers), then passivate.
        case abandon(Deque<Envelope>, refused: [Mailbox.Waiter])
    }

    enum AfterPassivation: Hashable {
        /// Messages arrived while passivating: activate the next incarnation in the same task.
        case reactivate
        /// The entry is gone; `lastDuringShutdown` when it was the last one during shutdown.
        case removed(lastDuringShutdown: Bool)
    }

    let highWatermark: Int
    let lowWatermark: Int
    let maxEntities: Int
    let idleSweeps: UInt64
    private(set) var entries: [Key: Entry] = [:]
    private(set) var lifecycle = Lifecycle.running
    private var tick: UInt64 = 0
    private var epoch: UInt64 = 0

    init(highWatermark: Int, lowWatermark: Int, maxEntities: Int, idleSweeps: UInt64) {
        self.highWatermark = highWatermark
        self.lowWatermark = lowWatermark
        self.maxEntities = maxEntities
        self.idleSweeps = max(idleSweeps, 1)
    }

    init(configuration: RegistryConfiguration) {
        self.init(
            highWatermark: configuration.mailboxHighWatermark, lowWatermark: configuration.mailboxLowWatermark,
            maxEntities: configuration.maxEntities, idleSweeps: configuration.idleSweeps)
    }

    var count: Int { entries.count }

    // MARK: Producers

    /// Sends `envelope` to `key`. With a `producer` id the sender waits for room instead of being rejected.
    mutating func send(
        _ envelope: Envelope, to key: Key, waiting waiter: (id: UInt64, producer: Producer?)? = nil
    )
        -> SendAction
    {
        guard lifecycle == .running else { return .rejected(.shuttingDown) }
        tick &+= 1
        if let action = sendToExisting(envelope, key: key, waiter: waiter) { return action }
        var evicted: Consumer?
        if entries.count >= maxEntities {
            guard let victim = leastRecentlyUsedIdleKey() else { return .rejected(.tooManyEntities) }
            evicted =
                modifyEntry(victim) { victim in
                    victim.phase = .passivating(.evicted)
                    return victim.mailbox.takeConsumer()
                } ?? nil
        }
        var mailbox = Mailbox(highWatermark: highWatermark, lowWatermark: lowWatermark)
        _ = mailbox.send(envelope)
        entries[key] = Entry(mailbox: mailbox, lastUse: tick, lastEpoch: epoch)
        return .spawn(evict: evicted)
    }

    private mutating func sendToExisting(
        _ envelope: Envelope, key: Key, waiter: (id: UInt64, producer: Producer?)?
    ) -> SendAction? {
        let (tick, epoch) = (self.tick, self.epoch)
        return modifyEntry(key) { entry -> SendAction in
            entry.lastUse = tick
            entry.lastEpoch = epoch
            guard let waiter else {
                switch entry.mailbox.send(envelope) {
                case .enqueued(let consumer): return .enqueued(wake: consumer)
                case .full: return .rejected(.mailboxFull)
                case .closed: return .rejected(.shuttingDown)
                }
            }
            switch entry.mailbox.sendOrWait(envelope, id: waiter.id, producer: waiter.producer) {
            case .enqueued(let consumer): return .enqueued(wake: consumer)
            case .waiting: return .waiting
            case .closed: return .rejected(.shuttingDown)
            }
        }
    }

    /// Removes the waiting sender `id` of `key` (deadline or cancellation); `nil` if it was admitted already.
    mutating func removeWaiter(id: UInt64, key: Key) -> Mailbox.Waiter? {
        modifyEntry(key) { $0.mailbox.removeWaiter(id: id) } ?? nil
    }

    // MARK: Consumer

    /// The consumer of `key` reports `completed` messages done and asks what to do next.
    mutating func next(key: Key, completed: Int, maxBatch: Int) -> ConsumerAction {
        let lifecycle = self.lifecycle
        return modifyEntry(key) { entry -> ConsumerAction in
            if lifecycle == .abandoning {
                let (elements, refused) = entry.mailbox.removeAll()
                entry.phase = .passivating(.shutdown)
                return .abandon(elements, refused: refused)
            }
            if case .passivating(let reason) = entry.phase { return .passivate(reason) }
            switch entry.mailbox.next(completed: completed, maxBatch: maxBatch) {
            case .batch(let batch, let admitted):
                return .process(batch, admitted: admitted)
            case .empty, .finished:
                guard lifecycle == .running else {
                    entry.phase = .passivating(.shutdown)
                    return .passivate(.shutdown)
                }
                return .park
            }
        } ?? .passivate(.shutdown)
    }

    /// Parks the consumer of `key`; returns it when it must not sleep (messages queued, passivation or shutdown).
    mutating func park(key: Key, consumer: Consumer) -> Consumer? {
        guard lifecycle == .running else { return consumer }
        return modifyEntry(key) { entry -> Consumer? in
            guard entry.phase == .active else { return consumer }
            return entry.mailbox.park(consumer)
        } ?? consumer
    }

    /// The consumer of `key` finished `onPassivate`.
    mutating func passivated(key: Key) -> AfterPassivation {
        let lifecycle = self.lifecycle
        let reactivate =
            modifyEntry(key) { entry -> Bool in
                guard !entry.mailbox.buffer.isEmpty, lifecycle != .abandoning else { return false }
                entry.phase = .active
                return true
            } ?? false
        if reactivate { return .reactivate }
        entries.removeValue(forKey: key)
        return .removed(lastDuringShutdown: lifecycle != .running && entries.isEmpty)
    }

    /// The entity of `key` exceeded its restart limit: removes the entry and hands back what must be failed.
    mutating func stop(key: Key) -> (elements: Deque<Envelope>, refused: [Mailbox.Waiter], lastDuringShutdown: Bool) {
        guard var entry = entries.removeValue(forKey: key) else { return ([], [], false) }
        let (elements, refused) = entry.mailbox.removeAll()
        return (elements, refused, lifecycle != .running && entries.isEmpty)
    }

    // MARK: Sweeper and shutdown

    /// Advances the idle epoch and marks every entry idle for `idleSweeps` sweeps as passivating; returns their
    /// parked consumers to wake.
    mutating func sweep() -> [Consumer] {
        epoch &+= 1
        guard lifecycle == .running else { return [] }
        var wake: [Consumer] = []
        let (epoch, idleSweeps) = (self.epoch, self.idleSweeps)
        for key in Array(entries.keys) {
            let consumer: Consumer?? = modifyEntry(key) { entry -> Consumer? in
                guard entry.phase == .active, entry.mailbox.isIdle, epoch &- entry.lastEpoch >= idleSweeps else {
                    return nil
                }
                entry.phase = .passivating(.idle)
                return entry.mailbox.takeConsumer()
            }
            if case .some(.some(let consumer)) = consumer { wake.append(consumer) }
        }
        return wake
    }

    /// Stops admission; parked consumers are returned to wake (they passivate), waiting senders to fail.
    mutating func beginShutdown() -> (wake: [Consumer], refused: [Mailbox.Waiter], isEmpty: Bool) {
        guard lifecycle == .running else { return ([], [], entries.isEmpty) }
        lifecycle = .draining
        var wake: [Consumer] = []
        var refused: [Mailbox.Waiter] = []
        for key in Array(entries.keys) {
            guard let (consumer, waiters) = modifyEntry(key, { $0.mailbox.close() }) else { continue }
            if let consumer { wake.append(consumer) }
            refused.append(contentsOf: waiters)
        }
        return (wake, refused, entries.isEmpty)
    }

    /// The drain deadline passed: consumers fail what is still queued at their next step.
    mutating func abandon() {
        if lifecycle == .draining { lifecycle = .abandoning }
    }

    private func leastRecentlyUsedIdleKey() -> Key? {
        var best: (key: Key, lastUse: UInt64)?
        for (key, entry) in entries where entry.phase == .active && entry.mailbox.isIdle {
            if let current = best, current.lastUse <= entry.lastUse { continue }
            best = (key, entry.lastUse)
        }
        return best?.key
    }

    /// Mutates the entry of `key` in place; `nil` when there is none. Goes through the dictionary's keyed
    /// `_modify` and moves the entry out while `body` runs, so neither the table nor the mailbox buffer is copied
    /// (`entries.values[index]` turned out to copy the whole table in a release build).
    private mutating func modifyEntry<R>(_ key: Key, _ body: (inout Entry) -> R) -> R? {
        entries[key].modifyWrapped(body)
    }

}

extension RegistryStateMachine.SendAction: Sendable where Consumer: Sendable {}
extension RegistryStateMachine.ConsumerAction: Sendable where Envelope: Sendable, Producer: Sendable {}

extension Optional {
    /// Runs `body` on the wrapped value moved out of `self` (so it is uniquely referenced), then moves it back.
    fileprivate mutating func modifyWrapped<R>(_ body: (inout Wrapped) -> R) -> R? {
        guard var wrapped = self.take() else { return nil }
        defer { self = wrapped }
        return body(&wrapped)
    }
}
