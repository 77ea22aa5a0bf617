/// Migration 11: the staff list's index no longer holds `last_message_at`, so moving a conversation (every inbound
/// message does) is a HOT update (no new index entries) unless the message starts a new five-minute window.
///
/// `last_message_window` is `last_message_at` rounded down to five minutes (a stored generated column: no writer
/// can forget it); `conversations_by_recent` keys on it instead, and the list sorts within a window by
/// `last_message_at` itself (an incremental sort of the few rows of one window). The table keeps 30 % of each page
/// free for the new row versions of HOT updates. Adding the column rewrites `conversations` (one row per customer)
/// under an exclusive lock: apply it in a quiet moment (docs/inbound.md, "Flushers"). Migration 12 redefines the
/// column through `sufra_message_window`, the one definition of the window.
extension Migration {
    static let recencyWindowV11 = Migration(
        version: 11, name: "conversations: HOT moves, the staff list by five-minute window",
        sql: """
            ALTER TABLE conversations SET (fillfactor = 70);
            ALTER TABLE conversations ADD COLUMN last_message_window timestamptz NOT NULL
                GENERATED ALWAYS AS (date_bin('5 minutes', last_message_at, TIMESTAMPTZ '2000-01-01 00:00:00+00')) STORED;
            DROP INDEX conversations_by_recent;
            CREATE INDEX conversations_by_recent ON conversations (restaurant_id, last_message_window DESC);
            """)
}
