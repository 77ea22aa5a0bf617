import Logging
import Runtime
import ServiceLifecycle
import Synchronization

/// Announces queued replies after the transaction that queued them has committed: it wakes this process's
/// sender at once and, coalesced, sends `NOTIFY sufra_outbound` (payload: restaurant id) for senders in other
/// processes, as a `Service`.
///
/// Why not `pg_notify` inside the bot step's transaction: PostgreSQL serializes the commits of every transaction
/// that notifies (a database-wide lock held through the WAL flush), so one notification per bot step capped all
/// bot steps at one commit per fsync. Here a notification leaves in its own statement, with no write, so it needs
/// no flush; restaurants queued while one is in flight go out together in the next. The notification is a hint:
/// the dispatcher's poll finds due jobs whatever happens to it.
public final class OutboundNotifier: Service, Sendable {
    private let client: PGPool
    private let localWake: (@Sendable (String) -> Void)?
    private let logger: Logger
    private let pending = Mutex<Set<String>>([])
    private let signal = WakeSignal()

    /// A notifier sending on `client` (a running pool); `localWake`, when this process runs a sender, wakes it
    /// directly.
    public init(client: PGPool, localWake: (@Sendable (String) -> Void)?, logger: Logger) {
        self.client = client
        self.localWake = localWake
        self.logger = logger
    }

    /// Records that `restaurantId` has newly queued messages (call after their transaction committed).
    public func queued(restaurantId: String) {
        localWake?(restaurantId)
        let first = pending.withLock { $0.insert(restaurantId).inserted && $0.count == 1 }
        if first { signal.signal() }
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await cancelWhenGracefulShutdown { await self.signal.wait() }
            await flush()
        }
    }

    /// Sends one statement notifying every pending restaurant.
    private func flush() async {
        let restaurants = pending.withLock { pending -> [String] in
            defer { pending.removeAll(keepingCapacity: true) }
            return Array(pending)
        }
        guard !restaurants.isEmpty else { return }
        do {
            _ = try await client.query(
                """
                SELECT pg_notify(\(OutboundQueue.channel), r)
                FROM unnest(string_to_array(\(restaurants.joined(separator: ",")), ',')) AS r
                """)
        } catch {
            // The dispatchers' poll picks the jobs up; the notification only saves them the wait.
            logger.warning(
                "outbound notification failed", metadata: ["restaurants": "\(restaurants.count)", "error": "\(error)"])
        }
    }
}
