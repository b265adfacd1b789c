# shellcheck shell=bash
# Shared by the benchmark scripts (sourced, not run): tools and the binary under test.
# Expects ROOT (the repository) and the functions log and die from the sourcing script.

# bench_workdir PREFIX: WORKDIR made absolute; when unset, a new /tmp/PREFIX.XXXXXX with
# OWN_WORKDIR=1 (the caller's cleanup removes it), else OWN_WORKDIR=0 (kept).
# shellcheck disable=SC2034  # OWN_WORKDIR is read by the sourcing script
bench_workdir() {
    OWN_WORKDIR=0
    if [[ -z ${WORKDIR:-} ]]; then
        WORKDIR=$(mktemp -d "/tmp/$1.XXXXXX")
        OWN_WORKDIR=1
    fi
    mkdir -p "$WORKDIR"
    WORKDIR=$(cd "$WORKDIR" && pwd)
}

# bench_start_nginx URL: starts nginx with $WORKDIR/nginx.conf (in the background, NGINX_PID
# set for the caller's cleanup) and waits until URL answers. Sets NGINX_VERSION.
# shellcheck disable=SC2034  # NGINX_PID and NGINX_VERSION are read by the sourcing script
bench_start_nginx() {
    nginx -p "$WORKDIR/" -e "$WORKDIR/error.log" -c "$WORKDIR/nginx.conf" -g 'daemon off;' &
    NGINX_PID=$!
    for _ in $(seq 100); do
        curl -sf -o /dev/null --max-time 1 "$1" && break
        kill -0 "$NGINX_PID" 2>/dev/null || { cat "$WORKDIR/error.log" >&2; die "nginx did not start"; }
        sleep 0.1
    done
    curl -sf -o /dev/null --max-time 1 "$1" || { cat "$WORKDIR/error.log" >&2; die "nginx does not answer at $1"; }
    NGINX_VERSION=$(nginx -v 2>&1 | sed 's/.*\///')
    log "nginx $NGINX_VERSION serves $WORKDIR/www on $1"
}

# bench_need PROGRAM[:PACKAGE]...: installs the Debian packages of programs that are missing.
bench_need() {
    local missing=() spec prog pkg
    for spec in "$@"; do
        prog=${spec%%:*}
        pkg=${spec#*:}
        command -v "$prog" >/dev/null 2>&1 || [[ -x $prog ]] || missing+=("$pkg")
    done
    if ((${#missing[@]})); then
        log "installing ${missing[*]}"
        apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    for spec in "$@"; do
        prog=${spec%%:*}
        command -v "$prog" >/dev/null 2>&1 || [[ -x $prog ]] || die "$prog is not installed"
    done
}

# bench_binary: sets BIN to $FEEDSCRUB_BIN, else builds the release binary and uses it.
bench_binary() {
    if [[ -n ${FEEDSCRUB_BIN:-} ]]; then
        BIN=$FEEDSCRUB_BIN
    else
        log "building feedscrub (cargo build --release)"
        (cd "$ROOT" && cargo build --release --quiet)
        BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/feedscrub
    fi
    local wanted=$BIN
    [[ -x $BIN ]] || BIN=$(command -v "$BIN") || die "no feedscrub binary at $wanted"
}
