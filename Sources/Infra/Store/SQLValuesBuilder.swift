/// Builds a multi-row `VALUES (…), (…)` list with numbered placeholders and optional casts, binding every
/// value (never splicing it). For statements `PGQuery.insert` does not cover (`UPDATE … FROM (VALUES …)`,
/// inserts with casts).
struct SQLValuesBuilder {
    /// Casts per column, e.g. `["uuid", "", "int"]`; empty means none.
    let casts: [String]
    private(set) var sql = ""
    private(set) var binds = PGBindings()
    private var rowCount = 0

    init(casts: [String]) {
        self.casts = casts
    }

    /// Appends one row; `values` must have one value per column.
    mutating func append(_ values: [(any PGEncodable)?]) {
        precondition(values.count == casts.count, "SQLValuesBuilder: row width must match the columns")
        sql += rowCount == 0 ? "(" : ", ("
        for (index, value) in values.enumerated() {
            binds.append(value)
            if index > 0 { sql += ", " }
            sql += "$\(binds.count)"
            if !casts[index].isEmpty { sql += "::" + casts[index] }
        }
        sql += ")"
        rowCount += 1
    }

    /// The full statement: `prefix` + values + `suffix`.
    func query(prefix: String, suffix: String = "") -> PGQuery {
        PGQuery(unsafeSQL: prefix + sql + (suffix.isEmpty ? "" : " " + suffix), binds: binds)
    }

    /// No rows yet.
    var isEmpty: Bool { rowCount == 0 }
}
