#!/usr/bin/env bash
# Tertulia's whole test suite, as CI runs it:
#   1. cargo fmt --check and cargo clippy (warnings are errors);
#   2. every test of the workspace on SQLite (the company-network test runs
#      a real ActivityPub relay, activityrelay from PyPI, installed here in a
#      temporary venv, and needs root: see docs/testing.md);
#   3. every test again on a throwaway PostgreSQL cluster started here
#      (initdb in a temporary directory, a free port on 127.0.0.1), stopped
#      and deleted on exit, whatever happens;
#   4. the client-compatibility suite: real Mastodon client libraries
#      (Mastodon.py and toot from PyPI in a temporary venv, masto.js from
#      npm) and a real browser (Debian's Chromium driven by playwright-core,
#      signing in, and running a web client bundled with esbuild from another
#      origin) against a live server, on each backend;
#   5. each fuzz target (fuzz/) for a few seconds from its seeds.
# Before the tests, cargo deny checks the dependencies (deny.toml).
# Installs what is missing (cargo-nextest, cargo-deny, cargo-fuzz,
# PostgreSQL server and libpq headers, OpenLDAP's slapd) when run as root; otherwise says what
# to install.
# Ends with one summary line over both backends.
set -euo pipefail
cd "$(dirname "$0")/.."

log_dir=$(mktemp -d /tmp/tertulia-tests.XXXXXX)
pg_dir=""
pg_bin=""
# The checking tools are built from crates.io at fixed versions, so every
# run applies the same rules.
cargo_deny_version=0.20.2
cargo_fuzz_version=0.13.2
# Seconds each fuzz target runs; docs/fuzzing.md shows longer runs.
fuzz_seconds=${TERTULIA_FUZZ_SECONDS:-20}
# Where cargo-deny clones the RustSec advisory database from.
advisory_db_url=https://github.com/RustSec/advisory-db
supply_chain=""
fuzz_passed=0
fuzz_failed=0

step() { printf '\n==> %s\n' "$*"; }
fail() { printf 'tests/run.sh: %s\n' "$*" >&2; exit 1; }

cleanup() {
    if [[ -n "$pg_dir" && -f "$pg_dir/data/postmaster.pid" ]]; then
        as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    [[ -n "$pg_dir" ]] && rm -rf "$pg_dir"
    rm -rf "$log_dir" tests/oidc/node_modules tests/clients/node_modules tests/clients/.pytest_cache tests/clients/__pycache__
}
trap cleanup EXIT

# PostgreSQL refuses to run as root, so as root its tools run as `postgres`.
as_postgres() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

apt_install() {
    [[ $(id -u) -eq 0 ]] || fail "missing $*; install it (apt-get install $*) or run as root"
    step "installing $*"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

find_postgres_bin() {
    local candidate
    if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
        dirname "$(readlink -f "$(command -v pg_ctl)")"
        return
    fi
    for candidate in /usr/lib/postgresql/*/bin; do
        [[ -x "$candidate/initdb" ]] && { echo "$candidate"; return; }
    done
}

# `cargo install`s a checking tool unless that version is already there.
install_cargo_tool() {
    local tool=$1 version=$2
    if [[ $(cargo "${tool#cargo-}" --version 2>/dev/null) != "$tool $version" ]]; then
        step "installing $tool $version"
        cargo install "$tool" --locked --version "$version"
    fi
}

ensure_tools() {
    command -v cargo >/dev/null || fail "cargo not found: install Rust from rustup.rs"
    if ! cargo nextest --version >/dev/null 2>&1; then
        step "installing cargo-nextest"
        cargo install cargo-nextest --locked
    fi
    install_cargo_tool cargo-deny "$cargo_deny_version"
    install_cargo_tool cargo-fuzz "$cargo_fuzz_version"
    # diesel's PostgreSQL driver links libpq.
    if [[ ! -e /usr/include/postgresql/libpq-fe.h ]] && ! pkg-config --exists libpq 2>/dev/null; then
        apt_install libpq-dev
    fi
    pg_bin=$(find_postgres_bin)
    if [[ -z "$pg_bin" ]]; then
        apt_install postgresql
        pg_bin=$(find_postgres_bin)
    fi
    [[ -n "$pg_bin" ]] || fail "PostgreSQL server binaries (initdb, pg_ctl) not found after installing"
    # The HTTPS test network makes its certificates with openssl.
    command -v openssl >/dev/null || apt_install openssl
    command -v python3 >/dev/null || apt_install python3 python3-venv
    python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
    command -v npm >/dev/null || apt_install nodejs npm
    # The browser sign-in test drives Debian's Chromium (no browser download).
    [[ -x /usr/bin/chromium ]] || apt_install chromium
    # The LDAP sign-in test (tests/e2e/ldap.rs) starts its own OpenLDAP
    # server and changes entries with ldapmodify.
    [[ -x /usr/sbin/slapd && -x /usr/bin/ldapmodify ]] || apt_install slapd ldap-utils
    if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        useradd --system --no-create-home postgres
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_postgres() {
    pg_dir=$(mktemp -d /tmp/tertulia-pg.XXXXXX)
    [[ $(id -u) -eq 0 ]] && chown postgres: "$pg_dir"
    local port
    port=$(free_port)
    as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 --no-sync >"$pg_dir/initdb.log" 2>&1 \
        || { cat "$pg_dir/initdb.log" >&2; fail "initdb failed"; }
    # Durability is irrelevant for a cluster deleted at exit: fsync off.
    as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
        -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null || { cat "$pg_dir/server.log" >&2; fail "PostgreSQL did not start"; }
    export TERTULIA_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
    echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $pg_dir)"
}

run_suite() {
    local backend=$1
    step "tests on $backend"
    set +e
    TERTULIA_TEST_DB=$backend cargo nextest run --workspace --profile ci 2>&1 | tee "$log_dir/$backend.log"
    local status=${PIPESTATUS[0]}
    set -e
    return "$status"
}

# The relay the HTTPS test network runs; the test rig finds it through
# TERTULIA_TEST_ACTIVITYRELAY.
setup_relay() {
    step "installing the ActivityPub relay (activityrelay)"
    python3 -m venv "$log_dir/relay-venv"
    "$log_dir/relay-venv/bin/pip" install --quiet --disable-pip-version-check -r tests/relay/requirements.txt
    export TERTULIA_TEST_ACTIVITYRELAY="$log_dir/relay-venv/bin/activityrelay"
}

setup_clients() {
    step "installing client libraries (Mastodon.py, toot, masto.js)"
    python3 -m venv "$log_dir/venv"
    "$log_dir/venv/bin/pip" install --quiet --disable-pip-version-check -r tests/clients/requirements.txt
    (cd tests/clients && npm ci --no-audit --no-fund --loglevel=error)
}

# The OpenID provider that tests/e2e/oidc.rs signs in against (npm
# oidc-provider); the test finds it through TERTULIA_TEST_OIDC_PROVIDER.
setup_oidc_provider() {
    step "installing the test OpenID provider (oidc-provider)"
    (cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error)
    export TERTULIA_TEST_OIDC_PROVIDER="$PWD/tests/oidc"
}

run_clients() {
    local backend=$1
    step "client compatibility on $backend"
    local binary
    binary=$(realpath "${CARGO_TARGET_DIR:-target}/debug/tertulia")
    set +e
    (
        cd tests/clients
        [[ $backend == sqlite ]] && unset TERTULIA_TEST_POSTGRES_URL
        PATH="$log_dir/venv/bin:$PATH" TERTULIA_BINARY="$binary" python -m pytest -p no:cacheprovider -q
    ) 2>&1 | tee "$log_dir/clients-$backend.log"
    local status=${PIPESTATUS[0]}
    set -e
    return "$status"
}

# deny.toml's checks; a finding stops the run, as fmt and clippy do. The
# advisory database is a git repository on GitHub: TERTULIA_ADVISORY_DB
# names another copy of it (a git URL or directory) for machines that cannot
# reach GitHub. When no copy can be had, advisories are reported as not
# checked, loudly, and the other checks still count.
check_supply_chain() {
    step "cargo deny: licences, duplicate versions, sources"
    cargo deny --locked check licenses bans sources
    step "cargo deny: advisories"
    local -a from_copy=()
    if [[ -n ${TERTULIA_ADVISORY_DB:-} ]]; then
        from_copy=(env GIT_CONFIG_COUNT=1 "GIT_CONFIG_KEY_0=url.$TERTULIA_ADVISORY_DB.insteadOf"
            "GIT_CONFIG_VALUE_0=$advisory_db_url")
    fi
    if ! "${from_copy[@]}" timeout 120 cargo deny --locked fetch db; then
        supply_chain="licences, duplicate versions, sources checked; advisories NOT CHECKED: the RustSec"
        supply_chain+=" database ($advisory_db_url) could not be fetched (set TERTULIA_ADVISORY_DB to a copy)"
        printf '\ntests/run.sh: WARNING: %s\n' "$supply_chain" >&2
        return
    fi
    cargo deny --locked --offline check advisories
    local db
    db=$(ls -dt "${CARGO_HOME:-$HOME/.cargo}"/advisory-dbs/advisory-db-* | head -1)
    supply_chain="licences, duplicate versions, sources and advisories (RustSec of $(git -C "$db" log -1 --format=%cs)) checked"
}

# Builds the fuzz targets and runs each for $fuzz_seconds from its seeds
# (fuzz/corpus/<target>, read only: what the run finds goes to a scratch
# corpus); a crash or an input slower than 10 s fails the target. Built in
# fuzz/'s dev profile (dependencies unoptimised: building dominates) and without a
# sanitizer (the stable toolchain suffices, and our code forbids unsafe):
# these are smoke runs, the long ones are in docs/fuzzing.md.
run_fuzz() {
    step "building the fuzz targets"
    local targets
    targets=$(cargo fuzz list)
    if ! cargo fuzz build --dev --sanitizer none; then
        fuzz_failed=$(wc -w <<<"$targets")
        return 1
    fi
    local target log status=0
    for target in $targets; do
        step "fuzzing $target for ${fuzz_seconds}s"
        log="$log_dir/fuzz-$target.log"
        mkdir -p "$log_dir/corpus-$target"
        if cargo fuzz run --dev --sanitizer none "$target" "$log_dir/corpus-$target" "fuzz/corpus/$target" -- \
            -max_total_time="$fuzz_seconds" -timeout=10 >"$log" 2>&1; then
            fuzz_passed=$((fuzz_passed + 1))
            grep -E '^Done [0-9]+ runs' "$log" || tail -1 "$log"
        else
            fuzz_failed=$((fuzz_failed + 1))
            status=1
            tail -40 "$log"
        fi
    done
    return "$status"
}

# A count ("passed" or "failed") from a run's closing line: nextest's
# "Summary [...]" line, or pytest's "N passed, M failed in Xs".
count() {
    local closing='Summary \['
    [[ $1 == clients-* ]] && closing='^=* ?[0-9]+ (passed|failed).* in [0-9.]+s'
    grep -E "$closing" "$log_dir/$1.log" | tail -1 | grep -oE "[0-9]+ $2" | grep -oE '[0-9]+' || true
}

ensure_tools
step "cargo fmt --check"
cargo fmt --all -- --check
cargo fmt --all --manifest-path fuzz/Cargo.toml -- --check
step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
check_supply_chain
step "building tests"
cargo nextest run --workspace --no-run
step "starting a throwaway PostgreSQL"
start_postgres

setup_relay
setup_oidc_provider

status=0
run_suite sqlite || status=1
run_suite postgres || status=1
setup_clients
run_clients sqlite || status=1
run_clients postgres || status=1
run_fuzz || status=1

# Why each test failed, repeated just above the summary: CI keeps only the
# end of a long log, and the failures' output is printed far above it.
failure_excerpts() {
    local run
    for run in sqlite postgres clients-sqlite clients-postgres; do
        [[ -f $log_dir/$run.log ]] || continue
        grep -qE '^ +(TRY [0-9]+ )?(FAIL|TIMEOUT|SIGSEGV|SIGABRT) \[|^FAILED ' "$log_dir/$run.log" || continue
        printf '\n==> why tests failed on %s\n' "$run"
        grep -E '^ +(TRY [0-9]+ )?(FAIL|TIMEOUT|SIGSEGV|SIGABRT) \[|^FAILED ' "$log_dir/$run.log" | sort -u | head -20
        grep -E -A8 'panicked at|^E +(assert|Assertion)' "$log_dir/$run.log" | head -80
        # The servers' own warnings, which the test rig prints on failure.
        grep -E '^ *[0-9T:.-]+Z +(WARN|ERROR) ' "$log_dir/$run.log" | sort -u | head -20
    done
    for run in sqlite postgres; do
        [[ -f $log_dir/$run.log ]] || continue
        grep -qE '^ +FLAKY ' "$log_dir/$run.log" || continue
        printf '\n==> flaky on %s (failed, then passed when run again)\n' "$run"
        grep -E '^ +FLAKY ' "$log_dir/$run.log" | sort -u | head -20
    done
}

failure_excerpts
passed=0
failed=0
flaky=0
summary=""
for run in sqlite postgres clients-sqlite clients-postgres; do
    p=$(count "$run" passed); f=$(count "$run" failed); k=$(count "$run" flaky)
    passed=$(( passed + ${p:-0} )); failed=$(( failed + ${f:-0} )); flaky=$(( flaky + ${k:-0} ))
    summary+="$run: ${p:-0} passed, ${f:-0} failed${k:+ (${k} flaky)}; "
done
summary+="fuzz: $fuzz_passed passed, $fuzz_failed failed"
passed=$((passed + fuzz_passed)); failed=$((failed + fuzz_failed))
if [[ $status -ne 0 && $failed -eq 0 ]]; then
    failed=1 # a run died before its summary (build error, crash)
fi
printf '\nsupply chain: %s\n' "$supply_chain"
printf '%s\n' "$summary"
echo "total: $passed passed, $failed failed, $flaky flaky"
exit $status
