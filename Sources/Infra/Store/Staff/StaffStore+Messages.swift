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

    /// Queues a staff reply through the same path as the bot's replies (``ReplyRowsWriter``: an outbound `queued`
    /// message), moves the conversation's `lastMessageAt` and, when staff took it over, pushes back its return to
    /// the bot, all in one transaction; after the commit the ``OutboundNotifier`` wakes the senders (no `NOTIFY`
    /// inside the transaction). Nil when the conversation is not the restaurant's.
    public func reply(restaurantId: String, conversationId: String, body: String) async throws -> MessageRecord? {
        guard Self.isID(restaurantId), Self.isID(conversationId) else { return nil }
        let record = try await client.withTransaction { connection -> MessageRecord? in
            let taken = try await connection.execute(
                """
                UPDATE conversations SET updated_at = now(),
                    human_until = CASE WHEN mode = 'human' AND human_until > now()
                        THEN now() + \(handoffIdleSeconds) * interval '1 second' ELSE human_until END,
                    version = CASE WHEN mode = 'human' AND human_until > now() THEN version + 1 ELSE version END
                WHERE id = \(conversationId)::uuid AND restaurant_id = \(restaurantId)::uuid
                """)
            guard taken == 1 else { return nil }
            let written = try await ReplyRowsWriter(
                groups: [.init(restaurantId: restaurantId, conversationId: conversationId, replies: [.text(body)])]
            ).insert(on: connection)
            guard let id = written.first?.ids.first else { return nil }
            let rows = try await connection.query(
                """
                WITH c AS (
                    UPDATE conversations c SET last_message_at = m.created_at FROM messages m
                    WHERE m.id = \(id)::uuid AND c.id = m.conversation_id RETURNING c.id
                )
                SELECT \(unescaped: Self.messageColumns) FROM messages m WHERE m.id = \(id)::uuid
                """)
            return try rows.first.map(OutboundQueue.message)
        }
        if record != nil { notifier?.queued(restaurantId: restaurantId) }
        return record
    }
}
