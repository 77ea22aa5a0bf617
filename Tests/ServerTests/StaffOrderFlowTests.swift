import Actors
import Foundation
import HummingbirdTesting
import Infra
import Testing

@testable import Server

/// A customer orders through the bot, staff move the order through the API, the customer rates it.
@Suite(.serialized, .timeLimit(.minutes(3))) struct StaffOrderFlowTests {
    static func move(
        _ client: some TestClientProtocol, _ order: String, to target: String, token: String
    ) async throws {
        let answer = try await client.api(
            .post, "/api/orders/\(order)/transition", token: token, json: #"{"to":"\#(target)"}"#)
        #expect(answer.status == .ok, "transition to \(target)")
        #expect(answer["status"] as? String == target)
    }

    @Test func pickupOrderRatedFiveGetsThanksAndThePromoTemplate() async throws {
        try await SufraTestApp.run { app, client, _ in
            let restaurant = try await client.createRestaurant(extra: ["promoContentSid": #""HXpromo123""#])
            let customer = "whatsapp:+966533333331"
            try await BotConversationTests.converse(
                app, client, restaurant, customer: customer,
                [("مرحبا", []), ("1", []), ("2", []), ("1 x2", []), ("تم", []), ("1", [])])
            let order = try await StaffFixtures.latestOrder(app, customer: customer)
            #expect(order.status == "CONFIRMED")
            let before = try await StaffFixtures.outbound(app, customer: customer).count
            let token = try await StaffAuth.token(restaurant.id)
            try await Self.move(client, order.id, to: "PREPARING", token: token)
            try await Self.move(client, order.id, to: "DELIVERED", token: token)

            let texts = BotTexts(language: .ar)
            let afterMoves = try await StaffFixtures.outbound(app, customer: customer)
            #expect(afterMoves.count == before + 3, "preparing, handed over, rating question: \(afterMoves)")
            #expect(afterMoves.last == texts.ratingQuestion)

            try await BotConversationTests.converse(app, client, restaurant, customer: customer, [("5", [])])
            let rated = try await StaffFixtures.latestOrder(app, customer: customer)
            #expect(rated.status == "RATED")
            #expect(rated.rating == 5)
            let all = try await StaffFixtures.outbound(app, customer: customer)
            #expect(Array(all.suffix(2)) == [texts.ratingThanks, "HXpromo123"])
            let template = try await app.database.withClient { db in
                try await db.query(
                    "SELECT content_variables::text AS v FROM messages WHERE content_sid = 'HXpromo123'"
                ).single().decode("v", as: String.self)
            }
            #expect(template.contains("مطعم الاختبار"))
        }
    }

    @Test func deliveryOrderRatedTwoGetsTheApologyWithSupportContact() async throws {
        try await SufraTestApp.run { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let customer = "whatsapp:+966533333332"
            try await BotConversationTests.converse(
                app, client, restaurant, customer: customer,
                [
                    ("hello", []), ("1", []), ("delivery", []),
                    ("", [("Latitude", "24.7136"), ("Longitude", "46.6753"), ("Address", "Riyadh")]),
                    ("2*3", []), ("done", []), ("confirm", []),
                ])
            let order = try await StaffFixtures.latestOrder(app, customer: customer)
            let token = try await StaffAuth.token(restaurant.id)
            try await Self.move(client, order.id, to: "PREPARING", token: token)
            try await Self.move(client, order.id, to: "OUT_FOR_DELIVERY", token: token)
            try await Self.move(client, order.id, to: "DELIVERED", token: token)
            let got = try await client.api(.get, "/api/orders/\(order.id)", token: token)
            #expect(got["status"] as? String == "DELIVERED")
            #expect((got["items"] as? [[String: Any]])?.first?["quantity"] as? Int == 3)
            #expect((got["location"] as? [String: Any])?["address"] as? String == "Riyadh")

            try await BotConversationTests.converse(app, client, restaurant, customer: customer, [("2", [])])
            let rated = try await StaffFixtures.latestOrder(app, customer: customer)
            #expect(rated.status == "RATED")
            #expect(rated.rating == 2)
            let last = try await StaffFixtures.outbound(app, customer: customer).last ?? ""
            #expect(last == BotTexts(language: .en).ratingApology(contact: "+966500000000"))
            #expect(last.contains("+966500000000"))

            let analytics = try await client.api(.get, "/api/analytics", token: token)
            #expect(analytics.status == .ok)
            #expect(analytics["orders"] as? Int == 1)
            #expect(analytics["revenue"] as? Int == 2400)
            #expect(analytics["averageRating"] as? Double == 2)
            #expect((analytics["medianResponseMs"] as? Int).map { $0 >= 0 } == true)
            #expect((analytics["byStatus"] as? [String: Int]) == ["RATED": 1])
        }
    }
}
