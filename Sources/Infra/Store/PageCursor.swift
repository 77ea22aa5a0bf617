/// An opaque keyset-pagination cursor: the sort key of the last row of a page (a time in microseconds since
/// the epoch, and the row id as tie-breaker), written as `<micros>_<id>`. Pages are newest first; the next page
/// holds rows strictly before the cursor, so concurrent inserts (which are newer) never shift it.
///
/// Lists whose sort key moves (conversations sort by their last message, which changes) also carry the time of
/// their first page, `asOf`: later pages sort every row by its key as of that time, so a row that moves to the
/// top meanwhile is neither repeated nor skipped. Written `<micros>_<id>_<asOfMicros>`.
public struct PageCursor: Sendable, Hashable, CustomStringConvertible {
    /// Microseconds since 1970.
    public var micros: Int64
    /// The row id.
    public var id: String
    /// Microseconds since 1970 of the first page (snapshot lists only).
    public var asOf: Int64?

    /// Creates a cursor.
    public init(micros: Int64, id: String, asOf: Int64? = nil) {
        self.micros = micros
        self.id = id
        self.asOf = asOf
    }

    /// Parses a cursor from a query string; nil when malformed (the API answers 400).
    public init?(_ text: String) {
        let parts = text.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, let micros = Int64(parts[0]), Self.isUUID(parts[1]) else {
            return nil
        }
        var asOf: Int64?
        if parts.count == 3 {
            guard let value = Int64(parts[2]) else { return nil }
            asOf = value
        }
        self.init(micros: micros, id: String(parts[1]).lowercased(), asOf: asOf)
    }

    public var description: String { "\(micros)_\(id)" + (asOf.map { "_\($0)" } ?? "") }

    private static func isUUID(_ text: Substring) -> Bool {
        text.utf8.count == 36
            && text.utf8.allSatisfy {
                $0 == UInt8(ascii: "-") || ($0 < 128 && Character(Unicode.Scalar($0)).isHexDigit)
            }
    }
}

/// One page of a list: `{ "items": [...], "next": CURSOR or null }`.
public struct Page<Item: Sendable & Encodable>: Sendable, Encodable {
    /// The rows, newest first.
    public var items: [Item]
    /// The cursor of the next page, nil on the last.
    public var next: String?

    /// Creates a page.
    public init(items: [Item], next: String?) {
        self.items = items
        self.next = next
    }

    private enum CodingKeys: String, CodingKey {
        case items, next
    }

    /// Encodes `next` as `null` on the last page rather than leaving it out.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(next, forKey: .next)
    }
}

extension Page {
    /// A page from rows fetched with `LIMIT limit + 1`: the extra row only says there is a next page, whose
    /// cursor is the sort key (`sortKey`, microseconds) and `id` of the last row kept.
    init(
        rows: PGRows, limit: Int, asOf: Int64? = nil, sortKey: String = "sort_micros",
        _ item: (PGRow) throws -> Item
    ) throws {
        var items: [Item] = []
        var next: String?
        for (index, row) in rows.enumerated() {
            if index == limit {
                let last = rows[index - 1]
                next =
                    PageCursor(
                        micros: try last.decode(sortKey, as: Int64.self), id: try last.decode("id", as: String.self),
                        asOf: asOf
                    ).description
                break
            }
            items.append(try item(row))
        }
        self.init(items: items, next: next)
    }
}
