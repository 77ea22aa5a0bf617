import Logging
import ServiceLifecycle
import Synchronization

/// Keyed actors: one live `Entity` per key, activated on demand by an async factory, fed through a bounded
/// mailbox, passivated when idle, capped in number, supervised when broken.
///
/// A live key has a consumer task only while its mailbox has work: the message that finds no consumer starts one
/// (a child of `run()`'s task group), which takes the entity, handles messages one at a time in arrival order, and
/// ends when the mailbox is empty, leaving the entity value in the key's entry. An idle live key therefore costs
/// its entry and its entity's stored state, no task. Messages are taken from the mailbox in batches under one lock,
/// so a busy key costs one lock round trip per batch. All decisions are made by `RegistryStateMachine`; this
/// class locks, resumes continuations and runs tasks.
///
/// As a swift-service-lifecycle `Service`, graceful shutdown stops admission, lets every consumer drain what was
/// accepted (for at most `drainTimeout`, after which the rest fails with `RegistryError.shuttingDown`), passivates
/// every entity and then returns.
public final class ActorRegistry<Entity: KeyedEntity, C: Clock<Duration>>: Service, Sendable {
    /// The key entities are routed by.
    public typealias Key = Entity.Key
    /// Creates (re-activates) the entity for a key, typically loading its state; throwing counts as a failure for
    /// the restart policy.
    public typealias Factory = @Sendable (Key) async throws -> Entity

    struct Envelope: Sendable {
        var message: Entity.Message
        /// The asker's answer (nil for told messages); settled early when the asker's deadline passes.
        var reply: OneShotReply<Entity.Reply>?

        /// An asked message whose asker has its answer already (its deadline passed): nobody waits for it.
        var isAbandoned: Bool { reply?.isSettled ?? false }
    }

    typealias Producer = CheckedContinuation<Void, any Error>
    typealias Wakeup = CheckedContinuation<Void, Never>
    typealias Machine = RegistryStateMachine<Key, Resident, Envelope, Producer>

    /// What a key keeps between its consumers: the entity (nil until activated, or after it broke) and its
    /// restart history (nil until it first fails).
    struct Resident: Sendable {
        var entity: Entity?
        /// Boxed: most keys never fail, and an idle entry stays small.
        var restarts: Box<RestartStateMachine<C.Instant>>?

        var isExhausted: Bool { restarts?.value.isExhausted ?? false }
        /// Nothing worth keeping (the entry may then be removed without a passivation).
        var isBlank: Bool { entity == nil && restarts == nil }
    }

    /// What `run()` must do next: start these keys' consumers; note that shutdown began or that everything stopped.
    struct Spawns {
        var keys: [Key] = []
        var shutdownBegan = false
        var allStopped = false
    }

    struct State {
        var machine: Machine
        var nextWaiterID: UInt64 = 0
        /// Waiter ids handed out whose sender has not registered yet.
        var unregistered: Set<UInt64> = []
        /// Deadlines or cancellations that fired before their sender registered: it fails on registration.
        var expiredEarly: [UInt64: any Error] = [:]
        /// Consumers to start, and `run()` waiting for them.
        var spawns = Spawns()
        var spawnWaiter: CheckedContinuation<Void, Never>?
        var shutdownBegan = false
        var allStopped = false
    }

    let configuration: RegistryConfiguration
    let clock: C
    let factory: Factory
    let onEscalation: @Sendable (Key, any Error) async -> Void
    let logger: Logger
    let metrics: RegistryMetrics
    let state: Mutex<State>
    /// Set once the drain deadline passed; read per message so a batch in hand stops too.
    let abandoning = Atomic<Bool>(false)
    /// Answers askers whose deadline passed (``ask(_:_:admission:timeout:)``) with `RegistryError.deadlineExceeded`.
    let deadlines: DeadlineQueue<C>

    /// A registry activating entities with `factory`; `onEscalation` hears about entities that exceeded their
    /// restart limit (their queued messages fail with `RegistryError.entityStopped`). `metrics` records live
    /// entities, activations, passivations and mailbox depth.
    public init(
        configuration: RegistryConfiguration = .init(),
        clock: C,
        logger: Logger = Logger(label: "sufra.registry"),
        metrics: RegistryMetrics = RegistryMetrics(),
        factory: @escaping Factory,
        onEscalation: @escaping @Sendable (Key, any Error) async -> Void = { _, _ in }
    ) {
        self.configuration = configuration
        self.clock = clock
        self.factory = factory
        self.onEscalation = onEscalation
        self.logger = logger
        self.metrics = metrics
        self.state = Mutex(State(machine: Machine(configuration: configuration)))
        self.deadlines = DeadlineQueue(
            clock: clock, resolution: configuration.deadlineResolution, error: RegistryError.deadlineExceeded)
    }

    /// Live entries (active or passivating).
    public var liveCount: Int { state.withLock { $0.machine.count } }

    /// Messages accepted for `key` and not yet handled (for tests and metrics).
    public func queuedCount(for key: Key) -> Int {
        state.withLock { $0.machine.entries[key]?.mailbox.queued ?? 0 }
    }

    /// Consumer tasks running (or started and not yet running): zero when every live key is idle.
    public var runningConsumers: Int { state.withLock { $0.machine.consumers } }

    /// True when `key` is live with an empty mailbox and no consumer (what the sweeper may passivate).
    func isIdle(_ key: Key) -> Bool {
        state.withLock { $0.machine.entries[key]?.mailbox.isIdle ?? false }
    }

    /// True once the drain deadline passed during shutdown (queued messages are being failed).
    var isAbandoning: Bool { state.withLock { $0.machine.lifecycle == .abandoning } }

    /// Runs consumers and the idle sweeper until shutdown (graceful or by cancellation), then drains and returns.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.sweepLoop() }
                group.addTask { await self.deadlines.run() }
                while true {
                    let spawns = await self.nextSpawns()
                    for key in spawns.keys {
                        group.addTask { await self.runEntity(key) }
                    }
                    if spawns.shutdownBegan {
                        group.addTask {
                            try? await self.clock.sleep(for: self.configuration.drainTimeout)
                            self.state.withLock { $0.machine.abandon() }
                            self.abandoning.store(true, ordering: .relaxed)
                        }
                    }
                    if spawns.allStopped { break }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.beginShutdown()
        }
    }

    /// Stops admission and asks every entity to drain and passivate (what graceful shutdown calls).
    public func beginShutdown() {
        let (refused, spawner) = state.withLock { state -> ([Machine.Mailbox.Waiter], Wakeup?) in
            guard !state.shutdownBegan else { return ([], nil) }
            state.shutdownBegan = true
            let result = state.machine.beginShutdown()
            state.spawns.keys.append(contentsOf: result.start)
            state.spawns.shutdownBegan = true
            if result.isEmpty { state.allStopped = true }
            state.spawns.allStopped = state.allStopped
            return (result.refused, state.spawnWaiter.take())
        }
        spawner?.resume()
        for waiter in refused { Self.fail(waiter, with: RegistryError.shuttingDown) }
    }

    /// Waits until there is something for `run()` to do; cancellation begins the shutdown.
    private func nextSpawns() async -> Spawns {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: Wakeup) in
                let ready = state.withLock { state -> Bool in
                    let spawns = state.spawns
                    if !spawns.keys.isEmpty || spawns.shutdownBegan || spawns.allStopped { return true }
                    state.spawnWaiter = waiter
                    return false
                }
                if ready { waiter.resume() }
            }
            return state.withLock { state in
                defer { state.spawns = Spawns() }
                return state.spawns
            }
        } onCancel: {
            self.beginShutdown()
        }
    }

    /// Queues `keys`' consumers for `run()` to start (called under the lock); returns `run()` to resume, if waiting.
    static func spawn(_ keys: some Sequence<Key>, in state: inout State) -> Wakeup? {
        state.spawns.keys.append(contentsOf: keys)
        return state.spawnWaiter.take()
    }

    func sweepLoop() async {
        while true {
            do {
                try await clock.sleep(for: configuration.sweepInterval)
            } catch {
                return
            }
            state.withLock { state in
                let start = state.machine.sweep()
                return start.isEmpty ? nil : Self.spawn(start, in: &state)
            }?.resume()
        }
    }

    func markAllStopped() {
        state.withLock { state in
            state.allStopped = true
            state.spawns.allStopped = true
            return state.spawnWaiter.take()
        }?.resume()
    }

    static func fail(_ waiter: Machine.Mailbox.Waiter, with error: any Error) {
        waiter.producer?.resume(throwing: error)
        waiter.element.reply?.resume(throwing: error)
    }
}

extension ActorRegistry where C == ContinuousClock {
    /// A registry on the continuous clock.
    public convenience init(
        configuration: RegistryConfiguration = .init(),
        logger: Logger = Logger(label: "sufra.registry"),
        metrics: RegistryMetrics = RegistryMetrics(),
        factory: @escaping Factory,
        onEscalation: @escaping @Sendable (Key, any Error) async -> Void = { _, _ in }
    ) {
        self.init(
            configuration: configuration, clock: ContinuousClock(), logger: logger, metrics: metrics,
            factory: factory, onEscalation: onEscalation)
    }
}
