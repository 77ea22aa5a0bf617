import Actors
import Foundation
import HTTPTypes
import HummingbirdTesting
import Infra
import JWTKit
import Testing

@testable import Server

@Suite(.serialized, .timeLimit(.minutes(3))) struct StaffAPITests {
    @Test func forgedExpiredAndOrphanTokensAnswer401() async throws {
        try await SufraTestApp.run { _, client, _ in
            let restaurant = try await client.createRestaurant()
            let id = restaurant.id
            #expect(try await client.api(.get, "/api/conversations", token: StaffAuth.token(id)).status == .ok)

            let valid = try await StaffAuth.token(id)
            let parts = valid.split(separator: ".").map(String.init)
            let noneHeader = Data(#"{"alg":"none","typ":"JWT"}"#.utf8).base64EncodedString()
                .replacingOccurrences(of: "=", with: "")
            let hs512Keys = JWTKeyCollection()
            await hs512Keys.add(hmac: HMACKey(from: StaffAuth.secret + StaffAuth.secret), digestAlgorithm: .sha512)
            let hs512 = try await hs512Keys.sign(
                DashboardClaims(sub: "x", restaurantId: id, role: .admin, exp: Date().addingTimeInterval(600)))
            let attacks: [(String, String?)] = [
                ("alg none", "\(noneHeader).\(parts[1])."),
                ("HS512", hs512),
                ("wrong secret", try await StaffAuth.token(id, secret: "another-secret-0123456789-abcdefghij")),
                ("expired", try await StaffAuth.token(id, exp: -120)),
                ("future nbf", try await StaffAuth.token(id, nbf: 600)),
                ("unknown restaurant", try await StaffAuth.token(UUID().uuidString.lowercased())),
                ("garbage", "not.a.jwt"),
                ("no token", nil),
            ]
            for (name, token) in attacks {
                #expect(
                    try await client.api(.get, "/api/conversations", token: token).status == .unauthorized, "\(name)")
            }

            let deleted = try await client.execute(
                uri: "/admin/restaurants/\(id)", method: .delete,
                headers: [.authorization: "Bearer \(SufraTestApp.adminToken)"])
            #expect(deleted.status == .noContent || deleted.status == .ok)
            #expect(
                try await client.api(.get, "/api/orders", token: valid).status == .unauthorized, "deleted restaurant")
        }
    }

    @Test func staffOfOneRestaurantNeverReachesAnother() async throws {
        try await SufraTestApp.run { app, client, _ in
            let a = try await client.createRestaurant(name: "A")
            let b = try await client.createRestaurant(name: "B")
            try await client.sendWebhook(to: b, from: "whatsapp:+966500000201", body: "مرحبا")
            let (conversation, order) = try await StaffFixtures.confirmedOrder(
                app, restaurant: b, customer: "whatsapp:+966500000201")
            let tokenA = try await StaffAuth.token(a.id, role: .admin)
            let tokenB = try await StaffAuth.token(b.id)

            #expect(
                try await client.api(.get, "/api/conversations/\(conversation)/messages", token: tokenB).status == .ok)
            #expect(
                try await client.api(.get, "/api/conversations/\(conversation)/messages", token: tokenA).status
                    == .notFound)
            #expect(
                try await client.api(.post, "/api/conversations/\(conversation)/read", token: tokenA).status
                    == .notFound)
            #expect(
                try await client.api(
                    .post, "/api/conversations/\(conversation)/messages", token: tokenA, json: #"{"body":"hi"}"#
                ).status == .notFound)
            #expect(try await client.api(.get, "/api/orders/\(order)", token: tokenA).status == .notFound)
            #expect(
                try await client.api(
                    .post, "/api/orders/\(order)/transition", token: tokenA, json: #"{"to":"PREPARING"}"#
                ).status == .notFound)
            #expect(try await client.api(.get, "/api/conversations", token: tokenA).items.isEmpty)
            #expect(try await client.api(.get, "/api/orders", token: tokenA).items.isEmpty)
            #expect(
                try await client.api(.get, "/api/orders/\(order)", token: tokenB)["status"] as? String == "CONFIRMED")

            // The menu: staff may read, only admin may write, and never with another restaurant's item ids.
            let menuB = try await client.api(.get, "/api/menu", token: tokenB)
            #expect(menuB.items.count == 3)
            let foreignId = menuB.items.first?["id"] as? String ?? ""
            let put = #"{"items":[{"id":"\#(foreignId)","name":{"ar":"س","en":"S"},"price":100}]}"#
            #expect(try await client.api(.put, "/api/menu", token: tokenB, json: put).status == .forbidden)
            #expect(try await client.api(.put, "/api/menu", token: tokenA, json: put).status == .badRequest)
            #expect(try await client.api(.get, "/api/menu", token: tokenB).items.count == 3)
        }
    }

    @Test func menuReplacementKeepsIdsAndReachesTheBot() async throws {
        try await SufraTestApp.run { _, client, _ in
            let restaurant = try await client.createRestaurant()
            let admin = try await StaffAuth.token(restaurant.id, role: .admin)
            let before = try await client.api(.get, "/api/menu", token: admin).items
            let keptId = before.first?["id"] as? String ?? ""
            let put = try await client.api(
                .put, "/api/menu", token: admin,
                json: """
                    {"items":[{"id":"\(keptId)","name":{"ar":"شاورما كبيرة","en":"Big shawarma"},"price":2000},
                              {"name":{"ar":"شاي","en":"Tea"},"price":300,"available":false}]}
                    """)
            #expect(put.status == .ok)
            #expect(put.items.count == 2)
            #expect(put.items.first?["id"] as? String == keptId)
            #expect(put.items.first?["price"] as? Int == 2000)
            #expect(put.items.last?["available"] as? Bool == false)
            #expect(put.object.keys.contains("next"))
        }
    }

    @Test func conversationsPageEveryRowExactlyOnceWhileMessagesArrive() async throws {
        try await SufraTestApp.run { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let seeded = try await StaffFixtures.seedConversations(app, restaurant: restaurant, count: 120)
            let token = try await StaffAuth.token(restaurant.id)
            var seen: [String] = []
            var cursor: String?
            var page = 0
            repeat {
                let uri = "/api/conversations?limit=50" + (cursor.map { "&before=\($0)" } ?? "")
                let answer = try await client.api(.get, uri, token: token)
                #expect(answer.status == .ok)
                seen += answer.items.compactMap { $0["id"] as? String }
                cursor = answer.next
                page += 1
                // Between pages: seeded customers not yet listed (and listed ones) write again, new ones arrive.
                for index in [page * 50 + 5, page * 50 + 20, 3] where index < seeded.count {
                    try await client.sendWebhook(to: restaurant, from: seeded[index].customer, body: "again \(page)")
                }
                try await client.sendWebhook(to: restaurant, from: "whatsapp:+96659900\(page)000", body: "new")
            } while cursor != nil && page < 10
            #expect(page == 3)
            #expect(seen.count == 120)
            #expect(Set(seen) == Set(seeded.map(\.id)))
        }
    }

    @Test func illegalTransitionAnswers409WithTheAllowedMoves() async throws {
        try await SufraTestApp.run { app, client, _ in
            let restaurant = try await client.createRestaurant()
            try await client.sendWebhook(to: restaurant, from: "whatsapp:+966500000301", body: "hello")
            let (_, order) = try await StaffFixtures.confirmedOrder(
                app, restaurant: restaurant, customer: "whatsapp:+966500000301")
            let token = try await StaffAuth.token(restaurant.id)
            let illegal = try await client.api(
                .post, "/api/orders/\(order)/transition", token: token, json: #"{"to":"DELIVERED"}"#)
            #expect(illegal.status == .conflict)
            #expect(illegal["allowed"] as? [String] == ["PREPARING", "CANCELLED"])
            #expect(illegal["error"] is String)
            let bogus = try await client.api(
                .post, "/api/orders/\(order)/transition", token: token, json: #"{"to":"EATEN"}"#)
            #expect(bogus.status == .badRequest)
            let ok = try await client.api(
                .post, "/api/orders/\(order)/transition", token: token, json: #"{"to":"PREPARING"}"#)
            #expect(ok.status == .ok)
            #expect(ok["status"] as? String == "PREPARING")
            let again = try await client.api(
                .post, "/api/orders/\(order)/transition", token: token, json: #"{"to":"PREPARING"}"#)
            #expect(again.status == .conflict)
            #expect(again["allowed"] as? [String] == ["OUT_FOR_DELIVERY"])
        }
    }

    @Test func staffReplyIsQueuedAndMovesTheConversation() async throws {
        try await SufraTestApp.run { _, client, _ in
            let restaurant = try await client.createRestaurant()
            let customer = "whatsapp:+966500000401"
            try await client.sendWebhook(to: restaurant, from: customer, body: "مرحبا")
            let token = try await StaffAuth.token(restaurant.id)
            let listed = try await client.api(.get, "/api/conversations", token: token).items.first
            let id = listed?["id"] as? String ?? ""
            #expect(listed?["unreadCount"] as? Int == 1)
            #expect(listed?["customer"] as? String == customer)
            let reply = try await client.api(
                .post, "/api/conversations/\(id)/messages", token: token, json: #"{"body":"أهلاً، كيف نخدمك؟"}"#)
            #expect(reply.status == .accepted)
            #expect(reply["status"] as? String == "queued")
            #expect(reply["direction"] as? String == "outbound")
            #expect(reply["conversationId"] as? String == id)
            let read = try await client.api(.post, "/api/conversations/\(id)/read", token: token)
            #expect(read["unreadCount"] as? Int == 0)
            #expect((read["lastMessageAt"] as? String ?? "") >= (reply["createdAt"] as? String ?? "~"))
            let messages = try await client.api(.get, "/api/conversations/\(id)/messages", token: token).items
            #expect(messages.contains { $0["body"] as? String == "أهلاً، كيف نخدمك؟" })
            #expect(messages.last?["direction"] as? String == "inbound")
        }
    }
}
