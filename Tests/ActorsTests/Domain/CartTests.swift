import Foundation
import Testing

@testable import Actors

@Suite(.timeLimit(.minutes(3))) struct CartTests {
    @Test func lineTotalsAndTotalAreSums() throws {
        var cart = Cart()
        try cart.add(menuItemId: "a", name: "A", unitPrice: 1250, quantity: 2)
        try cart.add(menuItemId: "b", name: "B", unitPrice: 300, quantity: 1)
        try cart.add(menuItemId: "a", name: "A", unitPrice: 1250, quantity: 1)
        #expect(cart.lines.map(\.quantity) == [3, 1])
        #expect(cart.lines.map(\.lineTotal) == [3750, 300])
        #expect(cart.total == 4050)
        let removed = cart.remove(menuItemId: "a")
        let removedAgain = cart.remove(menuItemId: "a")
        #expect(removed && !removedAgain)
        #expect(cart.total == 300)
    }

    @Test func quantityMustStayWithinOneToNinetyNine() throws {
        var cart = Cart()
        #expect(throws: CartError.quantityOutOfRange) {
            try cart.add(menuItemId: "a", name: "A", unitPrice: 1, quantity: 0)
        }
        #expect(throws: CartError.quantityOutOfRange) {
            try cart.add(menuItemId: "a", name: "A", unitPrice: 1, quantity: 100)
        }
        try cart.add(menuItemId: "a", name: "A", unitPrice: 1, quantity: 99)
        #expect(throws: CartError.quantityOutOfRange) {
            try cart.add(menuItemId: "a", name: "A", unitPrice: 1, quantity: 1)
        }
        #expect(cart.lines.first?.quantity == 99)
    }

    @Test func overflowIsRejectedAndLeavesTheCartUnchanged() throws {
        var cart = Cart()
        try cart.add(menuItemId: "a", name: "A", unitPrice: Int64.max / 2, quantity: 1)
        #expect(throws: CartError.amountTooLarge) {
            try cart.add(menuItemId: "b", name: "B", unitPrice: Int64.max / 2, quantity: 2)
        }
        #expect(throws: CartError.amountTooLarge) {
            try Cart.lineTotal(quantity: 3, unitPrice: Int64.max / 2)
        }
        #expect(cart.lines.count == 1 && cart.total == Int64.max / 2)
    }

    @Test func lineCountIsBounded() throws {
        var cart = Cart()
        for index in 0..<Cart.maxLines { try cart.add(menuItemId: "\(index)", name: "x", unitPrice: 1, quantity: 1) }
        #expect(throws: CartError.tooManyLines) {
            try cart.add(menuItemId: "new", name: "x", unitPrice: 1, quantity: 1)
        }
    }

    @Test func decodingRechecksInvariants() throws {
        let good = #"[{"menuItemId":"a","name":"A","quantity":2,"unitPrice":500,"lineTotal":1000}]"#
        let cart = try JSONDecoder().decode(Cart.self, from: Data(good.utf8))
        #expect(cart.total == 1000)
        let lying = #"[{"menuItemId":"a","name":"A","quantity":2,"unitPrice":500,"lineTotal":1}]"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Cart.self, from: Data(lying.utf8)) }
        let huge = #"[{"menuItemId":"a","name":"A","quantity":500,"unitPrice":1,"lineTotal":500}]"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Cart.self, from: Data(huge.utf8)) }
        let roundTrip = try JSONDecoder().decode(Cart.self, from: JSONEncoder().encode(cart))
        #expect(roundTrip == cart)
    }
}
