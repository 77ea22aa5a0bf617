/// Migration 7: the webhook path's checks and lookups sized for a restaurant's whole history (docs/postgres.md,
/// "Per webhook").
///
/// - `orders_by_conversation`: a conversation's orders. The bot step looks up the conversation's draft, cancels it,
///   and loading a conversation reads its latest order; without the index each of those scanned every order of
///   every restaurant (a cost that grows with the table), and deleting a conversation did too.
/// - `messages.restaurant_id` and `webhook_audit.restaurant_id` lose their foreign keys. Each one was a lookup and
///   a share lock on the restaurant's row for every row inserted (five per webhook with the conversation checks),
///   and concurrent batches sharing that lock made PostgreSQL create multixacts. A message's restaurant is a copy of
///   its conversation's, whose foreign key still cascades a deleted restaurant's messages; the audit lines of a
///   deleted restaurant are deleted with it by ``RestaurantRepository/delete(id:)`` in the same transaction.
extension Migration {
    static let hotPathV7 = Migration(
        version: 7, name: "orders by conversation; no restaurant checks per inserted message",
        sql: """
            CREATE INDEX orders_by_conversation ON orders (conversation_id, created_at DESC, id DESC);
            ALTER TABLE messages DROP CONSTRAINT messages_restaurant_id_fkey;
            ALTER TABLE webhook_audit DROP CONSTRAINT webhook_audit_restaurant_id_fkey;
            """)
}
