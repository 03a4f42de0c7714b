#!/usr/bin/env bash
# Runs every benchmark scenario and prints its figures (JSON lines and
# tables; docs/benchmarks.md explains them):
#   1. builds tertulia and tertulia-bench in release mode;
#   2. measures HTTP Signatures (RSA-2048) made and checked per second;
#   3. per database (SQLite, or a throwaway PostgreSQL cluster):
#      seeds it, starts target/release/tertulia serve on a free loopback
#      port, reads its idle memory, measures the timelines (with the
#      server's CPU per request) at concurrency 1 and 32, then posting
#      with 10 streaming listeners, reading the
#      server's peak memory after each; then streaming: posts, one at a
#      time, to 1,000 listeners (half SSE, half WebSocket) with the server's
#      CPU time, first on the binary in TERTULIA_BENCH_BEFORE if set (an
#      older build, for before/after figures), then on this one; stops each
#      server by its PID. On PostgreSQL, then scale-out: home timeline and
#      posting with one, then two server processes on the same database;
#   4. the inbox, delivery, workload and federation scenarios, which start
#      their own servers on fresh SQLite databases;
#   5. prints issue 17's targets, each met, missed or not measured, from
#      the figures above (tertulia-bench targets);
#   6. deletes everything it created.
# Usage: [TERTULIA_BENCH_BEFORE=path/to/old/tertulia] bench/run.sh [quick|smoke|full] [sqlite|postgres|both]
#   quick: 2,000 accounts, 100,000 statuses (about 5 minutes on 2 cores);
#   smoke: 200 accounts, 2,000 statuses (checks the harness in a minute);
#   full:  10,000 accounts, 1,000,000 statuses (the targets' size; about
#          25 minutes and 4 GB of disk on SQLite).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: bench/run.sh [quick|smoke|full] [sqlite|postgres|both]" >&2; exit 2; }
size=${1:-quick}
backends=${2:-sqlite}
case $size in
    quick) accounts=2000 statuses=100000 requests=1000 seconds=8 posts=300 activities=3000 followers=1000 fan_out_posts=200 propagation_posts=50 listeners=1000 stream_posts=100 ;;
    smoke) accounts=200 statuses=2000 requests=50 seconds=3 posts=20 activities=100 followers=50 fan_out_posts=5 propagation_posts=5 listeners=20 stream_posts=5 ;;
    full) accounts=10000 statuses=1000000 requests=2000 seconds=20 posts=500 activities=5000 followers=1000 fan_out_posts=300 propagation_posts=100 listeners=1000 stream_posts=200 ;;
    *) usage ;;
esac
case $backends in
    sqlite|postgres) ;;
    both) backends="sqlite postgres" ;;
    *) usage ;;
esac

target=${CARGO_TARGET_DIR:-target}
bench="$target/release/tertulia-bench"
server="$target/release/tertulia"
before=${TERTULIA_BENCH_BEFORE:-}
[[ -z "$before" || -x "$before" ]] || { echo "TERTULIA_BENCH_BEFORE=$before is not an executable" >&2; exit 2; }
work=$(mktemp -d /tmp/tertulia-bench.XXXXXX)
# The JSON lines the targets are read from, in the order they were printed.
results="$work/results.jsonl"
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

# The value of "key" in a one-line JSON object (strings and numbers).
json_field() {
    sed -n "s/.*\"$2\":\"\{0,1\}\([^\",}]*\).*/\1/p" "$1"
}

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

# Starts BINARY serve on DATABASE_URL at 127.0.0.1:PORT (streaming caps
# raised for the 1,000 listeners) and waits until it answers.
start_server() {
    local binary=$1 backend=$2 url=$3 port=$4
    TERTULIA_DOMAIN="localhost:$port" TERTULIA_PROTOCOL=http TERTULIA_BIND="127.0.0.1:$port" \
        TERTULIA_DATABASE_URL="$url" TERTULIA_DATABASE_POOL_SIZE=16 TERTULIA_MEDIA_DIR="$work/media" \
        TERTULIA_RATE_LIMITS_ENABLED=false TERTULIA_LOG_LEVEL=warn \
        TERTULIA_LIMITS_STREAMING_CONNECTIONS=2000 TERTULIA_LIMITS_STREAMING_CONNECTIONS_PER_IP=2000 \
        "$binary" serve >>"$work/serve-$backend.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 100); do
        curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
        sleep 0.1
    done
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/serve-$backend.log" >&2; exit 1; }
}

stop_server() {
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

memory() {
    "$bench" memory --pid "$server_pid" --label "$1" --reset
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
    "$bench" seed --database-url "$url" --accounts "$accounts" --statuses "$statuses" \
        --days 90 --domain "localhost:$port" | tee "$work/seed-$backend.out"
    local seeded="$work/seed-$backend.out"
    cat "$seeded" >>"$results"
    local token poster
    token=$(json_field "$seeded" token)
    poster=$(json_field "$seeded" poster)

    step "$backend: starting the server on 127.0.0.1:$port"
    start_server "$server" "$backend" "$url" "$port"
    sleep 2
    memory "$backend: idle after start-up"

    for concurrency in 1 32; do
        step "$backend: timelines at concurrency $concurrency"
        "$bench" timelines --base-url "http://127.0.0.1:$port" --token="$token" --server-pid "$server_pid" \
            --concurrency "$concurrency" --requests "$requests" --duration-secs "$seconds" | tee -a "$results"
    done
    memory "$backend: timelines"

    step "$backend: posting $posts statuses as $poster, with streaming listeners"
    "$bench" posting --base-url "http://127.0.0.1:$port" --username "$poster" --posts "$posts" --concurrency 4 --listeners 10 |
        tee -a "$results"
    memory "$backend: posting"
    stop_server

    # Before (if given) and after, on the same data; one post at a time, so
    # the latency is delivery's, not a queue of posts.
    for binary in $before "$server"; do
        step "$backend: streaming $stream_posts posts to $listeners listeners (SSE and WebSocket), $binary"
        start_server "$binary" "$backend" "$url" "$port"
        "$bench" posting --base-url "http://127.0.0.1:$port" --username "$poster" --posts "$stream_posts" \
            --concurrency 1 --listeners "$listeners" --transport both --server-pid "$server_pid" \
            --stream-deadline-secs 300 ||
            [[ "$binary" != "$server" ]] # the older build may miss events: reported, not fatal
        stop_server
    done

    if [[ $backend == postgres ]]; then
        step "postgres: scale-out, one then two server processes on one database"
        "$bench" scale-out --binary "$server" --database-url "$url" --domain "localhost:$port" --token="$token" \
            --username "$poster" --requests "$requests" --posts "$posts" --duration-secs "$seconds"
    fi
}

step "building tertulia and tertulia-bench (release)"
# Two builds, not one: built together, cargo would unify the features of
# their shared dependencies (the bench's HTTP client adds some) and give the
# server a different build from the one `cargo build --release` ships.
cargo build --release -p tertulia
cargo build --release -p tertulia-bench
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
    "$(free -g | awk '/^Mem:/ {print $2}') GiB memory"
step "RSA-2048: HTTP Signatures made and checked per second on one core"
"$bench" rsa

for backend in $backends; do
    run_backend "$backend"
done

step "inbox: $activities signed Create(Note) activities from a loopback site"
"$bench" inbox --binary "$server" --activities "$activities" --concurrency 16 | tee -a "$results"

step "delivery: posts to $followers remote followers on loopback sinks"
"$bench" delivery --binary "$server" --followers "$followers" --posts "$fan_out_posts" | tee -a "$results"

step "workload: issue 17's small site (20 users, sign-ins, 2,000 posts, home reads), memory against the targets"
"$bench" workload --binary "$server" | tee -a "$results"

step "federation: $propagation_posts posts propagating to three sites"
"$bench" federation --binary "$server" --posts "$propagation_posts" --followers "$followers" --fan-out-posts 2

step "issue 17 targets"
"$bench" targets "$results"
