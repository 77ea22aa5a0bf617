import Actors

/// Writes one batch of send outcomes and delivery receipts inside an open transaction: every completion of the
/// batch in **one** multi-row `UPDATE … FROM unnest(…)` (``SQLArrayColumns``: the same text for every batch, prepared
/// once per session), each fenced by the lease (`lease_owner = owner AND
/// status = 'sending'`: a stale completion matches no row and changes nothing), then each receipt with its own
/// statement (``OutboundQueue/applyStatus(_:on:)``), all committed together.
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

    func write(on connection: PGConnection) async throws -> [Result] {
        let completed = try await complete(on: connection)
        var results: [Result] = []
        results.reserveCapacity(items.count)
        for item in items {
            switch item {
            case .completion(let job, _):
                results.append(.completion(OutboundCompletion(message: completed[job.id])))
            case .receipt(let receipt):
                results.append(.receipt(try await OutboundQueue.applyStatus(receipt, on: connection)))
            }
        }
        return results
    }

    /// The completions' rows as they now stand, by message id; a fenced-out completion has none.
    private func complete(on connection: PGConnection) async throws -> [String: MessageRecord] {
        var columns = SQLArrayColumns(types: [.uuid, .text, .text, .int, .bigint, .text, .text, .text])
        for case .completion(let job, let decision) in items {
            guard let row = Self.row(decision) else { continue }
            try columns.append([
                job.id, row.kind, row.sid, String(row.attempts), row.afterMilliseconds.map { String($0) }, row.reason,
                row.code, owner,
            ])
        }
        guard !columns.isEmpty else { return [:] }
        let rows = try await connection.query(
            columns.query(
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
                """))
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
