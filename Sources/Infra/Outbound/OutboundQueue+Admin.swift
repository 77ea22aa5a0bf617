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
        /// False when the receipt was older than what is stored or repeated it (row unchanged, nothing to publish).
        public var applied: Bool
    }

    /// Applies a delivery receipt (``DeliveryReceipt``) in its own statement; nil when no message of its restaurant
    /// has its sid (and its job cannot adopt it). Receipts from the HTTP edge go through ``GroupCommitOutcomes``,
    /// which writes many in one transaction with ``applyStatus(_:on:)``.
    public func applyStatus(_ receipt: DeliveryReceipt) async throws -> StatusUpdate? {
        try await client.withConnection { connection in try await Self.applyStatus(receipt, on: connection) }
    }

    /// Applies `receipt` on `connection`: the status moves only forward by rank (``DeliveryStatus``), an unknown
    /// status is stored without changing the rank, `errorCode` is kept; a receipt that changes nothing (the same
    /// status again, no error code) writes nothing. Nil when no message of that restaurant has
    /// this sid.
    ///
    /// The receipt's `jobId` (the `job` of the receipt URL) settles a send whose answer was lost, when no message
    /// has the sid yet and that job has none either. A job no longer `sending` (its worker recorded it uncertain,
    /// or the lease ran out) adopts the sid and counts as sent (at least; a later status ranks higher): lease and
    /// pending resend dropped. A job still `sending` is its worker's to record: it only takes the sid, status
    /// unchanged, so that if the worker's answer is lost the next claim settles it from the sid without a lookup.
    static func applyStatus(_ receipt: DeliveryReceipt, on connection: PGConnection) async throws -> StatusUpdate? {
        try statusUpdate(receipt, from: try await connection.query(statusQuery(receipt)))
    }

    /// The one statement of ``applyStatus(_:on:)``: locks the receipt's message, updates it, returns its row.
    static func statusQuery(_ receipt: DeliveryReceipt) -> PGQuery {
        let (restaurantId, sid, status) = (receipt.restaurantId, receipt.sid, receipt.status)
        let (errorCode, errorMessage) = (receipt.errorCode, receipt.errorMessage)
        let rank = DeliveryStatus.rank(of: status)
        let job = receipt.jobUUID
        return """
            WITH target AS (
                SELECT id, status, status_rank, sid IS NULL AS adopt, status = 'sending' AS held FROM messages
                WHERE restaurant_id = \(restaurantId)::uuid AND (sid = \(sid) OR (
                    \(job)::uuid IS NOT NULL AND id = \(job)::uuid AND sid IS NULL AND direction = 'outbound'
                    AND NOT EXISTS (SELECT 1 FROM messages s WHERE s.sid = \(sid))))
                LIMIT 1 FOR UPDATE
            ), decided AS (
                SELECT id, adopt AND NOT held AS settle,
                    CASE WHEN NOT adopt THEN \(status) WHEN held THEN 'sending'
                        WHEN coalesce(\(rank)::smallint, 2) > 2 THEN \(status) ELSE 'sent' END AS new_status,
                    CASE WHEN NOT adopt THEN coalesce(\(rank)::smallint, status_rank) WHEN held THEN status_rank
                        ELSE greatest(coalesce(\(rank)::smallint, 2), 2) END AS new_rank,
                    -- Only a receipt that changes something writes: a repeated status (Twilio's `sent` after the
                    -- completion stored it) leaves the row as it is, with no new row version and no event.
                    adopt OR \(rank)::smallint IS NULL OR \(rank) > status_rank OR (\(rank) = status_rank
                        AND (status IS DISTINCT FROM \(status) OR \(errorCode)::text IS NOT NULL)) AS allowed
                FROM target
            ), updated AS (
                UPDATE messages m SET
                    status = decided.new_status, status_rank = decided.new_rank, sid = \(sid),
                    sent_at = CASE WHEN decided.new_rank >= 2 THEN coalesce(m.sent_at, now()) ELSE m.sent_at END,
                    -- Settled (sent or beyond): no worker or resend owns it any more.
                    lease_owner = CASE WHEN decided.new_rank >= 2 THEN NULL ELSE m.lease_owner END,
                    lease_until = CASE WHEN decided.new_rank >= 2 THEN NULL ELSE m.lease_until END,
                    next_attempt_at = CASE WHEN decided.new_rank >= 2 THEN NULL ELSE m.next_attempt_at END,
                    send_uncertain = CASE WHEN decided.settle THEN false ELSE m.send_uncertain END,
                    error_code = coalesce(\(errorCode), m.error_code),
                    error_message = coalesce(\(errorMessage), m.error_message)
                FROM decided
                WHERE m.id = decided.id AND decided.allowed
                RETURNING m.id, m.status
            )
            SELECT \(unescaped: Self.messageColumns), EXISTS (SELECT 1 FROM updated) AS applied,
                (SELECT status FROM updated) AS new_status
            FROM messages m JOIN target ON target.id = m.id
            """
    }

    /// What ``statusQuery(_:)`` answered for `receipt`: nil when no message of its restaurant has its sid.
    static func statusUpdate(_ receipt: DeliveryReceipt, from rows: PGRows) throws -> StatusUpdate? {
        let (restaurantId, sid, status, errorCode) = (
            receipt.restaurantId, receipt.sid, receipt.status, receipt.errorCode
        )
        guard let row = rows.first else { return nil }
        var message = try Self.message(row)
        let applied = try row.decode("applied", as: Bool.self)
        if applied {
            // The SELECT sees the row as it was before the data-modifying CTE (one snapshot): show the new values.
            message.status = try row.decode("new_status", as: String?.self) ?? status
            message.sid = sid
            if let errorCode { message.errorCode = errorCode }
        }
        return StatusUpdate(restaurantId: restaurantId, message: message, applied: applied)
    }
}
