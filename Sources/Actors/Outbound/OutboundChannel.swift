import Runtime
import Synchronization

/// A restaurant's bounded outbound channel: the replies this process's group commit wrote **born claimed** (rows
/// already `sending` under this process's lease) wait here for the restaurant's send loop, which takes them
/// without a claim query (docs/outbound.md, "Born claimed").
///
/// Room is reserved *before* the transaction that writes the rows (``reserve(_:)``, never waits): a reservation
/// refused (channel full, or closed because its loop retired or the process shuts down) makes the writer queue
/// the replies in the database instead, for the claim loop. After the commit the writer hands over the rows it
/// wrote born claimed and gives back the rest of its reservation (``deliver(_:reserved:)``); after a failed
/// transaction it gives back all of it (``release(_:)``). So the channel never holds more than `capacity` jobs,
/// and a job is never in it unless its row is committed under this process's lease.
///
/// Not an `AsyncChannel` (swift-async-algorithms): that channel is a rendezvous whose `send` suspends until a
/// consumer takes the element, while the writer must know before it commits, without waiting, whether the
/// replies will have a place; a reservation on a mutex-guarded buffer is exactly that.
public final class OutboundChannel: Sendable {
    /// A job handed over after its commit, with the instant its lease ends at the latest.
    public struct Entry: Sendable, Hashable {
        /// The job (its row is `sending` under this process's lease).
        public var job: OutboundJob
        /// Taken before the writing transaction started, so never later than the lease's real end.
        public var leaseDeadline: ContinuousClock.Instant

        /// Creates an entry.
        public init(job: OutboundJob, leaseDeadline: ContinuousClock.Instant) {
            self.job = job
            self.leaseDeadline = leaseDeadline
        }
    }

    private struct State {
        var buffered: [Entry] = []
        var reserved = 0
        var closed = false
        var limit = Int.max
    }

    /// Most jobs buffered plus reserved.
    public let capacity: Int
    private let state = Mutex(State())
    private let delivered: WakeSignal

    /// A channel of `capacity` whose deliveries signal `delivered` (the send loop's wake-up).
    public init(capacity: Int, delivered: WakeSignal) {
        self.capacity = max(0, capacity)
        self.delivered = delivered
    }

    /// A channel of `capacity` nobody waits on (a stand-in for a process that never takes its jobs).
    public convenience init(capacity: Int) {
        self.init(capacity: capacity, delivered: WakeSignal())
    }

    /// Reserves room for `count` jobs; false (nothing reserved) when there is not enough or the channel is closed.
    public func reserve(_ count: Int) -> Bool {
        guard count > 0 else { return true }
        return state.withLock { state in
            guard !state.closed, state.buffered.count + state.reserved + count <= min(capacity, state.limit) else {
                return false
            }
            state.reserved += count
            return true
        }
    }

    /// Hands over `entries` (committed born claimed) out of a reservation of `reserved`; the rest is given back.
    public func deliver(_ entries: [Entry], reserved: Int) {
        state.withLock { state in
            state.reserved -= reserved
            state.buffered.append(contentsOf: entries)
        }
        if !entries.isEmpty { delivered.signal() }
    }

    /// Lowers the room to `limit` jobs (at least one) below ``capacity``: the send loop keeps it to what its
    /// restaurant's rate sends well within a lease, so a slow restaurant's replies wait in the queue, not here.
    public func limit(to limit: Int) {
        state.withLock { $0.limit = max(1, limit) }
    }

    /// Gives back a reservation whose transaction did not commit.
    public func release(_ reserved: Int) {
        state.withLock { $0.reserved -= reserved }
    }

    /// Takes up to `limit` jobs in channel order, grouped by conversation: a conversation in `busy` (a send of it
    /// in flight) and every later job of a conversation left behind stay, so each customer's replies go in order.
    public func take(limit: Int, busy: Set<String>) -> [[Entry]] {
        guard limit > 0 else { return [] }
        return state.withLock { state in
            var groups: [[Entry]] = []
            var index: [String: Int] = [:]
            var skipped: Set<String> = busy
            var kept: [Entry] = []
            var taken = 0
            for entry in state.buffered {
                let conversation = entry.job.conversationId
                if taken < limit, !skipped.contains(conversation) {
                    if let position = index[conversation] {
                        groups[position].append(entry)
                    } else {
                        index[conversation] = groups.count
                        groups.append([entry])
                    }
                    taken += 1
                } else {
                    skipped.insert(conversation)
                    kept.append(entry)
                }
            }
            state.buffered = kept
            return groups
        }
    }

    /// Jobs waiting now.
    public var count: Int { state.withLock { $0.buffered.count } }

    /// Closes the channel if nothing waits and nothing is reserved (an idle loop retiring); true when closed.
    public func closeIfIdle() -> Bool {
        state.withLock { state in
            guard state.buffered.isEmpty, state.reserved == 0 else { return false }
            state.closed = true
            return true
        }
    }

    /// Closes the channel and returns what waits in it (a loop ending on shutdown gives those rows back).
    public func close() -> [Entry] {
        state.withLock { state in
            state.closed = true
            defer { state.buffered.removeAll() }
            return state.buffered
        }
    }
}
