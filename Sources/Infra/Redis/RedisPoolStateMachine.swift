import DequeModule

/// The decisions of ``RedisClient``'s pool, as a value: which connection serves a caller, who waits, who fails.
/// The shell performs the side effects (connecting, resuming continuations) outside the lock.
///
/// Redis connections are multiplexed, not leased: a ready connection serves any number of callers at once (their
/// commands are pipelined), so the pool hands out ready connections round-robin and only makes callers wait
/// while no connection is ready. When a connect attempt fails and nothing is ready, the circuit opens: waiters
/// and new callers fail fast with the connect error until some slot connects again (the slots keep retrying
/// with backoff, which is the half-open probe).
struct RedisPoolStateMachine<Connection, Waiter> {
    enum Slot {
        case down
        case ready(Connection)
    }

    enum AcquireAction {
        /// Use this connection now.
        case use(Connection)
        /// The caller was queued; it is resumed by a later event.
        case queued
        /// Fail the caller now.
        case fail(RedisError)
    }

    enum ConnectedAction {
        /// Keep the connection; resume these waiters with it.
        case keep(resume: [Waiter])
        /// The pool shut down meanwhile: close the connection.
        case close
    }

    private(set) var slots: [Slot]
    private var waiters: Deque<(id: Int, waiter: Waiter)> = []
    private var nextSlot = 0
    private(set) var openCircuit: RedisError?
    private(set) var isShutdown = false
    let maximumWaiters: Int

    init(slotCount: Int, maximumWaiters: Int) {
        self.slots = Array(repeating: .down, count: max(1, slotCount))
        self.maximumWaiters = maximumWaiters
    }

    /// The next ready connection (round-robin), without queuing.
    mutating func readyConnection() -> Connection? {
        guard !isShutdown else { return nil }
        for offset in 0..<slots.count {
            let index = (nextSlot + offset) % slots.count
            if case .ready(let connection) = slots[index] {
                nextSlot = (index + 1) % slots.count
                return connection
            }
        }
        return nil
    }

    /// A caller wants a connection.
    mutating func acquire(id: Int, waiter: Waiter) -> AcquireAction {
        if isShutdown { return .fail(.shutdown) }
        if let connection = readyConnection() { return .use(connection) }
        if let openCircuit { return .fail(openCircuit) }
        if waiters.count >= maximumWaiters {
            return .fail(RedisError.connection("no Redis connection ready and \(maximumWaiters) callers waiting"))
        }
        waiters.append((id, waiter))
        return .queued
    }

    /// A waiting caller gave up (cancelled); returns its waiter if it was still queued.
    mutating func cancel(id: Int) -> Waiter? {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
        return waiters.remove(at: index).waiter
    }

    /// Slot `slot` connected.
    mutating func connected(slot: Int, _ connection: Connection) -> ConnectedAction {
        if isShutdown { return .close }
        slots[slot] = .ready(connection)
        openCircuit = nil
        let resumed = waiters.map(\.waiter)
        waiters.removeAll()
        return .keep(resume: resumed)
    }

    /// Slot `slot` lost its connection; it reconnects next.
    mutating func disconnected(slot: Int) {
        slots[slot] = .down
    }

    /// A connect attempt of slot `slot` failed; returns the waiters to fail (all of them when nothing is ready).
    mutating func connectFailed(slot: Int, _ error: RedisError) -> [Waiter] {
        slots[slot] = .down
        guard !slots.contains(where: { if case .ready = $0 { true } else { false } }) else { return [] }
        openCircuit = error
        let failed = waiters.map(\.waiter)
        waiters.removeAll()
        return failed
    }

    /// The pool shuts down: returns the waiters to fail and the connections to drain and close.
    mutating func shutdown() -> (waiters: [Waiter], connections: [Connection]) {
        isShutdown = true
        let failed = waiters.map(\.waiter)
        waiters.removeAll()
        var connections: [Connection] = []
        for index in slots.indices {
            if case .ready(let connection) = slots[index] { connections.append(connection) }
            slots[index] = .down
        }
        return (failed, connections)
    }
}

extension RedisPoolStateMachine: Sendable where Connection: Sendable, Waiter: Sendable {}
extension RedisPoolStateMachine.Slot: Sendable where Connection: Sendable {}
