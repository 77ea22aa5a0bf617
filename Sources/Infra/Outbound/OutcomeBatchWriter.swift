import Actors

/// Writes and commits one batch of send outcomes and delivery receipts in **one round trip**, a pipeline of:
/// `BEGIN` (on generic plans: ``PGQuery/genericPlans``); the lock of every row the batch may write, in id order
/// (``lockQuery(_:)``), so concurrent batches cannot deadlock (left out when the batch writes one row at most);
/// every completion in one multi-row `UPDATE … FROM unnest(…)` (``SQLArrayColumns``: the same text for every batch,
/// prepared once per session), each fenced by the lease (`lease_owner = owner AND status = 'sending'`: a stale
/// completion matches no row and changes nothing); the receipts (``OutboundQueue/statusQuery(_:)``: all in one
/// statement when no two can reach the same message, else one each in arrival order); `COMMIT`. The statements run
/// one after another, each seeing the ones before it; only the round trips between them are gone, and with them
/// most of the time the batch holds its rows' locks (docs/outbound.md, "Outcomes and receipts: group-committed").
///
/// A 401's completion (``OutboundDecision/credentialsRejected(reason:credentialsVersion:)``) is not batched: it
/// deactivates the restaurant in its own transaction (``OutboundQueue/complete(_:with:)``).
struct OutcomeBatchWriter {
    enum Item {
        case completion(OutboundJob, OutboundDecision)
        case receipt(DeliveryReceipt)
    }

    enum Result {
        case completion(OutboundCompletion)
        case receipt(OutboundQueue.StatusUpdate?)
    }

    let owner: String
    let items: [Item]

    /// Writes and commits the batch on `connection` (outside any transaction); one result per item, in order. On
    /// any error the transaction is rolled back.
    func commit(on connection: PGConnection) async throws -> [Result] {
        do {
            return try await write(on: connection)
        } catch {
            // If ROLLBACK fails the connection is broken or still in a transaction; the pool then drops it.
            if connection.isInTransaction { _ = try? await connection.simpleQuery("ROLLBACK") }
            throw error
        }
    }

    private func write(on connection: PGConnection) async throws -> [Result] {
        let completions = try completionQuery()
        var receipts: [(index: Int, receipt: DeliveryReceipt)] = []
        for (index, item) in items.enumerated() {
            if case .receipt(let receipt) = item { receipts.append((index, receipt)) }
        }
        // Every statement here finds its rows by key (a completion by id, a receipt by sid or id).
        var queries: [PGQuery] = ["BEGIN", .genericPlans]
        // A batch that writes at most one row takes one lock and cannot hold it against another batch's order: the
        // lock statement is for batches of two or more (most batches at low load are one receipt).
        if lockedRows > 1 { queries.append(try lockQuery(receipts.map(\.receipt))) }
        let completionsAt = queries.count
        if let completions { queries.append(completions) }
        // The receipts in one statement when no two can reach the same message (the usual case: a message's
        // statuses come one after another); else one statement each, in arrival order, each seeing the one before.
        let firstReceipt = queries.count
        var receiptGroups = receipts.map { [$0.receipt] }
        if receiptGroups.count > 1, OutboundQueue.canApplyTogether(receipts.map(\.receipt)) {
            receiptGroups = [receipts.map(\.receipt)]
        }
        queries.append(contentsOf: try receiptGroups.map(OutboundQueue.statusQuery))
        queries.append("COMMIT")
        let answers = try await connection.pipeline(queries)
        guard answers[answers.count - 1].commandTag != "ROLLBACK" else {
            throw PGError(.transactionRolledBack, "COMMIT rolled back: a statement in the transaction failed")
        }
        let completed = completions == nil ? [:] : try Self.records(from: answers[completionsAt])
        var results = items.map { item -> Result in
            guard case .completion(let job, _) = item else { return .receipt(nil) }
            return .completion(OutboundCompletion(message: completed[job.id]))
        }
        var updates: [OutboundQueue.StatusUpdate?] = []
        for (offset, group) in receiptGroups.enumerated() {
            updates += try OutboundQueue.statusUpdates(group, from: answers[firstReceipt + offset])
        }
        for (entry, update) in zip(receipts, updates) { results[entry.index] = .receipt(update) }
        return results
    }

    /// How many rows the batch may write at most: one per completion that writes (all but a 401's) and per receipt.
    private var lockedRows: Int {
        items.reduce(0) { count, item in
            switch item {
            case .completion(_, let decision): count + (Self.row(decision) == nil ? 0 : 1)
            case .receipt: count + 1
            }
        }
    }

    /// Locks every row the batch may write — the completions' by id, the receipts' by sid or job id — in id order,
    /// before any is written. Two batches touching the same rows then wait for each other in one order and never
    /// deadlock: a completion and the receipts of its message arrive together and land in concurrent batches, and
    /// each deadlock cost both batches PostgreSQL's `deadlock_timeout` (1 s) before one was retried (docs/outbound.md).
    private func lockQuery(_ receipts: [DeliveryReceipt]) throws -> PGQuery {
        var columns = SQLArrayColumns(types: [.uuid, .text])
        for case .completion(let job, let decision) in items where Self.row(decision) != nil {
            try columns.append([job.id, nil])
        }
        for receipt in receipts { try columns.append([receipt.jobUUID, receipt.sid]) }
        return columns.query(
            "WITH v AS (SELECT * FROM",
            """
            AS v(i, s)), t AS (
                SELECT v.i AS id FROM v WHERE v.i IS NOT NULL
                UNION SELECT m.id FROM v JOIN messages m ON m.sid = v.s
            )
            SELECT m.id FROM messages m JOIN t ON m.id = t.id ORDER BY m.id FOR UPDATE OF m
            """)
    }

    /// The batch's completions as one statement returning their rows as they then stand (nil: none). A fenced-out
    /// completion returns no row.
    private func completionQuery() throws -> PGQuery? {
        var columns = SQLArrayColumns(types: [.uuid, .text, .text, .int, .bigint, .text, .text, .text])
        for case .completion(let job, let decision) in items {
            guard let row = Self.row(decision) else { continue }
            try columns.append([
                job.id, row.kind, row.sid, String(row.attempts), row.afterMilliseconds.map { String($0) }, row.reason,
                row.code, owner,
            ])
        }
        guard !columns.isEmpty else { return nil }
        return columns.query(
            """
            UPDATE messages m SET
                status = CASE v.k WHEN 'sent' THEN CASE WHEN m.status_rank > 2 THEN m.status ELSE 'sent' END
                    WHEN 'dead' THEN 'dead' WHEN 'failed' THEN 'failed' ELSE 'queued' END,
                status_rank = CASE v.k WHEN 'sent' THEN greatest(m.status_rank, 2) WHEN 'dead' THEN 3
                    WHEN 'failed' THEN 3 ELSE 0 END,
                sid = CASE WHEN v.k = 'sent' THEN v.sid ELSE m.sid END,
                sent_at = CASE WHEN v.k = 'sent' THEN now() ELSE m.sent_at END,
                attempts = m.attempts + v.a,
                next_attempt_at = CASE WHEN v.k IN ('retry', 'uncertain')
                    THEN now() + v.ms * interval '1 millisecond' END,
                lease_owner = NULL, lease_until = NULL,
                last_error = CASE WHEN v.k = 'sent' THEN NULL ELSE v.reason END,
                send_uncertain = CASE v.k WHEN 'uncertain' THEN true WHEN 'retry' THEN m.send_uncertain
                    WHEN 'failed' THEN m.send_uncertain ELSE false END,
                error_code = CASE WHEN v.k = 'failed' THEN v.code ELSE m.error_code END,
                error_message = CASE WHEN v.k = 'failed' THEN v.reason ELSE m.error_message END
            FROM
            """,
            """
            AS v(id, k, sid, a, ms, reason, code, owner)
            WHERE m.id = v.id AND m.lease_owner = v.owner AND m.status = 'sending'
            RETURNING \(OutboundQueue.messageColumns)
            """)
    }

    /// The completions' rows, by message id.
    private static func records(from rows: PGRows) throws -> [String: MessageRecord] {
        var records: [String: MessageRecord] = [:]
        for row in rows {
            let record = try OutboundQueue.message(row)
            records[record.id] = record
        }
        return records
    }

    private struct Row {
        var kind: String
        var sid: String? = nil
        var attempts: Int
        var afterMilliseconds: Int64? = nil
        var reason: String? = nil
        var code: String? = nil
    }

    /// One completion as a row of the batch's `VALUES` (the same columns `OutboundQueue.complete` writes).
    private static func row(_ decision: OutboundDecision) -> Row? {
        switch decision {
        case .sent(let sid, let attempted):
            Row(kind: "sent", sid: sid, attempts: attempted ? 1 : 0)
        case .retry(let after, let reason):
            Row(kind: "retry", attempts: 1, afterMilliseconds: OutboundQueue.milliseconds(after), reason: reason)
        case .uncertain(let after, let reason, let attempted):
            Row(
                kind: "uncertain", attempts: attempted ? 1 : 0,
                afterMilliseconds: OutboundQueue.milliseconds(after), reason: reason)
        case .dead(let reason):
            Row(kind: "dead", attempts: 1, reason: reason)
        case .failed(let code, let reason, let attempted):
            Row(kind: "failed", attempts: attempted ? 1 : 0, reason: reason, code: code)
        case .credentialsRejected:
            nil
        }
    }
}
