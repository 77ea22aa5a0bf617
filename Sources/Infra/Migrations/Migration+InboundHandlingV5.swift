/// Migration 5: re-drives of unhandled inbound messages with attempts, backoff and a terminal state.
///
/// `handle_attempts` counts the sweeper's re-drives, `next_handle_at` is when the next one is due (the sweeper
/// takes the earliest due first, so one poison message waits its backoff while the rest progress), `handle_error`
/// says why it is still unhandled. After the last attempt the message becomes `status = 'failed'` with
/// `error_code = 'unhandled'` (`handle_failed_at` set) and is no longer re-driven.
extension Migration {
    static let inboundHandlingV5 = Migration(
        version: 5, name: "unhandled inbound: attempts, backoff, terminal state",
        sql: """
            ALTER TABLE messages ADD COLUMN handle_attempts integer NOT NULL DEFAULT 0,
                ADD COLUMN next_handle_at timestamptz, ADD COLUMN handle_error text,
                ADD COLUMN handle_failed_at timestamptz;
            CREATE INDEX messages_unhandled_due ON messages ((coalesce(next_handle_at, created_at)))
                WHERE direction = 'inbound' AND handled_at IS NULL AND handle_failed_at IS NULL;
            """)
}
