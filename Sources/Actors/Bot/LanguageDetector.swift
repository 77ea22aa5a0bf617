/// The language rule of docs/bot.md, as pure functions.
///
/// A conversation's language is set by the first message that has letters (Arabic script → `ar`, Latin →
/// `en`); until then replies use the restaurant's. Once set it switches only when a message has a word of two
/// or more letters in the other script, so `1`, `3 x2` or a shared location never switch it.
public enum LanguageDetector {
    /// The conversation language after `content`, given the language before it (`nil` = not set yet).
    /// Returns `nil` while no message with letters has arrived. Locations are never read (their `Address` label
    /// is WhatsApp's, not the customer's words).
    public static func resolve(current: Language?, content: InboundContent) -> Language? {
        guard !content.isLocation else { return current }
        guard let current else { return dominantLanguage(of: content.body) }
        let switches = words(in: content.body).contains { $0.language == current.other && $0.letters >= 2 }
        return switches ? current.other : current
    }

    /// The language of the script most of the letters in `text` are in (ties: the first letter's), or `nil` when
    /// `text` has no Arabic or Latin letter.
    public static func dominantLanguage(of text: String) -> Language? {
        var arabic = 0
        var latin = 0
        var first: Language?
        for scalar in text.unicodeScalars {
            guard let language = letterLanguage(scalar) else { continue }
            first = first ?? language
            if language == .ar { arabic += 1 } else { latin += 1 }
        }
        if arabic == latin { return first }
        return arabic > latin ? .ar : .en
    }

    /// Runs of letters of one script ("words"), with how many letters each has. Marks and tatweel continue a
    /// word without counting; anything else ends it.
    static func words(in text: String) -> [(language: Language, letters: Int)] {
        var result: [(language: Language, letters: Int)] = []
        var current: (language: Language, letters: Int)?
        for scalar in text.unicodeScalars {
            if let language = letterLanguage(scalar) {
                if let run = current, run.language == language {
                    current = (language, run.letters + 1)
                } else {
                    if let run = current { result.append(run) }
                    current = (language, 1)
                }
            } else if current != nil, isWordContinuation(scalar) {
                continue
            } else if let run = current {
                result.append(run)
                current = nil
            }
        }
        if let run = current { result.append(run) }
        return result
    }

    /// `ar` for an Arabic-script letter, `en` for a Latin letter, `nil` for anything else (digits, marks,
    /// punctuation, emoji, other scripts).
    static func letterLanguage(_ scalar: Unicode.Scalar) -> Language? {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .otherLetter, .modifierLetter: break
        default: return nil
        }
        let value = scalar.value
        if value == 0x640 { return nil }  // tatweel: a stretch, not a letter
        switch value {
        case 0x600...0x6FF, 0x750...0x77F, 0x8A0...0x8FF, 0xFB50...0xFDFF, 0xFE70...0xFEFF: return .ar
        case 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F, 0x1E00...0x1EFF, 0x2C60...0x2C7F, 0xA720...0xA7FF,
            0xFF21...0xFF3A, 0xFF41...0xFF5A:
            return .en
        default: return nil
        }
    }

    private static func isWordContinuation(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value == 0x640 { return true }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }
}
