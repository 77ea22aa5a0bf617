import Testing

@testable import Actors

@Suite struct LanguageDetectorTests {
    private func resolve(_ current: Language?, _ body: String) -> Language? {
        LanguageDetector.resolve(current: current, content: InboundContent(body: body))
    }

    @Test func firstMessageWithLettersSetsTheLanguage() {
        #expect(resolve(nil, "مرحبا") == .ar)
        #expect(resolve(nil, "hello") == .en)
        #expect(resolve(nil, "hi مرحبا بكم") == .ar)
        #expect(resolve(nil, "1") == nil)
        #expect(resolve(nil, "٣") == nil)
        #expect(resolve(nil, "👍 !!") == nil)
        #expect(resolve(nil, "") == nil)
    }

    @Test func digitsQuantitiesAndLocationsNeverSwitch() {
        for body in ["1", "3 x2", "3x2", "3*2", "3 ×2", "0", "٢", "-3", "⭐⭐⭐⭐⭐"] {
            #expect(resolve(.ar, body) == .ar, "\(body)")
            #expect(resolve(.en, body) == .en, "\(body)")
        }
        let pin = InboundContent(body: "", latitude: 24.7, longitude: 46.7, address: "King Fahd Road")
        #expect(LanguageDetector.resolve(current: .ar, content: pin) == .ar)
        let labelled = InboundContent(body: "Riyadh Park", latitude: 24.7, longitude: 46.7)
        #expect(LanguageDetector.resolve(current: .ar, content: labelled) == .ar)
        #expect(LanguageDetector.resolve(current: nil, content: labelled) == nil)
    }

    @Test func aWordOfTwoLettersInTheOtherScriptSwitches() {
        #expect(resolve(.ar, "a") == .ar)
        #expect(resolve(.ar, "ok") == .en)
        #expect(resolve(.ar, "3 x2 ok") == .en)
        #expect(resolve(.en, "و") == .en)
        #expect(resolve(.en, "تم") == .ar)
        #expect(resolve(.en, "تَمّ") == .ar)
        #expect(resolve(.en, "done") == .en)
        #expect(resolve(.ar, "القائمة") == .ar)
    }

    @Test func diacriticsAndTatweelStayInsideAWord() {
        #expect(LanguageDetector.words(in: "مـرحـبـاً").map(\.letters) == [5])
        #expect(LanguageDetector.words(in: "a b").map(\.letters) == [1, 1])
        #expect(LanguageDetector.dominantLanguage(of: "ok تمام") == .ar)
    }
}

@Suite struct TextNormalizerTests {
    @Test func foldsDigitsCaseDiacriticsAndSpelling() {
        #expect(TextNormalizer.normalize("  إلغاء!  ") == "الغاء")
        #expect(TextNormalizer.normalize("إلغاء") == TextNormalizer.normalize("الغاء"))
        #expect(TextNormalizer.normalize("تأكيد") == TextNormalizer.normalize("تاكيد"))
        #expect(TextNormalizer.normalize("القائمةُ") == TextNormalizer.normalize("القائمه"))
        #expect(TextNormalizer.normalize("٣ ×٢") == "3 ×2")
        #expect(TextNormalizer.normalize("۴") == "4")
        #expect(TextNormalizer.normalize("DÉLIVERY") == "delivery")
        #expect(TextNormalizer.normalize("De\u{301}livery") == "delivery")
        #expect(TextNormalizer.normalize("New   Order.") == "new order")
    }
}

@Suite struct ItemCommandTests {
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
