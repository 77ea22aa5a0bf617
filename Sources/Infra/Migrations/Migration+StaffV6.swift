/// Migration 6: staff accounts and handoff to a person (docs/dashboard.md).
///
/// - `users`: a restaurant's dashboard accounts; emails are stored lowercased and unique per restaurant; the
///   password only as ``PasswordHash`` output.
/// - `login_failures`: one row per failed (or in-flight) login, keyed by restaurant and email, so the lock-out
///   after repeated failures holds across every process; rows older than the window are deleted as they are read.
/// - `conversations.mode` / `human_until`: who answers the customer (the bot or a person) and, in `human` mode,
///   until when: every staff message pushes `human_until` to now + `HANDOFF_IDLE_MINUTES`; past it the
///   conversation is the bot's again without any write (readers compare with `now()`). Whether the customer asked
///   for a person is the bot's own state (`withStaff`), not a column.
extension Migration {
    static let staffV6 = Migration(
        version: 6, name: "staff accounts, login lock-out, handoff",
        sql: """
            CREATE TABLE users (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                restaurant_id uuid NOT NULL REFERENCES restaurants(id) ON DELETE CASCADE,
                email text NOT NULL CHECK (email = lower(email)),
                name text NOT NULL,
                role text NOT NULL CHECK (role IN ('admin', 'staff')),
                password_hash text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (restaurant_id, email)
            );
            CREATE INDEX users_by_recent ON users (restaurant_id, created_at DESC, id DESC);
            CREATE TABLE login_failures (
                id bigserial PRIMARY KEY,
                login_key text NOT NULL,
                at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX login_failures_by_key ON login_failures (login_key, at);
            ALTER TABLE conversations
                ADD COLUMN mode text NOT NULL DEFAULT 'bot' CHECK (mode IN ('bot', 'human')),
                ADD COLUMN human_until timestamptz,
                ADD CONSTRAINT conversations_human_until CHECK ((mode = 'human') = (human_until IS NOT NULL));
            """)
}
