import Synchronization

/// Collects every customer's measurements, by group (`all`, or `quiet`/`noisy` in the noisy-tenant scenario).
/// Customers record one ``LoadSample`` per attempt; the lock covers a few counter updates and two histogram
/// records.
final class LoadRecorder: Sendable {
    private let groups = Mutex<[String: LoadStats]>([:])

    /// Records `sample` into `group`.
    func record(_ sample: LoadSample, into group: String) {
        groups.withLock { $0[group, default: LoadStats()].add(sample) }
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
