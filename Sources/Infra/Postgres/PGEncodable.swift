import Foundation

/// A Swift value that can be sent as a statement parameter.
public protocol PGEncodable: Sendable {
    /// Appends this value to `bindings` (text format unless noted).
    func encode(into bindings: inout PGBindings)
}

/// Well-known type OIDs (from `pg_type`).
enum PGOID {
    static let bool: UInt32 = 16
    static let bytea: UInt32 = 17
    static let int8: UInt32 = 20
    static let int2: UInt32 = 21
    static let int4: UInt32 = 23
    static let text: UInt32 = 25
    static let json: UInt32 = 114
    static let float4: UInt32 = 700
    static let float8: UInt32 = 701
    static let timestamp: UInt32 = 1114
    static let timestamptz: UInt32 = 1184
    static let uuid: UInt32 = 2950
    static let jsonb: UInt32 = 3802
}

// Strings go as "unknown" (OID 0) so the server reads them as whatever the column is (text, uuid, jsonb, enum…).
extension String: PGEncodable {
    public func encode(into bindings: inout PGBindings) { bindings.appendText(self) }
}

extension Substring: PGEncodable {
    public func encode(into bindings: inout PGBindings) { bindings.appendText(String(self)) }
}

extension Int: PGEncodable {
    public func encode(into bindings: inout PGBindings) {
        bindings.appendText(String(self), type: PGOID.int8)
    }
}

extension Int64: PGEncodable {
    public func encode(into bindings: inout PGBindings) {
        bindings.appendText(String(self), type: PGOID.int8)
    }
}

extension Int32: PGEncodable {
    public func encode(into bindings: inout PGBindings) {
        bindings.appendText(String(self), type: PGOID.int4)
    }
}

extension Int16: PGEncodable {
    public func encode(into bindings: inout PGBindings) {
        bindings.appendText(String(self), type: PGOID.int2)
    }
}

extension Bool: PGEncodable {
    public func encode(into bindings: inout PGBindings) {
        bindings.appendText(self ? "t" : "f", type: PGOID.bool)
    }
}

extension Double: PGEncodable {
    public func encode(into bindings: inout PGBindings) {
        let text: String
        if isNaN {
            text = "NaN"
        } else if isInfinite {
            text = self > 0 ? "Infinity" : "-Infinity"
        } else {
            text = String(self)  // shortest representation that round-trips
        }
        bindings.appendText(text, type: PGOID.float8)
    }
}

extension UUID: PGEncodable {
    public func encode(into bindings: inout PGBindings) {
        bindings.appendText(uuidString, type: PGOID.uuid)
    }
}

extension Date: PGEncodable {
    public func encode(into bindings: inout PGBindings) {
        bindings.appendText(PGTimestamp.format(self), type: PGOID.timestamptz)
    }
}

extension Array: PGEncodable where Element == UInt8 {
    /// Bytes are sent as `bytea` in binary format.
    public func encode(into bindings: inout PGBindings) {
        bindings.appendBinary(self, type: PGOID.bytea)
    }
}

extension Data: PGEncodable {
    /// Bytes are sent as `bytea` in binary format.
    public func encode(into bindings: inout PGBindings) {
        bindings.appendBinary(self, type: PGOID.bytea)
    }
}

extension Optional: PGEncodable where Wrapped: PGEncodable {
    public func encode(into bindings: inout PGBindings) {
        switch self {
        case .none: bindings.appendNull()
        case .some(let value): value.encode(into: &bindings)
        }
    }
}

/// JSON text sent as `jsonb`.
public struct PGJSON: PGEncodable, Hashable {
    /// The JSON document as text.
    public var text: String

    /// Wraps JSON text (not validated here; the server rejects bad JSON with SQLSTATE 22P02).
    public init(text: String) { self.text = text }

    /// Encodes `value` with `JSONEncoder`.
    public init(encoding value: some Encodable, encoder: JSONEncoder = JSONEncoder()) throws {
        self.text = String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    public func encode(into bindings: inout PGBindings) {
        bindings.appendText(text, type: PGOID.jsonb)
    }
}
