#!/usr/bin/env bash
# Runs the benchmark suite on a fresh SQLite database, and on a throwaway
# PostgreSQL cluster when its server binaries are installed:
#   1. builds tertulia and tertulia-bench in release mode;
#   2. seeds the database (tertulia-bench seed);
#   3. starts target/release/tertulia serve on a free loopback port;
#   4. measures the timelines at concurrency 1 and 32;
#   5. stops the server (by its PID) and deletes everything it created.
# Usage: bench/run.sh [quick|smoke] [sqlite|postgres|both]
#   quick: 2,000 accounts, 100,000 statuses (a few minutes);
#   smoke: 200 accounts, 2,000 statuses (just exercises the harness).
# Results are JSON lines and tables on standard output; docs/benchmarks.md
# explains them.
set -euo pipefail
cd "$(dirname "$0")/.."

size=${1:-quick}
backends=${2:-sqlite}
case $size in
    quick) accounts=2000 statuses=100000 requests=2000 seconds=20 ;;
    smoke) accounts=200 statuses=2000 requests=50 seconds=5 ;;
    *) echo "usage: bench/run.sh [quick|smoke] [sqlite|postgres|both]" >&2; exit 2 ;;
esac
case $backends in
    sqlite|postgres) ;;
    both) backends="sqlite postgres" ;;
    *) echo "usage: bench/run.sh [quick|smoke] [sqlite|postgres|both]" >&2; exit 2 ;;
esac

target=${CARGO_TARGET_DIR:-target}
work=$(mktemp -d /tmp/tertulia-bench.XXXXXX)
server_pid=""
pg_bin=""
pg_data=""

# PostgreSQL refuses to run as root, so as root its tools run as `postgres`.
as_postgres() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
    if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    if [[ -n "$pg_data" && -f "$pg_data/postmaster.pid" ]]; then
        as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

step() { printf '\n==> %s\n' "$*"; }

start_postgres() {
    for candidate in /usr/lib/postgresql/*/bin; do
        [[ -x "$candidate/initdb" ]] && pg_bin=$candidate
    done
    [[ -n "$pg_bin" ]] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
    [[ $(id -u) -eq 0 ]] && chown postgres: "$work"
    pg_data="$work/pg"
    local port
    port=$(free_port)
    as_postgres "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=trust -E UTF8 --no-sync >"$work/initdb.log" 2>&1
    # Durability is irrelevant for a cluster deleted at exit: fsync off.
    as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -l "$work/postgres.log" -w -t 60 \
        -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null
    pg_url="postgres://postgres@127.0.0.1:$port/postgres"
}

run_backend() {
    local backend=$1 url
    case $backend in
        sqlite) url="sqlite://$work/tertulia.db" ;;
        postgres) start_postgres; url=$pg_url ;;
    esac
    local port
    port=$(free_port)
    step "$backend: seeding $accounts accounts and $statuses statuses"
    "$target/release/tertulia-bench" seed --database-url "$url" --accounts "$accounts" --statuses "$statuses" \
        --days 90 --domain "localhost:$port" | tee "$work/seed-$backend.out"
    local token
    token=$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' "$work/seed-$backend.out")

    step "$backend: starting the server on 127.0.0.1:$port"
    TERTULIA_DOMAIN="localhost:$port" TERTULIA_PROTOCOL=http TERTULIA_BIND="127.0.0.1:$port" \
        TERTULIA_DATABASE_URL="$url" TERTULIA_DATABASE_POOL_SIZE=16 TERTULIA_MEDIA_DIR="$work/media" \
        TERTULIA_RATE_LIMITS_ENABLED=false TERTULIA_LOG_LEVEL=warn \
        "$target/release/tertulia" serve >"$work/serve-$backend.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 100); do
        curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
        sleep 0.1
    done
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/serve-$backend.log" >&2; exit 1; }

    for concurrency in 1 32; do
        step "$backend: timelines at concurrency $concurrency"
        "$target/release/tertulia-bench" timelines --base-url "http://127.0.0.1:$port" --token="$token" \
            --concurrency "$concurrency" --requests "$requests" --duration-secs "$seconds"
    done

    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

step "building tertulia and tertulia-bench (release)"
# Two builds, not one: built together, cargo would unify the features of
# their shared dependencies (the bench's HTTP client adds some) and give the
# server a different build from the one `cargo build --release` ships.
cargo build --release -p tertulia
cargo build --release -p tertulia-bench
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
    "$(free -g | awk '/^Mem:/ {print $2}') GiB memory"
for backend in $backends; do
    run_backend "$backend"
done
