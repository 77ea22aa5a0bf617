import Actors
import Foundation

/// Writes one bot step inside an open transaction (see ``PostgresConversationStore/commit(_:)``).
struct BotStepWriter {
    /// Ends the transaction without writing (thrown, so the surrounding transaction rolls back).
    enum Abort: Error {
        case alreadyHandled
        case versionConflict
        case orderChanged
    }

    let step: BotStep
    /// The number for the order this step confirms, if it confirms one.
    var orderNumber: Int?

    func write(on connection: PostgresConnection) async throws -> BotStepResult {
        let stateJSON = String(decoding: try JSONEncoder().encode(step.state), as: UTF8.self)
        let versionRows = try await connection.query(
            """
            UPDATE conversations SET bot_state = \(stateJSON)::jsonb, language = \(step.language?.rawValue),
                version = version + 1, updated_at = now(),
                last_message_at = CASE WHEN \(!step.replies.isEmpty) THEN now() ELSE last_message_at END
            WHERE id = \(step.conversationId)::uuid AND version = \(step.expectedVersion)
            RETURNING version
            """)
        guard let version = try versionRows.first?.decode("version", as: Int64.self) else {
            throw Abort.versionConflict
        }
        // Lock order: the conversation row, then the message. Ingest takes the conversation row first too (its
        // upsert) and may then wait on this message (a duplicate MessageSid waits for an update in flight), so
        // marking the message first could deadlock with it.
        if let messageId = step.handledMessageId {
            let marked = try await connection.execute(
                "UPDATE messages SET handled_at = now() WHERE id = \(messageId)::uuid AND handled_at IS NULL")
            guard marked == 1 else { throw Abort.alreadyHandled }
        }

        var orders = OrderEffectsWriter(step: step, connection: connection, orderNumber: orderNumber)
        for effect in step.effects { try await orders.apply(effect) }

        let replies = step.replies.map { $0.rendered(orderNumber: orders.confirmedNumber) }
        let queued = try await queue(replies, on: connection)
        return .committed(version: version, queuedMessageIds: queued, orders: orders.touched)
    }

    /// Inserts the replies as queued outbound messages, in order (the store announces them after the commit).
    private func queue(_ replies: [Reply], on connection: PostgresConnection) async throws -> [String] {
        guard !replies.isEmpty else { return [] }
        var values = SQLValuesBuilder(casts: ["uuid", "uuid", "text", "text", "jsonb", "int"])
        for (index, reply) in replies.enumerated() {
            switch reply {
            case .text(let body):
                values.append([step.key.restaurantId, step.conversationId, body, nil, nil, index])
            case .template(let contentSid, let variables):
                let json = String(decoding: try JSONEncoder().encode(variables), as: UTF8.self)
                values.append([step.key.restaurantId, step.conversationId, nil, contentSid, json, index])
            }
        }
        // created_at = clock_timestamp() + position keeps the replies' order strict within one step.
        let rows = try await connection.query(
            values.query(
                prefix: """
                    INSERT INTO messages (restaurant_id, conversation_id, body, content_sid, content_variables,
                        created_at, direction, status, next_attempt_at)
                    SELECT v.r, v.c, v.b, v.s, v.j, clock_timestamp() + v.i * interval '1 microsecond',
                        'outbound', 'queued', now()
                    FROM (VALUES
                    """,
                suffix: ") AS v(r, c, b, s, j, i) ORDER BY v.i RETURNING id"))
        return try rows.map { try $0.decode("id", as: UUID.self).uuidString.lowercased() }
    }
}
