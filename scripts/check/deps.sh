#!/usr/bin/env bash
# check/deps.sh — the dependency policy of deny.toml, checked with cargo-deny (checklist row 54).
#
# 1. `cargo deny check bans licenses sources` on Cargo.lock as committed (--locked; offline):
#    licenses only from deny.toml's allow-list, crates.io as the only source, no wildcard
#    versions, no second TLS stack. Needs no network.
# 2. `cargo deny check advisories` when a RustSec advisory database is at hand, in this order:
#      - CARGO_DENY_DB=DIR: a copy of the RustSec advisory-db repository (a git clone; a plain
#        unpacked copy is committed into a scratch repository first). It is placed where
#        cargo-deny looks for the default database under a scratch db-path, and checked
#        offline;
#      - the default database cargo-deny keeps in $CARGO_HOME/advisory-dbs/, if one is there;
#      - else `cargo deny fetch db`, which clones it from GitHub. Without GitHub that fails at
#        once ("Could not resolve host: github.com"), and the advisories are reported as NOT
#        CHECKED: exit 0 when the other checks pass, unless REQUIRE_ADVISORIES=1 (then 1).
#    The database is not on crates.io, PyPI, npm or Debian; see docs/RELIABILITY.md row 54.
#
# --self-test: builds a scratch advisory database holding one made-up advisory against the
# ammonia version in Cargo.lock and checks that `cargo deny check advisories` fails on it, so
# the advisories step is proven to fail on a vulnerable version without the real database.
#
# cargo-deny is installed with `cargo install cargo-deny --locked` when missing (about 3 min 40 s
# on the 2-core reference machine; NO_INSTALL=1 to refuse).
#
# Usage: scripts/check/deps.sh [--self-test]
# Exit status: 0 when every check that ran passed, 1 otherwise, 2 when cargo-deny is missing.
#
# Environment:
#   CARGO_DENY_DB=DIR        a local RustSec advisory-db (see above)
#   REQUIRE_ADVISORIES=1     fail when no advisory database could be had
#   FETCH_TIMEOUT=120        seconds for `cargo deny fetch db`
#   WORKDIR=...              default: mktemp -d under /tmp, removed on exit
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
BENCH_NAME=check-deps
# shellcheck source=scripts/bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"
bench_begin feedscrub-check-deps

self_test=0
for arg in "$@"; do
    case $arg in
        --self-test) self_test=1 ;;
        *) die "unknown argument: $arg (usage: scripts/check/deps.sh [--self-test])" ;;
    esac
done

# ---------------------------------------------------------------- cargo-deny
if ! cargo deny --version >/dev/null 2>&1; then
    [[ ${NO_INSTALL:-0} == 1 ]] && { log "cargo-deny is not installed (NO_INSTALL=1)"; exit 2; }
    log "installing cargo-deny (cargo install cargo-deny --locked; a few minutes)"
    t0=$SECONDS
    cargo install cargo-deny --locked --quiet || { log "cargo install cargo-deny failed"; exit 2; }
    log "cargo-deny installed in $((SECONDS - t0)) s"
fi
log "$(cargo deny --version)"

# The directory cargo-deny clones its default database (github.com/RustSec/advisory-db) into,
# under db-path: the repository name and a hash of the URL.
DEFAULT_DB_DIR=advisory-db-3157b0e258782691
CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}

# config_with_db_path PATH: deny.toml with [advisories] db-path = PATH, written to the work dir
config_with_db_path() {
    local out=$WORKDIR/deny-$RANDOM.toml
    sed "/^\[advisories\]/a db-path = \"$1\"" "$ROOT/deny.toml" >"$out"
    printf '%s\n' "$out"
}

# place_db SRC DEST [quiet]: DEST becomes a git repository holding the advisory database in SRC
place_db() {
    if git -C "$1" rev-parse --git-dir >/dev/null 2>&1; then
        git clone -q --local "$1" "$2"
    else
        [[ -n ${3:-} ]] || log "$1 is not a git repository: committing a copy (its age is then unknown)"
        mkdir -p "$2"
        cp -a "$1/." "$2/"
        git -C "$2" init -q
        git -C "$2" add -A
        git -C "$2" -c user.name=check-deps -c user.email=check-deps@localhost commit -q -m "advisory-db copy"
    fi
}

# ---------------------------------------------------------------- self-test
if [[ $self_test == 1 ]]; then
    version=$(awk '/^name = "ammonia"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
    [[ -n $version ]] || die "ammonia is not in Cargo.lock"
    src=$WORKDIR/fake-db-src
    mkdir -p "$src/crates/ammonia"
    cat >"$src/crates/ammonia/RUSTSEC-2099-0001.md" <<'EOF'
```toml
[advisory]
id = "RUSTSEC-2099-0001"
package = "ammonia"
date = "2099-01-01"
url = "https://example.invalid/check-deps-self-test"
categories = ["format-injection"]

[versions]
patched = [">= 9999.0.0"]
```

# check/deps.sh self-test: a made-up advisory against every ammonia release

Not a real advisory.
EOF
    place_db "$src" "$WORKDIR/fake-dbs/$DEFAULT_DB_DIR" quiet
    config=$(config_with_db_path "$WORKDIR/fake-dbs")
    set +e
    cargo deny --offline --locked --config "$config" check advisories >"$WORKDIR/self-test.txt" 2>&1
    rc=$?
    set -e
    if [[ $rc != 0 ]] && grep -q 'RUSTSEC-2099-0001' "$WORKDIR/self-test.txt"; then
        echo "check-deps self-test: ok: \`cargo deny check advisories\` fails on ammonia $version with a made-up advisory (RUSTSEC-2099-0001)"
        exit 0
    fi
    cat "$WORKDIR/self-test.txt" >&2
    echo "check-deps self-test: FAILED: the advisories check did not flag ammonia $version (exit $rc)"
    exit 1
fi

# ---------------------------------------------------------------- bans, licenses, sources
failed=0
set +e
cargo deny --offline --locked check bans licenses sources >"$WORKDIR/policy.txt" 2>&1
rc=$?
set -e
policy_line=$(grep -E '^(bans|licenses|sources|advisories) ' "$WORKDIR/policy.txt" | tail -n 1 || true)
warnings=$(grep -c '^warning\[' "$WORKDIR/policy.txt" || true)
dups=$(grep -c '^warning\[duplicate\]' "$WORKDIR/policy.txt" || true)
if [[ $rc != 0 ]]; then
    grep -E -A12 '^error' "$WORKDIR/policy.txt" >&2 || tail -n 30 "$WORKDIR/policy.txt" >&2
    failed=1
fi
crates=$(grep -c '^name = ' Cargo.lock)
echo "check-deps: bans, licenses, sources over $crates crates in Cargo.lock: ${policy_line:-exit $rc} ($warnings warnings, $dups of them duplicate versions)"

# ---------------------------------------------------------------- advisories
adv_config="" adv_source="" adv_db=""
if [[ -n ${CARGO_DENY_DB:-} ]]; then
    [[ -d $CARGO_DENY_DB/crates ]] || die "CARGO_DENY_DB=$CARGO_DENY_DB holds no crates/ folder: not an advisory-db copy"
    adv_db=$WORKDIR/dbs/$DEFAULT_DB_DIR
    place_db "$CARGO_DENY_DB" "$adv_db"
    adv_config=$(config_with_db_path "$WORKDIR/dbs")
    adv_source="CARGO_DENY_DB=$CARGO_DENY_DB"
elif [[ -d $CARGO_HOME/advisory-dbs/$DEFAULT_DB_DIR/crates ]]; then
    adv_db=$CARGO_HOME/advisory-dbs/$DEFAULT_DB_DIR
    adv_config=$ROOT/deny.toml
    adv_source=$adv_db
else
    log "no advisory database here; trying \`cargo deny fetch db\`"
    set +e
    timeout "${FETCH_TIMEOUT:-120}" cargo deny fetch db >"$WORKDIR/fetch.txt" 2>&1
    rc=$?
    set -e
    if [[ $rc == 0 && -d $CARGO_HOME/advisory-dbs/$DEFAULT_DB_DIR/crates ]]; then
        adv_db=$CARGO_HOME/advisory-dbs/$DEFAULT_DB_DIR
        adv_config=$ROOT/deny.toml
        adv_source="fetched into $adv_db"
    else
        reason=$(grep -m 1 'fatal:' "$WORKDIR/fetch.txt" || grep -m 1 -E 'ERROR|error' "$WORKDIR/fetch.txt" || true)
        ((rc == 124)) && reason="timed out after ${FETCH_TIMEOUT:-120} s"
        echo "check-deps: advisories: NOT CHECKED: no advisory database (cargo deny fetch db: ${reason:-exit $rc})"
        if [[ ${REQUIRE_ADVISORIES:-0} == 1 ]]; then failed=1; fi
    fi
fi
if [[ -n $adv_config ]]; then
    stamp=$(git -C "$adv_db" show -s --format=%cs HEAD 2>/dev/null || echo "date unknown")
    set +e
    cargo deny --offline --locked --config "$adv_config" check advisories >"$WORKDIR/advisories.txt" 2>&1
    rc=$?
    set -e
    if [[ $rc != 0 ]]; then
        grep -E -A14 '^error' "$WORKDIR/advisories.txt" >&2 || tail -n 30 "$WORKDIR/advisories.txt" >&2
        failed=1
    fi
    line=$(grep -E '^advisories ' "$WORKDIR/advisories.txt" | tail -n 1 || true)
    echo "check-deps: advisories (database from $adv_source, last commit $stamp): ${line:-exit $rc}"
fi
exit "$failed"
