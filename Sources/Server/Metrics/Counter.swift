import Synchronization

/// A monotonically increasing Prometheus counter.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)

    /// Adds `amount` (default 1).
    func increment(by amount: Int = 1) {
        value.add(amount, ordering: .relaxed)
    }

    /// The current value.
    var current: Int { value.load(ordering: .relaxed) }
}

/// A counter per label value (for bounded label sets only, e.g. failure reasons).
final class LabeledCounter: Sendable {
    private let values = Mutex<[String: Int]>([:])

    /// Adds one for `label`.
    func increment(_ label: String) {
        values.withLock { $0[label, default: 0] += 1 }
    }

    /// Every label with its value, sorted by label.
    var snapshot: [(label: String, value: Int)] {
        values.withLock { $0.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
    }
}
