#!/usr/bin/env bash
# Builds sufra and the harness in release, makes sure PostgreSQL and Redis run, and runs one load scenario.
# The harness creates its own scratch database, runs `sufra migrate` and `sufra serve` (TWILIO_API_BASE pointing at
# its in-process Twilio sandbox), and drops the database at the end.
#
#   Benchmarks/run.sh --scenario steady --customers 1000 --duration 120 --think-ms 10000 --rating-every 1
#   Benchmarks/run.sh --scenario ramp --customers 1000 --ramp-start 25 --ramp-step 25 --duration 10
#   Benchmarks/run.sh --scenario backpressure --customers 500 --think-ms 1000 --duration 30
# (every scenario and its flags: BENCHMARKS.md, or `loadtest --help`)
# Uses DATABASE_URL / REDIS_URL when set; otherwise starts the project's local services (scripts/services start).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ -z "${DATABASE_URL:-}" ]; then
    if ! env_lines=$(scripts/services start); then
        echo "run.sh: PostgreSQL and Redis are needed and did not start (reason above)" >&2
        exit 1
    fi
    eval "$env_lines"
fi
swift build -c release --package-path Benchmarks --product sufra
swift build -c release --package-path Benchmarks --product loadtest
mkdir -p Benchmarks/results
exec Benchmarks/.build/release/loadtest --sufra Benchmarks/.build/release/sufra \
    --json "Benchmarks/results/$(date +%Y%m%d-%H%M%S).json" --server-log Benchmarks/results/server.log "$@"
