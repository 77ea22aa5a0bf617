/// An illegal order move, with the moves that would have been legal (the 409 body's `allowed`).
public struct OrderTransitionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The status the order is in.
    public let from: OrderStatus
    /// The status that was asked for.
    public let to: OrderStatus
    /// The order's type (pickup orders skip `OUT_FOR_DELIVERY`).
    public let type: OrderType
    /// The legal targets from `from`, possibly empty (final states).
    public let allowed: [OrderStatus]

    /// Creates the error.
    public init(from: OrderStatus, to: OrderStatus, type: OrderType, allowed: [OrderStatus]) {
        self.from = from
        self.to = to
        self.type = type
        self.allowed = allowed
    }

    public var description: String {
        let moves = allowed.isEmpty ? "none" : allowed.map(\.rawValue).joined(separator: ", ")
        return "illegal move \(from.rawValue) → \(to.rawValue) for a \(type.rawValue) order (allowed: \(moves))"
    }
}
