/// Migration 1: the Sufra schema v1 (`/work/brief/SCHEMA.sql`, verbatim).
extension Migration {
    static let schemaV1 = Migration(
        version: 1, name: "schema v1",
        sql: #"""
            -- Sufra schema v1 (the Postgres helper puts this into Infra/Migrations as migration 1; others code against it).
            -- ids are uuid (API shows them as strings); times timestamptz; money bigint minor units.
            CREATE TABLE restaurants (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                name text NOT NULL,
                whatsapp_from text NOT NULL UNIQUE,              -- exactly Twilio's To, e.g. 'whatsapp:+14155238886'
                twilio_account_sid text NOT NULL,
                twilio_auth_token_enc text NOT NULL,             -- SecretBox output: 'k1:' + base64(nonce|ciphertext|tag)
                inbound_per_minute integer NOT NULL DEFAULT 60 CHECK (inbound_per_minute > 0),
                send_per_minute integer NOT NULL DEFAULT 60 CHECK (send_per_minute > 0),
                language text NOT NULL DEFAULT 'ar' CHECK (language IN ('ar', 'en')),
                support_contact text,
                promo_content_sid text,
                status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'inactive')),
                status_reason text,
                next_order_number integer NOT NULL DEFAULT 1,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE menu_items (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                restaurant_id uuid NOT NULL REFERENCES restaurants(id) ON DELETE CASCADE,
                position integer NOT NULL,
                name_ar text NOT NULL,
                name_en text NOT NULL,
                price bigint NOT NULL CHECK (price >= 0),
                available boolean NOT NULL DEFAULT true,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX menu_items_restaurant ON menu_items (restaurant_id, position);
            CREATE TABLE conversations (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                restaurant_id uuid NOT NULL REFERENCES restaurants(id) ON DELETE CASCADE,
                customer text NOT NULL,                          -- 'whatsapp:+9665...'
                profile_name text,
                language text,                                   -- null until a message with letters arrives
                bot_state jsonb NOT NULL DEFAULT '{}'::jsonb,
                version bigint NOT NULL DEFAULT 0,               -- bumped by every bot write (optimistic concurrency)
                unread_count integer NOT NULL DEFAULT 0,
                last_message_at timestamptz NOT NULL DEFAULT now(),
                last_inbound_at timestamptz,                     -- WhatsApp 24-hour window
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (restaurant_id, customer)
            );
            CREATE INDEX conversations_by_recent ON conversations (restaurant_id, last_message_at DESC, id DESC);
            CREATE TABLE messages (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                restaurant_id uuid NOT NULL REFERENCES restaurants(id) ON DELETE CASCADE,
                conversation_id uuid NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
                body text,
                content_sid text,
                content_variables jsonb,
                params jsonb,                                    -- inbound: every Twilio form parameter, kept
                sid text,                                        -- inbound MessageSid / outbound Twilio SM… sid
                status text NOT NULL,                            -- inbound: 'received'; outbound: queued|sending|sent|delivered|read|failed|undelivered|dead|…
                status_rank smallint NOT NULL DEFAULT 0,         -- queued 0 < sending 1 < sent 2 < delivered=undelivered=failed 3 < read 4
                error_code text,
                error_message text,
                attempts integer NOT NULL DEFAULT 0,
                next_attempt_at timestamptz,                     -- outbound queue: due time
                lease_owner text,
                lease_until timestamptz,                         -- 'sending' past this returns to 'queued'
                last_error text,
                handled_at timestamptz,                          -- inbound: bot effects committed (exactly-once marker)
                created_at timestamptz NOT NULL DEFAULT now(),
                sent_at timestamptz
            );
            CREATE UNIQUE INDEX messages_sid ON messages (sid) WHERE sid IS NOT NULL;
            CREATE INDEX messages_by_conversation ON messages (conversation_id, created_at DESC, id DESC);
            CREATE INDEX messages_due ON messages (next_attempt_at) WHERE direction = 'outbound' AND status = 'queued';
            CREATE INDEX messages_sending ON messages (lease_until) WHERE status = 'sending';
            CREATE INDEX messages_dead ON messages (restaurant_id, created_at DESC) WHERE status = 'dead';
            CREATE INDEX messages_unhandled ON messages (created_at) WHERE direction = 'inbound' AND handled_at IS NULL;
            CREATE TABLE orders (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                restaurant_id uuid NOT NULL REFERENCES restaurants(id) ON DELETE CASCADE,
                number integer,                                  -- assigned on confirmation; NULL while DRAFT
                conversation_id uuid NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                customer text NOT NULL,
                type text NOT NULL CHECK (type IN ('delivery', 'pickup')),
                status text NOT NULL,                            -- DRAFT CONFIRMED PREPARING OUT_FOR_DELIVERY DELIVERED RATED CANCELLED
                location jsonb,                                  -- {"latitude":…, "longitude":…, "address":…}
                total bigint NOT NULL DEFAULT 0,
                rating smallint CHECK (rating BETWEEN 1 AND 5),
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (restaurant_id, number)
            );
            CREATE INDEX orders_by_recent ON orders (restaurant_id, created_at DESC, id DESC);
            CREATE INDEX orders_by_status ON orders (restaurant_id, status, created_at DESC, id DESC);
            CREATE TABLE order_items (
                order_id uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
                position integer NOT NULL,
                menu_item_id uuid,
                name text NOT NULL,
                quantity integer NOT NULL CHECK (quantity > 0),
                unit_price bigint NOT NULL,
                line_total bigint NOT NULL,
                PRIMARY KEY (order_id, position)
            );
            CREATE TABLE webhook_audit (
                id bigserial PRIMARY KEY,
                restaurant_id uuid REFERENCES restaurants(id) ON DELETE CASCADE,
                message_sid text,
                outcome text NOT NULL,                           -- accepted | duplicate | throttled:global|restaurant|customer | …
                payload jsonb NOT NULL,
                received_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX webhook_audit_by_restaurant ON webhook_audit (restaurant_id, received_at DESC);
            """#)
}
