import Foundation
import HummingbirdTesting
import Infra
import Testing

@testable import Server

/// `PATCH /api/menu/items/{id}` (docs/dashboard.md): staff mark a dish sold out during service and the bot's
/// numbering follows at once.
@Suite(.serialized) struct SoldOutTests {
    @Test func staffMarkAnItemSoldOutAndTheBotsNextMenuOmitsIt() async throws {
        try await SufraTestApp.run { app, client, _ in
            let restaurant = try await client.createRestaurant()
            let token = try await StaffAuth.token(restaurant.id, role: .staff)
            let menu = try await client.api(.get, "/api/menu", token: token).items
            let shawarma = try #require(menu.first?["id"] as? String)

            // The bot's menu is read once (and cached) before the change.
            let customer = "whatsapp:+966561111111"
            try await BotConversationTests.converse(
                app, client, restaurant, customer: customer, [("hello", []), ("1", []), ("pickup", [])])
            let before = try #require(try await BotConversationTests.replies(app, customer: customer).last)
            #expect(before.contains("Shawarma"), "\(before)")

            let patched = try await client.api(
                .patch, "/api/menu/items/\(shawarma)", token: token, json: #"{"available":false}"#)
            #expect(patched.status == .ok)
            #expect(patched["id"] as? String == shawarma)
            #expect(patched["available"] as? Bool == false)
            #expect((patched["name"] as? [String: Any])?["en"] as? String == "Shawarma")

            // Number 1 is now the falafel: the menu repeats without the shawarma and "1" adds a falafel.
            try await BotConversationTests.converse(app, client, restaurant, customer: customer, [("menu", [])])
            try await BotConversationTests.converse(
                app, client, restaurant, customer: customer, [("1", []), ("pickup", []), ("1", [])])
            let replies = try await BotConversationTests.replies(app, customer: customer)
            let shownMenu = replies[replies.count - 2]
            #expect(!shownMenu.contains("Shawarma"), "\(shownMenu)")
            #expect(shownMenu.contains("1") && shownMenu.contains("Falafel"), "\(shownMenu)")
            #expect(replies.last?.contains("Falafel") == true, "cart: \(replies.last ?? "")")
            #expect(replies.last?.contains("Shawarma") == false)

            let back = try await client.api(
                .patch, "/api/menu/items/\(shawarma)", token: token, json: #"{"available":true}"#)
            #expect(back["available"] as? Bool == true)
            #expect(try await client.api(.get, "/api/menu", token: token).items.first?["available"] as? Bool == true)
        }
    }

    @Test func unknownForeignOrMalformedItemsAreRefused() async throws {
        try await SufraTestApp.run { _, client, _ in
            let a = try await client.createRestaurant(name: "A")
            let b = try await client.createRestaurant(name: "B")
            let tokenA = try await StaffAuth.token(a.id)
            let tokenB = try await StaffAuth.token(b.id)
            let itemOfB = try #require(
                try await client.api(.get, "/api/menu", token: tokenB).items.first?["id"] as? String)
            let body = #"{"available":false}"#
            #expect(
                try await client.api(.patch, "/api/menu/items/\(UUID().uuidString)", token: tokenA, json: body).status
                    == .notFound)
            #expect(try await client.api(.patch, "/api/menu/items/nope", token: tokenA, json: body).status == .notFound)
            #expect(
                try await client.api(.patch, "/api/menu/items/\(itemOfB)", token: tokenA, json: body).status
                    == .notFound)
            #expect(
                try await client.api(.patch, "/api/menu/items/\(itemOfB)", token: tokenB, json: #"{"available":"no"}"#)
                    .status == .badRequest)
            #expect(
                try await client.api(.patch, "/api/menu/items/\(itemOfB)", token: nil, json: body).status
                    == .unauthorized)
            #expect(try await client.api(.get, "/api/menu", token: tokenB).items.first?["available"] as? Bool == true)
        }
    }
}
