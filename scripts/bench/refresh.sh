#!/usr/bin/env bash
# bench/refresh.sh — how fast does `feedscrub fetch` refresh many feeds?
#
# Generates FEEDS feeds x ITEMS items (default 1000 x 20, ~48 MB; every item
# has one "Anzeige" ad block, utm_* links and an <img>) with
# scripts/bench/gen-feeds.py, serves them with a private nginx on
# 127.0.0.1:PORT and measures:
#   baseline  one curl process fetching every feed once (16 in parallel):
#             the cost of just moving the bytes
#   cold      `feedscrub fetch` with an empty store (every feed 200)
#   warm      `feedscrub fetch` right after the cold one (every feed 304)
# Cold and warm run RUNS times (each cold from an empty store); the report gives
# the median wall time and the highest peak RSS (/usr/bin/time %M), plus the
# times as ratios against the curl baseline measured in this same run, since
# these machines are noisy. nginx logs only the status code of each request,
# so the script can check that the cold run saw 200s and the warm run 304s.
#
# Targets (2-core machine): cold <= 1.5 s, warm <= 0.3 s, peak RSS <= 100 MB.
# They are reported, not enforced, unless BENCH_ENFORCE=1 (exit 1 on a miss).
#
# Environment:
#   FEEDS=1000 ITEMS=20 RUNS=3 PORT=18089
#   WORKDIR=...        default: mktemp -d under /tmp, removed on exit
#   FEEDSCRUB_BIN=...  use this binary instead of `cargo build --release`
#   STORE=sled|redb    the store engine (default: feedscrub's default)
#   BENCH_ENFORCE=1    exit 1 when a target is missed
#   NEWSBOAT=1         also time `newsboat -x reload` on the same feeds
set -euo pipefail

FEEDS=${FEEDS:-1000}
ITEMS=${ITEMS:-20}
RUNS=${RUNS:-3}
PORT=${PORT:-18089}
CONCURRENCY=16
TARGET_COLD=1.5 TARGET_WARM=0.3 TARGET_RSS_MB=100

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

BENCH_NAME=bench-refresh
# shellcheck source=scripts/bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"

# ---------------------------------------------------------------- workdir, cleanup
NGINX_PID=
bench_begin feedscrub-bench

# shellcheck disable=SC2317  # invoked by bench_exit (lib.sh)
bench_on_exit() {
    if [[ -n $NGINX_PID ]]; then bench_stop_pid "$NGINX_PID"; fi
}

# ---------------------------------------------------------------- tools
bench_need nginx:nginx /usr/bin/time:time curl:curl python3:python3
bench_binary

# ---------------------------------------------------------------- helpers
now() { echo "$EPOCHREALTIME"; }                     # seconds, microsecond precision
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
maximum() { printf '%s\n' "$@" | sort -g | tail -n 1; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }   # bytes -> MB (10^6)
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

# status codes nginx logged since the last reset, e.g. "1000x200" or "990x304 10x200"
reset_log() { : > "$WORKDIR/access.log"; }
statuses() {
    sleep 0.2   # nginx logs a request just after sending its response
    sort "$WORKDIR/access.log" | uniq -c | awk '{ printf "%s%sx%s", sep, $1, $2; sep = " " } END { if (!NR) printf "no requests" }'
}
count_status() { grep -cx "$1" "$WORKDIR/access.log" || true; }

# run CMD... with stdout to $WORKDIR/out.txt; sets WALL (s), RSS_KB, RC
run_timed() {
    local t0 t1
    t0=$(now)
    set +e
    /usr/bin/time -f '%e %M' -o "$WORKDIR/time.txt" "$@" >"$WORKDIR/out.txt" 2>"$WORKDIR/err.txt"
    RC=$?
    set -e
    t1=$(now)
    WALL=$(elapsed "$t0" "$t1")
    RSS_KB=$(tail -n 1 "$WORKDIR/time.txt" | awk '{ print $2 }')   # %e is only 10 ms precise; wall from EPOCHREALTIME
}

show_failure() {
    log "$1 exited with status $RC; last lines of stdout and stderr:"
    tail -n 15 "$WORKDIR/out.txt" >&2 || true
    tail -n 15 "$WORKDIR/err.txt" >&2 || true
}

# ---------------------------------------------------------------- feeds
log "generating $FEEDS feeds x $ITEMS items in $WORKDIR"
TOTAL_BYTES=$(python3 "$ROOT/scripts/bench/gen-feeds.py" "$WORKDIR" \
    --feeds "$FEEDS" --items "$ITEMS" --port "$PORT" --concurrency "$CONCURRENCY" ${STORE:+--store "$STORE"} | tail -n 1)
log "generated $(mb "$TOTAL_BYTES") MB ($TOTAL_BYTES bytes)"
CONFIG=$WORKDIR/feeds.toml
FIRST_URL=$(head -n 1 "$WORKDIR/urls.txt")

# ---------------------------------------------------------------- nginx
bench_static_nginx_conf "127.0.0.1:$PORT" "$WORKDIR/access.log"

if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/"; then
    die "something already listens on 127.0.0.1:$PORT (set PORT=...)"
fi
bench_start_nginx "$FIRST_URL"

# conditional GETs must answer 304, or the warm run measures nothing useful
headers=$(curl -sf -D - -o /dev/null "$FIRST_URL" | tr -d '\r')
ctype=$(awk -F': ' 'tolower($1) == "content-type" { print $2 }' <<<"$headers")
etag=$(awk -F': ' 'tolower($1) == "etag" { print $2 }' <<<"$headers")
lastmod=$(awk -F': ' 'tolower($1) == "last-modified" { print $2 }' <<<"$headers")
[[ $ctype == application/rss+xml* ]] || die "unexpected Content-Type '$ctype'"
[[ -n $etag && -n $lastmod ]] || die "nginx sent no ETag / Last-Modified"
code_etag=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$FIRST_URL")
code_ims=$(curl -s -o /dev/null -w '%{http_code}' -H "If-Modified-Since: $lastmod" "$FIRST_URL")
[[ $code_etag == 304 && $code_ims == 304 ]] \
    || die "conditional GET answered $code_etag (If-None-Match) / $code_ims (If-Modified-Since), want 304"
log "conditional GET ok: If-None-Match $etag -> 304, If-Modified-Since -> 304"

# ---------------------------------------------------------------- curl baseline
awk '{ printf "url = \"%s\"\noutput = \"/dev/null\"\n", $0 }' "$WORKDIR/urls.txt" >"$WORKDIR/curl.cfg"
if curl --help all 2>/dev/null | grep -q -- '--parallel-max'; then
    CURL_CMD=(curl -sSf --parallel --parallel-max "$CONCURRENCY" -K "$WORKDIR/curl.cfg")
    CURL_MODE="curl --parallel --parallel-max $CONCURRENCY"
else   # old curl: 16 curl processes, each fetching 1/16 of the feeds over one connection
    mkdir -p "$WORKDIR/curl-parts"
    awk -v n="$CONCURRENCY" -v d="$WORKDIR/curl-parts" \
        '{ printf "url = \"%s\"\noutput = \"/dev/null\"\n", $0 > (d "/part." (NR % n)) }' "$WORKDIR/urls.txt"
    printf '%s\n' "$WORKDIR"/curl-parts/part.* >"$WORKDIR/curl-parts.txt"
    CURL_CMD=(xargs -a "$WORKDIR/curl-parts.txt" -P "$CONCURRENCY" -n 1 curl -sSf -K)
    CURL_MODE="xargs -P $CONCURRENCY curl"
fi

# untimed warm-up: fills the page cache and checks that every feed answers 200
reset_log
# (curl 7.88 draws its --parallel progress meter on stderr even with -s)
"${CURL_CMD[@]}" 2>"$WORKDIR/curl-warmup.err" || { tail -n 5 "$WORKDIR/curl-warmup.err" >&2; die "curl warm-up failed ($(statuses))"; }
ok=$(count_status 200)
[[ $ok == "$FEEDS" ]] || die "curl warm-up: $ok of $FEEDS feeds answered 200 ($(statuses))"

CURL_TIMES=()
for _ in $(seq "$RUNS"); do
    run_timed "${CURL_CMD[@]}"
    [[ $RC == 0 ]] || { show_failure curl; exit 1; }
    CURL_TIMES+=("$WALL")
done
CURL=$(median "${CURL_TIMES[@]}")
log "curl baseline ($CURL_MODE): ${CURL_TIMES[*]} s"

# ---------------------------------------------------------------- feedscrub
COLD_T=() COLD_RSS=() WARM_T=() WARM_RSS=()
COLD_STATUS="" WARM_STATUS="" COLD_200_OK=1 WARM_304_OK=1
for r in $(seq "$RUNS"); do
    rm -rf "$WORKDIR/data"

    reset_log
    run_timed "$BIN" --config "$CONFIG" fetch
    [[ $RC == 0 ]] || { show_failure "cold fetch (run $r)"; exit 1; }
    COLD_T+=("$WALL") COLD_RSS+=("$RSS_KB")
    COLD_STATUS=$(statuses)
    [[ $(count_status 200) == "$FEEDS" ]] || COLD_200_OK=0
    cold_line="cold $WALL s $(mb $((RSS_KB * 1024))) MB [$COLD_STATUS]"
    cp "$WORKDIR/out.txt" "$WORKDIR/out-cold.txt"

    reset_log
    run_timed "$BIN" --config "$CONFIG" fetch
    [[ $RC == 0 ]] || { show_failure "warm fetch (run $r)"; exit 1; }
    WARM_T+=("$WALL") WARM_RSS+=("$RSS_KB")
    WARM_STATUS=$(statuses)
    [[ $(count_status 304) == "$FEEDS" ]] || WARM_304_OK=0
    log "run $r/$RUNS: $cold_line | warm $WALL s $(mb $((RSS_KB * 1024))) MB [$WARM_STATUS]"
done

if [[ -s $WORKDIR/out-cold.txt ]]; then
    log "last lines of the last cold fetch's summary:"
    tail -n 3 "$WORKDIR/out-cold.txt" | sed 's/^/    /' >&2
fi

# ---------------------------------------------------------------- newsboat (optional)
NB_LINE=""
if [[ ${NEWSBOAT:-0} == 1 ]]; then
    command -v newsboat >/dev/null || { apt-get update -qq && apt-get install -y -qq newsboat >/dev/null; }
    nb=$WORKDIR/newsboat
    mkdir -p "$nb/home"
    printf 'max-items 0\nreload-threads %s\n' "$CONCURRENCY" >"$nb/config"
    nb_run() { run_timed env HOME="$nb/home" newsboat -q -u "$WORKDIR/urls.txt" -c "$nb/cache.db" -C "$nb/config" -x reload; }
    rm -f "$nb/cache.db"
    reset_log
    nb_run
    [[ $RC == 0 ]] || { show_failure "newsboat cold reload"; exit 1; }
    nb_cold=$WALL nb_cold_rss=$RSS_KB nb_cold_status=$(statuses)
    # newsboat stores a feed's validators only once the feed is in its cache,
    # so it sends conditional GETs from its third reload on: prime it untimed
    nb_run
    reset_log
    nb_run
    [[ $RC == 0 ]] || { show_failure "newsboat warm reload"; exit 1; }
    NB_LINE=$(printf 'newsboat -x reload (1 run):  cold %.2f s [%s], warm %.2f s [%s], peak RSS %s / %s MB' \
        "$nb_cold" "$nb_cold_status" "$WALL" "$(statuses)" \
        "$(mb $((nb_cold_rss * 1024)))" "$(mb $((RSS_KB * 1024)))")
fi

# ---------------------------------------------------------------- report
COLD=$(median "${COLD_T[@]}") WARM=$(median "${WARM_T[@]}")
COLD_MB=$(mb $(($(maximum "${COLD_RSS[@]}") * 1024)))
WARM_MB=$(mb $(($(maximum "${WARM_RSS[@]}") * 1024)))
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%5.1fx", a / b; else printf "  n/a" }'; }
verdict() { if le "$1" "$2"; then echo OK; else echo MISS; fi; }
V_COLD=$(verdict "$COLD" "$TARGET_COLD")
V_WARM=$(verdict "$WARM" "$TARGET_WARM")
V_RSS=$(verdict "$(maximum "$COLD_MB" "$WARM_MB")" "$TARGET_RSS_MB")

echo
printf 'bench-refresh: %s feeds x %s items, %s MB, %s cores\n' "$FEEDS" "$ITEMS" "$(mb "$TOTAL_BYTES")" "$(nproc)"
printf 'baseline curl (all bytes):  %5.2f s   (median of %s, %s)\n' "$CURL" "$RUNS" "$CURL_MODE"
printf 'cold fetch  (median of %s):  %5.2f s = %s curl   peak RSS %4.0f MB   [%s]\n' "$RUNS" "$COLD" "$(ratio "$COLD" "$CURL")" "$COLD_MB" "$COLD_STATUS"
printf 'warm fetch  (median of %s):  %5.2f s = %s curl   peak RSS %4.0f MB   [%s]\n' "$RUNS" "$WARM" "$(ratio "$WARM" "$CURL")" "$WARM_MB" "$WARM_STATUS"
[[ -z $NB_LINE ]] || echo "$NB_LINE"
printf 'targets: cold <= %s s, warm <= %s s, RSS <= %s MB  -> cold %s, warm %s, rss %s\n' \
    "$TARGET_COLD" "$TARGET_WARM" "$TARGET_RSS_MB" "$V_COLD" "$V_WARM" "$V_RSS"
if [[ $COLD_200_OK != 1 ]]; then
    echo "WARNING: the cold fetch did not get $FEEDS x 200 from nginx [$COLD_STATUS]"
fi
if [[ $WARM_304_OK != 1 ]]; then
    echo "WARNING: the warm fetch did not get $FEEDS x 304 from nginx [$WARM_STATUS]; its time is not a warm refresh"
fi

if [[ ${BENCH_ENFORCE:-0} == 1 ]]; then
    [[ $V_COLD == OK && $V_WARM == OK && $V_RSS == OK && $COLD_200_OK == 1 && $WARM_304_OK == 1 ]] || { log "target missed (BENCH_ENFORCE=1)"; exit 1; }
fi
exit 0
