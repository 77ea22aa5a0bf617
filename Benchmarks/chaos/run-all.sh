#!/usr/bin/env bash
# Every chaos fault in turn under 1000 customers ordering (serve and a worker sending, status callbacks on), each
# checked by the Verifier (BENCHMARKS.md, "Chaos"). Uses its own PostgreSQL and Redis (scripts/services on
# $CHAOS_DATA_DIR, ports $CHAOS_PG_PORT / $CHAOS_REDIS_PORT), since the faults restart and freeze them.
#
#   swift build -c release --package-path Benchmarks --product loadtest
#   swift build -c release --package-path Benchmarks --product sufra
#   Benchmarks/chaos/run-all.sh                         # every fault once
#   FAULTS="serve-kill twilio-late" COUNT=2 Benchmarks/chaos/run-all.sh   # some faults, twice per run
#
# Knobs (environment): FAULTS, COUNT (injections per run, 60 s apart), CUSTOMERS (1000), THINK_MS (12000: about
# 80 messages/s), DURATION (seconds of load; 85 by default, 60 more per extra injection), HOLD (20 s freezes).
# Extra arguments go to every loadtest run. Results: Benchmarks/results/chaos/<fault>.json and the logs beside.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
export SUFRA_DATA_DIR="${CHAOS_DATA_DIR:-$root/.data-chaos}"
export SUFRA_PG_PORT="${CHAOS_PG_PORT:-55453}"
export SUFRA_REDIS_PORT="${CHAOS_REDIS_PORT:-56400}"
env_lines=$(scripts/services start) || {
    echo "run-all: the chaos run's PostgreSQL and Redis did not start (reason above)" >&2
    exit 1
}
eval "$env_lines"
# The run's own PostgreSQL and Redis go when it ends, however it ends.
trap 'scripts/services stop >/dev/null 2>&1 || true' EXIT
loadtest="${LOADTEST:-Benchmarks/.build/release/loadtest}"
sufra="${SUFRA:-Benchmarks/.build/release/sufra}"
faults="${FAULTS:-serve-kill worker-kill postgres-restart redis-restart postgres-freeze redis-freeze twilio-late}"
count="${COUNT:-1}"
duration="${DURATION:-$((85 + 60 * (count - 1)))}"
out=Benchmarks/results/chaos
mkdir -p "$out"
failed=()
for fault in $faults; do
    echo "=== chaos: $fault (×$count) ==="
    if ! "$loadtest" --scenario chaos --fault "$fault" --fault-count "$count" --fault-at 25 --fault-interval 60 \
        --hold "${HOLD:-20}" --customers "${CUSTOMERS:-1000}" --restaurants 10 --think-ms "${THINK_MS:-12000}" \
        --duration "$duration" --sufra "$sufra" --service-script Benchmarks/chaos/service-fault.sh \
        --json "$out/$fault.json" --server-log "$out/$fault-serve.log" --worker-log "$out/$fault-worker.log" "$@"; then
        failed+=("$fault")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "chaos: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "chaos: every fault passed"
