import Actors
import Foundation

extension StaffStore {
    static let messageColumns = """
        m.id::text AS id, m.conversation_id::text AS conversation_id, m.direction, m.body, m.content_sid, m.sid,
        m.status, m.error_code, m.attempts, m.last_error, \(iso("m.created_at")) AS created_iso,
        \(micros("m.created_at")) AS sort_micros
        """

    /// A conversation's messages, newest first, keyset-paged (messages never move, so a plain keyset is stable);
    /// nil when the conversation is not the restaurant's.
    public func messages(
        restaurantId: String, conversationId: String, limit: Int, before: PageCursor?
    ) async throws
        -> Page<MessageRecord>?
    {
        guard try await conversation(restaurantId: restaurantId, id: conversationId) != nil else { return nil }
        let rows: PGRows
        if let before {
            rows = try await client.query(
                """
                SELECT \(unescaped: Self.messageColumns) FROM messages m
                WHERE m.conversation_id = \(conversationId)::uuid AND m.restaurant_id = \(restaurantId)::uuid
                  AND (m.created_at, m.id)
                      < ('epoch'::timestamptz + \(before.micros)::bigint * interval '1 microsecond', \(before.id)::uuid)
                ORDER BY m.created_at DESC, m.id DESC LIMIT \(limit + 1)
                """)
        } else {
            rows = try await client.query(
                """
                SELECT \(unescaped: Self.messageColumns) FROM messages m
                WHERE m.conversation_id = \(conversationId)::uuid AND m.restaurant_id = \(restaurantId)::uuid
                ORDER BY m.created_at DESC, m.id DESC LIMIT \(limit + 1)
                """)
        }
        return try Page(rows: rows, limit: limit, OutboundQueue.message)
    }

    /// Queues a staff reply like the bot's replies (an outbound `queued` message, senders woken), moves the
    /// conversation's `lastMessageAt` and, when staff took it over, pushes back its return to the bot, all in one
    /// transaction; nil when the conversation is not the
    /// restaurant's.
    public func reply(restaurantId: String, conversationId: String, body: String) async throws -> MessageRecord? {
        guard Self.isID(restaurantId), Self.isID(conversationId) else { return nil }
        return try await client.withTransaction { connection in
            let rows = try await connection.query(
                """
                WITH c AS (
                    UPDATE conversations SET last_message_at = clock_timestamp(), updated_at = now(),
                        human_until = CASE WHEN mode = 'human' AND human_until > now()
                            THEN now() + \(handoffIdleSeconds) * interval '1 second' ELSE human_until END,
                        version = CASE WHEN mode = 'human' AND human_until > now() THEN version + 1 ELSE version END
                    WHERE id = \(conversationId)::uuid AND restaurant_id = \(restaurantId)::uuid
                    RETURNING id, restaurant_id, last_message_at
                ), m AS (
                    INSERT INTO messages (restaurant_id, conversation_id, direction, body, status, next_attempt_at,
                        created_at)
                    SELECT c.restaurant_id, c.id, 'outbound', \(body), 'queued', now(), c.last_message_at FROM c
                    RETURNING *
                )
                SELECT \(unescaped: Self.messageColumns) FROM m
                """)
            guard let row = rows.first else { return nil }
            _ = try await connection.execute("SELECT pg_notify(\(Self.outboundChannel), \(restaurantId))")
            return try OutboundQueue.message(row)
        }
    }
}
