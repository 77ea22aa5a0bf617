/// The parameters of a multi-row statement as one PostgreSQL array per column, read back as rows by
/// `unnest($1::uuid[], $2::text[], …) AS v(a, b, …)`.
///
/// Unlike a `VALUES (…), (…)` list, the statement's text does not depend on the number of rows: each session parses
/// and plans it once (``PreparedStatements``) however the batches vary, and it binds one parameter per column instead
/// of one per value. `unnest` yields the rows in the order they were appended.
struct SQLArrayColumns {
    /// Each column's element type, e.g. `["uuid", "text", "jsonb"]`.
    let types: [String]
    private var literals: [[UInt8]]
    /// Rows appended so far.
    private(set) var count = 0

    /// Columns of the given element types, no rows yet.
    init(types: [String]) {
        self.types = types
        literals = types.map { _ in [UInt8(ascii: "{")] }
    }

    /// True before the first row.
    var isEmpty: Bool { count == 0 }

    /// Appends one row: each column's value in PostgreSQL's text input form (nil is SQL NULL).
    mutating func append(_ values: [String?]) {
        precondition(values.count == types.count, "SQLArrayColumns: row width must match the columns")
        for (column, value) in values.enumerated() {
            if count > 0 { literals[column].append(UInt8(ascii: ",")) }
            guard let value else {
                literals[column].append(contentsOf: "NULL".utf8)
                continue
            }
            literals[column].append(UInt8(ascii: "\""))
            // Inside double quotes only `"` and `\` need a backslash; most values have neither.
            if value.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                var escaped: [UInt8] = []
                escaped.reserveCapacity(value.utf8.count + 8)
                for byte in value.utf8 {
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { escaped.append(UInt8(ascii: "\\")) }
                    escaped.append(byte)
                }
                literals[column].append(contentsOf: escaped)
            } else {
                literals[column].append(contentsOf: value.utf8)
            }
            literals[column].append(UInt8(ascii: "\""))
        }
        count += 1
    }

    /// `unnest($1::t1[], $2::t2[], …)`, numbering the parameters from `firstParameter`.
    func unnest(firstParameter: Int = 1) -> String {
        let arguments = types.enumerated().map { index, type in "$\(firstParameter + index)::\(type)[]" }
        return "unnest(" + arguments.joined(separator: ", ") + ")"
    }

    /// The statement `prefix unnest(…) suffix`, with one array parameter per column.
    func query(_ prefix: String, _ suffix: String) -> PGQuery {
        var binds = PGBindings()
        for var literal in literals {
            literal.append(UInt8(ascii: "}"))
            binds.appendText(utf8: literal)
        }
        return PGQuery(unsafeSQL: prefix + " " + unnest() + " " + suffix, binds: binds)
    }
}
