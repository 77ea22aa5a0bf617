import Foundation

/// One row of a result; decode its columns by name or position.
///
/// ```swift
/// let name = try row.decode("name", as: String.self)
/// let reason = try row.decode("status_reason", as: String?.self)   // NULL → nil
/// ```
public struct PGRow: Sendable {
    let handle: PGResultHandle
    let index: Int

    /// The number of columns.
    public var count: Int { handle.columnCount }

    /// Decodes the column called `column`.
    public func decode<Value: PGDecodable>(
        _ column: String, as type: Value.Type = Value.self
    )
        throws(PGError) -> Value
    {
        guard let position = handle.columnIndex(column) else {
            throw PGError(.decoding, "no column named '\(column)' (have: \(handle.columnNames))")
        }
        return try decode(position, as: type)
    }

    /// Decodes the column at `position` (0-based).
    public func decode<Value: PGDecodable>(
        _ position: Int, as type: Value.Type = Value.self
    )
        throws(PGError) -> Value
    {
        guard position >= 0, position < handle.columnCount else {
            throw PGError(.decoding, "column \(position) is out of range (\(handle.columnCount) columns)")
        }
        let cell = PGCell(
            bytes: handle.cell(row: index, column: position), type: handle.columnTypes[position],
            column: handle.columnNames[position])
        return try Value.decode(from: cell)
    }

    /// Decodes a `uuid` column as the canonical lowercase text PostgreSQL prints (`8-4-4-4-12` hex digits), the form
    /// every id takes in Sufra, without parsing it into a `UUID` and printing it back.
    public func decodeID(_ column: String) throws(PGError) -> String {
        try decode(column, as: String.self)
    }

    /// Decodes a json/jsonb (or text) column with `JSONDecoder`.
    public func decodeJSON<Value: Decodable>(
        _ column: String, as type: Value.Type = Value.self, decoder: JSONDecoder = JSONDecoder()
    ) throws -> Value {
        let bytes = try decode(column, as: [UInt8].self)
        return try decoder.decode(Value.self, from: Data(bytes))
    }
}

/// One cell as the server sent it: text-format bytes (nil for NULL) and the column's type.
public struct PGCell {
    /// The text-format value; nil for SQL NULL. Valid only during ``PGDecodable/decode(from:)``.
    public let bytes: UnsafeRawBufferPointer?
    /// The column's type OID.
    public let type: UInt32
    /// The column's name, for error messages.
    public let column: String

    /// The error to throw when the cell does not fit `Value`.
    public func mismatch<Value>(_ value: Value.Type) -> PGError {
        let shown = bytes.map { String(decoding: $0.prefix(64), as: UTF8.self) } ?? "NULL"
        return PGError(.decoding, "column '\(column)' (type \(type)): cannot decode '\(shown)' as \(Value.self)")
    }

    /// The bytes, or a decoding error for NULL.
    public func nonNull<Value>(_ value: Value.Type) throws(PGError) -> UnsafeRawBufferPointer {
        guard let bytes else {
            throw PGError(.decoding, "column '\(column)' is NULL; decode as \(Value.self)? to allow that")
        }
        return bytes
    }
}
