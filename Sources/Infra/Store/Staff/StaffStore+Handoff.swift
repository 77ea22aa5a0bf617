import Actors

extension StaffStore {
    /// The stored bot state a conversation gets when staff take it over or give it back: the next message the
    /// bot answers gets the main menu. A pending rating question survives (the customer may still answer it).
    static let resetBotState = """
        CASE WHEN c.bot_state->>'step' = 'awaitingRating' THEN c.bot_state ELSE '{"v":1,"step":"idle"}'::jsonb END
        """

    /// Staff take the conversation over until `handoffIdleSeconds` pass without a staff message: the bot goes
    /// silent for this customer (the version bump makes a running bot step start over and see it). An
    /// unfinished draft order is cancelled. Nil when the conversation is not the restaurant's.
    public func handOff(restaurantId: String, conversationId: String) async throws -> ConversationSummary? {
        guard Self.isID(restaurantId), Self.isID(conversationId) else { return nil }
        return try await client.withTransaction { connection in
            let rows = try await connection.query(
                """
                UPDATE conversations c SET mode = 'human',
                    human_until = now() + \(handoffIdleSeconds) * interval '1 second',
                    bot_state = \(unescaped: Self.resetBotState), version = c.version + 1, updated_at = now()
                WHERE c.id = \(conversationId)::uuid AND c.restaurant_id = \(restaurantId)::uuid
                RETURNING \(unescaped: Self.conversationColumns)
                """)
            guard let row = rows.first else { return nil }
            _ = try await connection.execute(
                """
                UPDATE orders SET status = 'CANCELLED', updated_at = now()
                WHERE conversation_id = \(conversationId)::uuid AND status = 'DRAFT'
                """)
            return try Self.conversation(row)
        }
    }

    /// Staff give the conversation back: the bot answers the customer's next message from the main menu.
    /// Nil when the conversation is not the restaurant's.
    public func release(restaurantId: String, conversationId: String) async throws -> ConversationSummary? {
        guard Self.isID(restaurantId), Self.isID(conversationId) else { return nil }
        let rows = try await client.query(
            """
            UPDATE conversations c SET mode = 'bot', human_until = NULL,
                bot_state = \(unescaped: Self.resetBotState), version = c.version + 1, updated_at = now()
            WHERE c.id = \(conversationId)::uuid AND c.restaurant_id = \(restaurantId)::uuid
            RETURNING \(unescaped: Self.conversationColumns)
            """)
        return try rows.first.map(Self.conversation)
    }
}
