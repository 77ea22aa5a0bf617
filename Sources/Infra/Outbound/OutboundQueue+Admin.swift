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
        try statusUpdates([receipt], from: try await connection.query(statusQuery([receipt])))[0]
    }

    /// Whether `receipts` may be applied by one ``statusQuery(_:)``: no two of them can reach the same message.
    /// A message is found by its sid or, before it has one, by its job: receipts with distinct sids and distinct
    /// jobs never meet on one row. Otherwise (two statuses of one message in a batch) each needs its own statement,
    /// to see the one before it.
    static func canApplyTogether(_ receipts: [DeliveryReceipt]) -> Bool {
        var sids = Set<String>(minimumCapacity: receipts.count)
        var jobs = Set<String>(minimumCapacity: receipts.count)
        return receipts.allSatisfy { receipt in
            sids.insert(receipt.sid).inserted && (receipt.jobUUID.map { jobs.insert($0).inserted } ?? true)
        }
    }

    /// The statement of ``applyStatus(_:on:)``, for any number of receipts that ``canApplyTogether(_:)``: locks each
    /// receipt's message, updates it, returns its row with the receipt's place (`n`, from 1) — as updated when the
    /// receipt applied, as it was otherwise.
    ///
    /// Each receipt's values travel with its target row and the answer is the updated rows plus the others: the
    /// batch runs on generic plans without hash or merge joins (``PGQuery/genericPlans``), so joining two CTEs is a
    /// nested loop over both, and the two joins this statement had (the decision back to `v`, the answer to
    /// `updated`) made it quadratic in the batch: 19.5 → 9.0 ms for 128 receipts (docs/outbound.md, "Outcomes and
    /// receipts: group-committed").
    static func statusQuery(_ receipts: [DeliveryReceipt]) throws -> PGQuery {
        var columns = SQLArrayColumns(types: [.uuid, .text, .text, .int, .text, .text, .uuid])
        for receipt in receipts {
            try columns.append([
                receipt.restaurantId, receipt.sid, receipt.status,
                DeliveryStatus.rank(of: receipt.status).map { String($0) },
                receipt.errorCode, receipt.errorMessage, receipt.jobUUID,
            ])
        }
        return columns.query(
            "WITH v AS (SELECT * FROM",
            """
            WITH ORDINALITY AS v(r, s, st, rk, ec, em, j, n)), target AS (
                SELECT v.n, v.s, v.st, v.rk, v.ec, v.em, m.id, m.status, m.status_rank, m.sid IS NULL AS adopt,
                    m.status = 'sending' AS held
                FROM v CROSS JOIN LATERAL (
                    SELECT id, status, status_rank, sid FROM messages
                    WHERE restaurant_id = v.r AND (sid = v.s OR (
                        v.j IS NOT NULL AND id = v.j AND sid IS NULL AND direction = 'outbound'
                        AND NOT EXISTS (SELECT 1 FROM messages s WHERE s.sid = v.s)))
                    LIMIT 1 FOR UPDATE
                ) AS m
            ), decided AS (
                SELECT t.n, t.id, t.s, t.ec, t.em, t.adopt AND NOT t.held AS settle,
                    CASE WHEN NOT t.adopt THEN t.st WHEN t.held THEN 'sending'
                        WHEN coalesce(t.rk, 2) > 2 THEN t.st ELSE 'sent' END AS new_status,
                    CASE WHEN NOT t.adopt THEN coalesce(t.rk, t.status_rank) WHEN t.held THEN t.status_rank
                        ELSE greatest(coalesce(t.rk, 2), 2) END AS new_rank,
                    -- Only a receipt that changes something writes: a repeated status (Twilio's `sent` after the
                    -- completion stored it) leaves the row as it is, with no new row version and no event.
                    t.adopt OR t.rk IS NULL OR t.rk > t.status_rank OR (t.rk = t.status_rank
                        AND (t.status IS DISTINCT FROM t.st OR t.ec IS NOT NULL)) AS allowed
                FROM target t
            ), updated AS (
                UPDATE messages m SET
                    status = d.new_status, status_rank = d.new_rank, sid = d.s,
                    sent_at = CASE WHEN d.new_rank >= 2 THEN coalesce(m.sent_at, now()) ELSE m.sent_at END,
                    -- Settled (sent or beyond): no worker or resend owns it any more.
                    lease_owner = CASE WHEN d.new_rank >= 2 THEN NULL ELSE m.lease_owner END,
                    lease_until = CASE WHEN d.new_rank >= 2 THEN NULL ELSE m.lease_until END,
                    next_attempt_at = CASE WHEN d.new_rank >= 2 THEN NULL ELSE m.next_attempt_at END,
                    send_uncertain = CASE WHEN d.settle THEN false ELSE m.send_uncertain END,
                    error_code = coalesce(d.ec, m.error_code), error_message = coalesce(d.em, m.error_message)
                FROM decided d
                WHERE m.id = d.id AND d.allowed
                RETURNING d.n, \(Self.messageColumns), true AS applied
            )
            SELECT * FROM updated
            UNION ALL
            SELECT d.n, \(Self.messageColumns), false AS applied FROM decided d JOIN messages m ON m.id = d.id
            WHERE d.id::text NOT IN (SELECT u.id FROM updated u)
            """)
    }

    /// What ``statusQuery(_:)`` answered for each of `receipts`, in order: nil when no message of its restaurant
    /// has its sid.
    static func statusUpdates(_ receipts: [DeliveryReceipt], from rows: PGRows) throws -> [StatusUpdate?] {
        var updates = [StatusUpdate?](repeating: nil, count: receipts.count)
        for row in rows {
            let index = try row.decode("n", as: Int.self) - 1
            guard receipts.indices.contains(index) else { continue }
            let receipt = receipts[index]
            let message = try Self.message(row)
            let applied = try row.decode("applied", as: Bool.self)
            updates[index] = StatusUpdate(restaurantId: receipt.restaurantId, message: message, applied: applied)
        }
        return updates
    }
}
