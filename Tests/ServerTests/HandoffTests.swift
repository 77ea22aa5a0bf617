import Actors
import Foundation
import HummingbirdTesting
import HummingbirdWSTesting
import Infra
import SufraTestSupport
import Testing

@testable import Server

/// Handing a conversation to a person (docs/dashboard.md): "talk to us" asks for one, staff take over and give
/// back, the bot stays silent meanwhile, and an idle hand-off returns to the bot by itself.
@Suite(.serialized) struct HandoffTests {
    static func conversation(
        _ client: some TestClientProtocol, token: String, customer: String
    ) async throws -> [String: Any] {
        let list = try await client.api(.get, "/api/conversations", token: token)
        guard let found = list.items.first(where: { $0["customer"] as? String == customer }) else {
            throw TestFailure("no conversation of \(customer)")
        }
        return found
    }

    @Test func talkToUsAsksForAPersonAndTheDashboardHearsIt() async throws {
        try await SufraTestApp.run { app, client, sufra in
            let restaurant = try await client.createRestaurant()
            let token = try await StaffAuth.token(restaurant.id)
            let customer = "whatsapp:+966570000001"
            try await BotConversationTests.converse(app, client, restaurant, customer: customer, [("hello", [])])
            let before = try await Self.conversation(client, token: token, customer: customer)
            #expect(before["mode"] as? String == "bot")
            #expect(before["needsHuman"] as? Bool == false)

            let announced = FrameLog()
            try await client.ws("/ws?token=\(token)") { inbound, _, _ in
                try await eventually("hub subscribed") { sufra.liveHub.isSubscribed(restaurantId: restaurant.id) }
                try await client.sendWebhook(to: restaurant, from: customer, body: "3")
                for try await message in inbound.messages(maxSize: 1 << 16) {
                    guard case .text(let text) = message,
                        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                        object["type"] as? String == "conversation.updated",
                        (object["data"] as? [String: Any])?["needsHuman"] as? Bool == true
                    else { continue }
                    announced.append(text)
                    break
                }
            }
            let frame = try #require(announced.frames.first?.text)
            #expect(frame.contains(customer))
            #expect(frame.contains(#""mode":"bot""#))
            let reply = try #require(try await BotConversationTests.replies(app, customer: customer).last)
            #expect(reply == BotTexts(language: .en).talkToUs(contact: "+966500000000"))
            let after = try await Self.conversation(client, token: token, customer: customer)
            #expect(after["needsHuman"] as? Bool == true)
            #expect(after["mode"] as? String == "bot")
        }
    }

    @Test func inHumanModeTheBotIsSilentAndStaffRepliesGoOut() async throws {
        try await SufraTestApp.run { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let token = try await StaffAuth.token(restaurant.id)
            let customer = "whatsapp:+966570000002"
            try await BotConversationTests.converse(
                app, client, restaurant, customer: customer, [("hello", []), ("3", [])])
            let id = try #require(
                try await Self.conversation(client, token: token, customer: customer)["id"] as? String)

            let taken = try await client.api(.post, "/api/conversations/\(id)/handoff", token: token)
            #expect(taken.status == .ok)
            #expect(taken["mode"] as? String == "human")
            #expect(taken["needsHuman"] as? Bool == false)
            #expect(taken["humanUntil"] as? String != nil)

            let repliesBefore = try await BotConversationTests.replies(app, customer: customer).count
            try await BotConversationTests.converse(
                app, client, restaurant, customer: customer, [("where is my food?", []), ("menu", [])])
            #expect(try await BotConversationTests.replies(app, customer: customer).count == repliesBefore)
            let waiting = try await Self.conversation(client, token: token, customer: customer)
            #expect(waiting["unreadCount"] as? Int ?? 0 >= 2)
            #expect(waiting["mode"] as? String == "human")

            let sent = try await client.api(
                .post, "/api/conversations/\(id)/messages", token: token, json: #"{"body":"On its way, 5 minutes"}"#)
            #expect(sent.status == .accepted)
            #expect(try await BotConversationTests.replies(app, customer: customer).last == "On its way, 5 minutes")

            let released = try await client.api(.post, "/api/conversations/\(id)/release", token: token)
            #expect(released["mode"] as? String == "bot")
            #expect(released["humanUntil"] is NSNull)
            try await BotConversationTests.converse(app, client, restaurant, customer: customer, [("thanks", [])])
            let welcome = try #require(try await BotConversationTests.replies(app, customer: customer).last)
            #expect(welcome == BotTexts(language: .en).welcome(restaurant: "مطعم الاختبار"), "\(welcome)")
        }
    }

    @Test func orderNoticesStillGoOutInHumanMode() async throws {
        try await SufraTestApp.run { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let token = try await StaffAuth.token(restaurant.id)
            let customer = "whatsapp:+966570000003"
            try await BotConversationTests.converse(
                app, client, restaurant, customer: customer,
                [("hello", []), ("1", []), ("pickup", []), ("1", []), ("done", []), ("confirm", [])])
            let order = try await StaffFixtures.latestOrder(app, customer: customer)
            let id = try #require(
                try await Self.conversation(client, token: token, customer: customer)["id"] as? String)
            #expect(try await client.api(.post, "/api/conversations/\(id)/handoff", token: token).status == .ok)
            let before = try await BotConversationTests.replies(app, customer: customer).count
            try await StaffOrderFlowTests.move(client, order.id, to: "PREPARING", token: token)
            try await StaffOrderFlowTests.move(client, order.id, to: "DELIVERED", token: token)
            let after = try await BotConversationTests.replies(app, customer: customer)
            #expect(after.count == before + 3, "two notices and the rating question: \(after.suffix(3))")
            // The answer to the bot's own rating question is still recorded.
            try await BotConversationTests.converse(app, client, restaurant, customer: customer, [("5", [])])
            #expect(try await StaffFixtures.latestOrder(app, customer: customer).rating == 5)
        }
    }

    @Test func anIdleHandoffReturnsToTheBotByItself() async throws {
        try await SufraTestApp.run { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let token = try await StaffAuth.token(restaurant.id)
            let customer = "whatsapp:+966570000004"
            try await BotConversationTests.converse(app, client, restaurant, customer: customer, [("hello", [])])
            let id = try #require(
                try await Self.conversation(client, token: token, customer: customer)["id"] as? String)
            #expect(try await client.api(.post, "/api/conversations/\(id)/handoff", token: token).status == .ok)
            // HANDOFF_IDLE_MINUTES counts whole minutes; bring the deadline near instead of waiting for one.
            try await app.database.withClient { db in
                _ = try await db.execute(
                    """
                    UPDATE conversations SET human_until = now() + interval '300 milliseconds', version = version + 1
                    WHERE id = \(id)::uuid
                    """)
            }
            try await eventually("the hand-off runs idle") {
                try await Self.conversation(client, token: token, customer: customer)["mode"] as? String == "bot"
            }
            let before = try await BotConversationTests.replies(app, customer: customer).count
            try await BotConversationTests.converse(app, client, restaurant, customer: customer, [("hi again", [])])
            let replies = try await BotConversationTests.replies(app, customer: customer)
            #expect(replies.count == before + 1)
            #expect(replies.last == BotTexts(language: .en).welcome(restaurant: "مطعم الاختبار"))
        }
    }

    @Test func handoffAndReleaseAreConfinedToTheRestaurant() async throws {
        try await SufraTestApp.run { app, client, _ in
            let a = try await client.createRestaurant(name: "A")
            let b = try await client.createRestaurant(name: "B")
            let customer = "whatsapp:+966570000005"
            try await BotConversationTests.converse(app, client, b, customer: customer, [("hello", [])])
            let tokenA = try await StaffAuth.token(a.id)
            let tokenB = try await StaffAuth.token(b.id)
            let id = try #require(
                try await Self.conversation(client, token: tokenB, customer: customer)["id"] as? String)
            #expect(try await client.api(.post, "/api/conversations/\(id)/handoff", token: tokenA).status == .notFound)
            #expect(try await client.api(.post, "/api/conversations/\(id)/release", token: tokenA).status == .notFound)
            #expect(try await client.api(.post, "/api/conversations/nope/handoff", token: tokenB).status == .notFound)
            #expect(try await Self.conversation(client, token: tokenB, customer: customer)["mode"] as? String == "bot")
        }
    }
}
