/// Migration 9: an accepted webhook's audit line is its message, and a message's conversation is not checked per
/// inserted row (docs/inbound.md, "The audit log"; docs/postgres.md, "Per webhook").
///
/// - Accepted webhooks no longer write a `webhook_audit` line: their inbound message (restaurant, `MessageSid`,
///   parameters, arrival time) is the line. The view `webhook_audit_log` reads accepted lines from `messages` and
///   every other outcome (throttled, duplicate) from `webhook_audit`, which keeps its own payload for them. The
///   accepted lines written before (payload NULL since migration 8, their parameters in the message) are deleted,
///   and the view skips any such line a process of an older version still writes: each would show twice. Each
///   webhook wrote a heap tuple, two index entries and about 300 bytes of WAL for a line that repeated its message.
/// - `messages.conversation_id` loses its foreign key: every message is inserted in the transaction that has just
///   locked or written its conversation row (the ingest batch locks it, a bot step and a staff reply move it), so
///   the per-row check (a lookup and a key-share lock, twice per webhook: the message and its reply) proved
///   nothing. A deleted restaurant's messages are deleted with it by ``RestaurantRepository/delete(id:)`` in the
///   same transaction, as its audit lines already were.
extension Migration {
    static let messageIsAuditV9 = Migration(
        version: 9, name: "an accepted webhook's audit line is its message; no conversation check per message",
        sql: """
            DROP VIEW webhook_audit_log;
            DELETE FROM webhook_audit WHERE outcome = 'accepted';
            CREATE VIEW webhook_audit_log AS
                SELECT m.restaurant_id, m.sid AS message_sid, 'accepted' AS outcome, m.params AS payload,
                    m.created_at AS received_at, m.id AS message_id, NULL::bigint AS audit_id
                FROM messages m
                WHERE m.direction = 'inbound' AND m.sid IS NOT NULL
                UNION ALL
                SELECT a.restaurant_id, a.message_sid, a.outcome, a.payload, a.received_at, NULL::uuid, a.id
                FROM webhook_audit a
                WHERE a.outcome <> 'accepted';
            ALTER TABLE messages DROP CONSTRAINT messages_conversation_id_fkey;
            """)
}
