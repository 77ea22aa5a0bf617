import Actors
import Foundation

extension StaffStore {
    static let orderColumns = """
        o.id::text AS id, o.number, o.conversation_id::text AS conversation_id, o.customer, o.type, o.status,
        o.total, o.location::text AS location, o.rating::int AS rating, \(iso("o.created_at")) AS created_iso,
        \(iso("o.updated_at")) AS updated_iso, \(micros("o.created_at")) AS sort_micros,
        (SELECT c.profile_name FROM conversations c WHERE c.id = o.conversation_id) AS profile_name,
        COALESCE((SELECT json_agg(json_build_object('menuItemId', i.menu_item_id::text, 'name', i.name,
            'quantity', i.quantity, 'unitPrice', i.unit_price, 'lineTotal', i.line_total) ORDER BY i.position)
            FROM order_items i WHERE i.order_id = o.id), '[]'::json)::text AS items
        """

    /// The restaurant's orders, newest first, optionally only those in `status`, keyset-paged.
    public func orders(
        restaurantId: String, status: OrderStatus?, limit: Int, before: PageCursor?
    ) async throws
        -> Page<OrderRecord>
    {
        guard Self.isID(restaurantId) else { return Page(items: [], next: nil) }
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.orderColumns) FROM orders o
            WHERE o.restaurant_id = \(restaurantId)::uuid
              AND (\(status?.rawValue)::text IS NULL OR o.status = \(status?.rawValue)::text)
              AND (\(before?.micros)::bigint IS NULL OR (o.created_at, o.id)
                  < ('epoch'::timestamptz + \(before?.micros)::bigint * interval '1 microsecond', \(before?.id)::uuid))
            ORDER BY o.created_at DESC, o.id DESC LIMIT \(limit + 1)
            """)
        return try Page(rows: rows, limit: limit, Self.order)
    }

    /// One order of the restaurant with its items, or nil.
    public func order(restaurantId: String, id: String) async throws -> OrderRecord? {
        guard Self.isID(restaurantId), Self.isID(id) else { return nil }
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.orderColumns) FROM orders o
            WHERE o.id = \(id)::uuid AND o.restaurant_id = \(restaurantId)::uuid
            """)
        return try rows.first.map(Self.order)
    }

    static func order(_ row: PGRow) throws -> OrderRecord {
        let decoder = JSONDecoder()
        let items = try decoder.decode(
            [OrderRecord.Item].self, from: Data(try row.decode("items", as: String.self).utf8))
        let location = try row.decode("location", as: String?.self).flatMap {
            try? decoder.decode(Location.self, from: Data($0.utf8))
        }
        return OrderRecord(
            id: try row.decode("id", as: String.self), number: try row.decode("number", as: Int?.self),
            conversationId: try row.decode("conversation_id", as: String.self),
            customer: try row.decode("customer", as: String.self),
            profileName: try row.decode("profile_name", as: String?.self),
            type: try row.decode("type", as: String.self),
            status: try row.decode("status", as: String.self), items: items,
            total: try row.decode("total", as: Int64.self), location: location,
            rating: try row.decode("rating", as: Int?.self), createdAt: try row.decode("created_iso", as: String.self),
            updatedAt: try row.decode("updated_iso", as: String.self))
    }
}
