-- One batch's parameters, built the way IngestBatchWriter binds them (one array per column, text form), for
-- :batch webhooks from :batch different customers of this client's own 10,000 (no two clients share a
-- conversation, as no two batches of one process do). Included by ceiling.sh at the top of batch.sql and
-- batch-upsert.sql; run alone it measures its own cost, to be subtracted.
\set base random(0, 9999)
SELECT array_agg(:restaurant::text ORDER BY k) AS rs,
       array_agg(k ORDER BY k) AS keys,
       array_agg('Customer ' || i ORDER BY k) AS profiles,
       array_agg(sid ORDER BY k) AS sids,
       array_agg('1 x2'::text ORDER BY k) AS bodies,
       array_agg(json_build_object(
           'SmsMessageSid', sid, 'NumMedia', '0', 'ProfileName', 'Customer ' || i, 'MessageType', 'text',
           'SmsSid', sid, 'WaId', substr(k, 11), 'SmsStatus', 'received', 'Body', '1 x2',
           'To', 'whatsapp:+15550000000', 'NumSegments', '1', 'ReferralNumMedia', '0', 'MessageSid', sid,
           'AccountSid', 'AC00000000000000000000000000000000', 'From', k, 'ApiVersion', '2010-04-01')::text
           ORDER BY k) AS payloads,
       array_agg(true ORDER BY k) AS flags,
       array_agg(1 ORDER BY k) AS ones,
       array_agg('{"v":1,"step":"ordering","type":"pickup","cart":[{"id":"b1f0c7e2-5d2a-4f7e-9a51-3c2d1e0f9a88","name":"Chicken shawarma","quantity":2,"unitPrice":1800}]}'::text ORDER BY k) AS states,
       array_agg('en'::text ORDER BY k) AS langs,
       array_agg('accepted'::text ORDER BY k) AS outcomes,
       array_agg('Added 2 x Chicken shawarma (36.00 SAR). Cart: 36.00 SAR. Reply with another item number, or 0 to review your order.'::text ORDER BY k) AS replies,
       array_agg(NULL::text ORDER BY k) AS nulls,
       array_agg(i - 1 ORDER BY k) AS positions,
       array_agg('pgbench-owner'::text ORDER BY k) AS owners,
       array_agg(60000 ORDER BY k) AS leases
FROM (SELECT i, 'whatsapp:+1' || lpad((:client_id::int * 100000 + (:base::int + i * 157) % 10000)::text, 10, '0') AS k,
             'SM' || md5(random()::text) AS sid
      FROM generate_series(1, :batch::int) AS i) AS g \gset
