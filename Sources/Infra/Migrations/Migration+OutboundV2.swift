/// Migration 2: indexes of the outbound queue. Claims are per restaurant (fairness) and per conversation
/// (order), so the due index leads with the restaurant, and "is an earlier message of this conversation still
/// pending?" has its own small partial index.
extension Migration {
    static let outboundV2 = Migration(
        version: 2, name: "outbound queue indexes",
        sql: """
            CREATE INDEX messages_outbound_due ON messages (restaurant_id, created_at, id)
                WHERE direction = 'outbound' AND status = 'queued';
            CREATE INDEX messages_outbound_pending ON messages (conversation_id, created_at, id)
                WHERE direction = 'outbound' AND status IN ('queued', 'sending');
            """)
}
