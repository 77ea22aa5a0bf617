import Foundation

/// A Swift type that can be read from a column in text format.
public protocol PGDecodable {
    /// Reads the value; throws a ``PGError`` with code `.decoding` when it does not fit.
    static func decode(from cell: PGCell) throws(PGError) -> Self
}

extension String: PGDecodable {
    /// Any column reads as its text form; json/jsonb gives the document text.
    public static func decode(from cell: PGCell) throws(PGError) -> String {
        String(decoding: try cell.nonNull(String.self), as: UTF8.self)
    }
}

extension PGDecodable where Self: FixedWidthInteger {
    public static func decode(from cell: PGCell) throws(PGError) -> Self {
        let bytes = try cell.nonNull(Self.self)
        guard let value = Self(String(decoding: bytes, as: UTF8.self)) else { throw cell.mismatch(Self.self) }
        return value
    }
}

extension Int: PGDecodable {}
extension Int64: PGDecodable {}
extension Int32: PGDecodable {}
extension Int16: PGDecodable {}

extension Bool: PGDecodable {
    public static func decode(from cell: PGCell) throws(PGError) -> Bool {
        let bytes = try cell.nonNull(Bool.self)
        guard bytes.count == 1 else { throw cell.mismatch(Bool.self) }
        switch bytes[0] {
        case UInt8(ascii: "t"): return true
        case UInt8(ascii: "f"): return false
        default: throw cell.mismatch(Bool.self)
        }
    }
}

extension Double: PGDecodable {
    public static func decode(from cell: PGCell) throws(PGError) -> Double {
        let text = String(decoding: try cell.nonNull(Double.self), as: UTF8.self)
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default:
            guard let value = Double(text) else { throw cell.mismatch(Double.self) }
            return value
        }
    }
}

extension UUID: PGDecodable {
    public static func decode(from cell: PGCell) throws(PGError) -> UUID {
        guard let value = UUID(uuidString: String(decoding: try cell.nonNull(UUID.self), as: UTF8.self)) else {
            throw cell.mismatch(UUID.self)
        }
        return value
    }
}

extension Date: PGDecodable {
    /// Reads timestamptz (and timestamp, taken as UTC).
    public static func decode(from cell: PGCell) throws(PGError) -> Date {
        guard let value = PGTimestamp.parse(try cell.nonNull(Date.self)) else { throw cell.mismatch(Date.self) }
        return value
    }
}

extension Array: PGDecodable where Element == UInt8 {
    /// bytea (hex output) gives the bytes; any other column gives its text bytes (e.g. jsonb for JSONDecoder).
    public static func decode(from cell: PGCell) throws(PGError) -> [UInt8] {
        let bytes = try cell.nonNull([UInt8].self)
        guard cell.type == PGOID.bytea else { return Array(bytes) }
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "\\"), bytes[1] == UInt8(ascii: "x"), bytes.count % 2 == 0
        else { throw cell.mismatch([UInt8].self) }
        var result = [UInt8]()
        result.reserveCapacity((bytes.count - 2) / 2)
        var index = 2
        while index < bytes.count {
            guard let high = bytes[index].hexDigitValue, let low = bytes[index + 1].hexDigitValue else {
                throw cell.mismatch([UInt8].self)
            }
            result.append(high << 4 | low)
            index += 2
        }
        return result
    }

}

extension Data: PGDecodable {
    public static func decode(from cell: PGCell) throws(PGError) -> Data {
        Data(try [UInt8].decode(from: cell))
    }
}

extension Optional: PGDecodable where Wrapped: PGDecodable {
    /// NULL becomes nil.
    public static func decode(from cell: PGCell) throws(PGError) -> Wrapped? {
        guard cell.bytes != nil else { return nil }
        return try Wrapped.decode(from: cell)
    }
}
