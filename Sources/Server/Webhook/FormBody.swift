import Infra

/// An `application/x-www-form-urlencoded` body, decoded strictly: every name and value must be valid
/// percent-encoding of UTF-8 (Twilio's webhooks always are), repeated names are kept in order.
///
/// A NUL character (`%00`, or a raw zero byte) is refused anywhere in the body: PostgreSQL cannot store it in
/// `text` or `jsonb`, no WhatsApp message carries one, and deciding here keeps one bad message from reaching
/// the database at all (see docs/inbound.md).
public struct FormBody: Sendable, Equatable {
    /// The parameters in the order received.
    public var pairs: [Parameter]

    /// One parameter.
    public typealias Parameter = (name: String, value: String)

    /// The most parameters one body may carry (Twilio sends a few dozen).
    public static let maximumParameters = 1_024

    /// Decodes `bytes`.
    public init(decoding bytes: some Collection<UInt8>) throws(FormBodyError) {
        let body = Array(bytes)
        pairs = try body.withUnsafeBufferPointer { (body) throws(FormBodyError) in try Self.pairs(in: body) }
    }

    /// The first value of `name`.
    public subscript(name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// One pass over the body: each `&`-separated field (empty ones skipped) split at its first `=`.
    private static func pairs(in body: UnsafeBufferPointer<UInt8>) throws(FormBodyError) -> [Parameter] {
        var pairs: [Parameter] = []
        pairs.reserveCapacity(32)
        var fieldStart = body.startIndex
        while fieldStart < body.endIndex {
            let fieldEnd = body[fieldStart...].firstIndex(of: UInt8(ascii: "&")) ?? body.endIndex
            defer { fieldStart = fieldEnd + 1 }
            guard fieldEnd > fieldStart else { continue }
            guard pairs.count < maximumParameters else { throw .tooManyParameters }
            let field = body[fieldStart..<fieldEnd]
            let equals = field.firstIndex(of: UInt8(ascii: "="))
            let name = try decodeComponent(UnsafeBufferPointer(rebasing: field[..<(equals ?? fieldEnd)]))
            guard !name.isEmpty else { throw .malformed("empty parameter name") }
            var value = ""
            if let equals {
                do {
                    value = try decodeComponent(UnsafeBufferPointer(rebasing: field[(equals + 1)...]))
                } catch .nulCharacter {
                    throw .nulCharacter(parameter: name)
                }
            }
            pairs.append((name, value))
        }
        return pairs
    }

    /// Percent-decodes one name or value (`+` is a space) and validates UTF-8; a NUL, raw or encoded, throws
    /// ``FormBodyError/nulCharacter(parameter:)`` without a name (the caller knows which parameter it was).
    static func decodeComponent(_ raw: UnsafeBufferPointer<UInt8>) throws(FormBodyError) -> String {
        var plain = true
        var ascii = true
        for byte in raw {
            switch byte {
            case 0: throw .nulCharacter(parameter: nil)
            case UInt8(ascii: "%"), UInt8(ascii: "+"): plain = false
            case 0x80...: ascii = false
            default: continue
            }
        }
        // Most names and many values need no decoding at all, and ASCII is valid UTF-8.
        if plain { return ascii ? String(decoding: raw, as: UTF8.self) : try validUTF8(raw) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index < raw.endIndex {
            let byte = raw[index]
            switch byte {
            case UInt8(ascii: "+"):
                decoded.append(UInt8(ascii: " "))
                index += 1
            case UInt8(ascii: "%"):
                guard index + 2 < raw.endIndex, let high = raw[index + 1].hexDigitValue,
                    let low = raw[index + 2].hexDigitValue
                else { throw .malformed("bad percent-encoding") }
                guard high != 0 || low != 0 else { throw .nulCharacter(parameter: nil) }
                decoded.append(high << 4 | low)
                index += 3
            default:
                decoded.append(byte)
                index += 1
            }
        }
        return try decoded.withUnsafeBufferPointer { (decoded) throws(FormBodyError) in try validUTF8(decoded) }
    }

    /// `bytes` as a string, or `malformed` when they are not valid UTF-8.
    private static func validUTF8(_ bytes: UnsafeBufferPointer<UInt8>) throws(FormBodyError) -> String {
        var string = String(decoding: bytes, as: UTF8.self)
        // Decoding repairs invalid sequences with U+FFFD: the bytes come back unchanged only when they were valid.
        guard string.withUTF8({ same($0, bytes) }) else { throw .malformed("invalid UTF-8") }
        return string
    }

    private static func same(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        for index in 0..<a.count where a[index] != b[index] { return false }
        return true
    }

    public static func == (lhs: FormBody, rhs: FormBody) -> Bool {
        lhs.pairs.elementsEqual(rhs.pairs) { $0.name == $1.name && $0.value == $1.value }
    }
}

/// A form body could not be decoded; the webhook answers 400 with this reason.
public enum FormBodyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not valid form encoding.
    case malformed(String)
    /// More than ``FormBody/maximumParameters`` parameters.
    case tooManyParameters
    /// A name or value holds a NUL character; `parameter` names the parameter whose value does (nil: a name).
    case nulCharacter(parameter: String?)

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed form body: \(reason)"
        case .tooManyParameters: "too many form parameters (at most \(FormBody.maximumParameters))"
        case .nulCharacter(let parameter?):
            "form parameter \(parameter.debugDescription) contains a NUL character (%00), which is not accepted"
        case .nulCharacter(nil): "a form parameter name contains a NUL character (%00), which is not accepted"
        }
    }
}
