import Infra

/// An `application/x-www-form-urlencoded` body, decoded strictly: every name and value must be valid
/// percent-encoding of UTF-8 (Twilio's webhooks always are), repeated names are kept in order.
///
/// A NUL character (`%00`, or a raw zero byte) is refused anywhere in the body: PostgreSQL cannot store it in
/// `text` or `jsonb`, no WhatsApp message carries one, and deciding here keeps one bad message from reaching
/// the database at all (see docs/inbound.md).
public struct FormBody: Sendable, Equatable {
    /// The parameters in the order received.
    public var pairs: [(name: String, value: String)]

    /// The most parameters one body may carry (Twilio sends a few dozen).
    public static let maximumParameters = 1_024

    /// Decodes `bytes`.
    public init(decoding bytes: some Collection<UInt8>) throws(FormBodyError) {
        let body = Array(bytes)
        var pairs: [(name: String, value: String)] = []
        for field in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            guard pairs.count < Self.maximumParameters else { throw .tooManyParameters }
            let equals = field.firstIndex(of: UInt8(ascii: "="))
            let rawName = equals.map { field[field.startIndex..<$0] } ?? field
            let rawValue = equals.map { field[field.index(after: $0)...] } ?? []
            let name = try Self.decodeComponent(rawName)
            guard !name.isEmpty else { throw .malformed("empty parameter name") }
            guard !name.utf8.contains(0) else { throw .nulCharacter(parameter: nil) }
            let value = try Self.decodeComponent(rawValue)
            guard !value.utf8.contains(0) else { throw .nulCharacter(parameter: name) }
            pairs.append((name, value))
        }
        self.pairs = pairs
    }

    /// The first value of `name`.
    public subscript(name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// Percent-decodes one name or value (`+` is a space) and validates UTF-8.
    static func decodeComponent(_ raw: ArraySlice<UInt8>) throws(FormBodyError) -> String {
        // Most names and many values need no decoding at all.
        if !raw.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) {
            guard let string = String(validating: raw, as: UTF8.self) else { throw .malformed("invalid UTF-8") }
            return string
        }
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
                decoded.append(high << 4 | low)
                index += 3
            default:
                decoded.append(byte)
                index += 1
            }
        }
        guard let string = String(validating: decoded, as: UTF8.self) else { throw .malformed("invalid UTF-8") }
        return string
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
