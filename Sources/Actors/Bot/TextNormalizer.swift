/// Folds customer text so options match however they are typed: trimmed, lower-cased, single-spaced,
/// Arabic-Indic and Persian digits → ASCII, Arabic diacritics and tatweel dropped, alef/ya/ta-marbuta
/// variants unified, common Latin accents dropped, surrounding punctuation removed.
///
/// `normalize("  إلغاء!  ") == normalize("الغاء")`, `normalize("٣ ×٢") == "3 ×2"`, `normalize("Délivery") == "delivery"`.
public enum TextNormalizer {
    /// The folded form of `text`.
    public static func normalize(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.lowercased().unicodeScalars {
            if let folded = fold(scalar) { scalars.append(folded) }
        }
        let words = String(scalars).split(whereSeparator: \.isWhitespace)
        var joined = words.joined(separator: " ")
        while let first = joined.first, edgePunctuation.contains(first) { joined.removeFirst() }
        while let last = joined.last, edgePunctuation.contains(last) { joined.removeLast() }
        return joined.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The ASCII value of a digit in any of the scripts customers use (`"٣"` → 3), or nil.
    static func digitValue(_ scalar: Unicode.Scalar) -> Int? {
        switch scalar.value {
        case 0x30...0x39: Int(scalar.value - 0x30)
        case 0x660...0x669: Int(scalar.value - 0x660)
        case 0x6F0...0x6F9: Int(scalar.value - 0x6F0)
        default: nil
        }
    }

    private static let edgePunctuation: Set<Character> = [
        ".", ",", "!", "?", "؟", "،", "؛", ";", ":", "\"", "'", "«", "»", "(", ")", "[", "]",
    ]

    private static func fold(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        if let digit = digitValue(scalar) { return Unicode.Scalar(UInt8(0x30 + digit)) }
        switch scalar.value {
        case 0x64B...0x65F, 0x670, 0x640, 0x300...0x36F: return nil  // harakat, dagger alef, tatweel, combining
        case 0x622, 0x623, 0x625, 0x671: return "\u{627}"  // آ أ إ ٱ → ا
        case 0x649: return "\u{64A}"  // ى → ي
        case 0x629: return "\u{647}"  // ة → ه
        default: return latinBase[scalar] ?? scalar
        }
    }

    private static let latinBase: [Unicode.Scalar: Unicode.Scalar] = {
        let groups: [(String, Unicode.Scalar)] = [
            ("àáâãäåā", "a"), ("çć", "c"), ("èéêëē", "e"), ("ìíîïī", "i"), ("ñ", "n"), ("òóôõöō", "o"),
            ("ùúûüū", "u"), ("ýÿ", "y"),
        ]
        var map: [Unicode.Scalar: Unicode.Scalar] = [:]
        for (accented, base) in groups {
            for scalar in accented.unicodeScalars { map[scalar] = base }
        }
        return map
    }()
}
