/// Migration 3: the outbound queue under load. `messages_due` (by `next_attempt_at` across every restaurant)
/// tempted the planner into claims that walked every restaurant's due rows and their dead index entries (5 ms a
/// claim at 150 messages/s); without it, a claim reads its own restaurant's queue in order from
/// `messages_outbound_due` and stops at its limit. Rows move queued → sending → sent within a second, so the
/// table is vacuumed after 1 % of it changes instead of 20 %, keeping the queue indexes free of dead entries.
extension Migration {
    static let outboundV3 = Migration(
        version: 3, name: "outbound queue: claims by restaurant, frequent vacuum",
        sql: """
            DROP INDEX IF EXISTS messages_due;
            ALTER TABLE messages SET (
                autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000,
                autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02);
            """)
}
