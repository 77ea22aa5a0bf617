#!/usr/bin/env bash
# Faults on the PostgreSQL and Redis that scripts/services runs for $SUFRA_DATA_DIR (the chaos run's own, on its own
# ports): the load harness calls it during `loadtest --scenario chaos`.
#
#   service-fault.sh postgres-restart   immediate stop (a crash: WAL recovery on start), then start again
#   service-fault.sh postgres-freeze    SIGSTOP the postmaster, then every backend (connections stay open)
#   service-fault.sh postgres-thaw      SIGCONT them
#   service-fault.sh redis-restart      SHUTDOWN NOSAVE (its data is gone), then start again
#   service-fault.sh redis-freeze       SIGSTOP redis-server
#   service-fault.sh redis-thaw         SIGCONT it
#
# Signals go to the pids of this data folder's services only (postmaster.pid and its children, redis.pid).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="${SUFRA_DATA_DIR:?SUFRA_DATA_DIR must name the folder of the chaos services}"
data="$(cd "$data" && pwd -P)"
redis_port="${SUFRA_REDIS_PORT:?}"
: "${SUFRA_PG_PORT:?}"

pg_dir="$(readlink -f "$data/postgres")"
pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

postmaster_pid() { head -n 1 "$pg_dir/data/postmaster.pid"; }

# The postmaster first (so it forks no new backend), then its children; thawed in the reverse order.
postgres_pids() {
    local main
    main=$(postmaster_pid)
    echo "$main"
    ps -o pid= --ppid "$main" | tr -d ' '
}

redis_pid() { cat "$data/redis/redis.pid"; }

# The daemons it starts must not inherit the harness's descriptors (its sockets): only 0–2 are passed on.
restart_services() {
    (
        for fd in /proc/self/fd/*; do
            fd=${fd##*/}
            if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
        done
        exec "$root/scripts/services" start >/dev/null
    )
}

case "${1:-}" in
    postgres-restart)
        as_owner "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null
        restart_services
        ;;
    postgres-freeze)
        for pid in $(postgres_pids); do kill -STOP "$pid" 2>/dev/null || true; done
        ;;
    postgres-thaw)
        for pid in $(postgres_pids | tac); do kill -CONT "$pid" 2>/dev/null || true; done
        ;;
    redis-restart)
        pid=$(redis_pid 2>/dev/null || true)
        timeout 10 redis-cli -h 127.0.0.1 -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
        while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
        restart_services
        ;;
    redis-freeze) kill -STOP "$(redis_pid)" ;;
    redis-thaw) kill -CONT "$(redis_pid)" ;;
    *)
        echo "usage: service-fault.sh postgres-restart|postgres-freeze|postgres-thaw|redis-restart|redis-freeze|redis-thaw" >&2
        exit 2
        ;;
esac
