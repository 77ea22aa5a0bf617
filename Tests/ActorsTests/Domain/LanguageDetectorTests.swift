import Testing

@testable import Actors

@Suite(.timeLimit(.minutes(3))) struct LanguageDetectorTests {
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
