import Testing

@testable import Actors

@Suite(.timeLimit(.minutes(3))) struct BotRatingTests {
    private func delivered(_ type: OrderType = .delivery, status: OrderStatus = .delivered) -> OrderSnapshot {
        OrderSnapshot(id: "o9", number: 41, type: type, status: status, total: 2500)
    }

    @Test func staffMovesAreToldToTheCustomer() {
        var bot = BotTestDriver(language: .en)
        bot.context.language = .en
        let preparing = BotFlow.staffTransition(delivered(status: .preparing), state: .idle, context: bot.context)
        #expect(preparing.renderedReplies() == [.text("👨‍🍳 Your order #41 is being prepared.")])
        #expect(preparing.state == .idle && preparing.effects.isEmpty)
        let onTheWay = BotFlow.staffTransition(delivered(status: .outForDelivery), state: .idle, context: bot.context)
        #expect(onTheWay.renderedReplies() == [.text("🛵 Your order #41 is on its way.")])
        for status in [OrderStatus.confirmed, .rated, .draft] {
            let silent = BotFlow.staffTransition(delivered(status: status), state: .mainMenu, context: bot.context)
            #expect(silent.replies.isEmpty && silent.state == .mainMenu)
        }
        let cancelled = BotFlow.staffTransition(delivered(status: .cancelled), state: .idle, context: bot.context)
        #expect(cancelled.renderedReplies().count == 1 && bot.context.restaurant.supportContact != nil)
    }

    @Test func deliveredAsksForTheRatingInText() {
        var bot = BotTestDriver()
        bot.context.language = .ar
        let outcome = BotFlow.staffTransition(delivered(), state: .idle, context: bot.context)
        #expect(outcome.state == .awaitingRating(orderId: "o9"))
        let texts = outcome.renderedReplies()
        #expect(texts.count == 2)
        #expect(texts.first == .text("✅ تم توصيل طلبك رقم 41. بالهناء والعافية!"))
        #expect(texts.last == .text("كيف كانت تجربتك؟ قيّم طلبك من 1 إلى 5 (5 = ممتاز)."))
        let pickup = BotFlow.staffTransition(delivered(.pickup), state: .mainMenu, context: bot.context)
        #expect(pickup.renderedReplies().first == .text("🛍️ تم تسليم طلبك رقم 41. بالهناء والعافية!"))
        #expect(pickup.state == .awaitingRating(orderId: "o9"))
    }

    @Test func deliveredDuringANewOrderKeepsTheCart() throws {
        var cart = Cart()
        try cart.add(menuItemId: "m1", name: "x", unitPrice: 100, quantity: 1)
        let state = BotState.ordering(type: .pickup, cart: cart)
        let outcome = BotFlow.staffTransition(delivered(), state: state, context: BotTestDriver().context)
        #expect(outcome.state == state && outcome.replies.count == 1)
    }

    @Test(arguments: [4, 5])
    func goodRatingWithPromoTemplate(rating: Int) {
        var bot = BotTestDriver(promo: "HX123")
        bot.context.language = .ar
        bot.state = .awaitingRating(orderId: "o9")
        let outcome = bot.send(String(rating))
        #expect(outcome.effects == [.rate(orderId: "o9", rating: rating)])
        #expect(bot.state == .idle)
        let replies = outcome.renderedReplies()
        #expect(replies.count == 2)
        #expect(replies.first == .text("شكراً لتقييمك! يسعدنا أن طلبك نال إعجابك 🌟"))
        #expect(replies.last == .template(contentSid: "HX123", variables: ["1": "مطعم سفرة"]))
    }

    @Test func goodRatingWithoutPromoTemplateSendsPromoText() {
        var bot = BotTestDriver(language: .en, promo: nil)
        bot.state = .awaitingRating(orderId: "o9")
        let outcome = bot.send("", payload: "RATE_5")
        #expect(outcome.effects == [.rate(orderId: "o9", rating: 5)])
        #expect(bot.texts.count == 2 && bot.texts[0].hasPrefix("Thank you") && bot.texts[1].contains("مطعم سفرة"))
    }

    @Test(arguments: [1, 2, 3])
    func badRatingApologizesWithTheSupportContact(rating: Int) {
        var bot = BotTestDriver(language: .en, supportContact: "support@sufra.example", promo: "HX123")
        bot.state = .awaitingRating(orderId: "o9")
        let outcome = bot.send("\(rating)")
        #expect(outcome.effects == [.rate(orderId: "o9", rating: rating)])
        #expect(bot.texts.count == 1 && bot.text.contains("sorry") && bot.text.contains("support@sufra.example"))
        #expect(bot.state == .idle)
        var anonymous = BotTestDriver(language: .en, supportContact: nil)
        anonymous.state = .awaitingRating(orderId: "o9")
        anonymous.send("٢")
        #expect(anonymous.texts.count == 1 && anonymous.text.contains("sorry"))
    }

    @Test func afterRatingTheNextMessageGetsTheWelcome() {
        var bot = BotTestDriver(language: .en)
        bot.state = .awaitingRating(orderId: "o9")
        bot.send("5")
        bot.send("1")
        #expect(bot.state == .mainMenu && bot.text.contains("Welcome"))
    }
}
