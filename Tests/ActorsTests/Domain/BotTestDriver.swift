@testable import Actors

/// Drives ``BotFlow`` like the shell would: keeps the state and the language between messages.
struct BotTestDriver {
    var state: BotState = .initial
    var context: BotContext
    var lastOutcome: BotOutcome?

    static let menu = [
        MenuItem(id: "m1", nameAr: "شاورما دجاج", nameEn: "Chicken shawarma", price: 1250),
        MenuItem(id: "m2", nameAr: "فلافل", nameEn: "Falafel", price: 500, available: false),
        MenuItem(id: "m3", nameAr: "حمص", nameEn: "Hummus", price: 800),
        MenuItem(id: "m4", nameAr: "عصير برتقال", nameEn: "Orange juice", price: 650),
    ]

    init(
        language: Language = .ar, supportContact: String? = "+966500000000", promo: String? = nil,
        menu: [MenuItem] = BotTestDriver.menu
    ) {
        context = BotContext(
            restaurant: RestaurantProfile(
                id: "r1", name: "مطعم سفرة", language: language, supportContact: supportContact,
                promoContentSid: promo),
            menu: menu)
    }

    /// Sends a message and returns the outcome (state and language are carried over).
    @discardableResult
    mutating func send(
        _ body: String, payload: String? = nil, latitude: Double? = nil, longitude: Double? = nil,
        address: String? = nil
    ) -> BotOutcome {
        let content = InboundContent(
            body: body, buttonPayload: payload, latitude: latitude, longitude: longitude, address: address)
        let outcome = BotFlow.handle(content, state: state, context: context)
        state = outcome.state
        context.language = outcome.language
        lastOutcome = outcome
        return outcome
    }

    /// The texts of the last outcome's replies (rendered with order number 7).
    var texts: [String] {
        (lastOutcome?.renderedReplies(orderNumber: 7) ?? []).map {
            if case .text(let text) = $0 { return text }
            return "<template>"
        }
    }

    /// The single text reply of the last outcome ("" when there is not exactly one).
    var text: String { texts.count == 1 ? texts[0] : "" }
}
