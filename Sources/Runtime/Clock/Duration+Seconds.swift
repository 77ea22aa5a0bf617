extension Duration {
    /// The duration as floating-point seconds (attosecond precision folded into a `Double`).
    @inlinable
    public var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }

    /// A duration of `seconds` floating-point seconds, rounded to the nanosecond; negative values become zero.
    @inlinable
    public static func seconds(double seconds: Double) -> Duration {
        guard seconds > 0, seconds.isFinite else { return .zero }
        return .nanoseconds(Int64((seconds * 1e9).rounded(.up)))
    }
}
