import Actors
import Foundation
import Testing

/// The hand-built JSON of live events quotes strings exactly as a JSON encoder would read them back.
@Suite(.timeLimit(.minutes(1))) struct JSONTextTests {
    @Test(arguments: [
        "plain", "", "شاورما ×2", "whatsapp:+966500000001", "quote \" inside", "back\\slash", "line\nbreak",
        "tab\tand\rreturn", "bell \u{07} and nul-free control \u{1F}", "emoji 🍕",
    ])
    func quotedTextDecodesBackToTheSameString(_ text: String) throws {
        let quoted = JSONText.quoted(text)
        let decoded = try JSONDecoder().decode(String.self, from: Data(quoted.utf8))
        #expect(decoded == text)
    }

    @Test func escapesAreTheShortForms() {
        #expect(JSONText.quoted("a\"b\\c\nd") == #""a\"b\\c\nd""#)
        #expect(JSONText.quoted("\u{01}") == #""\u0001""#)
        #expect(JSONText.quoted("مرحبا") == "\"مرحبا\"")
    }
}
