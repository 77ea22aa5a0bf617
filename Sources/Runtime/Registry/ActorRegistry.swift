import Logging
import ServiceLifecycle
import Synchronization

/// Keyed actors: one live `Entity` per key, activated on demand by an async factory, fed through a bounded
/// mailbox, passivated when idle, capped in number, supervised when broken.
///
/// Each live key has exactly one consumer task, a child of `run()`'s task group, which activates the entity,
/// handles its messages one at a time in arrival order, and passivates it. Messages are taken from the mailbox in
/// batches under one lock, so a busy key costs one lock round trip per batch and an idle key costs one suspended
/// task. All decisions are made by `RegistryStateMachine`; this class locks, resumes continuations and runs tasks.
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
        var reply: CheckedContinuation<Entity.Reply, any Error>?
    }

    typealias Consumer = CheckedContinuation<Void, Never>
    typealias Producer = CheckedContinuation<Void, any Error>
    typealias Machine = RegistryStateMachine<Key, Envelope, Consumer, Producer>

    struct State {
        var machine: Machine
        var nextWaiterID: UInt64 = 0
        /// Waiter ids handed out whose sender has not registered yet.
        var unregistered: Set<UInt64> = []
        /// Deadlines or cancellations that fired before their sender registered: it fails on registration.
        var expiredEarly: [UInt64: any Error] = [:]
        var allStopped = false
        var stopWaiter: CheckedContinuation<Void, Never>?
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
    private let spawns: AsyncStream<Key>
    let spawner: AsyncStream<Key>.Continuation

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
        (spawns, spawner) = AsyncStream.makeStream(of: Key.self, bufferingPolicy: .unbounded)
    }

    /// Live entries (active or passivating).
    public var liveCount: Int { state.withLock { $0.machine.count } }

    /// Messages accepted for `key` and not yet handled (for tests and metrics).
    public func queuedCount(for key: Key) -> Int {
        state.withLock { $0.machine.entries[key]?.mailbox.queued ?? 0 }
    }

    /// True when `key` is live with an empty mailbox and its consumer parked (what the sweeper may passivate).
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
                for await key in self.spawns {
                    group.addTask { await self.runEntity(key) }
                }
                // The spawn stream ends when shutdown begins, or when this task is cancelled.
                self.beginShutdown()
                group.addTask {
                    try? await self.clock.sleep(for: self.configuration.drainTimeout)
                    self.state.withLock { $0.machine.abandon() }
                    self.abandoning.store(true, ordering: .relaxed)
                }
                await self.waitUntilAllStopped()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.beginShutdown()
        }
    }

    /// Stops admission and asks every entity to drain and passivate (what graceful shutdown calls).
    public func beginShutdown() {
        let (wake, refused) = state.withLock { state -> ([Consumer], [Machine.Mailbox.Waiter]) in
            let result = state.machine.beginShutdown()
            spawner.finish()
            if result.isEmpty { state.allStopped = true }
            return (result.wake, result.refused)
        }
        for consumer in wake { consumer.resume() }
        for waiter in refused { Self.fail(waiter, with: RegistryError.shuttingDown) }
        signalIfAllStopped()
    }

    func sweepLoop() async {
        while true {
            do {
                try await clock.sleep(for: configuration.sweepInterval)
            } catch {
                return
            }
            let wake = state.withLock { $0.machine.sweep() }
            for consumer in wake { consumer.resume() }
        }
    }

    func signalIfAllStopped() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.allStopped else { return nil }
            defer { state.stopWaiter = nil }
            return state.stopWaiter
        }
        waiter?.resume()
    }

    func markAllStopped() {
        state.withLock { $0.allStopped = true }
        signalIfAllStopped()
    }

    private func waitUntilAllStopped() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                if state.allStopped { return true }
                state.stopWaiter = continuation
                return false
            }
            if done { continuation.resume() }
        }
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
