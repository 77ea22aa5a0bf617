import Actors
import Logging
import Runtime
import ServiceLifecycle
import Synchronization

/// The outbound sender of one process, as a `Service`: one ``TenantSender`` loop per restaurant with work, each
/// supervised (``ChildSupervisor``) and owned by `run()`'s task group, woken by `LISTEN sufra_outbound` (and by
/// restaurant changes, so a resume drains at once), with a slow fallback poll and a reaper for expired leases.
///
/// Loops come and go: a wake-up (or a reservation) for a restaurant without one starts it; a loop idle for its idle
/// timeout with an empty channel retires (under the same lock wake-ups and reservations take, so none is lost to
/// a retiring loop).
///
/// As the ``OutboundHandoff`` it gives the group commit room in each restaurant's bounded channel, so replies are
/// written born claimed and reach the loop with no claim query (docs/outbound.md, "Born claimed").
public final class OutboundDispatcher: Service, OutboundHandoff, Sendable {
    /// Timing.
    public struct Settings: Sendable {
        /// Each restaurant loop's pacing.
        public var sender = TenantSender.Settings()
        /// How often the database is scanned for due jobs without a notification (retries, missed notifications).
        public var pollInterval: Duration = .seconds(2)
        /// How often expired leases are put back.
        public var reapInterval: Duration = .seconds(5)
        /// Restart rules of the loops.
        public var restartPolicy = RestartPolicy()

        /// The defaults.
        public init() {}
    }

    private let queue: OutboundQueue
    private let dependencies: TenantSender.Dependencies
    private let configuration: PGConfiguration
    private let settings: Settings
    private let logger: Logger
    private let senders = Mutex<[String: TenantSender]>([:])
    /// Whether the loops run (between the start of `run()` and graceful shutdown): only then are replies born
    /// claimed for them.
    private let accepting = Atomic<Bool>(false)
    private let spawns: AsyncStream<TenantSender>
    private let spawnInput: AsyncStream<TenantSender>.Continuation

    /// A dispatcher claiming from `queue` (whose client must be running) and listening on `configuration`'s server.
    public init(
        queue: OutboundQueue, dependencies: TenantSender.Dependencies, configuration: PGConfiguration,
        settings: Settings = Settings(), logger: Logger
    ) {
        self.queue = queue
        self.dependencies = dependencies
        self.configuration = configuration
        self.settings = settings
        self.logger = logger
        (spawns, spawnInput) = AsyncStream.makeStream()
    }

    /// Wakes the restaurant's loop to claim, starting one if there is none.
    public func wake(restaurantId: String) {
        let spawned = senders.withLock { senders -> TenantSender? in
            if let sender = senders[restaurantId] {
                sender.requestClaim()
                return nil
            }
            let sender = TenantSender(restaurantId: restaurantId, settings: settings.sender, dependencies: dependencies)
            sender.requestClaim()
            senders[restaurantId] = sender
            return sender
        }
        if let spawned { spawnInput.yield(spawned) }
    }

    /// The restaurant's loop, if it has one now.
    public func sender(restaurantId: String) -> TenantSender? {
        senders.withLock { $0[restaurantId] }
    }

    public func run() async throws {
        accepting.store(true, ordering: .relaxed)
        defer { accepting.store(false, ordering: .relaxed) }
        let background = ChildSupervisor(
            children: [
                .init(name: "outbound listener", policy: settings.restartPolicy) { try await self.listen() },
                .init(name: "outbound poll", policy: settings.restartPolicy) { try await self.poll() },
                .init(name: "outbound reaper", policy: settings.restartPolicy) { try await self.reap() },
            ], clock: ContinuousClock(), escalation: .stopChild, logger: logger)
        await withDiscardingTaskGroup { group in
            group.addTask {
                do {
                    try await background.run()
                } catch {
                    self.logger.error(
                        "outbound listener/poll/reaper supervisor stopped", metadata: ["error": "\(error)"])
                }
            }
            await withGracefulShutdownHandler {
                for await sender in spawns.cancelOnGracefulShutdown() {
                    group.addTask { await self.supervise(sender) }
                }
            } onGracefulShutdown: {
                // No more born-claimed replies: the loops are stopping.
                self.accepting.store(false, ordering: .relaxed)
            }
        }
    }

    private func supervise(_ sender: TenantSender) async {
        let id = sender.restaurantId
        let supervisor = ChildSupervisor(
            children: [
                .init(name: "sender \(id)", policy: settings.restartPolicy) {
                    await sender.run(retire: { self.retire(sender) })
                }
            ], clock: ContinuousClock(), escalation: .stopChild, logger: logger)
        try? await supervisor.run()
        // Finished for good (shutdown or escalation): forget it, so a later wake-up starts a fresh loop.
        senders.withLock { if $0[id] === sender { $0[id] = nil } }
    }

    /// Called by an idle loop: agrees (and forgets it, its channel closed) unless a wake-up is pending or its
    /// channel holds or expects jobs.
    private func retire(_ sender: TenantSender) -> Bool {
        senders.withLock { senders in
            guard !sender.wake.isPending, senders[sender.restaurantId] === sender, sender.channel.closeIfIdle() else {
                return false
            }
            senders[sender.restaurantId] = nil
            return true
        }
    }

    private func listen() async throws {
        let listener = PGListener(
            configuration: configuration, channels: [OutboundQueue.channel, RestaurantRepository.changesChannel])
        for try await event in listener.cancelOnGracefulShutdown() {
            switch event {
            case .listening:
                try await scanDue()
            case .notification(let note):
                guard !note.payload.hasPrefix("menu:") else { continue }
                // A restaurant change (resume, new credentials) may unblock its queue; the directory reloads in
                // parallel, so the loop re-checks after its poll interval if it looks too early.
                wake(restaurantId: note.payload)
            }
        }
    }

    private func poll() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.settings.pollInterval) }
            do {
                try await scanDue()
            } catch {
                logger.warning("outbound poll failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func reap() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.settings.reapInterval) }
            do {
                let restaurants = try await queue.reapExpiredLeases()
                if !restaurants.isEmpty {
                    logger.notice("expired outbound leases put back", metadata: ["restaurants": "\(restaurants.count)"])
                }
                for id in restaurants { wake(restaurantId: id) }
            } catch {
                logger.warning("outbound reaper failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func scanDue() async throws {
        for id in try await queue.restaurantsWithDueJobs() { wake(restaurantId: id) }
    }
}

extension OutboundDispatcher {
    public var leaseOwner: String { queue.owner }
    public var leaseDuration: Duration { queue.leaseDuration }

    public func reserve(restaurantId: String, count: Int) -> OutboundChannel? {
        guard accepting.load(ordering: .relaxed) else { return nil }
        let (channel, spawned) = senders.withLock { senders -> (OutboundChannel?, TenantSender?) in
            if let sender = senders[restaurantId] {
                return (sender.channel.reserve(count) ? sender.channel : nil, nil)
            }
            let sender = TenantSender(restaurantId: restaurantId, settings: settings.sender, dependencies: dependencies)
            senders[restaurantId] = sender
            return (sender.channel.reserve(count) ? sender.channel : nil, sender)
        }
        if let spawned { spawnInput.yield(spawned) }
        return channel
    }
}
