import Actors
import Foundation

/// The one place bot replies become queued outbound messages, for a single step (``BotStepWriter``) and for a whole
/// group-commit batch (``IngestBatchWriter``) alike: one multi-row insert inside the caller's transaction, the
/// replies' order kept strict by `created_at = clock_timestamp() + position µs` (the sender sends a conversation's
/// messages oldest first). The caller announces them to the senders after its commit.
struct ReplyRowsWriter {
    /// One conversation's replies, in sending order.
    struct Group {
        var restaurantId: String
        var conversationId: String
        var replies: [Reply]
    }

    let groups: [Group]

    /// Inserts every group's replies; returns their message ids per group, in the groups' order.
    func insert(on connection: PGConnection) async throws -> [[String]] {
        guard let query = try query() else { return try ids(from: nil) }
        return try ids(from: try await connection.query(query))
    }

    /// The insert of every group's replies, returning their ids (nil when there is no reply at all).
    func query() throws -> PGQuery? {
        guard groups.contains(where: { !$0.replies.isEmpty }) else { return nil }
        var columns = SQLArrayColumns(types: ["uuid", "uuid", "text", "text", "jsonb", "int"])
        var position = 0
        for group in groups {
            for reply in group.replies {
                switch reply {
                case .text(let body):
                    columns.append([group.restaurantId, group.conversationId, body, nil, nil, String(position)])
                case .template(let contentSid, let variables):
                    let json = String(decoding: try JSONEncoder().encode(variables), as: UTF8.self)
                    columns.append([group.restaurantId, group.conversationId, nil, contentSid, json, String(position)])
                }
                position += 1
            }
        }
        return columns.query(
            """
            INSERT INTO messages (restaurant_id, conversation_id, body, content_sid, content_variables,
                created_at, direction, status, next_attempt_at)
            SELECT v.r, v.c, v.b, v.s, v.j, clock_timestamp() + v.i * interval '1 microsecond',
                'outbound', 'queued', now()
            FROM
            """,
            "AS v(r, c, b, s, j, i) ORDER BY v.i RETURNING id")
    }

    /// The message ids per group, in the groups' order, from the rows ``query()`` returned (nil: it was not run).
    func ids(from rows: PGRows?) throws -> [[String]] {
        let ids = try rows.map { rows in try rows.map { try $0.decodeID("id") } } ?? []
        var result: [[String]] = []
        var offset = 0
        for group in groups {
            let end = min(ids.count, offset + group.replies.count)
            result.append(offset < end ? Array(ids[offset..<end]) : [])
            offset += group.replies.count
        }
        return result
    }
}
