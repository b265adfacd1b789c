# shellcheck shell=bash
# Shared by the benchmark and check scripts (sourced, not run): tools, the binary under test,
# and starting and stopping `feedscrub serve`.
# Expects ROOT (the repository) and BENCH_NAME (what log and die name the script) set before it
# is sourced.

log() { printf '%s: %s\n' "${BENCH_NAME:-feedscrub-script}" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# bench_begin PREFIX: bench_workdir PREFIX, and on exit (INT and TERM exit with 130 and 143)
# bench_exit: the script's own `bench_on_exit` if it defines one (its processes, results to
# keep), then an own WORKDIR removed; the script's exit status stays.
bench_begin() {
    bench_workdir "$1"
    trap bench_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# shellcheck disable=SC2317  # invoked by the EXIT trap
bench_exit() {
    local rc=$?
    trap - EXIT INT TERM
    if declare -F bench_on_exit >/dev/null; then bench_on_exit || true; fi
    if [[ ${OWN_WORKDIR:-0} == 1 ]]; then rm -rf "$WORKDIR"; fi
    exit "$rc"
}

# bench_workdir PREFIX: WORKDIR made absolute; when unset, a new /tmp/PREFIX.XXXXXX with
# OWN_WORKDIR=1 (bench_exit removes it), else OWN_WORKDIR=0 (kept).
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

# bench_nginx_temp_paths: the http-block lines that keep nginx's temporary files in
# $WORKDIR/nginx-tmp (made here), for the nginx.conf a script writes.
bench_nginx_temp_paths() {
    mkdir -p "$WORKDIR/nginx-tmp"
    local t
    for t in client_body proxy fastcgi uwsgi scgi; do
        printf '    %s_temp_path %s/nginx-tmp/%s;\n' "$t" "$WORKDIR" "${t#client_}"
    done
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

# bench_stop_pid PID: stops PID (a child of the calling shell) with SIGTERM, SIGKILL after
# 15 s; sets STOP_RC to its exit status. Not in $(...): only that shell can wait for its
# children.
# shellcheck disable=SC2034  # STOP_RC is read by the sourcing script
bench_stop_pid() {
    local pid=$1
    STOP_RC=0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 150); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            log "process $pid ignored SIGTERM for 15 s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    wait "$pid" 2>/dev/null || STOP_RC=$?
}

# bench_serve_failed MESSAGE: the end of serve's log, then die.
bench_serve_failed() {
    tail -n 15 "$WORKDIR/serve.err" >&2 || true
    die "$1"
}

# bench_start_serve CONFIG PORT [TIMEOUT]: starts `$BIN --config CONFIG serve` on
# 127.0.0.1:PORT in the background (SERVE_PID set for the caller's cleanup; output in
# $WORKDIR/serve.out and serve.err) and waits up to TIMEOUT s (default 30) until it says it
# serves.
# shellcheck disable=SC2034  # SERVE_PID is read by the sourcing script
bench_start_serve() {
    local timeout=${3:-30}
    log "starting feedscrub serve on 127.0.0.1:$2"
    "$BIN" --config "$1" serve --listen "127.0.0.1:$2" >"$WORKDIR/serve.out" 2>"$WORKDIR/serve.err" &
    SERVE_PID=$!
    local deadline=$((SECONDS + timeout))
    until grep -q 'feedscrub: serving' "$WORKDIR/serve.err" 2>/dev/null; do
        kill -0 "$SERVE_PID" 2>/dev/null || bench_serve_failed "feedscrub serve exited during start"
        ((SECONDS < deadline)) || bench_serve_failed "feedscrub serve did not start within $timeout s"
        sleep 0.1
    done
    log "$(grep -m 1 'feedscrub: serving' "$WORKDIR/serve.err")"
}

# bench_free_port: prints a TCP port on 127.0.0.1 that is free now.
bench_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# bench_local_store FEEDS ITEMS: generates FEEDS local feeds x ITEMS items in $WORKDIR (read as
# files, so the daemon need not poll) and fills a store with `feedscrub fetch`. Sets CONFIG.
# Needs BIN, ROOT and the caller's log/die.
bench_local_store() {
    log "generating $1 feeds x $2 items in $WORKDIR"
    python3 "$ROOT/scripts/bench/gen-feeds.py" "$WORKDIR" --feeds "$1" --items "$2" --port 1 >/dev/null
    CONFIG=$WORKDIR/feeds.toml
    sed -i -e "s#http://127.0.0.1:1/feeds/#$WORKDIR/www/feeds/#" -e '/^\[settings\]$/a interval = "1h"' "$CONFIG"
    log "filling the store: feedscrub fetch"
    "$BIN" -q --config "$CONFIG" fetch >"$WORKDIR/fetch.out" 2>&1 || {
        tail -n 15 "$WORKDIR/fetch.out" >&2
        die "feedscrub fetch failed"
    }
}

# bench_sample_server PORT: samples the serve process (SERVE_PID) every 0.2 s into
# $WORKDIR/samples.txt, one line each: seconds since start, VmRSS kB, open fds, listen queue
# (Recv-Q of PORT). Sets SAMPLER_PID and T0; `elapsed` prints the seconds since T0.
# shellcheck disable=SC2034  # SAMPLER_PID is read by the sourcing script
bench_sample_server() {
    local port=$1
    T0=$(date +%s.%N)
    (
        local now rss fds q
        while kill -0 "$SERVE_PID" 2>/dev/null; do
            now=$(date +%s.%N)
            rss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$SERVE_PID/status" 2>/dev/null || echo 0)
            fds=$(find "/proc/$SERVE_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
            q=$(ss -Hltn "sport = :$port" 2>/dev/null | awk '{ print $2; exit }')
            printf '%s %s %s %s\n' "$(awk -v a="$now" -v b="$T0" 'BEGIN { printf "%.2f", a - b }')" "${rss:-0}" "$fds" "${q:-0}"
            sleep 0.2
        done
    ) >"$WORKDIR/samples.txt" &
    SAMPLER_PID=$!
}

elapsed() { awk -v b="$T0" -v a="$(date +%s.%N)" 'BEGIN { printf "%.2f", a - b }'; }

# bench_stop_sampled_server: after a run, waits 3 s for the samples to settle, reads the serve
# process's peak RSS (HWM, kB), stops the sampler and the server. Sets HWM and STOP_RC (the
# server's exit status if it had died before, else "none"; bench_stop_pid reports a clean stop).
# shellcheck disable=SC2034  # HWM and STOP_RC are read by the sourcing script
bench_stop_sampled_server() {
    local alive=no
    kill -0 "$SERVE_PID" 2>/dev/null && alive=yes
    sleep 3
    HWM=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$SERVE_PID/status" 2>/dev/null || echo 0)
    kill "$SAMPLER_PID" 2>/dev/null || true
    wait "$SAMPLER_PID" 2>/dev/null || true
    SAMPLER_PID=
    STOP_RC=none
    if [[ $alive == yes ]]; then
        bench_stop_pid "$SERVE_PID"
    else
        wait "$SERVE_PID" 2>/dev/null || STOP_RC=$?
    fi
    SERVE_PID=
}

# bench_sample_stats FROM TO COLUMN: max and median of a column of $WORKDIR/samples.txt
# between two times (seconds since T0).
bench_sample_stats() {
    awk -v a="$1" -v b="$2" -v c="$3" '$1 >= a && $1 <= b { print $c }' "$WORKDIR/samples.txt" | sort -n |
        awk '{ v[n++] = $1 } END { if (!n) print "0 0"; else print v[n - 1], v[int((n - 1) / 2)] }'
}

kib_to_mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# bench_raise_fd_limit NEED WHO: raises `ulimit -n` (and the hard limit, when allowed) to NEED
# open files; warns, naming WHO needs them, when it cannot.
bench_raise_fd_limit() {
    local need=$1 hard
    if (($(ulimit -n) < need)); then
        hard=$(ulimit -Hn)
        if [[ $hard != unlimited ]] && ((hard < need)); then
            ulimit -Hn "$need" 2>/dev/null || log "cannot raise the hard fd limit ($hard) to $need"
        fi
        ulimit -n "$need" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
    fi
    (($(ulimit -n) >= need)) || log "warning: ulimit -n is $(ulimit -n), below the $need that $2 needs"
}

# bench_static_nginx_conf LISTEN [ACCESS_LOG]: writes $WORKDIR/nginx.conf for an nginx that
# serves $WORKDIR/www as static files on LISTEN (e.g. 127.0.0.1:PORT, or PORT for every address),
# answering If-None-Match / If-Modified-Since with 304 by itself (and a FILE.gz beside FILE to
# clients that take gzip). The status code of every request goes to ACCESS_LOG, one per line,
# when given; else there is no access log.
bench_static_nginx_conf() {
    local access="access_log off;"
    if [[ -n ${2:-} ]]; then
        access="log_format status_only '\$status'; access_log $2 status_only;"
    fi
    chmod a+rx "$WORKDIR"   # nginx workers run as nobody when started by root
    cat >"$WORKDIR/nginx.conf" <<EOF
worker_processes auto;
worker_rlimit_nofile 65536;
pid $WORKDIR/nginx.pid;
error_log $WORKDIR/error.log;
events { worker_connections 16384; }
http {
    types { application/rss+xml xml; application/atom+xml atom; }
    default_type application/octet-stream;
    $access
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 75;
    keepalive_requests 1000000;
    etag on;
    if_modified_since exact;
    gzip_static on;
$(bench_nginx_temp_paths)
    server {
        listen $1 backlog=4096;
        root $WORKDIR/www;
    }
}
EOF
}

# bench_check_304 URL: dies unless the server answers conditional GETs of URL with 304
bench_check_304() {
    local h etag lastmod c1 c2
    h=$(curl -sf -D - -o /dev/null "$1" | tr -d '\r')
    etag=$(awk -F': ' 'tolower($1) == "etag" { print $2 }' <<<"$h")
    lastmod=$(awk -F': ' 'tolower($1) == "last-modified" { print $2 }' <<<"$h")
    [[ -n $etag && -n $lastmod ]] || die "nginx sent no ETag / Last-Modified for $1"
    c1=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$1")
    c2=$(curl -s -o /dev/null -w '%{http_code}' -H "If-Modified-Since: $lastmod" "$1")
    [[ $c1 == 304 && $c2 == 304 ]] || die "conditional GET of $1 answered $c1 / $c2, want 304"
}
