import Actors
import Foundation

/// Dead letters and delivery receipts.
extension OutboundQueue {
    /// A page of a restaurant's dead letters, newest first.
    public func deadLetters(restaurantId: String, limit: Int, before: PageCursor?) async throws -> Page<MessageRecord> {
        let micros = before?.micros ?? Int64.max
        let id = before?.id ?? "ffffffff-ffff-ffff-ffff-ffffffffffff"
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.messageColumns) FROM messages m
            WHERE m.restaurant_id = \(restaurantId)::uuid AND m.status = 'dead'
                AND ((extract(epoch FROM m.created_at) * 1000000)::bigint, m.id) < (\(micros), \(id)::uuid)
            ORDER BY m.created_at DESC, m.id DESC LIMIT \(limit + 1)
            """)
        return try Page(rows: rows, limit: limit, sortKey: "created_micros", Self.message)
    }

    /// Puts a dead letter back in the queue with its attempts reset, due now; nil when no dead letter has this id.
    public func retryDeadLetter(messageId: String) async throws -> MessageRecord? {
        guard UUID(uuidString: messageId) != nil else { return nil }
        return try await client.withTransaction { connection in
            let rows = try await connection.query(
                """
                UPDATE messages m SET status = 'queued', status_rank = 0, attempts = 0, next_attempt_at = now(),
                    lease_owner = NULL, lease_until = NULL
                WHERE id = \(messageId)::uuid AND status = 'dead'
                RETURNING \(unescaped: Self.messageColumns), m.restaurant_id::text AS restaurant_id
                """)
            guard let row = rows.first else { return nil }
            let restaurantId = try row.decode("restaurant_id", as: String.self)
            try await connection.execute("SELECT pg_notify(\(Self.channel), \(restaurantId))")
            return try Self.message(row)
        }
    }

    /// The outcome of a delivery receipt.
    public struct StatusUpdate: Sendable {
        /// The restaurant the message belongs to.
        public var restaurantId: String
        /// The message after the update.
        public var message: MessageRecord
        /// False when the receipt was older than what is stored (rank unchanged).
        public var applied: Bool
    }

    /// Applies a delivery receipt for `sid` of restaurant `restaurantId`: the status moves only forward by rank
    /// (``DeliveryStatus``), an unknown status is stored without changing the rank, `errorCode` is kept. Nil when
    /// no message of that restaurant has this sid.
    public func applyStatus(
        restaurantId: String, sid: String, status: String, errorCode: String?, errorMessage: String?
    ) async throws -> StatusUpdate? {
        let rank = DeliveryStatus.rank(of: status)
        let rows = try await client.query(
            """
            WITH target AS (
                SELECT id, status_rank FROM messages
                WHERE sid = \(sid) AND restaurant_id = \(restaurantId)::uuid FOR UPDATE
            ), updated AS (
                UPDATE messages m SET
                    status = \(status), status_rank = coalesce(\(rank), m.status_rank),
                    error_code = coalesce(\(errorCode), m.error_code),
                    error_message = coalesce(\(errorMessage), m.error_message)
                FROM target
                WHERE m.id = target.id AND (\(rank)::smallint IS NULL OR \(rank) >= target.status_rank)
                RETURNING m.id
            )
            SELECT \(unescaped: Self.messageColumns), EXISTS (SELECT 1 FROM updated) AS applied
            FROM messages m JOIN target ON target.id = m.id
            """)
        guard let row = rows.first else { return nil }
        var message = try Self.message(row)
        let applied = try row.decode("applied", as: Bool.self)
        if applied {
            // The SELECT sees the row as it was before the data-modifying CTE (one snapshot): show the new values.
            message.status = status
            if let errorCode { message.errorCode = errorCode }
        }
        return StatusUpdate(restaurantId: restaurantId, message: message, applied: applied)
    }
}
