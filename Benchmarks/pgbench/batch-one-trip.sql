-- One group-commit batch as IngestBatchWriter writes it in one round trip (migration 10, docs/inbound.md, "One
-- round trip"), in steady state (every step decided from a stored row; every webhook accepted): the conversations
-- locked and checked by sufra_expect, the messages inserted born handled with their conversations' ids and no
-- ON CONFLICT, the move, replies born claimed, COMMIT. The writer knows each row's id and version before it
-- sends; pgbench does not, so here the check reads the ids back (\gset) and compares each version with itself
-- — the same lookups, locks and function call. ceiling.sh prepends batch-params.sql, which builds the parameters.
BEGIN;
SELECT sufra_expect(coalesce(bool_and(c.id IS NOT NULL AND c.version = c.version), false),
        'a conversation moved since its step was decided') AS checked,
    array_agg(c.id ORDER BY v.o) AS cids
FROM unnest(:rs::uuid[], :keys::text[]) WITH ORDINALITY AS v(r, k, o) LEFT JOIN LATERAL (
    SELECT id, version FROM conversations
    WHERE restaurant_id = v.r AND customer = v.k LIMIT 1 FOR NO KEY UPDATE
) AS c ON true \gset
INSERT INTO messages (restaurant_id, conversation_id, body, params, sid, direction, status, handled_at)
SELECT v.r, v.c, v.b, v.p, v.s, 'inbound', 'received', now()
FROM unnest(:rs::uuid[], :cids::uuid[], :bodies::text[], :payloads::jsonb[], :sids::text[])
    AS v(r, c, b, p, s) RETURNING id, sid;
UPDATE conversations AS c SET unread_count = c.unread_count + v.n, last_message_at = now(),
    last_inbound_at = now(), updated_at = now(), profile_name = COALESCE(v.p, c.profile_name),
    bot_state = CASE WHEN v.a THEN v.s ELSE c.bot_state END,
    language = CASE WHEN v.a THEN v.l ELSE c.language END,
    version = c.version + CASE WHEN v.a THEN 1 ELSE 0 END
FROM unnest(:cids::uuid[], :ones::int[], :profiles::text[], :flags::bool[], :states::jsonb[], :langs::text[])
    AS v(id, n, p, a, s, l) WHERE c.id = v.id RETURNING c.id, c.version;
INSERT INTO messages (restaurant_id, conversation_id, body, content_sid, content_variables,
    created_at, direction, status, status_rank, lease_owner, lease_until, first_attempt_at,
    next_attempt_at)
SELECT w.r, w.c, w.b, w.s, w.j, clock_timestamp() + w.i * interval '1 microsecond', 'outbound',
    CASE WHEN w.k THEN 'sending' ELSE 'queued' END, CASE WHEN w.k THEN 1 ELSE 0 END,
    CASE WHEN w.k THEN w.o END, CASE WHEN w.k THEN now() + w.l * interval '1 millisecond' END,
    CASE WHEN w.k THEN now() END, now()
FROM (
    SELECT v.*, v.o IS NOT NULL
        AND EXISTS (SELECT 1 FROM restaurants r WHERE r.id = v.r AND r.status = 'active')
        AND NOT EXISTS (
            SELECT 1 FROM messages e
            WHERE e.conversation_id = v.c AND e.direction = 'outbound'
                AND (e.status = 'queued' OR (e.status = 'sending' AND e.lease_owner <> v.o))
        ) AS k
    FROM unnest(:rs::uuid[], :cids::uuid[], :replies::text[], :nulls::text[], :nulls::jsonb[], :positions::int[],
        :owners::text[], :leases::bigint[])
    AS v(r, c, b, s, j, i, o, l) OFFSET 0) AS w ORDER BY w.i RETURNING id, status;
COMMIT;
