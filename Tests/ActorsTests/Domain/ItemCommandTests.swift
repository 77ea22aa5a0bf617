import Testing

@testable import Actors

@Suite(.timeLimit(.minutes(3))) struct ItemCommandTests {
    private func parse(_ body: String, payload: String? = nil) -> ItemCommand? {
        ItemCommand.parse(BotInput(InboundContent(body: body, buttonPayload: payload)))
    }

    @Test func everyQuantitySyntaxOfTheContract() {
        for body in ["3 x2", "3x2", "3*2", "3 ×2", "3 X2", "3 x 2", "3× 2", "٣ x٢", "3 * 2"] {
            #expect(parse(body) == .add(index: 3, quantity: 2), "\(body)")
        }
        #expect(parse("3") == .add(index: 3, quantity: 1))
        #expect(parse("12") == .add(index: 12, quantity: 1))
        #expect(parse("3 x0") == .add(index: 3, quantity: 0))
        #expect(parse("3 x99999999999999") == .add(index: 3, quantity: Int.max))
    }

    @Test func doneRemoveAndNonsense() {
        for body in ["0", "done", "Done", "تم", "٠", "خلاص"] { #expect(parse(body) == .done, "\(body)") }
        #expect(parse("", payload: "DONE") == .done)
        #expect(parse("-3") == .remove(index: 3))
        #expect(parse("2", payload: "SOMETHING_ELSE") == .add(index: 2, quantity: 1))
        #expect(parse("", payload: "4") == .add(index: 4, quantity: 1))
        for body in ["", "x2", "3 2", "three", "3x", "0x2", "extra", "3 x2 x4"] {
            #expect(parse(body) == nil, "\(body)")
        }
    }

    @Test func ratingsInEveryForm() {
        func rating(_ body: String, payload: String? = nil) -> Int? {
            RatingParser.parse(BotInput(InboundContent(body: body, buttonPayload: payload)))
        }
        #expect(rating("5") == 5)
        #expect(rating("٤") == 4)
        #expect(rating("4/5") == 4)
        #expect(rating("5 stars") == 5)
        #expect(rating("⭐⭐⭐") == 3)
        #expect(rating("", payload: "RATE_2") == 2)
        for body in ["0", "6", "10", "great", "", "1 2"] { #expect(rating(body) == nil, "\(body)") }
    }
}
