import Testing

@testable import Actors

@Suite struct HandoffPolicyTests {
    @Test func staffAnswerUntilTheirDeadline() {
        let now = ContinuousClock.now
        #expect(!HandoffPolicy.staffAnswering(until: nil, now: now))
        #expect(HandoffPolicy.staffAnswering(until: now + .seconds(60), now: now))
        #expect(!HandoffPolicy.staffAnswering(until: now, now: now))
        #expect(!HandoffPolicy.staffAnswering(until: now - .seconds(1), now: now))
    }

    @Test func whileStaffAnswerTheBotSendsAndChangesNothing() {
        var bot = BotTestDriver()
        bot.send("hello")
        bot.send("1")
        #expect(bot.state == .choosingType)
        bot.context.staffAnswering = true
        for text in ["pickup", "menu", "1", "cancel", "مرحبا بكم"] {
            let outcome = bot.send(text)
            #expect(outcome.replies.isEmpty && outcome.effects.isEmpty, "\(text)")
            #expect(bot.state == .choosingType, "\(text)")
        }
        #expect(bot.context.language == .ar, "the language still follows the customer")
        bot.context.staffAnswering = false
        bot.send("pickup")
        #expect(bot.state != .choosingType && !bot.texts.isEmpty)
    }

    @Test func theAnswerToARatingQuestionIsRecordedInEitherMode() {
        var bot = BotTestDriver(language: .en)
        bot.state = .awaitingRating(orderId: "o1")
        bot.context.staffAnswering = true
        let outcome = bot.send("5")
        #expect(outcome.effects == [.rate(orderId: "o1", rating: 5)])
        #expect(bot.state == .idle)
    }

    @Test func choosingTalkToUsIsAskingForAPerson() {
        var bot = BotTestDriver(language: .en)
        bot.send("hi")
        let asked = bot.send("3")
        #expect(HandoffPolicy.asksForPerson(from: .mainMenu, to: asked))
        #expect(HandoffPolicy.needsHuman(bot.state))
        let again = bot.send("anyone there?")
        #expect(!HandoffPolicy.asksForPerson(from: .withStaff, to: again), "asked once, announced once")
        bot.send("menu")
        #expect(!HandoffPolicy.needsHuman(bot.state))
    }
}
