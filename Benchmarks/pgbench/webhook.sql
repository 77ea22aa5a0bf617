-- One inbound webhook as one transaction (the per-webhook SQL of IngestBatchWriter, one row each):
-- conversation upsert, message insert (idempotent on sid), unread/last-inbound update, audit line.
-- :restaurant is passed quoted (-D restaurant="'<uuid>'").
\set customer random(1, 10000)
\set sid random(1, 2000000000)
BEGIN;
WITH c AS (
    INSERT INTO conversations (restaurant_id, customer, profile_name)
    VALUES (:restaurant, 'whatsapp:+1555' || :customer, 'Load Customer')
    ON CONFLICT (restaurant_id, customer) DO UPDATE
    SET profile_name = COALESCE(EXCLUDED.profile_name, conversations.profile_name)
    RETURNING id)
INSERT INTO messages (restaurant_id, conversation_id, body, params, sid, direction, status)
    SELECT :restaurant, c.id, 'hello', '{"Body": "hello", "From": "whatsapp:+15550001", "NumMedia": "0"}'::jsonb,
        'SM' || md5(random()::text), 'inbound', 'received' FROM c
    ON CONFLICT (sid) WHERE sid IS NOT NULL DO NOTHING;
UPDATE conversations SET unread_count = unread_count + 1, last_message_at = now(), last_inbound_at = now(),
    updated_at = now() WHERE restaurant_id = :restaurant AND customer = 'whatsapp:+1555' || :customer;
INSERT INTO webhook_audit (restaurant_id, message_sid, outcome, payload)
    VALUES (:restaurant, 'SM' || :sid, 'accepted', '{"Body": "hello"}'::jsonb);
COMMIT;
