/// Minimal JSON string quoting for hand-built event payloads on the hot path (no Foundation encoder).
public enum JSONText {
    /// `value` as a JSON string literal, with quotes, backslashes and control characters escaped.
    public static func quoted(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count + 2)
        appendQuoted(value, to: &out)
        return out
    }

    /// Appends `value` as a JSON string literal to `out` (no intermediate string when nothing needs escaping).
    public static func appendQuoted(_ value: String, to out: inout String) {
        // Most values (ids, numbers, plain text) need no escaping: one scan of the UTF-8 bytes (of the string's own
        // storage when it has one), one append.
        let needsEscape: (UInt8) -> Bool = { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        let escaped =
            value.utf8.withContiguousStorageIfAvailable { $0.contains(where: needsEscape) }
            ?? value.utf8.contains(where: needsEscape)
        if !escaped {
            out += "\""
            out += value
            out += "\""
            return
        }
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let s where s.value < 0x20:
                let hex = String(s.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
