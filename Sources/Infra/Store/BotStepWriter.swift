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

    func write(on connection: PGConnection) async throws -> BotStepResult {
        let stateJSON = step.state.storedJSON
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
        // `FOR NO KEY UPDATE`) and may then wait on this message (a duplicate MessageSid waits for an update in
        // flight), so marking the message first could deadlock with it.
        if let messageId = step.handledMessageId {
            let marked = try await connection.execute(
                "UPDATE messages SET handled_at = now() WHERE id = \(messageId)::uuid AND handled_at IS NULL")
            guard marked == 1 else { throw Abort.alreadyHandled }
        }

        let orders = try await OrderEffectsWriter(step: step, orderNumber: orderNumber).apply(on: connection)

        let replies = step.replies.map { $0.rendered(orderNumber: orders.confirmedNumber) }
        let queued =
            try await ReplyRowsWriter(
                groups: [
                    .init(restaurantId: step.key.restaurantId, conversationId: step.conversationId, replies: replies)
                ]
            ).insert(on: connection).first?.ids ?? []
        return .committed(version: version, queuedMessageIds: queued, orders: orders.touched)
    }
}
