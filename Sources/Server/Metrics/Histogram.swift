import Synchronization

/// A Prometheus histogram of durations in seconds, with fixed buckets.
final class Histogram: Sendable {
    /// Upper bounds in seconds, ascending.
    let bounds: [Double]
    private let state: Mutex<State>

    private struct State {
        var counts: [Int]
        var sum: Double = 0
        var count: Int = 0
    }

    /// Buckets from 0.5 ms to 10 s.
    static let latencyBounds: [Double] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    init(bounds: [Double] = Histogram.latencyBounds) {
        self.bounds = bounds
        self.state = Mutex(State(counts: Array(repeating: 0, count: bounds.count)))
    }

    /// Records one duration.
    func observe(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        observe(seconds: Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// Records one value in seconds.
    func observe(seconds: Double) {
        let bucket = bounds.firstIndex { seconds <= $0 }
        state.withLock { state in
            if let bucket { state.counts[bucket] += 1 }
            state.sum += seconds
            state.count += 1
        }
    }

    /// Cumulative bucket counts, the sum and the count.
    var snapshot: (cumulative: [Int], sum: Double, count: Int) {
        state.withLock { state in
            var running = 0
            let cumulative = state.counts.map { count -> Int in
                running += count
                return running
            }
            return (cumulative, state.sum, state.count)
        }
    }
}
