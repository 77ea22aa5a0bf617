/// Folds customer text so options match however they are typed: trimmed, lower-cased, single-spaced,
/// Arabic-Indic and Persian digits → ASCII, Arabic diacritics and tatweel dropped, alef/ya/ta-marbuta
/// variants unified, common Latin accents dropped, surrounding punctuation removed.
///
/// `normalize("  إلغاء!  ") == normalize("الغاء")`, `normalize("٣ ×٢") == "3 ×2"`, `normalize("Délivery") == "delivery"`.
public enum TextNormalizer {
    /// The folded form of `text`.
    public static func normalize(_ text: String) -> String {
        // Most messages ("1", "2 x3", "done") are ASCII: folded byte by byte, with the same result.
        text.utf8.allSatisfy { $0 < 0x80 } ? normalizeASCII(text) : normalizeUnicode(text)
    }

    /// ``normalize(_:)`` of ASCII text: lower-cased, whitespace runs collapsed, edges trimmed (nothing else folds).
    static func normalizeASCII(_ text: String) -> String {
        var folded: [UInt8] = []
        folded.reserveCapacity(text.utf8.count)
        var spaceBefore = false
        for byte in text.utf8 {
            if byte == 0x20 || (0x09...0x0D).contains(byte) {
                spaceBefore = !folded.isEmpty
                continue
            }
            if spaceBefore {
                folded.append(0x20)
                spaceBefore = false
            }
            folded.append((0x41...0x5A).contains(byte) ? byte + 0x20 : byte)
        }
        var start = folded.startIndex
        var end = folded.endIndex
        while start < end, asciiEdge(UInt32(folded[start])) { start += 1 }
        while end > start, asciiEdge(UInt32(folded[end - 1])) { end -= 1 }
        return String(decoding: folded[start..<end], as: UTF8.self)
    }

    /// ``normalize(_:)`` of any text.
    static func normalizeUnicode(_ text: String) -> String {
        // One pass over the scalars: fold each, collapse whitespace runs to one space; then trim the edges.
        var folded: [Unicode.Scalar] = []
        folded.reserveCapacity(text.utf8.count)
        var spaceBefore = false
        for scalar in text.lowercased().unicodeScalars {
            guard let scalar = fold(scalar) else { continue }
            if isWhitespace(scalar) {
                spaceBefore = !folded.isEmpty
                continue
            }
            if spaceBefore {
                folded.append(" ")
                spaceBefore = false
            }
            folded.append(scalar)
        }
        var start = folded.startIndex
        var end = folded.endIndex
        while start < end, isEdge(folded[start]) { start += 1 }
        while end > start, isEdge(folded[end - 1]) { end -= 1 }
        var result = String.UnicodeScalarView()
        result.append(contentsOf: folded[start..<end])
        return String(result)
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

    /// Trimmed from both ends (with the spaces between them).
    private static let edgePunctuation: Set<Unicode.Scalar> = [
        ".", ",", "!", "?", "؟", "،", "؛", ";", ":", "\"", "'", "«", "»", "(", ")", "[", "]", " ",
    ]

    private static func isEdge(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII ? asciiEdge(scalar.value) : edgePunctuation.contains(scalar)
    }

    private static func asciiEdge(_ value: UInt32) -> Bool {
        switch value {
        case 0x20, 0x21, 0x22, 0x27, 0x28, 0x29, 0x2C, 0x2E, 0x3A, 0x3B, 0x3F, 0x5B, 0x5D: true
        default: false
        }
    }

    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20, 0x09...0x0D: true
        case 0...0x7F: false
        default: scalar.properties.isWhitespace
        }
    }

    private static func fold(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        if let digit = digitValue(scalar) { return Unicode.Scalar(UInt8(0x30 + digit)) }
        switch scalar.value {
        case 0x64B...0x65F, 0x670, 0x640, 0x300...0x36F: return nil  // harakat, dagger alef, tatweel, combining
        case 0x622, 0x623, 0x625, 0x671: return "\u{627}"  // آ أ إ ٱ → ا
        case 0x649: return "\u{64A}"  // ى → ي
        case 0x629: return "\u{647}"  // ة → ه
        case 0xC0...0x17F: return latinBase[scalar] ?? scalar
        default: return scalar
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
