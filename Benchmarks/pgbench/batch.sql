-- One group-commit batch as IngestBatchWriter's careful path writes it (two round trips; docs/inbound.md), since migration 9,
-- (every conversation's step decided from a stored version, so none is created; every webhook accepted, so no
-- audit line: its message is the line): every conversation locked, messages, the move (the row's one write),
-- replies born claimed, COMMIT. Each statement's text is the writer's (each pipeline's statements in order); only
-- the RETURNING rows the writer reads are folded into an array here (\gset), as pgbench keeps one row.
-- ceiling.sh prepends batch-params.sql, which builds the parameters.
BEGIN;
SELECT array_agg(l.id ORDER BY l.o) AS cids FROM (
    SELECT c.id, c.restaurant_id, c.customer, c.version, v.o FROM conversations c
    JOIN unnest(:rs::uuid[], :keys::text[]) WITH ORDINALITY AS v(r, k, o) ON c.restaurant_id = v.r AND c.customer = v.k
    ORDER BY v.o FOR NO KEY UPDATE OF c) AS l \gset
INSERT INTO messages (restaurant_id, conversation_id, body, params, sid, direction, status, handled_at)
SELECT v.r, v.c, v.b, v.p, v.s, 'inbound', 'received', CASE WHEN v.h THEN now() END
FROM unnest(:rs::uuid[], :cids::uuid[], :bodies::text[], :payloads::jsonb[], :sids::text[], :flags::bool[])
    AS v(r, c, b, p, s, h) ON CONFLICT (sid) WHERE sid IS NOT NULL DO NOTHING RETURNING id, sid;
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
