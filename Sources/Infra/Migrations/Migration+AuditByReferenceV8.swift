/// Migration 8: the audit line of an accepted webhook names its message instead of copying its parameters
/// (docs/inbound.md, "The audit log").
///
/// An accepted webhook's parameters are stored once, in its message's `params`; its `webhook_audit` line keeps the
/// outcome, the `MessageSid` and the time, with a NULL payload. A line whose webhook left no message (throttled) or
/// whose message holds another copy's parameters (a duplicate) keeps its own payload. The view
/// `webhook_audit_log` reads every line with its payload either way. Each webhook used to write its parameters
/// twice: the second copy was an eighth of its WAL (about 490 bytes) and a JSON document PostgreSQL parsed again.
extension Migration {
    static let auditByReferenceV8 = Migration(
        version: 8, name: "an accepted webhook's audit line names its message",
        sql: """
            ALTER TABLE webhook_audit ALTER COLUMN payload DROP NOT NULL;
            CREATE VIEW webhook_audit_log AS
                SELECT a.id, a.restaurant_id, a.message_sid, a.outcome,
                    coalesce(a.payload, m.params) AS payload, a.received_at
                FROM webhook_audit a
                LEFT JOIN messages m ON a.payload IS NULL AND m.sid = a.message_sid;
            """)
}
