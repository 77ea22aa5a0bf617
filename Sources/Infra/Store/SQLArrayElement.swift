/// An element type of an ``SQLArrayColumns`` column, and how one value of it is written in PostgreSQL's binary
/// format (the form `array_recv` reads: no quoting, no escaping, no text parsing on either side).
enum SQLArrayElement: String, Sendable {
    case uuid, text, jsonb, bool
    case int = "int4"
    case bigint = "int8"

    /// A value that is not in its type's text form (e.g. a malformed uuid): the batch is not sent.
    struct InvalidValue: Error, CustomStringConvertible {
        let type: SQLArrayElement
        let value: String
        var description: String { "not a valid \(type.rawValue): \(value.prefix(64).debugDescription)" }
    }

    /// The element type's OID, written in the array's header.
    var oid: UInt32 {
        switch self {
        case .uuid: PGOID.uuid
        case .text: PGOID.text
        case .jsonb: PGOID.jsonb
        case .bool: PGOID.bool
        case .int: PGOID.int4
        case .bigint: PGOID.int8
        }
    }

    /// Bytes one value usually takes in an array, length prefix included: what a column reserves per row (a text
    /// or JSON value longer than this only makes the column grow).
    var typicalBytes: Int {
        switch self {
        case .uuid: 20
        case .text: 48
        case .jsonb: 384
        case .bool: 5
        case .int: 8
        case .bigint: 12
        }
    }

    /// The array type's OID (the parameter's type).
    var arrayOID: UInt32 {
        switch self {
        case .uuid: 2951
        case .text: 1009
        case .jsonb: 3807
        case .bool: 1000
        case .int: 1007
        case .bigint: 1016
        }
    }

    /// Appends `value`, given in the type's text form (`t`/`f` for bool), in binary form with its length prefix.
    func append(_ value: String, to bytes: inout [UInt8]) throws(InvalidValue) {
        switch self {
        case .text:
            bytes.appendBigEndian(Int32(value.utf8.count))
            bytes.append(contentsOf: value.utf8)
        case .jsonb:
            bytes.appendBigEndian(Int32(value.utf8.count + 1))
            bytes.append(1)  // jsonb's binary format: a version byte, then the JSON text
            bytes.append(contentsOf: value.utf8)
        case .uuid:
            bytes.appendBigEndian(Int32(16))
            guard Self.appendUUID(value, to: &bytes) else { throw InvalidValue(type: self, value: value) }
        case .bool:
            guard value == "t" || value == "f" else { throw InvalidValue(type: self, value: value) }
            bytes.appendBigEndian(Int32(1))
            bytes.append(value == "t" ? 1 : 0)
        case .int:
            guard let number = Int32(value) else { throw InvalidValue(type: self, value: value) }
            bytes.appendBigEndian(Int32(4))
            bytes.appendBigEndian(number)
        case .bigint:
            guard let number = Int64(value) else { throw InvalidValue(type: self, value: value) }
            bytes.appendBigEndian(Int32(8))
            bytes.appendBigEndian(number)
        }
    }

    /// The 16 bytes of a uuid in its canonical text form (32 hex digits, dashes after the 8th, 12th, 16th and
    /// 20th; either case). False, with `bytes` unchanged, for anything else.
    private static func appendUUID(_ text: String, to bytes: inout [UInt8]) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            guard utf8.count == 36, utf8[8] == UInt8(ascii: "-"), utf8[13] == UInt8(ascii: "-"),
                utf8[18] == UInt8(ascii: "-"), utf8[23] == UInt8(ascii: "-")
            else { return false }
            let start = bytes.count
            var offset = 0
            while offset < 36 {
                if offset == 8 || offset == 13 || offset == 18 || offset == 23 { offset += 1 }
                guard let high = utf8[offset].hexDigitValue, let low = utf8[offset + 1].hexDigitValue else {
                    bytes.removeSubrange(start...)
                    return false
                }
                bytes.append(high << 4 | low)
                offset += 2
            }
            return true
        }
    }

}

extension [UInt8] {
    /// Appends `value` in network byte order, as PostgreSQL's binary formats write integers.
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}
