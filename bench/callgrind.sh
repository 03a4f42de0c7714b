#!/usr/bin/env bash
# Counts the instructions one kind of request costs, with callgrind: a
# repeatable figure on a shared machine, where CPU time is not.
#
#   bench/callgrind.sh BINARY DATABASE TOKEN [PATH] [REQUESTS]
#
# BINARY serves a copy of the SQLite file DATABASE (made with
# `tertulia-bench seed`, which prints TOKEN) under valgrind's callgrind on a
# free loopback port; after 5 warm-up requests the counters are zeroed,
# REQUESTS (30) requests for PATH (/api/v1/timelines/home?limit=40) are
# made on one connection, and the counters are written to
# callgrind.out.<label>.1 in the current directory. Read them with
# `callgrind_annotate --inclusive=yes FILE`. Timers' background work
# (roll-ups, trimming) falls in the same window: compare the request's own
# functions, not the program total. Needs valgrind and curl.
set -euo pipefail
[[ $# -ge 3 ]] || { sed -n '2,15p' "$0" >&2; exit 2; }
binary=$1 database=$2 token=$3
path=${4:-/api/v1/timelines/home?limit=40}
requests=${5:-30}
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
label=$(basename "$binary")-$$
cp "$database" "$work/db.sqlite"
TERTULIA_DOMAIN=localhost TERTULIA_PROTOCOL=http TERTULIA_BIND="127.0.0.1:$port" \
    TERTULIA_DATABASE_URL="sqlite://$work/db.sqlite" TERTULIA_MEDIA_DIR="$work/media" \
    TERTULIA_RATE_LIMITS_ENABLED=false TERTULIA_LOG_LEVEL=warn \
    valgrind --tool=callgrind --callgrind-out-file="$PWD/callgrind.out.$label" "$binary" serve >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 600); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.5
done
url="http://127.0.0.1:$port$path"
for _ in 1 2 3 4 5; do curl -fsS -o /dev/null -H "Authorization: Bearer $token" "$url"; done
callgrind_control -z "$server" >/dev/null
outputs=()
for _ in $(seq "$requests"); do outputs+=(-o /dev/null "$url"); done
curl -fsS -H "Authorization: Bearer $token" "${outputs[@]}"
callgrind_control -d "$server" >/dev/null
echo "callgrind.out.$label.1: $requests requests for $path"
