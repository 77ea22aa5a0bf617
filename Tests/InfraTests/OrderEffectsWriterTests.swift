import Actors
import Foundation
import Testing

@testable import Infra

/// A step's order effects go as one pipeline and read back as they would have one statement at a time.
@Suite(.timeLimit(.minutes(2))) struct OrderEffectsWriterTests {
    private struct Fixture {
        let restaurant: String
        let conversation: String
        let menuItem: String
        let key: ConversationKey

        func step(_ effects: [OrderEffect]) -> BotStep {
            BotStep(
                key: key, conversationId: conversation, expectedVersion: 0, state: .mainMenu, language: .en,
                effects: effects, replies: [], handledMessageId: nil)
        }
    }

    private static func fixture(_ client: PGPool) async throws -> Fixture {
        let restaurant = try await PostgresTestSupport.migratedRestaurant(client)
        let conversation = try await client.query(
            "INSERT INTO conversations (restaurant_id, customer) VALUES (\(restaurant)::uuid, 'whatsapp:+1') RETURNING id"
        ).single().decodeID("id")
        let menuItem = try await client.query(
            """
            INSERT INTO menu_items (restaurant_id, position, name_ar, name_en, price)
            VALUES (\(restaurant)::uuid, 0, 'فلافل', 'Falafel', 1250) RETURNING id
            """
        ).single().decodeID("id")
        return Fixture(
            restaurant: restaurant, conversation: conversation, menuItem: menuItem,
            key: ConversationKey(restaurantId: restaurant, customer: "whatsapp:+1"))
    }

    private static func apply(
        _ step: BotStep, orderNumber: Int? = nil, _ client: PGPool
    ) async throws
        -> OrderEffectsWriter.Outcome
    {
        try await client.withTransaction { connection in
            try await OrderEffectsWriter(step: step, orderNumber: orderNumber).apply(on: connection)
        }
    }

    @Test func aWholeOrderInOneStepIsCreatedFilledAndConfirmed() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            try await PostgresTestSupport.withClient(configuration) { client in
                let fixture = try await Self.fixture(client)
                let lines = [
                    OrderLine(
                        menuItemId: fixture.menuItem, name: "Falafel", quantity: 2, unitPrice: 1250, lineTotal: 2500),
                    OrderLine(
                        menuItemId: fixture.menuItem, name: "Falafel \"x\"", quantity: 1, unitPrice: 1250,
                        lineTotal: 1250),
                ]
                let writer = try OrderEffectsWriter(
                    step: fixture.step([.createDraft(.pickup), .setLines(lines), .confirm]), orderNumber: 7)
                #expect(writer.queries.count == 6, "cancel, insert, delete lines, insert lines, total, confirm")
                let outcome = try await Self.apply(writer.step, orderNumber: 7, client)

                #expect(outcome.confirmedNumber == 7)
                #expect(outcome.touched.count == 1)
                let order = try #require(outcome.touched.first)
                #expect(order.status == .confirmed && order.number == 7 && order.total == 3750 && order.type == .pickup)
                let stored = try await client.query(
                    "SELECT name, quantity, line_total FROM order_items WHERE order_id = \(order.id)::uuid ORDER BY position"
                )
                #expect(try stored.map { try $0.decode("name", as: String.self) } == ["Falafel", "Falafel \"x\""])
                #expect(try stored.map { try $0.decode("line_total", as: Int.self) } == [2500, 1250])
            }
        }
    }

    @Test func effectsOnADraftThatIsNotThereChangeNothing() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            try await PostgresTestSupport.withClient(configuration) { client in
                let fixture = try await Self.fixture(client)
                let lines = [
                    OrderLine(
                        menuItemId: fixture.menuItem, name: "Falafel", quantity: 1, unitPrice: 1250, lineTotal: 1250)
                ]
                let outcome = try await Self.apply(
                    fixture.step([
                        .setLines(lines), .setLocation(Location(latitude: 1, longitude: 2, address: nil)), .confirm,
                        .cancelDraft,
                    ]), orderNumber: 3, client)
                #expect(outcome.touched.isEmpty && outcome.confirmedNumber == nil)
                #expect(
                    try await client.query("SELECT count(*) AS n FROM order_items").single().decode("n", as: Int.self)
                        == 0)
            }
        }
    }

    @Test func aNewDraftCancelsTheOldOneAndLaterEffectsReachTheNewOne() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            try await PostgresTestSupport.withClient(configuration) { client in
                let fixture = try await Self.fixture(client)
                let first = try #require(
                    try await Self.apply(fixture.step([.createDraft(.delivery)]), client).touched.first)
                let outcome = try await Self.apply(
                    fixture.step([
                        .createDraft(.pickup), .setLocation(Location(latitude: nil, longitude: nil, address: "Gate 3")),
                    ]),
                    client)
                let second = try #require(outcome.touched.first)
                #expect(second.id != first.id && second.status == .draft && second.type == .pickup)
                let statuses = try await client.query(
                    "SELECT id::text AS id, status, location->>'address' AS address FROM orders ORDER BY created_at")
                #expect(try statuses.map { try $0.decode("status", as: String.self) } == ["CANCELLED", "DRAFT"])
                #expect(try statuses.map { try $0.decode("address", as: String?.self) } == [nil, "Gate 3"])
            }
        }
    }

    @Test func aStaffMoveFromAStatusTheOrderLeftAborts() async throws {
        try await PostgresTestSupport.withDatabase { configuration in
            try await PostgresTestSupport.withClient(configuration) { client in
                let fixture = try await Self.fixture(client)
                let draft = try #require(
                    try await Self.apply(fixture.step([.createDraft(.pickup)]), client).touched.first)
                await #expect(throws: BotStepWriter.Abort.self) {
                    _ = try await Self.apply(
                        fixture.step([.transition(orderId: draft.id, from: .confirmed, to: .preparing)]), client)
                }
                #expect(
                    try await client.query("SELECT status FROM orders").single().decode("status", as: String.self)
                        == "DRAFT")
            }
        }
    }
}
