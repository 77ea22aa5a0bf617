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
///
/// With a ``LeaseSlot`` (the process's slot, held since before the dispatcher was built), `run()` first takes back
/// the leases the slot's earlier holders left `sending` — a process restarted in its place gets its predecessor's
/// replies going within ``Settings/takeoverSettle`` instead of the lease's end — and then follows the slot: when
/// its lock is lost every loop stops at once (its sends are cancelled, as in a crash) and nothing is sent or
/// born claimed until the slot is held again, which takes back what the stopped loops left (docs/outbound.md,
/// "Restarts take back their leases").
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
        /// How long after a slot's leases are taken back they are looked up (Twilio's Messages list may lag a
        /// just-accepted message; an uncertain send waits its first retry backoff, 5 s, for the same reason).
        public var takeoverSettle: Duration = .seconds(5)

        /// The defaults.
        public init() {}
    }

    private let queue: OutboundQueue
    private let dependencies: TenantSender.Dependencies
    private let configuration: PGConfiguration
    private let settings: Settings
    private let logger: Logger
    private let slot: LeaseSlot?
    private let loops = Mutex(Loops())
    /// Signalled when the last stopped loop has ended (after a slot's loss).
    private let loopsEnded = WakeSignal()
    /// Whether the loops run (between the start of `run()` and graceful shutdown): only then are replies born
    /// claimed for them.
    private let accepting = Atomic<Bool>(false)
    private let spawns: AsyncStream<TenantSender>
    private let spawnInput: AsyncStream<TenantSender>.Continuation

    /// The running loops, and whether the slot's loss has stopped them.
    private struct Loops {
        var senders: [String: TenantSender] = [:]
        /// Signalled to stop each running loop at once (keyed by its sender).
        var stops: [ObjectIdentifier: WakeSignal] = [:]
        /// The slot is lost: no loop starts, nothing is born claimed.
        var suspended = false
        /// Loops made before a loss and not started yet: they never run (their channel's jobs were born claimed
        /// before the loss and are taken back when the slot is held again; sending them could send twice).
        var stale: Set<ObjectIdentifier> = []
    }

    /// A dispatcher claiming from `queue` (whose client must be running) and listening on `configuration`'s server;
    /// with `slot` (whose owner must be `queue`'s), it takes back the slot's earlier leases and follows its lock.
    public init(
        queue: OutboundQueue, dependencies: TenantSender.Dependencies, configuration: PGConfiguration,
        settings: Settings = Settings(), slot: LeaseSlot? = nil, logger: Logger
    ) {
        self.queue = queue
        self.slot = slot
        self.dependencies = dependencies
        self.configuration = configuration
        self.settings = settings
        self.logger = logger
        (spawns, spawnInput) = AsyncStream.makeStream()
    }

    /// Wakes the restaurant's loop to claim, starting one if there is none.
    public func wake(restaurantId: String) {
        let spawned = loops.withLock { loops -> TenantSender? in
            guard !loops.suspended else { return nil }
            if let sender = loops.senders[restaurantId] {
                sender.requestClaim()
                return nil
            }
            let sender = TenantSender(restaurantId: restaurantId, settings: settings.sender, dependencies: dependencies)
            sender.requestClaim()
            loops.senders[restaurantId] = sender
            return sender
        }
        if let spawned { spawnInput.yield(spawned) }
    }

    /// The restaurant's loop, if it has one now.
    public func sender(restaurantId: String) -> TenantSender? {
        loops.withLock { $0.senders[restaurantId] }
    }

    public func run() async throws {
        // Before any loop runs or any reply is born claimed under this process's owner.
        let takenBack: [String]
        if let slot { takenBack = await takeBack(slot) } else { takenBack = [] }
        accepting.store(true, ordering: .relaxed)
        defer { accepting.store(false, ordering: .relaxed) }
        let background = ChildSupervisor(
            children: [
                .init(name: "outbound listener", policy: settings.restartPolicy) { try await self.listen() },
                .init(name: "outbound poll", policy: settings.restartPolicy) { try await self.poll() },
                .init(name: "outbound reaper", policy: settings.restartPolicy) { try await self.reap() },
            ], clock: ContinuousClock(), escalation: .stopChild, logger: logger)
        await withDiscardingTaskGroup { group in
            if let slot {
                group.addTask { await self.follow(slot, wakingAfterSettle: takenBack) }
            }
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
        let key = ObjectIdentifier(sender)
        let stop = WakeSignal()
        let runs = loops.withLock { loops -> Bool in
            let stale = loops.stale.remove(key) != nil
            guard !loops.suspended, !stale else { return false }
            loops.stops[key] = stop
            return true
        }
        if runs {
            let supervisor = ChildSupervisor(
                children: [
                    .init(name: "sender \(id)", policy: settings.restartPolicy) {
                        await sender.run(retire: { self.retire(sender) })
                    }
                ], clock: ContinuousClock(), escalation: .stopChild, logger: logger)
            // The slot's loss stops the loop at once: cancelled, its sends in flight are cancelled too.
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        try await supervisor.run()
                    } catch {
                        self.logger.error(
                            "sender supervisor stopped", metadata: ["restaurant": "\(id)", "error": "\(error)"])
                    }
                }
                group.addTask { await stop.wait() }
                await group.next()
                group.cancelAll()
            }
        } else {
            // Made before the slot's loss: its channel's jobs were never attempted, they go back (when the slot was
            // taken back meanwhile, they are no longer ours and this changes nothing).
            try? await dependencies.queue.release(sender.channel.close().map(\.job))
        }
        // Finished for good (shutdown, escalation, the slot's loss): forget it, so a later wake-up starts a fresh
        // loop.
        let last = loops.withLock { loops -> Bool in
            if loops.senders[id] === sender { loops.senders[id] = nil }
            loops.stops[key] = nil
            return loops.stops.isEmpty
        }
        if last { loopsEnded.signal() }
    }

    /// Called by an idle loop: agrees (and forgets it, its channel closed) unless a wake-up is pending or its
    /// channel holds or expects jobs.
    private func retire(_ sender: TenantSender) -> Bool {
        loops.withLock { loops in
            guard !sender.wake.isPending, loops.senders[sender.restaurantId] === sender, sender.channel.closeIfIdle()
            else {
                return false
            }
            loops.senders[sender.restaurantId] = nil
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

    /// Takes back the slot's earlier leases; returns the restaurants concerned (a failure is logged: the reaper
    /// puts those rows back at their lease's end).
    private func takeBack(_ slot: LeaseSlot) async -> [String] {
        do {
            let restaurants = try await queue.takeBack(slot: slot.identity.slot, settle: settings.takeoverSettle)
            if !restaurants.isEmpty {
                logger.notice(
                    "outbound leases of this slot's earlier holder taken back, looked up before any resend",
                    metadata: ["owner": "\(slot.identity.owner)", "restaurants": "\(restaurants.count)"])
            }
            return restaurants
        } catch {
            logger.warning(
                "could not take back this slot's earlier leases: the reaper will at their lease's end",
                metadata: ["owner": "\(slot.identity.owner)", "error": "\(error)"])
            return []
        }
    }

    /// Follows the slot's lock: stops every loop at once when it is lost, takes back what they left and starts
    /// again when it is held again. Restaurants whose leases were taken back are woken once those are due.
    private func follow(_ slot: LeaseSlot, wakingAfterSettle initial: [String]) async {
        await withDiscardingTaskGroup { group in
            let wakeAfterSettle: @Sendable ([String]) async -> Void = { restaurants in
                guard !restaurants.isEmpty else { return }
                try? await Task.sleep(for: self.settings.takeoverSettle)
                for id in restaurants { self.wake(restaurantId: id) }
            }
            group.addTask { await wakeAfterSettle(initial) }
            for await event in slot.events.cancelOnGracefulShutdown() {
                switch event {
                case .lost:
                    let stops = loops.withLock { loops -> [WakeSignal] in
                        loops.suspended = true
                        for sender in loops.senders.values where loops.stops[ObjectIdentifier(sender)] == nil {
                            loops.stale.insert(ObjectIdentifier(sender))
                        }
                        loops.senders.removeAll()
                        return Array(loops.stops.values)
                    }
                    accepting.store(false, ordering: .relaxed)
                    for stop in stops { stop.signal() }
                case .regained:
                    // Every stopped loop has ended (its sends and their records are over: none of them can touch a
                    // row once it is claimed again under the same owner); their rows are still ours and held by
                    // nobody now: taken back like a predecessor's.
                    while !loops.withLock({ $0.stops.isEmpty }) {
                        await loopsEnded.wait(timeout: .seconds(1))
                    }
                    let restaurants = await takeBack(slot)
                    loops.withLock { $0.suspended = false }
                    if !Task.isShuttingDownGracefully { accepting.store(true, ordering: .relaxed) }
                    group.addTask { await wakeAfterSettle(restaurants) }
                    try? await scanDue()
                }
            }
            group.cancelAll()
        }
    }
}

extension OutboundDispatcher {
    public var leaseOwner: String { queue.owner }
    public var leaseDuration: Duration { queue.leaseDuration }

    public func reserve(restaurantId: String, count: Int) -> OutboundChannel? {
        guard accepting.load(ordering: .relaxed) else { return nil }
        let (channel, spawned) = loops.withLock { loops -> (OutboundChannel?, TenantSender?) in
            guard !loops.suspended else { return (nil, nil) }
            if let sender = loops.senders[restaurantId] {
                return (sender.channel.reserve(count) ? sender.channel : nil, nil)
            }
            let sender = TenantSender(restaurantId: restaurantId, settings: settings.sender, dependencies: dependencies)
            loops.senders[restaurantId] = sender
            return (sender.channel.reserve(count) ? sender.channel : nil, sender)
        }
        if let spawned { spawnInput.yield(spawned) }
        return channel
    }
}
