import DequeModule

/// The connections of one origin in ``KeepAliveHTTPClient``, as a value: idle ones to reuse, how many are open or
/// opening, and the requests waiting for one, in arrival order.
struct KeepAlivePool<Connection, Waiter> {
    typealias Lease = KeepAliveLease<Connection>

    /// Connections open or being opened, at most `limit`.
    private(set) var open = 0
    /// Open connections between exchanges, the most recently used last.
    private(set) var idle: [Connection] = []
    private var waiters = Deque<Waiter>()
    let limit: Int

    /// A pool of at most `limit` connections (at least one).
    init(limit: Int) { self.limit = max(1, limit) }

    /// A connection for the next exchange: the most recently used idle one, a new slot, or a place in the queue.
    mutating func acquire(_ waiter: Waiter) -> Lease {
        if let connection = idle.popLast() { return .reuse(connection) }
        if open < limit {
            open += 1
            return .connect
        }
        waiters.append(waiter)
        return .wait
    }

    /// An exchange ended with its connection still good: it goes to the longest waiter, else back to the idle ones.
    mutating func release(_ connection: Connection) -> (Waiter, Lease)? {
        if let waiter = waiters.popFirst() { return (waiter, .reuse(connection)) }
        idle.append(connection)
        return nil
    }

    /// A connection closed (or failed to open: `isIt` matches nothing): its slot frees, it leaves the idle ones,
    /// and the longest waiter may open a new one.
    mutating func closed(where isIt: (Connection) -> Bool) -> (Waiter, Lease)? {
        idle.removeAll(where: isIt)
        open = max(0, open - 1)
        guard let waiter = waiters.popFirst() else { return nil }
        open += 1
        return (waiter, .connect)
    }
}

/// What a request gets from a ``KeepAlivePool`` for its exchange.
enum KeepAliveLease<Connection> {
    /// An idle connection, kept alive since its last answer.
    case reuse(Connection)
    /// A new connection to open: the slot is counted already.
    case connect
    /// Every slot is taken: the waiter is queued and handed a lease when one frees.
    case wait
}
