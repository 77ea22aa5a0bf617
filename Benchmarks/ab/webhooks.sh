#!/usr/bin/env bash
# Sufra's webhook path alone, builds alternated: `sufra serve --no-sender` on a fresh database per run, fresh signed
# webhooks replayed by wrk at a fixed number of connections, and what each webhook cost the server and PostgreSQL.
#
#   Benchmarks/ab/webhooks.sh .build/release/sufra /tmp/sufra-before         # 2 rounds of both, 128 connections
#   ROUNDS=3 CONNS=32 DURATION=15 Benchmarks/ab/webhooks.sh A B
#
# On a machine whose speed moves from one minute to the next, only runs made back to back compare: each round runs
# every binary once, in the order given. Per run: a fresh database (`sufra migrate`), 10 restaurants through the
# admin API, a warm-up (5 s at 32 connections), then DURATION seconds at CONNS connections of COUNT fresh webhooks
# (1000 customers taking turns; sign.py). Printed per run: requests/s, latency p50/p99/p99.9 (wrk is closed-loop),
# server CPU and PostgreSQL CPU per webhook (the whole cluster: every backend and the processes it reaped), and
# acked/stored/sent: webhooks answered 200, inbound rows the run added, requests wrk began to write. A run whose
# stored count is below its acked count lost an acknowledged webhook and is marked LOST; the few begun when wrk
# stopped may or may not have reached the server. Also printed: the machine's steal and idle shares during the run
# (steal: CPU the hypervisor gave to another guest; compare only runs with similar steal). The server's /metrics
# after each run are kept in OUT. With TIMELINE=1, each run's main phase is also recorded half a second at a time
# (webhooks/s, share over 50 ms, steal, idle: timeline.py) and summed up under its row. Exits 1 when a run is LOST
# or acknowledged nothing.
#
# Uses DATABASE_URL / REDIS_URL when set (its cluster must let the user create databases), otherwise the project's
# local services (scripts/services start). Needs wrk (apt-get install wrk), python3, psql, curl.
# Environment: ROUNDS (2), CONNS (128), DURATION (15), COUNT (100000), CUSTOMERS (1000), PORT (48090),
# OUT (a new folder under $TMPDIR), EXTRA_ENV ("NAME=value …" given to every server), TIMELINE (unset).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tool=webhooks.sh
source "$here/common.sh"
ab_usage_unless_arguments "$@"
for command in wrk python3 psql redis-cli curl pgrep; do
    if ! command -v "$command" >/dev/null; then
        echo "webhooks.sh: $command is needed (apt-get install wrk postgresql-client redis-tools curl procps)" >&2
        exit 1
    fi
done
ab_binaries "$@"
ROUNDS=${ROUNDS:-2} CONNS=${CONNS:-128} DURATION=${DURATION:-15} COUNT=${COUNT:-100000} CUSTOMERS=${CUSTOMERS:-1000}
PORT=${PORT:-48090}
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/sufra-ab-XXXXXX")}
mkdir -p "$OUT"
ab_services
db_base=${DATABASE_URL%/*}
redis_url=${REDIS_URL%/*}/15
q() { PGOPTIONS='-c client_min_messages=warning' psql "$1" -v ON_ERROR_STOP=1 -qAtX "${@:2}"; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ms_per_tick=$(awk -v hz="$(getconf CLK_TCK)" 'BEGIN { print 1000 / hz }')
export MASTER_KEY=$(head -c32 /dev/urandom | base64) JWT_SECRET=$(head -c48 /dev/urandom | base64)
export ADMIN_TOKEN=ab-$(head -c16 /dev/urandom | od -An -tx1 | tr -d ' \n')
export RATE_GLOBAL_PER_MIN=100000000 RATE_CUSTOMER_PER_MIN=100000000 LOG_LEVEL=warning
public_url=https://sufra.bench.example
server= failed=0
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; true' EXIT

printf '%-24s %5s %8s %7s %7s %7s %10s %10s %6s %5s %s\n' binary round req/s p50 p99 p99.9 server_ms pg_ms \
    steal% idle% acked/stored/sent \
    | tee "$OUT/table.txt"
for round in $(seq "$ROUNDS"); do
    for bin in "${bins[@]}"; do
        name=$(basename "$bin")
        q "$db_base/postgres" -c "DROP DATABASE IF EXISTS sufra_ab" -c "CREATE DATABASE sufra_ab"
        export DATABASE_URL=$db_base/sufra_ab REDIS_URL=$redis_url
        redis-cli -u "$redis_url" flushdb >/dev/null
        if ! "$bin" migrate >"$OUT/migrate-$round-$name.log" 2>&1; then
            echo "webhooks.sh: $name migrate failed (see $OUT/migrate-$round-$name.log)" >&2
            exit 1
        fi
        # shellcheck disable=SC2086  # EXTRA_ENV is a list of NAME=value words
        env ${EXTRA_ENV:-} PUBLIC_URL=$public_url HOST=127.0.0.1 PORT=$PORT "$bin" serve --no-sender \
            >"$OUT/server-$round-$name.log" 2>&1 &
        server=$!
        healthy=false
        for _ in $(seq 150); do
            curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && { healthy=true; break; }
            kill -0 "$server" 2>/dev/null || break
            sleep 0.2
        done
        if [ $healthy = false ]; then
            echo "webhooks.sh: $name serve did not become healthy (see $OUT/server-$round-$name.log)" >&2
            exit 1
        fi
        python3 "$here/tenants.py" --admin "http://127.0.0.1:$PORT" --count 10 --out "$OUT/tenants.json"
        for phase in warm main; do
            if [ $phase = warm ]; then
                n=20000 d=5 c=32 seed=$((round * 2))
            else
                n=$COUNT d=$DURATION c=$CONNS seed=$((round * 2 + 1))
            fi
            python3 "$here/sign.py" --tenants "$OUT/tenants.json" --public-url $public_url --count "$n" \
                --customers "$CUSTOMERS" --seed "$seed" --out "$OUT/requests.tsv"
            stored0=$(q "$DATABASE_URL" -c "SELECT count(*) FROM messages WHERE direction = 'inbound'")
            server0=$(ticks "$server") pg0=$(pg_ticks) machine0=$(cpu_counters) sampler=
            if [ $phase = main ] && [ -n "${TIMELINE:-}" ]; then
                python3 "$here/timeline.py" sample --metrics "http://127.0.0.1:$PORT/metrics" \
                    --out "$OUT/timeline-$round-$name.tsv" &
                sampler=$!
            fi
            wrk -t2 -c"$c" -d"${d}s" --latency --timeout 10s -s "$here/replay.lua" \
                "http://127.0.0.1:$PORT/whatsapp/webhook" -- "$OUT/requests.tsv" 2 >"$OUT/wrk-$round-$name-$phase.txt"
            server1=$(ticks "$server") pg1=$(pg_ticks) machine1=$(cpu_counters)
            if [ -n "$sampler" ]; then kill "$sampler" 2>/dev/null || true; wait "$sampler" || true; fi
            # Requests wrk left in flight when it stopped are still being committed: count once the number holds.
            stored1=-1
            for _ in $(seq 50); do
                now=$(q "$DATABASE_URL" -c "SELECT count(*) FROM messages WHERE direction = 'inbound'")
                [ "$now" = "$stored1" ] && break
                stored1=$now; sleep 0.1
            done
        done
        python3 - "$(grep '^AB_JSON ' "$OUT/wrk-$round-$name-main.txt" | cut -d' ' -f2-)" "$name" "$round" \
            "$(( server1 - server0 ))" "$(( pg1 - pg0 ))" "$ms_per_tick" "$(( stored1 - stored0 ))" \
            "$(cpu_shares "$machine0" "$machine1")" \
            >>"$OUT/table.txt" <<'EOF' || failed=1
import json, sys
run = json.loads(sys.argv[1]); name, rnd = sys.argv[2], sys.argv[3]
server, pg, tick, stored = int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7])
steal, idle = (float(share) for share in sys.argv[8].split())
done = max(run["requests"], 1)
acked = run["requests"] - run["non2xx"]
note = "  LOST" if stored < acked else ""
note += f"  (wrapped {run['wrapped']}×: raise COUNT)" if run["wrapped"] else ""
if run["non2xx"] or run["socket_errors"]:
    note += f"  non-2xx {run['non2xx']}, socket errors {run['socket_errors']}"
print(f"{name:<24} {rnd:>5} {run['rps']:>8.0f} {run['p50_ms']:>7.1f} {run['p99_ms']:>7.1f} {run['p999_ms']:>7.1f} "
      f"{server * tick / done:>10.3f} {pg * tick / done:>10.3f} {steal:>6.1f} {idle:>5.1f} "
      f"{acked}/{stored}/{run['sent']}{note}")
sys.exit(1 if stored < acked or not acked else 0)
EOF
        tail -n 1 "$OUT/table.txt"
        if [ -n "${TIMELINE:-}" ]; then python3 "$here/timeline.py" summary "$OUT/timeline-$round-$name.tsv" || true; fi
        curl -fsS "http://127.0.0.1:$PORT/metrics" >"$OUT/metrics-$round-$name.txt" 2>/dev/null || true
        kill "$server"; wait "$server" 2>/dev/null || true; server=
    done
done
echo "webhooks.sh: results in $OUT" >&2
if [ "$failed" != 0 ]; then
    echo "webhooks.sh: a run lost acknowledged webhooks or acknowledged none (table above)" >&2
    exit 1
fi
