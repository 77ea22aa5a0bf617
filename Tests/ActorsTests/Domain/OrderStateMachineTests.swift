import Testing

@testable import Actors

@Suite(.timeLimit(.minutes(3))) struct OrderStateMachineTests {
    /// The contract's table, written out independently of the implementation.
    static let legal: Set<String> = [
        "DRAFT>CONFIRMED/delivery", "DRAFT>CONFIRMED/pickup", "DRAFT>CANCELLED/delivery", "DRAFT>CANCELLED/pickup",
        "CONFIRMED>PREPARING/delivery", "CONFIRMED>PREPARING/pickup",
        "CONFIRMED>CANCELLED/delivery", "CONFIRMED>CANCELLED/pickup",
        "PREPARING>OUT_FOR_DELIVERY/delivery", "PREPARING>DELIVERED/pickup",
        "OUT_FOR_DELIVERY>DELIVERED/delivery",
        "DELIVERED>RATED/delivery", "DELIVERED>RATED/pickup",
    ]

    @Test(arguments: OrderType.allCases)
    func everyPairMatchesTheContractTable(type: OrderType) {
        for from in OrderStatus.allCases {
            for to in OrderStatus.allCases {
                let expected = Self.legal.contains("\(from.rawValue)>\(to.rawValue)/\(type.rawValue)")
                #expect(OrderStateMachine.canMove(from: from, to: to, type: type) == expected, "\(from)→\(to) \(type)")
                var machine = OrderStateMachine(status: from, type: type)
                do {
                    try machine.move(to: to)
                    #expect(expected, "\(from)→\(to) \(type) should be illegal")
                    #expect(machine.status == to)
                } catch {
                    #expect(!expected, "\(from)→\(to) \(type) should be legal")
                    #expect(machine.status == from)
                    #expect(error.from == from && error.to == to && error.type == type)
                    #expect(error.allowed == OrderStateMachine.allowedMoves(from: from, type: type))
                    #expect(
                        Set(error.allowed).isSubset(
                            of: OrderStatus.allCases.filter { candidate in
                                Self.legal.contains("\(from.rawValue)>\(candidate.rawValue)/\(type.rawValue)")
                            }))
                }
            }
        }
    }

    @Test func allowedMovesListsExactlyTheLegalTargets() {
        for type in OrderType.allCases {
            for from in OrderStatus.allCases {
                let expected = OrderStatus.allCases.filter {
                    Self.legal.contains("\(from.rawValue)>\($0.rawValue)/\(type.rawValue)")
                }
                #expect(Set(OrderStateMachine.allowedMoves(from: from, type: type)) == Set(expected))
            }
        }
    }

    @Test func rawValuesAreTheContractNames() {
        #expect(
            OrderStatus.allCases.map(\.rawValue) == [
                "DRAFT", "CONFIRMED", "PREPARING", "OUT_FOR_DELIVERY", "DELIVERED", "RATED", "CANCELLED",
            ])
        #expect(OrderType.allCases.map(\.rawValue) == ["delivery", "pickup"])
    }

    @Test func fullDeliveryAndPickupLives() throws {
        var delivery = OrderStateMachine(type: .delivery)
        for next in [OrderStatus.confirmed, .preparing, .outForDelivery, .delivered, .rated] {
            try delivery.move(to: next)
        }
        #expect(delivery.status == .rated && delivery.allowedMoves.isEmpty)
        var pickup = OrderStateMachine(type: .pickup)
        for next in [OrderStatus.confirmed, .preparing, .delivered, .rated] { try pickup.move(to: next) }
        #expect(pickup.status == .rated)
    }

    @Test func illegalMoveDescribesAllowedMoves() {
        var pickup = OrderStateMachine(status: .preparing, type: .pickup)
        #expect(throws: OrderTransitionError.self) { try pickup.move(to: .outForDelivery) }
        let error = OrderTransitionError(from: .preparing, to: .outForDelivery, type: .pickup, allowed: [.delivered])
        #expect(error.description.contains("DELIVERED"))
    }
}
