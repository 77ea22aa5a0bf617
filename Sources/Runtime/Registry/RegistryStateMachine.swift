import DequeModule

/// The keyed registry as a pure value: which keys are live, their mailboxes, what each idle key keeps, idle
/// tracking, the LRU cap and the shutdown phases. The `ActorRegistry` shell holds it under one lock, starts the
/// consumers it asks for and performs the other actions it returns.
///
/// **A consumer per burst, not per key.** A key's consumer runs while its mailbox has work: the send that finds no
/// consumer answers *start*, and a consumer that finds the mailbox empty ends, handing the value it carried (the
/// entity and its restart history, `Resident`) back to the entry. An idle live key is an entry and its resident
/// value — no task, no continuation. The next message starts a fresh consumer, which takes the resident back.
/// Both hand-overs happen under the shell's lock, so at most one consumer per key exists at any time and messages
/// are handled in arrival order across bursts.
///
/// Entry life cycle:
///
/// ```
///  (absent) ──tell──▶ active ──sweep/evict/shutdown (only when idle)──▶ passivating ──passivated──▶ (absent)
///                       ▲  │ consumer running ⇄ ended (resident kept)        │ messages arrived meanwhile
///                       └──┴─────────────────────────────────────────────────┘ (next incarnation, same consumer)
/// ```
///
/// Passivating an idle key starts a consumer for it (to run `onPassivate`); an idle key with no resident value
/// (never activated) is simply removed.
///
/// Idle time is counted in sweeps, not clock readings: each `sweep()` bumps an epoch and every message stamps its
/// entry with the current epoch, so the hot path never reads a clock.
struct RegistryStateMachine<Key: Hashable, Resident, Envelope, Producer> {
    typealias Mailbox = MailboxStateMachine<Envelope, Producer>

    enum Phase: Hashable {
        case active
        case passivating(PassivationReason)
    }

    struct Entry {
        var mailbox: Mailbox
        var phase: Phase = .active
        /// What the key keeps while no consumer runs; a running consumer carries it.
        var resident: Resident?
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

    enum SendAction: Hashable {
        /// Queued for the running consumer.
        case enqueued
        /// Queued; the shell starts this key's consumer (and the evicted key's, which passivates it).
        case start(evicting: Key?)
        case waiting
        case rejected(RegistryError)
    }

    enum ConsumerAction {
        /// The batch was moved into the consumer's deque.
        case process(admitted: [Producer])
        /// The mailbox is empty and the consumer was retired: it ends (its resident value is kept by the entry).
        case end
        case passivate(PassivationReason)
        /// Shutdown deadline passed: fail these (and the producers), then passivate.
        case abandon(Deque<Envelope>, refused: [Mailbox.Waiter])
    }

    enum AfterPassivation: Hashable {
        /// Messages arrived while passivating: activate the next incarnation in the same consumer.
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
    /// Consumers running (or started and not yet running): zero when every live key is idle.
    private(set) var consumers = 0
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
        if let action = sendToExisting(envelope, key: key, waiter: waiter) {
            if case .start = action { consumers += 1 }
            return action
        }
        var evicted: Key?
        if entries.count >= maxEntities {
            guard let victim = leastRecentlyUsedIdleKey() else { return .rejected(.tooManyEntities) }
            evicted = passivateIdle(victim, reason: .evicted) ? victim : nil
        }
        var mailbox = Mailbox(highWatermark: highWatermark, lowWatermark: lowWatermark)
        _ = mailbox.send(envelope)
        entries[key] = Entry(mailbox: mailbox, lastUse: tick, lastEpoch: epoch)
        consumers += 1
        return .start(evicting: evicted)
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
                case .enqueued(let start): return start ? .start(evicting: nil) : .enqueued
                case .full: return .rejected(.mailboxFull)
                case .closed: return .rejected(.shuttingDown)
                }
            }
            switch entry.mailbox.sendOrWait(envelope, id: waiter.id, producer: waiter.producer) {
            case .enqueued(let start): return start ? .start(evicting: nil) : .enqueued
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

    /// The consumer of `key` reports `completed` messages done and asks what to do next. `resident` is what it
    /// carries: a consumer that carries nothing takes the entry's resident value; one that ends leaves it there.
    /// A batch to process is moved into `batch` (handed in empty; see `MailboxStateMachine.next`).
    mutating func next(
        key: Key, completed: Int, maxBatch: Int, resident: inout Resident?, batch: inout Deque<Envelope>
    ) -> ConsumerAction {
        let lifecycle = self.lifecycle
        var ended = false
        let action =
            modifyEntry(key) { entry -> ConsumerAction in
                if resident == nil { resident = entry.resident.take() }
                if lifecycle == .abandoning {
                    let (elements, refused) = entry.mailbox.removeAll()
                    entry.phase = .passivating(.shutdown)
                    return .abandon(elements, refused: refused)
                }
                if case .passivating(let reason) = entry.phase { return .passivate(reason) }
                switch entry.mailbox.next(completed: completed, maxBatch: maxBatch, into: &batch) {
                case .batch(let admitted):
                    return .process(admitted: admitted)
                case .empty, .finished:
                    guard lifecycle == .running else {
                        entry.phase = .passivating(.shutdown)
                        return .passivate(.shutdown)
                    }
                    ended = entry.mailbox.end()
                    entry.resident = resident.take()
                    return .end
                }
            } ?? .passivate(.shutdown)
        if ended { consumers -= 1 }
        return action
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
        if entries.removeValue(forKey: key) != nil { consumers -= 1 }
        return .removed(lastDuringShutdown: lifecycle != .running && entries.isEmpty)
    }

    /// The entity of `key` exceeded its restart limit: removes the entry and hands back what must be failed.
    mutating func stop(key: Key) -> (elements: Deque<Envelope>, refused: [Mailbox.Waiter], lastDuringShutdown: Bool) {
        guard var entry = entries.removeValue(forKey: key) else { return ([], [], false) }
        consumers -= 1
        let (elements, refused) = entry.mailbox.removeAll()
        return (elements, refused, lifecycle != .running && entries.isEmpty)
    }

    // MARK: Sweeper and shutdown

    /// Advances the idle epoch and marks every entry idle for `idleSweeps` sweeps as passivating; returns the keys
    /// whose consumers to start (to run `onPassivate`). Idle entries holding no resident value are removed at once.
    mutating func sweep() -> [Key] {
        epoch &+= 1
        guard lifecycle == .running else { return [] }
        var due: [Key] = []
        for (key, entry) in entries
        where entry.phase == .active && entry.mailbox.isIdle && epoch &- entry.lastEpoch >= idleSweeps {
            due.append(key)
        }
        // Collected first: mutating `entries` while iterating it would copy the whole table.
        return due.filter { passivateIdle($0, reason: .idle) }
    }

    /// Stops admission. Returns the keys whose consumers to start (idle entries, to passivate), the waiting senders
    /// to fail, and whether nothing is left.
    mutating func beginShutdown() -> (start: [Key], refused: [Mailbox.Waiter], isEmpty: Bool) {
        guard lifecycle == .running else { return ([], [], entries.isEmpty) }
        lifecycle = .draining
        var start: [Key] = []
        var refused: [Mailbox.Waiter] = []
        for key in Array(entries.keys) {
            let idle = modifyEntry(key) { entry -> Bool in
                refused.append(contentsOf: entry.mailbox.close())
                return entry.mailbox.isIdle
            }
            if idle == true, passivateIdle(key, reason: .shutdown) { start.append(key) }
        }
        return (start, refused, entries.isEmpty)
    }

    /// The drain deadline passed: consumers fail what is still queued at their next step.
    mutating func abandon() {
        if lifecycle == .draining { lifecycle = .abandoning }
    }

    /// Marks the idle entry `key` passivating and counts a consumer for it (`true`: start it), or removes it when it
    /// keeps nothing to passivate (`false`).
    private mutating func passivateIdle(_ key: Key, reason: PassivationReason) -> Bool {
        let claimed =
            modifyEntry(key) { entry -> Bool in
                guard entry.resident != nil, entry.mailbox.claimConsumer() else { return false }
                entry.phase = .passivating(reason)
                return true
            } ?? false
        if claimed {
            consumers += 1
        } else {
            entries.removeValue(forKey: key)
        }
        return claimed
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
    @inline(__always)
    private mutating func modifyEntry<R>(_ key: Key, _ body: (inout Entry) -> R) -> R? {
        entries[key].modifyWrapped(body)
    }
}

extension RegistryStateMachine: Sendable
where Key: Sendable, Resident: Sendable, Envelope: Sendable, Producer: Sendable {}
extension RegistryStateMachine.Entry: Sendable where Resident: Sendable, Envelope: Sendable, Producer: Sendable {}
extension RegistryStateMachine.SendAction: Sendable where Key: Sendable {}
extension RegistryStateMachine.ConsumerAction: Sendable where Envelope: Sendable, Producer: Sendable {}

extension Optional {
    /// Runs `body` on the wrapped value moved out of `self` (so it is uniquely referenced), then moves it back.
    @inline(__always)
    fileprivate mutating func modifyWrapped<R>(_ body: (inout Wrapped) -> R) -> R? {
        guard var wrapped = self.take() else { return nil }
        defer { self = wrapped }
        return body(&wrapped)
    }
}
