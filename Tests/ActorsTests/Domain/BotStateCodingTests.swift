import Foundation
import Testing

@testable import Actors

@Suite(.timeLimit(.minutes(3))) struct BotStateCodingTests {
    private func decode(_ json: String) throws -> BotState {
        try JSONDecoder().decode(BotState.self, from: Data(json.utf8))
    }

    @Test func everyStateRoundTrips() throws {
        var cart = Cart()
        try cart.add(menuItemId: "m1", name: "شاورما", unitPrice: 1250, quantity: 2)
        let states: [BotState] = [
            .idle, .mainMenu, .choosingType, .awaitingLocation, .ordering(type: .delivery, cart: cart),
            .reviewing(type: .pickup, cart: cart), .withStaff, .awaitingRating(orderId: "o1"),
        ]
        for state in states {
            let data = try JSONEncoder().encode(state)
            #expect(try JSONDecoder().decode(BotState.self, from: data) == state)
            #expect(String(decoding: data, as: UTF8.self).contains(#""v":1"#))
        }
    }

    @Test func theDirectlyWrittenFormIsWhatJSONEncoderWritesAndDecodesToTheSameState() throws {
        var cart = Cart()
        try cart.add(menuItemId: "m1", name: "شاورما \"كبيرة\" \\ 1/2", unitPrice: 1250, quantity: 2)
        try cart.add(menuItemId: "m2", name: "Tab\there\nnew line \u{1} 🌯", unitPrice: 0, quantity: 99)
        try cart.add(menuItemId: "m3", name: "", unitPrice: Int64(Int32.max), quantity: 1)
        let states: [BotState] = [
            .idle, .mainMenu, .choosingType, .awaitingLocation, .withStaff, .ordering(type: .delivery, cart: Cart()),
            .ordering(type: .delivery, cart: cart), .reviewing(type: .pickup, cart: cart),
            .awaitingRating(orderId: "o\"1\\"),
        ]
        for state in states {
            let direct = state.storedJSON
            #expect(try decode(direct) == state, "\(direct)")
            // The same document as JSONEncoder's, key for key and value for value.
            let written = try JSONSerialization.jsonObject(with: Data(direct.utf8)) as? NSDictionary
            let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(state)) as? NSDictionary
            #expect(written != nil && written == encoded, "\(direct)")
        }
    }

    @Test func unknownEmptyOrBrokenJSONIsTheInitialState() throws {
        let unreadable = [
            "{}", "null", "[]", "42", #""idle""#, #"{"v":1}"#, #"{"v":1,"step":"teleporting"}"#,
            #"{"v":99,"step":"mainMenu"}"#, #"{"v":1,"step":"ordering"}"#,
            #"{"v":1,"step":"ordering","type":"drone","cart":[]}"#,
            #"{"v":1,"step":"awaitingRating","orderId":""}"#,
            #"{"v":1,"step":"reviewing","type":"pickup","cart":[{"menuItemId":"a","name":"A","quantity":0,"unitPrice":1,"lineTotal":0}]}"#,
        ]
        for json in unreadable { #expect(try decode(json) == .initial, "\(json)") }
    }

    @Test func storedStateTellsAFreshConversationFromAnUnreadableOne() throws {
        func stored(_ json: String) throws -> BotState.Stored {
            try JSONDecoder().decode(BotState.Stored.self, from: Data(json.utf8))
        }
        #expect(try stored("{}") == .empty)
        #expect(try stored("{}").state == .initial)
        #expect(try stored(#"{"v":1,"step":"mainMenu"}"#) == .state(.mainMenu))
        #expect(try stored(#"{"step":"awaitingRating","orderId":"o7"}"#).state == .awaitingRating(orderId: "o7"))
        let unreadable = [
            "null", "[]", "42", #"{"v":1}"#, #"{"extra":true}"#, #"{"v":1,"step":"teleporting"}"#,
            #"{"v":99,"step":"mainMenu"}"#, #"{"v":1,"step":"ordering","type":"drone","cart":[]}"#,
        ]
        for json in unreadable {
            #expect(try stored(json) == .unreadable, "\(json)")
            #expect(try stored(json).state == .initial, "\(json)")
        }
    }

    @Test func olderRowsWithoutVersionAndExtraFieldsStillDecode() throws {
        #expect(try decode(#"{"step":"mainMenu"}"#) == .mainMenu)
        #expect(
            try decode(#"{"v":1,"step":"awaitingRating","orderId":"o7","extra":true}"#)
                == .awaitingRating(orderId: "o7"))
        let stored =
            #"{"v":1,"step":"ordering","type":"pickup","cart":[{"menuItemId":"a","name":"A","quantity":2,"unitPrice":300,"lineTotal":600}]}"#
        guard case .ordering(.pickup, let cart) = try decode(stored) else {
            Issue.record("ordering state did not decode")
            return
        }
        #expect(cart.total == 600)
    }

    @Test func effectsAndRepliesAreCodable() throws {
        let effects: [OrderEffect] = [
            .createDraft(.delivery), .setLocation(Location(latitude: 1, longitude: 2)), .confirm, .cancelDraft,
            .rate(orderId: "o", rating: 5),
        ]
        #expect(try JSONDecoder().decode([OrderEffect].self, from: JSONEncoder().encode(effects)) == effects)
        let replies: [BotReply] = [
            .ready(.template(contentSid: "HX", variables: ["1": "x"])),
            .orderConfirmed(total: 5, language: .ar, format: .default),
        ]
        #expect(try JSONDecoder().decode([BotReply].self, from: JSONEncoder().encode(replies)) == replies)
    }
}
