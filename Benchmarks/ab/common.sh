# shellcheck shell=bash
# Sourced by webhooks.sh and open.sh (which set `tool` to their name first): what both do before their runs.

# With no argument, prints the calling script's header comment as its usage and exits.
ab_usage_unless_arguments() {
    [ $# -ge 1 ] || { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2; }
}

# The binaries to compare, as absolute paths, into `bins`.
ab_binaries() {
    bins=()
    local b
    for b in "$@"; do
        [ -x "$b" ] || { echo "$tool: $b is not an executable" >&2; exit 1; }
        bins+=("$(cd "$(dirname "$b")" && pwd)/$(basename "$b")")
    done
}

# DATABASE_URL / REDIS_URL as given, or the project's local services started; then `postmaster`, the cluster's
# postmaster pid, for `pg_ticks`.
ab_services() {
    if [ -z "${DATABASE_URL:-}" ]; then
        local env_lines
        if ! env_lines=$("$root/scripts/services" start); then
            echo "$tool: PostgreSQL and Redis are needed and did not start (reason above)" >&2
            exit 1
        fi
        eval "$env_lines"
    fi
    local data
    data=$(PGOPTIONS='-c client_min_messages=warning' psql "${DATABASE_URL%/*}/postgres" -qAtX -c 'SHOW data_directory')
    postmaster=$(head -n 1 "$data/postmaster.pid")
}

# CPU ticks of the whole PostgreSQL cluster: the postmaster, its live children, and the children it has reaped.
pg_ticks() {
    { for p in $(pgrep -P "$postmaster"); do awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || true; done
      awk '{print $14 + $15 + $16 + $17}' "/proc/$postmaster/stat"; } | awk '{ sum += $1 } END { print sum }'
}

# The machine's CPU counters since boot, summed over every CPU: "busy steal idle" in ticks (/proc/stat). Steal is
# time the hypervisor gave this virtual machine's CPUs to someone else: a run with much of it measured a slower
# machine, whatever the build.
cpu_counters() {
    awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $9, $5 + $6 }' /proc/stat
}

# Steal and idle as percentages of all CPU time between two `cpu_counters` readings: "steal% idle%".
cpu_shares() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        split(a, x, " "); split(b, y, " ")
        busy = y[1] - x[1]; steal = y[2] - x[2]; idle = y[3] - x[3]; total = busy + steal + idle
        if (total <= 0) total = 1
        printf "%.1f %.1f\n", 100 * steal / total, 100 * idle / total
    }'
}
