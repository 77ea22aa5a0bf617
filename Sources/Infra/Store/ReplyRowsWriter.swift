import Actors
import Foundation

/// The one place replies become outbound message rows, for a single bot step (``BotStepWriter``), a whole
/// group-commit batch (``IngestBatchWriter``) and a staff reply alike: one multi-row insert inside the caller's
/// transaction, the replies' order kept strict by `created_at = clock_timestamp() + position µs` (the sender sends
/// a conversation's messages oldest first). The caller announces them after its commit: queued rows through the
/// ``OutboundNotifier``, born-claimed rows into their restaurant's ``OutboundChannel``.
///
/// A group with a ``Claim`` (room reserved in its restaurant's channel) is written **born claimed** — `sending`,
/// leased to this process, first attempted now — when its restaurant is active and no earlier reply of its
/// conversation is still queued or held by another process (per-customer order; a reply of ours in flight is
/// ordered by the send loop). Otherwise, and for groups without a claim, the rows are `queued` for the claim.
struct ReplyRowsWriter {
    /// A lease to write rows under.
    struct Claim: Hashable {
        var owner: String
        var leaseMilliseconds: Int64
    }

    /// One conversation's replies, in sending order.
    struct Group {
        var restaurantId: String
        var conversationId: String
        var replies: [Reply]
        var claim: Claim? = nil
    }

    /// What one group became.
    struct Written: Equatable {
        /// Message ids in order.
        var ids: [String]
        /// Whether the rows were written `sending` under the group's claim.
        var bornClaimed: Bool
    }

    let groups: [Group]

    /// Inserts every group's replies; returns what each group became, in the groups' order.
    func insert(on connection: PGConnection) async throws -> [Written] {
        guard let query = try query() else { return try written(from: nil) }
        return try written(from: try await connection.query(query))
    }

    /// The insert of every group's replies, returning their ids and statuses (nil when there is no reply at all).
    func query() throws -> PGQuery? {
        guard groups.contains(where: { !$0.replies.isEmpty }) else { return nil }
        var columns = SQLArrayColumns(
            types: [.uuid, .uuid, .text, .text, .jsonb, .int, .text, .bigint],
            rows: groups.reduce(0) { $0 + $1.replies.count })
        var position = 0
        for group in groups {
            let owner = group.claim?.owner
            let lease = group.claim.map { String($0.leaseMilliseconds) }
            for reply in group.replies {
                switch reply {
                case .text(let body):
                    try columns.append([
                        group.restaurantId, group.conversationId, body, nil, nil, String(position), owner, lease,
                    ])
                case .template(let contentSid, let variables):
                    let json = String(decoding: try JSONEncoder().encode(variables), as: UTF8.self)
                    try columns.append([
                        group.restaurantId, group.conversationId, nil, contentSid, json, String(position), owner, lease,
                    ])
                }
                position += 1
            }
        }
        return columns.query(
            """
            INSERT INTO messages (restaurant_id, conversation_id, body, content_sid, content_variables,
                created_at, direction, status, status_rank, lease_owner, lease_until, first_attempt_at,
                next_attempt_at)
            SELECT w.r, w.c, w.b, w.s, w.j, clock_timestamp() + w.i * interval '1 microsecond', 'outbound',
                CASE WHEN w.k THEN 'sending' ELSE 'queued' END, CASE WHEN w.k THEN 1 ELSE 0 END,
                CASE WHEN w.k THEN w.o END, CASE WHEN w.k THEN now() + w.l * interval '1 millisecond' END,
                CASE WHEN w.k THEN now() END, now()
            FROM (
                SELECT v.*, v.o IS NOT NULL
                    AND EXISTS (SELECT 1 FROM restaurants r WHERE r.id = v.r AND r.status = 'active')
                    AND NOT EXISTS (
                        SELECT 1 FROM messages e
                        WHERE e.conversation_id = v.c AND e.direction = 'outbound'
                            AND (e.status = 'queued' OR (e.status = 'sending' AND e.lease_owner <> v.o))
                    ) AS k
                FROM
            """,
            // `OFFSET 0` keeps `w` a subquery of its own: flattened into the insert, each of the five uses of `w.k`
            // ran its two subqueries again (ten index probes per reply instead of two).
            "AS v(r, c, b, s, j, i, o, l) OFFSET 0) AS w ORDER BY w.i RETURNING id, status")
    }

    /// What each group became, in the groups' order, from the rows ``query()`` returned (nil: it was not run).
    func written(from rows: PGRows?) throws -> [Written] {
        let rows =
            try rows.map { rows in
                try rows.map {
                    (id: try $0.decodeID("id"), born: try $0.decode("status", as: String.self) == "sending")
                }
            } ?? []
        var result: [Written] = []
        var offset = 0
        for group in groups {
            let end = min(rows.count, offset + group.replies.count)
            let slice = offset < end ? Array(rows[offset..<end]) : []
            result.append(Written(ids: slice.map(\.id), bornClaimed: !slice.isEmpty && slice.allSatisfy(\.born)))
            offset += group.replies.count
        }
        return result
    }
}
