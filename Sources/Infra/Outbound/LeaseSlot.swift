import Actors
import Logging
import Runtime
import ServiceLifecycle
import Synchronization

/// This process's lease slot (``LeaseIdentity``): a PostgreSQL session advisory lock on a connection of its own,
/// held for the process's lifetime.
///
/// The lock is what makes taking back leases at a restart safe: PostgreSQL releases a session lock only when the
/// session ends, and a process's sessions end when it dies, so the process that takes a slot knows every earlier
/// holder is gone (docs/outbound.md, "Restarts take back their leases"). Two live processes never hold one slot:
/// ``acquire(base:configuration:settings:logger:)`` tries `base`, `base.2` … and takes the first free one.
///
/// A holder can lose its lock while alive (the server restarted, its session was terminated, a partition outlasted
/// the session's keepalives). ``run()`` watches the session: a heartbeat every ``Settings/heartbeat`` answered within
/// ``Settings/heartbeatTimeout``, and the connection's close at once. On a loss it reports ``Event/lost`` — the
/// dispatcher then stops every send of this process at once, as a crash would — and tries to take the same slot
/// again; once it has, it reports ``Event/regained``. The server ends a silent session only after its keepalives
/// (set on the session to ``Settings/serverKeepalives``) give up, well after the heartbeat has noticed.
public final class LeaseSlot: Service, Sendable {
    /// Timing.
    public struct Settings: Sendable {
        /// How many slots one base name offers (`base`, `base.2` … `base.<n>`).
        public var slotsPerBase = 8
        /// How often the session is checked.
        public var heartbeat: Duration = .seconds(1)
        /// How long a heartbeat may take before the lock counts as lost.
        public var heartbeatTimeout: Duration = .seconds(2)
        /// The session's `tcp_keepalives_idle`, `tcp_keepalives_interval` (seconds) and `tcp_keepalives_count`:
        /// a session the server no longer hears from ends (and frees the slot) after about idle + interval ×
        /// count, 25 s by default, far later than the heartbeat notices the silence.
        public var serverKeepalives = PGConfiguration.Keepalives(idle: .seconds(10), interval: .seconds(5), count: 3)
        /// Longest wait between attempts to take the slot back after a loss.
        public var maximumRetryDelay: Duration = .seconds(5)

        /// The defaults.
        public init() {}
    }

    /// A change of the lock's state, reported on ``events``.
    public enum Event: Sendable, Hashable {
        /// The lock's session ended: this process may no longer send under the slot.
        case lost
        /// The same slot is held again: earlier holders (this process before the loss included) are gone.
        case regained
    }

    /// The slot and this start's incarnation; `identity.owner` is this process's `lease_owner`.
    public let identity: LeaseIdentity
    /// Lock changes, for one consumer (the process's ``OutboundDispatcher``).
    public let events: AsyncStream<Event>
    private let eventInput: AsyncStream<Event>.Continuation
    private let configuration: PGConfiguration
    private let settings: Settings
    private let logger: Logger
    private let connection: Mutex<PGConnection?>
    /// Signalled when the lock's connection closes or breaks (so a loss is noticed before the next heartbeat).
    private let closed: WakeSignal
    private let held = Atomic<Bool>(true)

    private init(
        identity: LeaseIdentity, connection: PGConnection, closed: WakeSignal, configuration: PGConfiguration,
        settings: Settings, logger: Logger
    ) {
        self.identity = identity
        self.connection = Mutex(connection)
        self.closed = closed
        self.configuration = configuration
        self.settings = settings
        self.logger = logger
        (events, eventInput) = AsyncStream.makeStream()
    }

    /// Whether the lock is held now.
    public var isHeld: Bool { held.load(ordering: .acquiring) }

    /// The server session holding the lock (tests end it with `pg_terminate_backend`); nil while lost.
    public var backendPID: Int32? {
        get async {
            guard let connection = connection.withLock({ $0 }) else { return nil }
            return await connection.backendPID
        }
    }

    /// Takes the first free slot of `base` (`base`, `base.2` …); nil, after a warning, when all are held or the
    /// server cannot be reached (the process then leases under an unslotted owner, as before slots existed).
    public static func acquire(
        base: String, configuration: PGConfiguration, settings: Settings = Settings(), logger: Logger
    ) async -> LeaseSlot? {
        let closed = WakeSignal()
        for slot in LeaseIdentity.candidateSlots(base: base, count: settings.slotsPerBase) {
            do {
                guard let connection = try await lock(slot, configuration: configuration, settings, closed) else {
                    continue
                }
                let identity = LeaseIdentity(slot: slot)
                logger.info("outbound lease slot taken", metadata: ["owner": "\(identity.owner)"])
                return LeaseSlot(
                    identity: identity, connection: connection, closed: closed, configuration: configuration,
                    settings: settings, logger: logger)
            } catch {
                logger.warning(
                    "could not take an outbound lease slot: leases of a crashed predecessor wait for the reaper",
                    metadata: ["slot": "\(slot)", "error": "\(error)"])
                return nil
            }
        }
        logger.warning(
            "every outbound lease slot of this name is held by a live process: set SUFRA_INSTANCE per process",
            metadata: ["base": "\(base)", "slots": "\(settings.slotsPerBase)"])
        return nil
    }

    /// A connection holding `slot`'s lock, or nil when another session holds it.
    private static func lock(
        _ slot: String, configuration: PGConfiguration, _ settings: Settings, _ closed: WakeSignal
    ) async throws -> PGConnection? {
        var configuration = configuration
        configuration.applicationName = "sufra lease \(slot)"
        let connection = try await PGConnection.connect(configuration: configuration, onClose: { closed.signal() })
        do {
            await connection.setRequestTimeout(settings.heartbeatTimeout)
            let keepalives = settings.serverKeepalives
            try await connection.simpleQuery(
                "SET tcp_keepalives_idle = \(keepalives.idle.components.seconds); "
                    + "SET tcp_keepalives_interval = \(keepalives.interval.components.seconds); "
                    + "SET tcp_keepalives_count = \(keepalives.count)")
            let locked = try await connection.query(
                "SELECT pg_try_advisory_lock(hashtext('sufra.lease-slot'), hashtext(\(slot))) AS locked"
            ).single().decode("locked", as: Bool.self)
            guard locked else {
                await connection.close()
                return nil
            }
            return connection
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Watches the lock until graceful shutdown (list this service before the dispatcher, so the lock outlives
    /// the sends' drain), then releases it by closing its session.
    public func run() async throws {
        var failures = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if let current = connection.withLock({ $0 }) {
                await cancelWhenGracefulShutdown { await self.closed.wait(timeout: self.settings.heartbeat) }
                guard !Task.isCancelled && !Task.isShuttingDownGracefully else { break }
                do {
                    guard !current.isClosed else { throw PGError(.connectionClosed, "the lock's connection closed") }
                    try await current.query("SELECT 1")
                } catch {
                    await lose(current, error)
                }
                continue
            }
            // Lost: take the same slot back (never another: the owner name is fixed for the process's life).
            do {
                if let regained = try await Self.lock(identity.slot, configuration: configuration, settings, closed) {
                    connection.withLock { $0 = regained }
                    held.store(true, ordering: .releasing)
                    failures = 0
                    logger.notice("outbound lease slot taken back", metadata: ["owner": "\(identity.owner)"])
                    eventInput.yield(.regained)
                    continue
                }
            } catch {
                logger.debug("outbound lease slot still unreachable", metadata: ["error": "\(error)"])
            }
            failures += 1
            let delay = TenantSender.claimBackoff(failures: failures, maximum: settings.maximumRetryDelay)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
        }
        let last = connection.withLock { current in
            defer { current = nil }
            return current
        }
        held.store(false, ordering: .releasing)
        await last?.close()
        eventInput.finish()
    }

    private func lose(_ current: PGConnection, _ error: any Error) async {
        held.store(false, ordering: .releasing)
        connection.withLock { $0 = nil }
        await current.close()
        logger.error(
            "outbound lease slot lost: this process stops its sends until it holds the slot again",
            metadata: ["owner": "\(identity.owner)", "error": "\(error)"])
        eventInput.yield(.lost)
    }
}
