#!/usr/bin/env bash
# The database's own ceiling for the group commit's work: pgbench running one batch of IngestBatchWriter's
# statements per transaction (batch-one-trip.sql: the batch in one round trip; batch.sql: the careful path;
# batch-upsert.sql: the writer before the single-write change), each
# client with its own 10,000 conversations created beforehand, on a scratch database with Sufra's schema,
# synchronous_commit on. For each script it prints webhooks/s (tps × batch), PostgreSQL's CPU per webhook (every
# process of the cluster, from /proc), WAL bytes and full-page images per webhook (pg_stat_wal), and the
# conversation row versions written per webhook with the share of HOT updates (pg_stat_user_tables).
#
#   eval "$(scripts/services env)"
#   Benchmarks/pgbench/ceiling.sh [seconds] [clients] [batch] [script.sql …]     # default: 20 4 16 batch.sql
#
# SUFRA: the sufra binary that migrates (default: .build/release/sufra, else .build/debug/sufra); or SCHEMA_SQL: a
# schema file to load instead. EXTRA_SQL: statements run on the scratch database after the schema (to try an index
# or storage change before writing its migration). WALDUMP=n: the n largest WAL record types of each run.
# SHARED=n: every client on the same n customers (half created beforehand), for lock contention and deadlocks.
# The cluster must be otherwise idle: its CPU and WAL are counted whole.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/../.."
: "${DATABASE_URL:?run: eval \"\$(scripts/services env)\" first}"
seconds="${1:-20}"
clients="${2:-4}"
batch="${3:-16}"
shift $(($# < 3 ? $# : 3))
scripts=("$@")
[ ${#scripts[@]} -gt 0 ] || scripts=(batch.sql)
sufra="${SUFRA:-}"
if [ -z "$sufra" ]; then
    sufra="$root/.build/release/sufra"
    [ -x "$sufra" ] || sufra="$root/.build/debug/sufra"
fi
tick=$(getconf CLK_TCK)

# CPU ticks of the whole cluster: the postmaster (with its reaped children: backends that exited) and its
# live children.
cluster_ticks() {
    local checkpointer postmaster total=0 pid
    checkpointer=$(psql "$DATABASE_URL" -qAtc "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'")
    postmaster=$(awk '{print $4}' "/proc/$checkpointer/stat")
    total=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$postmaster/stat")
    for pid in $(pgrep -P "$postmaster"); do
        total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
}

wal() { psql "$DATABASE_URL" -qAtc "SELECT wal_bytes::bigint || ' ' || wal_fpi FROM pg_stat_wal"; }

for script in "${scripts[@]}"; do
    db="pgb_$RANDOM$RANDOM"
    url="${DATABASE_URL%/*}/$db"
    psql "$DATABASE_URL" -qc "CREATE DATABASE $db"
    trap 'psql "$DATABASE_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
    if [ -n "${SCHEMA_SQL:-}" ]; then
        psql "$url" -qf "$SCHEMA_SQL" >/dev/null   # the schema file, when no sufra is built yet
    else
        DATABASE_URL="$url" "$sufra" migrate >/dev/null 2>&1
    fi
    # EXTRA_SQL: statements run on the scratch database after the schema, to try a schema change.
    if [ -n "${EXTRA_SQL:-}" ]; then psql "$url" -qc "$EXTRA_SQL"; fi
    restaurant=$(psql "$url" -qAtc "INSERT INTO restaurants (name, whatsapp_from, twilio_account_sid,
        twilio_auth_token_enc) VALUES ('pgbench', 'whatsapp:+15550000000', 'AC0', 'k1:x') RETURNING id" | head -n 1)
    psql "$url" -qc "INSERT INTO conversations (restaurant_id, customer, profile_name, bot_state, version)
        SELECT '$restaurant', 'whatsapp:+1' || lpad((c * 100000 + i)::text, 10, '0'), 'Customer', '{\"v\":1,\"step\":\"idle\"}', 1
        FROM generate_series(0, $clients - 1) c, generate_series(0, 9999) i" \
        -c "VACUUM ANALYZE" -c "CHECKPOINT"
    combined=$(mktemp)
    params=$(cat "$here/batch-params.sql")
    if [ -n "${SHARED:-}" ]; then
        # Every client on the same SHARED customers, half of them created beforehand, half new: concurrent batches
        # lock and create the same rows (several processes behind one database).
        params=${params//":client_id::int * 100000 + (:base::int + i * 157) % 10000"/"$((10000 - SHARED / 2)) + (:base::int + i * 157) % $SHARED"}
    fi
    if [ "$script" = batch-params.sql ]; then echo "$params" >"$combined"; else
        { echo "$params"; cat "$here/$script"; } >"$combined"
    fi
    read -r wal0 fpi0 <<<"$(wal)"
    lsn0=$(psql "$DATABASE_URL" -qAtc "SELECT pg_current_wal_lsn()")
    cpu0=$(cluster_ticks)
    out=$(nice -n 10 pgbench -n -M prepared -c "$clients" -j 2 -T "$seconds" -D restaurant="$restaurant" \
        -D batch="$batch" --max-tries 1 --failures-detailed -f "$combined" "$url" 2>&1) || { echo "$out"; exit 1; }
    # Backends exit after pgbench disconnects; wait for them so their CPU is in the postmaster's reaped total.
    while [ "$(psql "$DATABASE_URL" -qAtc "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db'")" != 0 ]; do
        sleep 0.1
    done
    cpu1=$(cluster_ticks)
    read -r wal1 fpi1 <<<"$(wal)"
    lsn1=$(psql "$DATABASE_URL" -qAtc "SELECT pg_current_wal_lsn()")
    rm -f "$combined"
    txns=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
    tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' <<<"$out")
    lat=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' <<<"$out")
    deadlocks=$(sed -n 's/^number of deadlock failures: \([0-9]*\).*/\1/p' <<<"$out")
    stats=$(psql "$url" -qAtc "SELECT n_tup_ins, n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables
        WHERE relname = 'conversations'")
    IFS='|' read -r ins upd hot <<<"$stats"
    awk -v s="$script" -v b="$batch" -v c="$clients" -v n="$txns" -v tps="$tps" -v lat="$lat" -v cpu=$((cpu1 - cpu0)) \
        -v tick="$tick" -v wal=$((wal1 - wal0)) -v fpi=$((fpi1 - fpi0)) -v t="$seconds" \
        -v ins="$ins" -v upd="$upd" -v hot="$hot" -v pre=$((clients * 10000)) -v dl="${deadlocks:-0}" 'BEGIN {
        w = n * b
        printf "%-18s batch %3d, %d clients, %ds: %7.1f tps (%.1f ms) = %6.0f webhooks/s; PostgreSQL %.2f cores, %.3f ms CPU/webhook; WAL %.0f B/webhook (%.3f FPI); conversations: %.2f row versions/webhook, %.0f%% of updates HOT; %d deadlocks\n",
            s, b, c, t, tps, lat, tps * b, cpu / tick / t, cpu / tick * 1000 / w, wal / w, fpi / w,
            (ins - pre + upd) / w, upd ? 100 * hot / upd : 0, dl
    }'
    if [ -n "${WALDUMP:-}" ]; then
        # What the WAL of the run is made of, by record type (pg_waldump reads the cluster's pg_wal).
        pgdata=$(psql "$DATABASE_URL" -qAtc "SHOW data_directory")
        "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/pg_waldump" -p "$pgdata/pg_wal" -s "$lsn0" -e "$lsn1" \
            --stats=record 2>/dev/null | sort -t'(' -k5 -rn | head -n "${WALDUMP}"
    fi
    psql "$DATABASE_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"
    trap - EXIT
done
