/// `application/x-www-form-urlencoded` encoding and decoding, as Twilio posts webhooks and takes API calls.
public enum FormURLEncoding {
    /// Decodes `a=1&b=x+y` into ordered pairs (`+` is a space, `%XX` a byte); nil when an escape is malformed
    /// or a name or value is not UTF-8.
    public static func decode<Bytes: Collection>(_ body: Bytes) -> [(name: String, value: String)]?
    where Bytes.Element == UInt8 {
        var pairs: [(name: String, value: String)] = []
        for field in Array(body).split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = field.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = percentDecode(parts[0]) else { return nil }
            let value = parts.count > 1 ? percentDecode(parts[1]) : ""
            guard let value else { return nil }
            pairs.append((name: name, value: value))
        }
        return pairs
    }

    /// Encodes pairs as a form body; everything but `A–Z a–z 0–9 - . _ *` is escaped, spaces as `+`.
    public static func encode(_ pairs: [(name: String, value: String)]) -> String {
        pairs.map { escape($0.name) + "=" + escape($0.value) }.joined(separator: "&")
    }

    /// Escapes one name or value for a form body or query string.
    public static func escape(_ text: String) -> String {
        var output = [UInt8]()
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "*"):
                output.append(byte)
            case UInt8(ascii: " "):
                output.append(UInt8(ascii: "+"))
            default:
                output.append(UInt8(ascii: "%"))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    static func percentDecode<Bytes: Collection>(_ input: Bytes) -> String? where Bytes.Element == UInt8 {
        var output = [UInt8]()
        output.reserveCapacity(input.count)
        var iterator = input.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                output.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(\.hexDigitValue),
                    let low = iterator.next().flatMap(\.hexDigitValue)
                else {
                    return nil
                }
                output.append(high << 4 | low)
            default:
                output.append(byte)
            }
        }
        return String(validating: output, as: UTF8.self)
    }

}
