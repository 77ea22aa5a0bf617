import Testing

@testable import Actors

@Suite(.timeLimit(.minutes(3))) struct BotFlowRobustnessTests {
    /// Messages that bring the driver to each step of placing an order, and whether a draft exists there.
    static let steps: [(name: String, messages: [String], hasDraft: Bool)] = [
        ("choosing type", ["hi", "1"], false),
        ("awaiting location", ["hi", "1", "1"], true),
        ("ordering (empty cart)", ["hi", "1", "2"], true),
        ("ordering (with items)", ["hi", "1", "2", "1 x2"], true),
        ("reviewing", ["hi", "1", "2", "1 x2", "done"], true),
    ]

    @Test(arguments: ["cancel", "إلغاء", "الغاء", "CANCEL"])
    func cancelAtEachStep(word: String) {
        for step in Self.steps {
            var bot = BotTestDriver(language: .en)
            for message in step.messages { bot.send(message) }
            let outcome = bot.send(word)
            #expect(outcome.effects == (step.hasDraft ? [.cancelDraft] : []), "\(step.name)")
            #expect(bot.state == .mainMenu, "\(step.name)")
            #expect(bot.texts.count == 1 && bot.texts[0].contains("1 - "), "\(step.name)")
        }
        var idle = BotTestDriver(language: .en)
        idle.send("hi")
        let nothing = idle.send("cancel")
        #expect(nothing.effects.isEmpty && idle.text.contains("no order in progress"))
    }

    @Test func menuEscapesFromEveryStepAndDropsTheDraft() {
        for step in Self.steps {
            var bot = BotTestDriver()
            for message in step.messages { bot.send(message) }
            let outcome = bot.send("القائمة")
            #expect(outcome.effects == (step.hasDraft ? [.cancelDraft] : []), "\(step.name)")
            #expect(bot.state == .mainMenu && bot.text.contains("1 - "), "\(step.name)")
        }
        var rating = BotTestDriver(language: .en)
        rating.state = .awaitingRating(orderId: "o1")
        rating.send("menu")
        #expect(rating.state == .mainMenu && rating.lastOutcome?.effects == [])
    }

    @Test func nonsenseRepeatsTheCurrentQuestion() {
        let cases: [(messages: [String], question: String, state: BotState)] = [
            (["hi"], "1 - New order", .mainMenu),
            (["hi", "1"], "1 - Delivery", .choosingType),
            (["hi", "1", "2"], "1 - Chicken shawarma", .ordering(type: .pickup, cart: Cart())),
        ]
        for nonsense in ["blah blah", "", "🍕", "99 bottles", "x", "؟"] {
            for (messages, question, state) in cases {
                var bot = BotTestDriver(language: .en)
                for message in messages { bot.send(message) }
                let outcome = bot.send(nonsense)
                #expect(outcome.effects.isEmpty, "\(nonsense) at \(state)")
                #expect(bot.state == state, "\(nonsense) at \(state)")
                #expect(bot.texts.count == 1 && bot.texts[0].contains(question), "\(nonsense) at \(state)")
            }
        }
        // Any text with letters is a typed address; what is left to misunderstand has none.
        for nonsense in ["", "🍕", "x", "؟", "12", "3 x2"] {
            var bot = BotTestDriver(language: .en)
            for message in ["hi", "1", "1"] { bot.send(message) }
            let outcome = bot.send(nonsense)
            #expect(outcome.effects.isEmpty && bot.state == .awaitingLocation, "\(nonsense)")
            #expect(bot.text.contains("share your location"), "\(nonsense)")
        }
        var review = BotTestDriver(language: .en)
        for message in ["hi", "1", "2", "1", "done", "maybe"] { review.send(message) }
        #expect(review.text.contains("1 - Confirm") && review.lastOutcome?.effects == [])
        var rating = BotTestDriver(language: .en)
        rating.state = .awaitingRating(orderId: "o1")
        rating.send("it was fine")
        #expect(rating.text.contains("rate it from 1 to 5") && rating.state == .awaitingRating(orderId: "o1"))
    }

    @Test func neverAnEmptyReplyOutsideStaffTakeover() {
        let inputs = [
            InboundContent(body: ""), InboundContent(body: "1"), InboundContent(body: "0"), InboundContent(body: "-9"),
            InboundContent(body: "done"), InboundContent(body: "3 x2"), InboundContent(body: "مرحبا"),
            InboundContent(body: "", buttonPayload: "UNKNOWN"), InboundContent(body: "", latitude: 200, longitude: 0),
            InboundContent(body: "", latitude: 24, longitude: 46), InboundContent(body: "5"),
        ]
        var cart = Cart()
        try? cart.add(menuItemId: "m1", name: "x", unitPrice: 1250, quantity: 1)
        let states: [BotState] = [
            .idle, .mainMenu, .choosingType, .awaitingLocation, .ordering(type: .delivery, cart: cart),
            .reviewing(type: .pickup, cart: cart), .awaitingRating(orderId: "o1"),
        ]
        let context = BotTestDriver().context
        for state in states {
            for input in inputs {
                let outcome = BotFlow.handle(input, state: state, context: context)
                #expect(!outcome.replies.isEmpty, "\(state) \(input)")
                #expect(outcome.renderedReplies().allSatisfy { $0 != .text("") }, "\(state) \(input)")
            }
        }
    }

    @Test func firstMessageAlwaysGetsTheWelcome() {
        for body in ["1", "2", "3", "menu", "cancel", "hello", ""] {
            var bot = BotTestDriver(language: .en)
            let outcome = bot.send(body)
            #expect(bot.state == .mainMenu && bot.text.contains("Welcome to"), "\(body)")
            #expect(outcome.effects.isEmpty || body == "cancel")
        }
    }

    @Test func repliesUseTheRestaurantLanguageUntilLettersArrive() {
        var bot = BotTestDriver(language: .en)
        let first = bot.send("1")
        #expect(first.language == nil && bot.text.contains("Welcome"))
        bot.send("٢")
        #expect(bot.context.language == nil)
        bot.send("حالة")
        #expect(bot.context.language == .ar && bot.text.contains("لا توجد لديك طلبات"))
        bot.send("x")
        #expect(bot.context.language == .ar)
        bot.send("ok")
        #expect(bot.context.language == .en && bot.text.hasPrefix("Sorry"))
    }
}
