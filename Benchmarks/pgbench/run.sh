#!/usr/bin/env bash
# The ceiling for "one transaction per webhook": pgbench running the per-webhook SQL (pgbench/webhook.sql) on a
# scratch database with Sufra's schema, synchronous_commit on, 32 clients.
#
#   eval "$(scripts/services env)"; Benchmarks/pgbench/run.sh [seconds] [clients]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${DATABASE_URL:?run: eval \"\$(scripts/services env)\" first}"
sufra="${SUFRA:-$here/../.build/release/sufra}"
seconds="${1:-20}"
clients="${2:-32}"
db="pgb_$RANDOM$RANDOM"
url="${DATABASE_URL%/*}/$db"
psql "$DATABASE_URL" -qc "CREATE DATABASE $db"
trap 'psql "$DATABASE_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
if [ -n "${SCHEMA_SQL:-}" ]; then
    psql "$url" -qf "$SCHEMA_SQL" >/dev/null   # the schema file, when no release sufra is built yet
else
    DATABASE_URL="$url" "$sufra" migrate >/dev/null
fi
restaurant=$(psql "$url" -qAtc "INSERT INTO restaurants (name, whatsapp_from, twilio_account_sid, twilio_auth_token_enc)
    VALUES ('pgbench', 'whatsapp:+15550000000', 'AC0', 'k1:x') RETURNING id" | head -n 1)
pgbench -n -c "$clients" -j 2 -T "$seconds" -D restaurant="'$restaurant'" -f "$here/webhook.sql" "$url"
