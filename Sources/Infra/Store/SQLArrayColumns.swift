/// The parameters of a multi-row statement as one PostgreSQL array per column, read back as rows by
/// `unnest($1::uuid[], $2::text[], …) AS v(a, b, …)`.
///
/// Unlike a `VALUES (…), (…)` list, the statement's text does not depend on the number of rows: each session parses
/// and plans it once (``PreparedStatements``) however the batches vary, and it binds one parameter per column instead
/// of one per value. `unnest` yields the rows in the order they were appended.
///
/// Each array goes in PostgreSQL's binary format (``SQLArrayElement``): every value is length-prefixed as it is, so
/// nothing is quoted or escaped here and PostgreSQL parses no array text (a webhook's parameters, as JSON full of
/// quotes, were escaped here and unescaped there).
struct SQLArrayColumns {
    /// Each column's element type.
    let types: [SQLArrayElement]
    /// Each column's elements so far, in binary form.
    private var elements: [[UInt8]]
    /// Whether a column holds a NULL (the array header says so).
    private var hasNull: [Bool]
    /// Rows appended so far.
    private(set) var count = 0

    /// Columns of the given element types, no rows yet, with room for about `rows` rows (a batch knows its size:
    /// its columns then grow once, not once per doubling).
    init(types: [SQLArrayElement], rows: Int = 0) {
        self.types = types
        elements = types.map { type in
            var column: [UInt8] = []
            column.reserveCapacity(rows * type.typicalBytes)
            return column
        }
        hasNull = types.map { _ in false }
    }

    /// True before the first row.
    var isEmpty: Bool { count == 0 }

    /// Appends one row: each column's value in its type's text form (nil is SQL NULL). Throws, leaving the columns
    /// unusable, when a value is not of its column's type.
    mutating func append(_ values: [String?]) throws(SQLArrayElement.InvalidValue) {
        precondition(values.count == types.count, "SQLArrayColumns: row width must match the columns")
        for (column, value) in values.enumerated() {
            guard let value else {
                elements[column].appendBigEndian(Int32(-1))
                hasNull[column] = true
                continue
            }
            try types[column].append(value, to: &elements[column])
        }
        count += 1
    }

    /// `unnest($1::t1[], $2::t2[], …)`, numbering the parameters from `firstParameter`.
    func unnest(firstParameter: Int = 1) -> String {
        let arguments = types.enumerated().map { index, type in "$\(firstParameter + index)::\(type.rawValue)[]" }
        return "unnest(" + arguments.joined(separator: ", ") + ")"
    }

    /// The statement `prefix unnest(…) suffix`, with one array parameter per column.
    func query(_ prefix: String, _ suffix: String) -> PGQuery {
        var binds = PGBindings()
        binds.reserve(parameters: types.count, bytes: elements.reduce(0) { $0 + 20 + $1.count })
        for (column, type) in types.enumerated() {
            // array_recv's layout: dimensions, a has-NULL flag, the element type, then (length, lower bound) per
            // dimension; an empty array has no dimension. Written straight into the parameters' storage.
            binds.appendBinary(type: type.arrayOID) { array in
                array.appendBigEndian(Int32(count == 0 ? 0 : 1))
                array.appendBigEndian(Int32(hasNull[column] ? 1 : 0))
                array.appendBigEndian(type.oid)
                if count > 0 {
                    array.appendBigEndian(Int32(count))
                    array.appendBigEndian(Int32(1))
                }
                array.append(contentsOf: elements[column])
            }
        }
        return PGQuery(unsafeSQL: prefix + " " + unnest() + " " + suffix, binds: binds)
    }
}
