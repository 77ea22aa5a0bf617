import Foundation

/// A Swift value that can be sent as a statement parameter.
public protocol PostgresEncodable: Sendable {
    /// Appends this value to `bindings` (text format unless noted).
    func encode(into bindings: inout PostgresBindings)
}

/// Well-known type OIDs (from `pg_type`).
enum PostgresOID {
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
extension String: PostgresEncodable {
    public func encode(into bindings: inout PostgresBindings) { bindings.appendText(self) }
}

extension Substring: PostgresEncodable {
    public func encode(into bindings: inout PostgresBindings) { bindings.appendText(String(self)) }
}

extension Int: PostgresEncodable {
    public func encode(into bindings: inout PostgresBindings) {
        bindings.appendText(String(self), type: PostgresOID.int8)
    }
}

extension Int64: PostgresEncodable {
    public func encode(into bindings: inout PostgresBindings) {
        bindings.appendText(String(self), type: PostgresOID.int8)
    }
}

extension Int32: PostgresEncodable {
    public func encode(into bindings: inout PostgresBindings) {
        bindings.appendText(String(self), type: PostgresOID.int4)
    }
}

extension Int16: PostgresEncodable {
    public func encode(into bindings: inout PostgresBindings) {
        bindings.appendText(String(self), type: PostgresOID.int2)
    }
}

extension Bool: PostgresEncodable {
    public func encode(into bindings: inout PostgresBindings) {
        bindings.appendText(self ? "t" : "f", type: PostgresOID.bool)
    }
}

extension Double: PostgresEncodable {
    public func encode(into bindings: inout PostgresBindings) {
        let text: String
        if isNaN {
            text = "NaN"
        } else if isInfinite {
            text = self > 0 ? "Infinity" : "-Infinity"
        } else {
            text = String(self)  // shortest representation that round-trips
        }
        bindings.appendText(text, type: PostgresOID.float8)
    }
}

extension UUID: PostgresEncodable {
    public func encode(into bindings: inout PostgresBindings) {
        bindings.appendText(uuidString, type: PostgresOID.uuid)
    }
}

extension Date: PostgresEncodable {
    public func encode(into bindings: inout PostgresBindings) {
        bindings.appendText(PostgresTimestamp.format(self), type: PostgresOID.timestamptz)
    }
}

extension Array: PostgresEncodable where Element == UInt8 {
    /// Bytes are sent as `bytea` in binary format.
    public func encode(into bindings: inout PostgresBindings) {
        bindings.appendBinary(self, type: PostgresOID.bytea)
    }
}

extension Data: PostgresEncodable {
    /// Bytes are sent as `bytea` in binary format.
    public func encode(into bindings: inout PostgresBindings) {
        bindings.appendBinary(self, type: PostgresOID.bytea)
    }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public func encode(into bindings: inout PostgresBindings) {
        switch self {
        case .none: bindings.appendNull()
        case .some(let value): value.encode(into: &bindings)
        }
    }
}

/// JSON text sent as `jsonb`.
public struct PostgresJSON: PostgresEncodable, Hashable {
    /// The JSON document as text.
    public var text: String

    /// Wraps JSON text (not validated here; the server rejects bad JSON with SQLSTATE 22P02).
    public init(text: String) { self.text = text }

    /// Encodes `value` with `JSONEncoder`.
    public init(encoding value: some Encodable, encoder: JSONEncoder = JSONEncoder()) throws {
        self.text = String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    public func encode(into bindings: inout PostgresBindings) {
        bindings.appendText(text, type: PostgresOID.jsonb)
    }
}
