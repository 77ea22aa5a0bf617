import Actors
import Foundation

extension StaffStore {
    static let conversationColumns = """
        c.id::text AS id, c.customer, c.profile_name, c.language, c.unread_count,
        \(iso("c.last_message_at")) AS last_iso, \(iso("c.created_at")) AS created_iso,
        CASE WHEN c.mode = 'human' AND c.human_until > now() THEN \(iso("c.human_until")) END AS human_until_iso,
        (c.bot_state->>'step') = 'withStaff' AS needs_human
        """

    /// The restaurant's conversations, newest last message first, keyset-paged.
    ///
    /// The first page sorts by `last_message_at` and notes its time in the cursor; later pages sort every
    /// conversation by its last message as of that time (rows that moved since are re-keyed from their
    /// messages), so a conversation that receives a message while someone pages is listed exactly once.
    public func conversations(
        restaurantId: String, limit: Int, before: PageCursor?
    ) async throws
        -> Page<ConversationSummary>
    {
        guard Self.isID(restaurantId) else { return Page(items: [], next: nil) }
        guard let before else {
            let rows = try await client.query(
                """
                SELECT \(unescaped: Self.conversationColumns), \(unescaped: Self.micros("c.last_message_at")) AS sort_micros,
                    \(unescaped: Self.micros("now()")) AS as_of
                FROM conversations c WHERE c.restaurant_id = \(restaurantId)::uuid
                ORDER BY c.last_message_window DESC, c.last_message_at DESC, c.id DESC LIMIT \(limit + 1)
                """)
            let asOf = try rows.first?.decode("as_of", as: Int64.self)
            return try Page(rows: rows, limit: limit, asOf: asOf, Self.conversation)
        }
        let asOf = before.asOf ?? before.micros
        let rows = try await client.query(
            """
            WITH snap AS (
                SELECT 'epoch'::timestamptz + \(asOf)::bigint * interval '1 microsecond' AS t,
                       'epoch'::timestamptz + \(before.micros)::bigint * interval '1 microsecond' AS cursor_at,
                       \(before.id)::uuid AS cursor_id
            ), stable AS (
                SELECT c.id, c.last_message_at AS sort_at FROM conversations c, snap
                WHERE c.restaurant_id = \(restaurantId)::uuid AND c.last_message_at <= snap.t
                  AND c.last_message_window <= sufra_message_window(snap.cursor_at)
                  AND (c.last_message_at, c.id) < (snap.cursor_at, snap.cursor_id)
                ORDER BY c.last_message_window DESC, c.last_message_at DESC, c.id DESC LIMIT \(limit + 1)
            ), moved AS (
                SELECT c.id, COALESCE(
                    (SELECT max(m.created_at) FROM messages m WHERE m.conversation_id = c.id AND m.created_at <= snap.t),
                    CASE WHEN c.created_at <= snap.t THEN c.created_at END) AS sort_at
                FROM conversations c, snap
                WHERE c.restaurant_id = \(restaurantId)::uuid AND c.last_message_at > snap.t
                  AND c.last_message_window >= sufra_message_window(snap.t)
            ), keys AS (
                SELECT id, sort_at FROM stable
                UNION ALL
                SELECT moved.id, moved.sort_at FROM moved, snap
                WHERE moved.sort_at IS NOT NULL AND (moved.sort_at, moved.id) < (snap.cursor_at, snap.cursor_id)
            )
            SELECT \(unescaped: Self.conversationColumns), \(unescaped: Self.micros("k.sort_at")) AS sort_micros
            FROM keys k JOIN conversations c ON c.id = k.id
            ORDER BY k.sort_at DESC, k.id DESC LIMIT \(limit + 1)
            """)
        return try Page(rows: rows, limit: limit, asOf: asOf, Self.conversation)
    }

    /// One conversation of the restaurant, or nil.
    public func conversation(restaurantId: String, id: String) async throws -> ConversationSummary? {
        guard Self.isID(restaurantId), Self.isID(id) else { return nil }
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.conversationColumns) FROM conversations c
            WHERE c.id = \(id)::uuid AND c.restaurant_id = \(restaurantId)::uuid
            """)
        return try rows.first.map(Self.conversation)
    }

    /// Zeroes the unread count; nil when the conversation is not the restaurant's.
    public func markRead(restaurantId: String, conversationId: String) async throws -> ConversationSummary? {
        guard Self.isID(restaurantId), Self.isID(conversationId) else { return nil }
        let rows = try await client.query(
            """
            UPDATE conversations c SET unread_count = 0, updated_at = now()
            WHERE c.id = \(conversationId)::uuid AND c.restaurant_id = \(restaurantId)::uuid
            RETURNING \(unescaped: Self.conversationColumns)
            """)
        return try rows.first.map(Self.conversation)
    }

    static func conversation(_ row: PGRow) throws -> ConversationSummary {
        ConversationSummary(
            id: try row.decode("id", as: String.self), customer: try row.decode("customer", as: String.self),
            profileName: try row.decode("profile_name", as: String?.self),
            language: try row.decode("language", as: String?.self),
            lastMessageAt: try row.decode("last_iso", as: String.self),
            unreadCount: try row.decode("unread_count", as: Int.self),
            createdAt: try row.decode("created_iso", as: String.self),
            humanUntil: try row.decode("human_until_iso", as: String?.self),
            needsHuman: try row.decode("needs_human", as: Bool?.self) ?? false)
    }
}
