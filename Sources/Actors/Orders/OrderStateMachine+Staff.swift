extension OrderStateMachine {
    /// The moves staff may make from `status`: the state machine's moves, except that a `DRAFT` belongs to the
    /// customer still building it (the bot confirms or cancels it) and `RATED` is reached only by the customer's
    /// rating.
    public static func staffMoves(from status: OrderStatus, type: OrderType) -> [OrderStatus] {
        guard status != .draft else { return [] }
        return allowedMoves(from: status, type: type).filter { $0 != .rated }
    }

    /// Moves to `target` if staff may, or throws (with the staff moves as `allowed`) without changing anything.
    public mutating func staffMove(to target: OrderStatus) throws(OrderTransitionError) {
        let allowed = Self.staffMoves(from: status, type: type)
        guard allowed.contains(target) else {
            throw OrderTransitionError(from: status, to: target, type: type, allowed: allowed)
        }
        try move(to: target)
    }
}
