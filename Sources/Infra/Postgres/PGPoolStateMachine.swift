import DequeModule

/// The pool's decisions, as a pure value: events go in, the side effects to perform come out.
///
/// It knows connections and waiters only by number; the shell (``PGPool``) owns the real connections
/// and continuations, performs the returned ``Actions`` outside its lock, and reports what happened back.
/// Tested as a value, without concurrency (postgres-nio's pool style).
struct PGPoolStateMachine: Sendable {
    typealias ConnectionID = Int
    typealias WaiterID = Int

    struct Configuration: Sendable {
        var minimumConnections: Int
        var maximumConnections: Int
        var maximumWaiters: Int
        var initialBackoff: Duration
        var maximumBackoff: Duration
    }

    /// Why a waiter is turned away.
    enum Failure: Sendable, Hashable {
        case shutDown
        case timedOut(running: Bool)
        case tooManyWaiters
        /// The server is unreachable and nothing is connected: fail fast instead of queueing (circuit open).
        case unavailable
        case cancelled
    }

    /// Side effects, performed by the shell in this order: failures, leases, closes, connects, timers.
    struct Actions: Sendable, Equatable {
        var lease: [(waiter: WaiterID, connection: ConnectionID)] = []
        var fail: [(waiter: WaiterID, failure: Failure)] = []
        var connect: [ConnectionID] = []
        var close: [ConnectionID] = []
        /// Start the acquire timeout for this waiter.
        var startTimeout: WaiterID?
        /// Try connecting again after this delay, then report ``backoffElapsed()``.
        var backoff: Duration?
        /// The pool has shut down and holds nothing: `run()` may return.
        var finished = false

        static func == (lhs: Actions, rhs: Actions) -> Bool {
            lhs.lease.map { [$0.waiter, $0.connection] } == rhs.lease.map { [$0.waiter, $0.connection] }
                && lhs.fail.map(\.waiter) == rhs.fail.map(\.waiter)
                && lhs.fail.map(\.failure) == rhs.fail.map(\.failure)
                && lhs.connect == rhs.connect && lhs.close == rhs.close && lhs.startTimeout == rhs.startTimeout
                && lhs.backoff == rhs.backoff && lhs.finished == rhs.finished
        }
    }

    enum Lifecycle: Sendable, Equatable {
        case notStarted
        case running
        case shuttingDown
    }

    enum Slot: Sendable, Equatable {
        case connecting
        case idle
        case leased
    }

    let configuration: Configuration
    private(set) var lifecycle = Lifecycle.notStarted
    private(set) var slots: [ConnectionID: Slot] = [:]
    /// Idle connections, most recently used last (leased LIFO, so surplus ones stay idle).
    private(set) var idle: [ConnectionID] = []
    private(set) var waiters: Deque<WaiterID> = []
    /// Connection attempts that failed in a row; 0 once one succeeds.
    private(set) var consecutiveFailures = 0
    private(set) var backoffPending = false
    private var nextConnectionID = 0

    init(configuration: Configuration) {
        self.configuration = configuration
    }

    var connectingCount: Int { slots.values.count { $0 == .connecting } }

    // MARK: Events

    /// `run()` started: open the minimum number of connections (and enough for early waiters).
    mutating func start() -> Actions {
        guard lifecycle == .notStarted else { return Actions() }
        lifecycle = .running
        var actions = Actions()
        replenish(&actions)
        return actions
    }

    /// A caller wants a connection.
    mutating func leaseRequested(_ waiter: WaiterID) -> Actions {
        var actions = Actions()
        switch lifecycle {
        case .shuttingDown:
            actions.fail.append((waiter, .shutDown))
            return actions
        case .notStarted, .running:
            break
        }
        if let connection = idle.popLast() {
            slots[connection] = .leased
            actions.lease.append((waiter, connection))
            return actions
        }
        if circuitOpen {
            actions.fail.append((waiter, .unavailable))
            return actions
        }
        guard waiters.count < configuration.maximumWaiters else {
            actions.fail.append((waiter, .tooManyWaiters))
            return actions
        }
        waiters.append(waiter)
        actions.startTimeout = waiter
        replenish(&actions)
        return actions
    }

    /// A waiter's acquire timeout fired (a no-op if it was served meanwhile).
    mutating func waiterTimedOut(_ waiter: WaiterID) -> Actions {
        var actions = Actions()
        if removeWaiter(waiter) { actions.fail.append((waiter, .timedOut(running: lifecycle == .running))) }
        return actions
    }

    /// A waiter's task was cancelled (a no-op if it was served meanwhile).
    mutating func waiterCancelled(_ waiter: WaiterID) -> Actions {
        var actions = Actions()
        if removeWaiter(waiter) { actions.fail.append((waiter, .cancelled)) }
        return actions
    }

    /// A connection attempt succeeded.
    mutating func connectionEstablished(_ connection: ConnectionID) -> Actions {
        var actions = Actions()
        guard slots[connection] == .connecting else { return actions }
        consecutiveFailures = 0
        if lifecycle == .shuttingDown {
            slots[connection] = nil
            actions.close.append(connection)
            finishIfDone(&actions)
            return actions
        }
        hand(connection, &actions)
        replenish(&actions)
        return actions
    }

    /// A connection attempt failed: back off; when nothing at all is connected, fail every waiter at once.
    mutating func connectionFailed(_ connection: ConnectionID) -> Actions {
        var actions = Actions()
        guard slots.removeValue(forKey: connection) == .connecting else { return actions }
        consecutiveFailures += 1
        if lifecycle == .shuttingDown {
            finishIfDone(&actions)
            return actions
        }
        if slots.isEmpty {
            while let waiter = waiters.popFirst() { actions.fail.append((waiter, .unavailable)) }
        }
        if !backoffPending {
            backoffPending = true
            actions.backoff = backoffDelay
        }
        return actions
    }

    /// The backoff delay passed: try again (one connection at a time while failures continue).
    mutating func backoffElapsed() -> Actions {
        var actions = Actions()
        backoffPending = false
        guard lifecycle == .running else { return actions }
        replenish(&actions)
        // After a failure streak, probe with one attempt even if nobody waits, so the circuit can close.
        if actions.connect.isEmpty && consecutiveFailures > 0 && connectingCount == 0 && slots.isEmpty {
            actions.connect.append(newConnection())
        }
        return actions
    }

    /// A caller gave a connection back; `reusable` is false when it broke or was left inside a transaction.
    mutating func connectionReleased(_ connection: ConnectionID, reusable: Bool) -> Actions {
        var actions = Actions()
        guard slots[connection] == .leased else { return actions }
        if !reusable || lifecycle == .shuttingDown {
            slots[connection] = nil
            actions.close.append(connection)
            if lifecycle == .shuttingDown {
                finishIfDone(&actions)
            } else {
                replenish(&actions)
            }
            return actions
        }
        hand(connection, &actions)
        return actions
    }

    /// An idle connection broke by itself (server restart, `pg_terminate_backend`, network). Leased ones are
    /// reported on release instead.
    mutating func connectionClosed(_ connection: ConnectionID) -> Actions {
        var actions = Actions()
        guard slots[connection] == .idle else { return actions }
        slots[connection] = nil
        idle.removeAll { $0 == connection }
        if lifecycle == .shuttingDown {
            finishIfDone(&actions)
        } else {
            replenish(&actions)
        }
        return actions
    }

    /// Graceful shutdown: turn waiters away, close idle connections, close leased ones as they come back.
    mutating func shutdown() -> Actions {
        var actions = Actions()
        guard lifecycle != .shuttingDown else { return actions }
        lifecycle = .shuttingDown
        while let waiter = waiters.popFirst() { actions.fail.append((waiter, .shutDown)) }
        for connection in idle {
            slots[connection] = nil
            actions.close.append(connection)
        }
        idle = []
        finishIfDone(&actions)
        return actions
    }

    // MARK: Helpers

    /// Open while the server is failing and the pool holds no connection: callers fail fast.
    var circuitOpen: Bool { consecutiveFailures > 0 && slots.isEmpty && backoffPending }

    var backoffDelay: Duration {
        var delay = configuration.initialBackoff
        for _ in 1..<max(1, consecutiveFailures) where delay < configuration.maximumBackoff {
            delay *= 2
        }
        return min(delay, configuration.maximumBackoff)
    }

    private mutating func hand(_ connection: ConnectionID, _ actions: inout Actions) {
        if let waiter = waiters.popFirst() {
            slots[connection] = .leased
            actions.lease.append((waiter, connection))
        } else {
            slots[connection] = .idle
            idle.append(connection)
        }
    }

    /// Opens connections for waiters and up to the minimum, never past the maximum, and only one at a time
    /// while connecting keeps failing.
    private mutating func replenish(_ actions: inout Actions) {
        guard lifecycle == .running, !backoffPending else { return }
        let connecting = connectingCount
        var wanted = max(configuration.minimumConnections - slots.count, waiters.count - connecting)
        wanted = min(wanted, configuration.maximumConnections - slots.count)
        if consecutiveFailures > 0 { wanted = min(wanted, 1 - connecting) }
        for _ in 0..<max(0, wanted) { actions.connect.append(newConnection()) }
    }

    private mutating func newConnection() -> ConnectionID {
        nextConnectionID += 1
        slots[nextConnectionID] = .connecting
        return nextConnectionID
    }

    private mutating func removeWaiter(_ waiter: WaiterID) -> Bool {
        guard let index = waiters.firstIndex(of: waiter) else { return false }
        waiters.remove(at: index)
        return true
    }

    private func finishIfDone(_ actions: inout Actions) {
        if lifecycle == .shuttingDown && slots.isEmpty { actions.finished = true }
    }
}
