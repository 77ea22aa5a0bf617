import Foundation

extension StaffStore {
    /// The restaurant's numbers for `[from, to)` (microseconds since 1970); see ``AnalyticsReport``.
    public func analytics(restaurantId: String, from: Int64, to: Int64) async throws -> AnalyticsReport {
        let rows = try await client.query(
            """
            WITH span AS (
                SELECT 'epoch'::timestamptz + \(from)::bigint * interval '1 microsecond' AS lo,
                       'epoch'::timestamptz + \(to)::bigint * interval '1 microsecond' AS hi
            ), placed AS (
                SELECT o.status, o.total, o.rating FROM orders o, span
                WHERE o.restaurant_id = \(restaurantId)::uuid AND o.number IS NOT NULL
                  AND o.created_at >= span.lo AND o.created_at < span.hi
            ), responses AS (
                SELECT extract(epoch FROM (r.created_at - i.created_at)) * 1000 AS ms
                FROM messages i CROSS JOIN span
                CROSS JOIN LATERAL (
                    SELECT o.created_at FROM messages o
                    WHERE o.conversation_id = i.conversation_id AND o.direction = 'outbound'
                      AND o.created_at >= i.created_at
                    ORDER BY o.created_at LIMIT 1
                ) r
                WHERE i.restaurant_id = \(restaurantId)::uuid AND i.direction = 'inbound'
                  AND i.created_at >= span.lo AND i.created_at < span.hi
            )
            SELECT (SELECT count(*) FROM placed)::bigint AS orders,
                   (SELECT COALESCE(sum(total), 0) FROM placed WHERE status <> 'CANCELLED')::bigint AS revenue,
                   (SELECT avg(rating)::float8 FROM placed WHERE rating IS NOT NULL) AS average_rating,
                   (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms))::bigint FROM responses) AS median_ms,
                   (SELECT COALESCE(json_object_agg(status, n), '{}'::json)::text
                    FROM (SELECT status, count(*) AS n FROM placed GROUP BY status) s) AS by_status,
                   \(unescaped: Self.iso("(SELECT lo FROM span)")) AS from_iso,
                   \(unescaped: Self.iso("(SELECT hi FROM span)")) AS to_iso
            """)
        let row = try rows.single()
        let byStatus =
            (try? JSONDecoder().decode(
                [String: Int].self, from: Data(try row.decode("by_status", as: String.self).utf8)))
            ?? [:]
        return AnalyticsReport(
            from: try row.decode("from_iso", as: String.self), to: try row.decode("to_iso", as: String.self),
            orders: try row.decode("orders", as: Int.self), revenue: try row.decode("revenue", as: Int64.self),
            averageRating: try row.decode("average_rating", as: Double?.self),
            medianResponseMs: try row.decode("median_ms", as: Int?.self), byStatus: byStatus)
    }
}
