#!/usr/bin/env bash
# bench/serve.sh — how fast does the HTTP server of `feedscrub serve` answer?
#
# Generates FEEDS feeds x ITEMS items (default 1000 x 20) with
# scripts/bench/gen-feeds.py, serves them with a private nginx on
# 127.0.0.1:PORT, fills a store with `feedscrub fetch`, then starts
# `feedscrub serve` on 127.0.0.1:SERVE_PORT and waits until its own scheduler
# has polled every feed once (feedscrub_polls_total >= FEEDS in /metrics; the
# polls get 304 from nginx), so the daemon is idle while it is measured.
#
# The daemon's /all.atom and /feeds/bench-0001.atom are then fetched once with
# curl and written under nginx's root (www/static/...), so nginx serves exactly
# the same bytes as a static file (keepalive, `etag on`, no access log): that
# is the baseline, measured in the same run since these machines are noisy.
#
# The gzip variant (Accept-Encoding: gzip) is fetched too and written beside it
# as FILE.gz, which nginx sends with `gzip_static on` to clients that accept gzip.
#
# For each of the two paths, plain GET (200), GET with `Accept-Encoding: gzip`
# (200, compressed: what feed readers send) and conditional GET with
# `If-None-Match: <that server's ETag>` (304, no body), wrk runs DURATION
# seconds with CONNECTIONS connections against feedscrub and then against
# nginx. The report gives requests/s and the p99 latency of each run and
# feedscrub's requests/s as a share of nginx's.
#
# NOTE: wrk, nginx and feedscrub all run on this same machine and share its
# cores (2 on the reference machine): the load generator competes with the
# server it measures, for nginx just as for feedscrub. The figures are a
# comparison within one run, not absolute server capacity.
#
# Targets: feedscrub >= 50% of nginx's requests/s and p99 < 5 ms at 100
# connections, for every row. They are reported, not enforced, unless
# BENCH_ENFORCE=1 (exit 1 on a miss).
#
# Environment:
#   FEEDS=1000 ITEMS=20       store size
#   DURATION=10               seconds per wrk run (12 runs)
#   CONNECTIONS=100 THREADS=2 wrk -c / -t
#   WRK_TIMEOUT=60            wrk --timeout in seconds: wrk leaves responses slower
#                             than this out of its latency histogram (default 2 s,
#                             which a multi-MB /all.atom at 100 connections exceeds)
#   PORT=18091                private nginx (feeds + static baseline)
#   SERVE_PORT=18092          feedscrub serve
#   WORKDIR=...               default: mktemp -d under /tmp, removed on exit
#   FEEDSCRUB_BIN=...         use this binary instead of `cargo build --release`
#   BENCH_ENFORCE=1           exit 1 when a target is missed
set -euo pipefail

FEEDS=${FEEDS:-1000}
ITEMS=${ITEMS:-20}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-100}
THREADS=${THREADS:-2}
WRK_TIMEOUT=${WRK_TIMEOUT:-60}
PORT=${PORT:-18091}
SERVE_PORT=${SERVE_PORT:-18092}
POLL_TIMEOUT=180
TARGET_RATIO=50 TARGET_P99_MS=5

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

BENCH_NAME=bench-serve
# shellcheck source=scripts/bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"

# ---------------------------------------------------------------- workdir, cleanup
NGINX_PID=
SERVE_PID=
bench_begin feedscrub-bench-serve

# shellcheck disable=SC2317  # invoked by bench_exit (lib.sh)
bench_on_exit() {
    if [[ -n $SERVE_PID ]]; then
        bench_stop_pid "$SERVE_PID"
        [[ $STOP_RC == 0 ]] || log "feedscrub serve exited with status $STOP_RC after SIGTERM"
    fi
    if [[ -n $NGINX_PID ]]; then bench_stop_pid "$NGINX_PID"; fi
}

# ---------------------------------------------------------------- tools
bench_need nginx:nginx wrk:wrk curl:curl python3:python3
bench_binary

port_busy() { curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/"; }
port_busy "$PORT" && die "something already listens on 127.0.0.1:$PORT (set PORT=...)"
port_busy "$SERVE_PORT" && die "something already listens on 127.0.0.1:$SERVE_PORT (set SERVE_PORT=...)"

# ---------------------------------------------------------------- feeds
log "generating $FEEDS feeds x $ITEMS items in $WORKDIR"
python3 "$ROOT/scripts/bench/gen-feeds.py" "$WORKDIR" \
    --feeds "$FEEDS" --items "$ITEMS" --port "$PORT" >/dev/null
CONFIG=$WORKDIR/feeds.toml
FIRST_URL=$(head -n 1 "$WORKDIR/urls.txt")
FIRST_NAME=bench-$(basename "$FIRST_URL" .xml)   # bench-0001

# ---------------------------------------------------------------- nginx
mkdir -p "$WORKDIR/www/static/feeds"
bench_static_nginx_conf "127.0.0.1:$PORT"
bench_start_nginx "$FIRST_URL"

# ---------------------------------------------------------------- store
log "filling the store: feedscrub fetch"
set +e
"$BIN" --config "$CONFIG" fetch >"$WORKDIR/fetch.out" 2>"$WORKDIR/fetch.err"
rc=$?
set -e
# exit 1 = some feeds failed: the server can still be measured on the rest, but
# the report says so (and BENCH_ENFORCE=1 fails); no feed at all is fatal
FETCH_OK=$(awk '/ of [0-9]+ feeds ok/ { for (i = 1; i < NF; i++) if ($(i + 1) == "of") { print $i; exit } }' "$WORKDIR/fetch.out")
FETCH_WARNING=
if [[ $rc != 0 ]]; then
    if [[ $rc != 1 || -z $FETCH_OK || $FETCH_OK == 0 ]]; then
        tail -n 15 "$WORKDIR/fetch.out" "$WORKDIR/fetch.err" >&2 || true
        die "feedscrub fetch exited with status $rc"
    fi
    failed=$(awk '$2 == "error" { printf "%s%s", sep, $1; sep = " " }' "$WORKDIR/fetch.out")
    FETCH_WARNING="feedscrub fetch: only $FETCH_OK of $FEEDS feeds ok; failed: ${failed:-?}"
    log "$FETCH_WARNING"
    log "first error: $(awk '$2 == "error" { $1 = $2 = ""; sub(/^ +/, ""); print; exit }' "$WORKDIR/fetch.out")"
fi
[[ ${FETCH_OK:-$FEEDS} -gt 0 ]] || die "feedscrub fetch stored no feed"

# ---------------------------------------------------------------- daemon
SERVE_URL=http://127.0.0.1:$SERVE_PORT
bench_start_serve "$CONFIG" "$SERVE_PORT"

polls_total() {
    curl -sf --max-time 5 "$SERVE_URL/metrics" | awk '$1 == "feedscrub_polls_total" { print int($2) }'
}
log "waiting until the daemon has polled all $FEEDS feeds (timeout ${POLL_TIMEOUT} s)"
t0=$SECONDS polls=0
while :; do
    kill -0 "$SERVE_PID" 2>/dev/null || bench_serve_failed "feedscrub serve exited while polling"
    polls=$(polls_total || true)
    polls=${polls:-0}
    ((polls >= FEEDS)) && break
    ((SECONDS - t0 >= POLL_TIMEOUT)) && bench_serve_failed "only $polls of $FEEDS polls after ${POLL_TIMEOUT} s"
    sleep 1
done
log "daemon polled $polls feeds after $((SECONDS - t0)) s; measuring"
sleep 1   # let the last poll's store write and render-cache update settle

# ---------------------------------------------------------------- static copies
PATHS=(/all.atom "/feeds/$FIRST_NAME.atom")
declare -A FS_URL NG_URL FS_ETAG NG_ETAG BYTES GZ_BYTES
header() { awk -F': ' -v h="$2" 'tolower($1) == h { print $2 }' <<<"$1"; }
for p in "${PATHS[@]}"; do
    FS_URL[$p]=$SERVE_URL$p
    NG_URL[$p]=http://127.0.0.1:$PORT/static$p
    dest=$WORKDIR/www/static$p
    h=$(curl -sf -D - -o "$dest" "${FS_URL[$p]}" | tr -d '\r') || bench_serve_failed "GET ${FS_URL[$p]} failed"
    chmod a+r "$dest"
    FS_ETAG[$p]=$(header "$h" etag)
    [[ -n ${FS_ETAG[$p]} ]] || die "feedscrub sent no ETag for $p"
    BYTES[$p]=$(stat -c %s "$dest")
    [[ ${BYTES[$p]} -gt 0 ]] || die "feedscrub sent an empty body for $p"
    # the compressed variant, stored as sent (curl without --compressed keeps the gzip bytes)
    h=$(curl -sf -D - -o "$dest.gz" -H 'Accept-Encoding: gzip' "${FS_URL[$p]}" | tr -d '\r') \
        || bench_serve_failed "GET ${FS_URL[$p]} with Accept-Encoding: gzip failed"
    [[ $(header "$h" content-encoding) == gzip ]] || die "feedscrub did not gzip $p for a client that accepts it"
    chmod a+r "$dest.gz"
    GZ_BYTES[$p]=$(stat -c %s "$dest.gz")
    h=$(curl -sf -D - -o /dev/null "${NG_URL[$p]}" | tr -d '\r') || die "nginx does not serve ${NG_URL[$p]}"
    NG_ETAG[$p]=$(header "$h" etag)
    [[ -n ${NG_ETAG[$p]} ]] || die "nginx sent no ETag for ${NG_URL[$p]}"
done

# ---------------------------------------------------------------- sanity checks
# plain GET: 200 and the same bytes on both; conditional GET: 304 without a body on both
for p in "${PATHS[@]}"; do
    for srv in feedscrub nginx; do
        if [[ $srv == feedscrub ]]; then url=${FS_URL[$p]} etag=${FS_ETAG[$p]}; else url=${NG_URL[$p]} etag=${NG_ETAG[$p]}; fi
        out=$WORKDIR/check.body
        read -r code size < <(curl -s -o "$out" -w '%{http_code} %{size_download}\n' "$url")
        [[ $code == 200 ]] || die "$srv GET $p answered $code, want 200"
        [[ $size == "${BYTES[$p]}" ]] || die "$srv GET $p sent $size bytes, want ${BYTES[$p]}"
        cmp -s "$out" "$WORKDIR/www/static$p" || die "$srv GET $p: body differs from the static copy"
        read -r code size enc < <(curl -s -o "$out" -w '%{http_code} %{size_download} %header{content-encoding}\n' \
            -H 'Accept-Encoding: gzip' "$url")
        [[ $code == 200 && $enc == gzip ]] || die "$srv GET $p with Accept-Encoding: gzip answered $code '$enc', want 200 gzip"
        cmp -s "$out" "$WORKDIR/www/static$p.gz" || die "$srv GET $p (gzip): body differs from the static copy"
        read -r code size < <(curl -s -o /dev/null -w '%{http_code} %{size_download}\n' -H "If-None-Match: $etag" "$url")
        [[ $code == 304 && $size == 0 ]] || die "$srv GET $p with If-None-Match: $etag answered $code ($size bytes), want 304"
    done
    log "check $p: 200 with ${BYTES[$p]} identical bytes (${GZ_BYTES[$p]} gzipped) and 304 with If-None-Match on both servers (ETags ${FS_ETAG[$p]} / ${NG_ETAG[$p]})"
done

# ---------------------------------------------------------------- wrk
# latency "1.23ms" / "456.00us" / "1.02s" / "1.50m" -> ms
to_ms() {
    awk -v v="$1" 'BEGIN {
        if (match(v, /^[0-9.]+/)) { n = substr(v, 1, RLENGTH); u = substr(v, RLENGTH + 1) } else { print "nan"; exit }
        f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : (u == "h") ? 3600000 : -1
        if (f < 0) print "nan"; else printf "%.3f\n", n * f
    }'
}

WARNINGS=()
# run_wrk NAME URL [HEADER]; sets RPS and P99 (ms)
run_wrk() {
    local name=$1 url=$2 hdr=${3:-} args=()
    local out=$WORKDIR/wrk-${name//[^A-Za-z0-9.-]/_}.txt
    [[ -z $hdr ]] || args=(-H "$hdr")
    wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --timeout "${WRK_TIMEOUT}s" --latency "${args[@]}" "$url" >"$out" 2>&1 \
        || { cat "$out" >&2; die "wrk failed for $name"; }
    RPS=$(awk '$1 == "Requests/sec:" { printf "%.0f", $2 }' "$out")
    P99=$(to_ms "$(awk '$1 == "99%" { print $2; exit }' "$out")")
    [[ -n $RPS && $P99 != nan ]] || { cat "$out" >&2; die "cannot parse the wrk output of $name"; }
    local bad errs
    bad=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
    errs=$(awk '/Socket errors:/ { sub(/.*Socket errors: */, ""); print }' "$out")
    [[ -z $bad ]] || WARNINGS+=("$name: $bad non-2xx/3xx responses")
    [[ -z $errs ]] || WARNINGS+=("$name: socket errors ($errs)")
    log "$(printf '%-44s %8s req/s  p99 %8s ms' "$name" "$RPS" "$P99")"
}

ROWS=() ALL_OK=1
[[ -z $FETCH_WARNING ]] || WARNINGS+=("$FETCH_WARNING (the store is incomplete)")
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
fmt_ms() { awk -v v="$1" 'BEGIN { if (v < 10) printf "%.2f ms", v; else printf "%.1f ms", v }'; }
for p in "${PATHS[@]}"; do
    for mode in plain gzip inm; do
        case $mode in
            plain) fs_hdr="" ng_hdr="" label=200 tag=200 ;;
            gzip) fs_hdr="Accept-Encoding: gzip" ng_hdr=$fs_hdr label="200 gzip" tag=200-gzip ;;
            inm) fs_hdr="If-None-Match: ${FS_ETAG[$p]}" ng_hdr="If-None-Match: ${NG_ETAG[$p]}" label="304 (INM)" tag=304 ;;
        esac
        run_wrk "feedscrub $p $tag" "${FS_URL[$p]}" "$fs_hdr"
        fs_rps=$RPS fs_p99=$P99
        run_wrk "nginx $p $tag" "${NG_URL[$p]}" "$ng_hdr"
        ng_rps=$RPS ng_p99=$P99
        ratio=$(awk -v a="$fs_rps" -v b="$ng_rps" 'BEGIN { if (b > 0) printf "%.0f", 100 * a / b; else print 0 }')
        verdict=ok
        ge "$ratio" "$TARGET_RATIO" || verdict=MISS
        lt "$fs_p99" "$TARGET_P99_MS" || verdict=MISS
        [[ $verdict == ok ]] || ALL_OK=0
        ROWS+=("$(printf '%-23s %-13s %15s  %-9s %11s  %-9s %4s%%  %s' \
            "$p" "$label" "$fs_rps" "$(fmt_ms "$fs_p99")" "$ng_rps" "$(fmt_ms "$ng_p99")" "$ratio" "$verdict")")
    done
done

# the daemon must stop cleanly on SIGTERM
bench_stop_pid "$SERVE_PID"
SERVE_PID=
[[ $STOP_RC == 0 ]] || WARNINGS+=("feedscrub serve exited with status $STOP_RC after SIGTERM")

# ---------------------------------------------------------------- report
echo
printf 'bench-serve: %s feeds x %s items, %s connections, %s threads, %s s each, %s cores (wrk, nginx and feedscrub share them)\n' \
    "$FEEDS" "$ITEMS" "$CONNECTIONS" "$THREADS" "$DURATION" "$(nproc)"
printf 'bodies: /all.atom %s bytes (%s gzipped), /feeds/%s.atom %s bytes (%s gzipped); nginx %s serves the same bytes from www/static\n' \
    "${BYTES[/all.atom]}" "${GZ_BYTES[/all.atom]}" "$FIRST_NAME" "${BYTES[/feeds/$FIRST_NAME.atom]}" \
    "${GZ_BYTES[/feeds/$FIRST_NAME.atom]}" "$NGINX_VERSION"
printf '%-23s %-13s %15s  %-9s %11s  %-9s %5s\n' path mode "feedscrub req/s" p99 "nginx req/s" p99 ratio
printf '%s\n' "${ROWS[@]}"
if [[ $ALL_OK == 1 ]]; then V=OK; else V=MISS; fi
printf 'targets: >= %s%% of nginx req/s and p99 < %s ms -> %s\n' "$TARGET_RATIO" "$TARGET_P99_MS" "$V"
for w in "${WARNINGS[@]}"; do echo "WARNING: $w"; done

if [[ ${BENCH_ENFORCE:-0} == 1 ]] && [[ $V != OK || -n $FETCH_WARNING ]]; then
    log "target missed (BENCH_ENFORCE=1)"
    exit 1
fi
exit 0
