import Synchronization

/// Collects every customer's measurements, by group (`all`, or `quiet`/`noisy` in the noisy-tenant scenario).
/// Customers record into their own ``LoadStats`` and merge once per step, so the lock is short and rare.
final class LoadRecorder: Sendable {
    private let groups = Mutex<[String: LoadStats]>([:])

    /// Merges `stats` into `group`.
    func merge(_ stats: LoadStats, into group: String) {
        groups.withLock { $0[group, default: LoadStats()].merge(stats) }
    }

    /// Takes the stats gathered so far and starts afresh (the ramp reads one step at a time).
    func drain() -> [String: LoadStats] {
        groups.withLock { groups in
            defer { groups = [:] }
            return groups
        }
    }

    /// The stats gathered so far.
    var snapshot: [String: LoadStats] { groups.withLock { $0 } }
}
