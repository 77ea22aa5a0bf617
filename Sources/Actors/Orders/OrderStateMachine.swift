/// The order life cycle as a pure value: an exhaustive transition table over (status, type).
///
/// ```
/// DRAFT ─▶ CONFIRMED ─▶ PREPARING ─▶ OUT_FOR_DELIVERY ─▶ DELIVERED ─▶ RATED      (delivery)
///                                 └────────────────────▶ DELIVERED               (pickup: handed over)
/// DRAFT, CONFIRMED ─▶ CANCELLED
/// ```
/// Anything else is illegal; the error carries the allowed moves (the API answers 409 with them).
public struct OrderStateMachine: Sendable, Hashable {
    /// The order's current status.
    public private(set) var status: OrderStatus
    /// Delivery or pickup (decides what follows `PREPARING`).
    public let type: OrderType

    /// Starts from `status` (usually loaded from the database).
    public init(status: OrderStatus = .draft, type: OrderType) {
        self.status = status
        self.type = type
    }

    /// The statuses an order of `type` may move to from `status`, in a stable order.
    public static func allowedMoves(from status: OrderStatus, type: OrderType) -> [OrderStatus] {
        switch (status, type) {
        case (.draft, _): [.confirmed, .cancelled]
        case (.confirmed, _): [.preparing, .cancelled]
        case (.preparing, .delivery): [.outForDelivery]
        case (.preparing, .pickup): [.delivered]
        case (.outForDelivery, .delivery): [.delivered]
        case (.outForDelivery, .pickup): []
        case (.delivered, _): [.rated]
        case (.rated, _), (.cancelled, _): []
        }
    }

    /// Whether `from → to` is legal for an order of `type`.
    public static func canMove(from: OrderStatus, to: OrderStatus, type: OrderType) -> Bool {
        allowedMoves(from: from, type: type).contains(to)
    }

    /// The moves allowed from the current status.
    public var allowedMoves: [OrderStatus] { Self.allowedMoves(from: status, type: type) }

    /// Moves to `target`, or throws without changing anything when the move is illegal.
    public mutating func move(to target: OrderStatus) throws(OrderTransitionError) {
        guard Self.canMove(from: status, to: target, type: type) else {
            throw OrderTransitionError(from: status, to: target, type: type, allowed: allowedMoves)
        }
        status = target
    }
}
