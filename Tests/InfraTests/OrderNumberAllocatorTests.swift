import Foundation
import Testing

@testable import Infra

@Suite(.timeLimit(.minutes(3))) struct OrderNumberAllocatorTests {
    @Test func concurrentConfirmationsGetDistinctConsecutiveNumbersPerRestaurant() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            try await PostgresTestSupport.withClient(configuration) { client in
                try await Migrator().migrate(client)
                var restaurants: [String] = []
                for index in 0..<2 {
                    let row = try await client.query(
                        """
                        INSERT INTO restaurants (name, whatsapp_from, twilio_account_sid, twilio_auth_token_enc)
                        VALUES (\("R\(index)"), \("whatsapp:+100\(index)"), \("AC\(index)"), \("k1:x"))
                        RETURNING id
                        """
                    ).single()
                    restaurants.append(try row.decode("id", as: UUID.self).uuidString.lowercased())
                }
                let allocator = OrderNumberAllocator(client: client)
                let numbers = try await withThrowingTaskGroup(of: (String, Int).self) { group in
                    for index in 0..<60 {
                        let restaurant = restaurants[index % 2]
                        group.addTask { (restaurant, try await allocator.next(restaurantId: restaurant)) }
                    }
                    return try await group.reduce(into: [String: [Int]]()) { $0[$1.0, default: []].append($1.1) }
                }
                for restaurant in restaurants {
                    #expect(numbers[restaurant]?.sorted() == Array(1...30))
                }
                let stored = try await client.query(
                    "SELECT next_order_number AS n FROM restaurants WHERE id = \(restaurants[0])::uuid"
                ).single()
                #expect(try stored.decode("n", as: Int.self) == 31)
            }
        }
    }
}
