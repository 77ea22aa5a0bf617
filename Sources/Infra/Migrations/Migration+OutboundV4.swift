/// Migration 4: exactly-once delivery and versioned credentials.
///
/// - `messages.send_uncertain`: an attempt may have reached Twilio without its answer reaching us (a lost answer,
///   or a lease that ran out mid-send); the job is looked up at Twilio before any resend.
///   `messages.first_attempt_at`: when the first attempt was claimed, the lower bound of that lookup.
/// - `restaurants.revision` (bumped by every update) lets the tenant directory refuse an older snapshot;
///   `restaurants.credentials_version` (bumped when the account SID or the encrypted token changes) lets a 401
///   make a restaurant inactive only when the failing send used the current token. A trigger bumps both, so no
///   writer (admin API, CLI, re-encryption) can forget.
extension Migration {
    static let outboundV4 = Migration(
        version: 4, name: "uncertain sends, restaurant revisions and credentials versions",
        sql: #"""
            ALTER TABLE messages ADD COLUMN send_uncertain boolean NOT NULL DEFAULT false,
                ADD COLUMN first_attempt_at timestamptz;
            ALTER TABLE restaurants ADD COLUMN revision bigint NOT NULL DEFAULT 1,
                ADD COLUMN credentials_version bigint NOT NULL DEFAULT 1;
            CREATE FUNCTION sufra_restaurant_revision() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                NEW.revision := OLD.revision + 1;
                IF NEW.twilio_auth_token_enc IS DISTINCT FROM OLD.twilio_auth_token_enc
                    OR NEW.twilio_account_sid IS DISTINCT FROM OLD.twilio_account_sid THEN
                    NEW.credentials_version := OLD.credentials_version + 1;
                END IF;
                RETURN NEW;
            END
            $$;
            CREATE TRIGGER restaurants_revision BEFORE UPDATE ON restaurants
                FOR EACH ROW EXECUTE FUNCTION sufra_restaurant_revision();
            """#)
}
