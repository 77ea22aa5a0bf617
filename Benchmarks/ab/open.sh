#!/usr/bin/env bash
# Customer-paced load with the sender on, builds alternated: the load harness's `open` scenario (1000 customers, 10
# restaurants, messages started at a fixed rate, each reply sent through the in-process Twilio sandbox and its three
# status callbacks posted back), and what each message cost the server, PostgreSQL and the harness itself.
#
#   Benchmarks/ab/open.sh .build/release/sufra /tmp/sufra-before             # 2 rounds of both, 400 messages/s
#   RATE=300 ROUNDS=3 LOADTEST_ARGS="--replies false" Benchmarks/ab/open.sh A B
#
# Each round runs every binary once, in the order given (only runs made back to back compare on a machine whose
# speed moves). Printed per run: messages sent, server / PostgreSQL / harness CPU per message (PostgreSQL: the whole
# cluster, every backend and the processes it reaped; harness: the loadtest process, its own CPU only), the reply
# (or, without replies, acknowledgement) latency p50/p99, the machine's steal and idle shares during the run (steal:
# CPU the hypervisor gave to another guest), and the harness's verdict (PASSED: nothing lost, duplicated or left
# unhandled). Exits 1 when a run failed or left no result.
#
# Uses DATABASE_URL / REDIS_URL when set, otherwise the project's local services (scripts/services start). Needs the
# harness built: swift build -c release --package-path Benchmarks --product loadtest.
# Environment: ROUNDS (2), RATE (400), DURATION (20), LOADTEST (Benchmarks/.build/release/loadtest), LOADTEST_ARGS,
# OUT (a new folder under $TMPDIR).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tool=open.sh
source "$here/common.sh"
ab_usage_unless_arguments "$@"
LOADTEST=${LOADTEST:-$root/Benchmarks/.build/release/loadtest}
if [ ! -x "$LOADTEST" ]; then
    echo "open.sh: no harness at $LOADTEST (swift build -c release --package-path Benchmarks --product loadtest)" >&2
    exit 1
fi
ab_binaries "$@"
ROUNDS=${ROUNDS:-2} RATE=${RATE:-400} DURATION=${DURATION:-20}
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/sufra-open-XXXXXX")}
mkdir -p "$OUT"
failed=0
ab_services

printf '%-24s %5s %6s %10s %10s %11s %8s %8s %6s %5s %s\n' binary round sent server_ms pg_ms harness_ms p50 p99 \
    steal% idle% verdict \
    | tee "$OUT/table.txt"
for round in $(seq "$ROUNDS"); do
    for bin in "${bins[@]}"; do
        name=$(basename "$bin")
        pg0=$(pg_ticks) machine0=$(cpu_counters)
        # The harness's own CPU (not its children's: the server and `sufra migrate`), read from /proc while it runs.
        # shellcheck disable=SC2086  # LOADTEST_ARGS is a list of words
        python3 - "$OUT/harness-$round-$name.cpu" "$LOADTEST" --scenario open --rate "$RATE" --customers 1000 \
            --restaurants 10 --duration "$DURATION" ${LOADTEST_ARGS:-} --sufra "$bin" --json "$OUT/$round-$name.json" \
            --server-log "$OUT/server-$round-$name.log" >"$OUT/$round-$name.out" 2>&1 <<'EOF' || true
import os, subprocess, sys, time
process = subprocess.Popen(sys.argv[2:])
ticks = 0
while process.poll() is None:
    try:
        fields = open(f"/proc/{process.pid}/stat").read().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime: the process itself
    except (OSError, IndexError, ValueError):
        pass
    time.sleep(0.2)
open(sys.argv[1], "w").write(f"{ticks / os.sysconf('SC_CLK_TCK')}\n")
sys.exit(process.returncode)
EOF
        pg1=$(pg_ticks) machine1=$(cpu_counters)
        python3 - "$OUT/$round-$name.json" "$OUT/$round-$name.out" "$OUT/harness-$round-$name.cpu" "$name" "$round" \
            "$(( pg1 - pg0 ))" "$(getconf CLK_TCK)" "$(cpu_shares "$machine0" "$machine1")" \
            >>"$OUT/table.txt" <<'EOF' || failed=1
import json, sys
try:
    result = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    print(f"{sys.argv[4]:<24} {sys.argv[5]:>5}  no result: see {sys.argv[2]}")
    sys.exit(1)
group = result["groups"]["all"]
sent = max(group["sent"], 1)
latency = group["reply"] if group["reply"]["count"] else group["ack"]
pg_ms = int(sys.argv[6]) * 1000 / int(sys.argv[7]) / sent
harness_cpu = float(open(sys.argv[3]).read())
server_cpu = result["server"]["cpuSeconds"]
passed = "check PASSED" in open(sys.argv[2]).read()
steal, idle = (float(share) for share in sys.argv[8].split())
print(f"{sys.argv[4]:<24} {sys.argv[5]:>5} {group['sent']:>6} {server_cpu * 1000 / sent:>10.3f} {pg_ms:>10.3f} "
      f"{harness_cpu * 1000 / sent:>11.3f} {latency['p50']:>8.1f} {latency['p99']:>8.1f} {steal:>6.1f} {idle:>5.1f} "
      f"{'PASSED' if passed else 'FAILED'}")
sys.exit(0 if passed else 1)
EOF
        tail -n 1 "$OUT/table.txt"
    done
done
echo "open.sh: results in $OUT" >&2
if [ "$failed" != 0 ]; then
    echo "open.sh: a run failed the harness's checks or left no result (table above)" >&2
    exit 1
fi
