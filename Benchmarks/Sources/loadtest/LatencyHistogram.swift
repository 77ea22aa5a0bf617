import Histogram

/// Latencies in microseconds, in an HDR histogram (1 µs … 120 s, three significant digits).
struct LatencyHistogram: Sendable {
    private var histogram = Histogram<UInt64>(
        lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)

    /// Values recorded.
    var count: UInt64 { histogram.totalCount }

    /// Records `duration` (clamped to the trackable range).
    mutating func record(_ duration: Duration) {
        let micros = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        _ = histogram.record(UInt64(min(max(micros, 1), 120_000_000)))
    }

    /// Adds every value of `other`.
    mutating func add(_ other: LatencyHistogram) {
        histogram.add(other.histogram)
    }

    /// The summary in milliseconds.
    var summary: LatencySummary {
        func ms(_ micros: UInt64) -> Double { (Double(micros) / 1000 * 100).rounded() / 100 }
        guard count > 0 else { return LatencySummary(count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0) }
        return LatencySummary(
            count: Int(count), p50: ms(histogram.valueAtPercentile(50)), p90: ms(histogram.valueAtPercentile(90)),
            p99: ms(histogram.valueAtPercentile(99)), p999: ms(histogram.valueAtPercentile(99.9)),
            max: ms(histogram.max))
    }
}

/// Percentiles of one latency, in milliseconds.
struct LatencySummary: Sendable, Codable, Equatable {
    var count: Int
    var p50: Double
    var p90: Double
    var p99: Double
    var p999: Double
    var max: Double
}
