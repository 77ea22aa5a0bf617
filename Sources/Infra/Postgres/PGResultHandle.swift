import CLibPQ

/// Owns one libpq `PGresult` and frees it when the last row referencing it goes away.
///
/// Safety of `@unchecked Sendable`: a `PGresult` is immutable once `PQgetResult` returned it (libpq documents
/// results as read-only and independent of their connection), so concurrent reads from any thread are safe;
/// `PQclear` runs only in `deinit`, when no reference is left.
final class PGResultHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    let rowCount: Int
    let columnCount: Int
    /// Column names in order (as the server sent them).
    let columnNames: [String]
    /// Column type OIDs in order.
    let columnTypes: [UInt32]

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
        self.rowCount = Int(PQntuples(pointer))
        self.columnCount = Int(PQnfields(pointer))
        var names: [String] = []
        var types: [UInt32] = []
        names.reserveCapacity(columnCount)
        types.reserveCapacity(columnCount)
        for column in 0..<Int32(columnCount) {
            names.append(PQfname(pointer, column).map { String(cString: $0) } ?? "")
            types.append(PQftype(pointer, column))
        }
        self.columnNames = names
        self.columnTypes = types
    }

    deinit { PQclear(pointer) }

    /// The index of the first column named `name`, or nil.
    func columnIndex(_ name: String) -> Int? {
        columnNames.firstIndex(of: name)
    }

    /// The raw text of a cell, or nil for NULL. The buffer lives as long as this handle.
    func cell(row: Int, column: Int) -> UnsafeRawBufferPointer? {
        if PQgetisnull(pointer, Int32(row), Int32(column)) != 0 { return nil }
        guard let base = PQgetvalue(pointer, Int32(row), Int32(column)) else { return nil }
        let length = Int(PQgetlength(pointer, Int32(row), Int32(column)))
        return UnsafeRawBufferPointer(start: base, count: length)
    }
}
