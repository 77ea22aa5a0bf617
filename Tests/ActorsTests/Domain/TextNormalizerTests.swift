import Testing

@testable import Actors

@Suite(.timeLimit(.minutes(3))) struct TextNormalizerTests {
    @Test func asciiTextFoldsByteByByteExactlyAsTheGeneralPathDoes() {
        let samples = [
            "", " ", "1", " 2 x3 ", "DONE!", "Hello,   World?", "\t\n3*2\r\n", "(yes)", "'quoted'", "[4]", "a;b:c",
            "   ...   ", "x  \u{B} \u{C} y", "MiXeD CaSe 10", "-3", "#$%&+/<=>@\\^_`{|}~",
        ]
        // Every printable ASCII character and the control characters, alone and between letters.
        let every = (0..<128).map { String(UnicodeScalar(UInt8($0))) }
        for text in samples + every + every.map({ "A\($0)b \($0) " }) {
            #expect(
                TextNormalizer.normalizeASCII(text) == TextNormalizer.normalizeUnicode(text), "\(text.debugDescription)"
            )
        }
    }

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

    @Test func collapsesWhitespaceAndTrimsPunctuationAtBothEnds() {
        #expect(TextNormalizer.normalize("\t«تأكيد»\n") == "تاكيد")
        #expect(TextNormalizer.normalize("! ! hello , world ?") == "hello , world")
        #expect(TextNormalizer.normalize("3\u{A0}\u{A0}x2") == "3 x2")
        #expect(TextNormalizer.normalize(" .,!? ") == "")
        #expect(TextNormalizer.normalize("") == "")
    }
}
