import Synchronization

/// Collects every customer's measurements, by group (`all`, or `quiet`/`noisy` in the noisy-tenant scenario).
/// Customers record one ``LoadSample`` per attempt; the lock covers a few counter updates and two histogram
/// records (and, when a timeline is kept, one bucket update).
final class LoadRecorder: Sendable {
    private let groups = Mutex<[String: LoadStats]>([:])
    private let timeline: Mutex<ChaosTimeline>?

    /// A recorder; with `timelineStart`, it also keeps attempts by the second they were sent (the chaos runs).
    init(timelineStart: ContinuousClock.Instant? = nil) {
        timeline = timelineStart.map { Mutex(ChaosTimeline(start: $0)) }
    }

    /// Records `sample` into `group`.
    func record(_ sample: LoadSample, into group: String) {
        groups.withLock { $0[group, default: LoadStats()].add(sample) }
        timeline?.withLock { $0.add(sample) }
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

    /// The attempts by second, when kept.
    var timelineSnapshot: ChaosTimeline? { timeline?.withLock { $0 } }
}
