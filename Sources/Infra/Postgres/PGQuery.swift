import Foundation

/// A SQL statement with its parameters. Values are always sent separately from the SQL text.
///
/// Interpolated values become numbered placeholders, so this is safe:
/// ```swift
/// let rows = try await client.query("SELECT name FROM restaurants WHERE id = \(id) AND status = \(status)")
/// ```
/// Identifiers that cannot be parameters (table names chosen by code, never by input) go in with
/// `\(unescaped: name)`.
public struct PGQuery: Sendable, Hashable, ExpressibleByStringInterpolation {
    /// The SQL text with `$1`, `$2`, … placeholders.
    public var sql: String
    /// The values for the placeholders, in order.
    public var binds: PGBindings

    /// A statement whose placeholders you numbered yourself.
    public init(unsafeSQL sql: String, binds: PGBindings = PGBindings()) {
        self.sql = sql
        self.binds = binds
    }

    /// A statement whose placeholders you numbered yourself, with its values.
    public init(unsafeSQL sql: String, _ values: [(any PGEncodable)?]) {
        var binds = PGBindings()
        for value in values { binds.append(value) }
        self.init(unsafeSQL: sql, binds: binds)
    }

    public init(stringLiteral value: String) {
        self.init(unsafeSQL: value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self.init(unsafeSQL: stringInterpolation.sql, binds: stringInterpolation.binds)
    }

    /// Builds SQL text and binds together; each interpolated value becomes the next `$n`.
    public struct StringInterpolation: StringInterpolationProtocol {
        var sql: String
        var binds = PGBindings()

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql = ""
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
        }

        public mutating func appendLiteral(_ literal: String) { sql += literal }

        /// A parameter value (nil becomes NULL).
        public mutating func appendInterpolation(_ value: (some PGEncodable)?) {
            binds.append(value)
            sql += "$\(binds.count)"
        }

        /// SQL text spliced verbatim: only for identifiers and fragments written by code, never for input.
        public mutating func appendInterpolation(unescaped text: String) { sql += text }
    }
}

extension PGQuery {
    /// The largest number of parameters one statement may carry (the protocol's Int16 count).
    public static let maximumParameterCount = 65_535

    /// Inside a transaction: the prepared statements that follow run on their generic plan, planned once per
    /// session, and that plan looks rows up by index, until the transaction ends. Left to itself PostgreSQL
    /// re-plans a statement bound to short arrays on every execution (a custom plan for two rows looks cheaper than
    /// the generic one), and planning a statement on `messages`, with its partial indexes, costs more than running
    /// it. A generic plan is costed for an unknown number of rows, though, and made while a table is small (a fresh
    /// database before its first `ANALYZE`) it hashes the whole table; so sequential scans and hash and merge joins
    /// are priced out too, leaving the nested loop of index lookups that a batch of keys wants at any size
    /// (docs/postgres.md, "Prepared is not planned once"). Only for statements that find their rows by key.
    public static let genericPlans: PGQuery = """
        SELECT set_config('plan_cache_mode', 'force_generic_plan', true), set_config('enable_seqscan', 'off', true),
            set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)
        """

    /// Quotes an identifier (table or column name) for splicing into SQL.
    public static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A multi-row insert, `INSERT INTO table (c1, c2) VALUES ($1, $2), ($3, $4), … suffix`.
    ///
    /// Values are bound, never spliced. `suffix` (e.g. `ON CONFLICT (sid) DO NOTHING RETURNING id`) is code-written
    /// SQL. Throws ``PGError/Code-swift.struct/invalidQuery`` when a row has the wrong width, there are no
    /// rows, or the statement would exceed ``maximumParameterCount`` parameters.
    public static func insert(
        into table: String, columns: [String], rows: [[(any PGEncodable)?]], suffix: String = ""
    ) throws(PGError) -> PGQuery {
        guard !columns.isEmpty, !rows.isEmpty else {
            throw PGError(.invalidQuery, "multi-row insert needs at least one column and one row")
        }
        guard columns.count * rows.count <= maximumParameterCount else {
            throw PGError(
                .invalidQuery, "multi-row insert of \(rows.count) rows needs more than \(maximumParameterCount) binds")
        }
        var sql = "INSERT INTO \(quoteIdentifier(table)) ("
        sql += columns.map(quoteIdentifier).joined(separator: ", ")
        sql += ") VALUES "
        var binds = PGBindings()
        for (rowIndex, row) in rows.enumerated() {
            guard row.count == columns.count else {
                throw PGError(
                    .invalidQuery, "row \(rowIndex) has \(row.count) values for \(columns.count) columns")
            }
            sql += rowIndex == 0 ? "(" : ", ("
            for (columnIndex, value) in row.enumerated() {
                binds.append(value)
                sql += columnIndex == 0 ? "$\(binds.count)" : ", $\(binds.count)"
            }
            sql += ")"
        }
        if !suffix.isEmpty { sql += " " + suffix }
        return PGQuery(unsafeSQL: sql, binds: binds)
    }
}
