/// Minimal JSON string quoting for hand-built event payloads on the hot path (no Foundation encoder).
public enum JSONText {
    /// `value` as a JSON string literal, with quotes, backslashes and control characters escaped.
    public static func quoted(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count + 2)
        appendQuoted(value, to: &out)
        return out
    }

    /// Appends `value` as a JSON string literal, as UTF-8, to `out`: bytes copied as they are (JSON strings hold
    /// UTF-8 as is) except quotes, backslashes and control characters, escaped as ``appendQuoted(_:to:)-(_,String)``
    /// escapes them. For documents built byte by byte (a webhook's parameters: one append per byte run, where
    /// appending to a `String` cost three checked appends per value).
    public static func appendQuoted(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { bytes in
            var start = 0
            for (index, byte) in bytes.enumerated()
            where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                appendEscaped(byte, to: &out)
                start = index + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// One byte that JSON needs escaped, escaped.
    private static func appendEscaped(_ byte: UInt8, to out: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
        case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
        case UInt8(ascii: "\n"): out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
        case UInt8(ascii: "\r"): out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
        case UInt8(ascii: "\t"): out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
        default:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            out += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")]
            out += [hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]]
        }
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
