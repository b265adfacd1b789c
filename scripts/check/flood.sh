#!/usr/bin/env bash
# check/flood.sh — does `feedscrub serve` survive a 2,000-connection flood (checklist row 47)?
#
# Generates FEEDS local feeds x ITEMS items (scripts/bench/gen-feeds.py, read as local files),
# fills a store with `feedscrub fetch`, starts `feedscrub serve` on 127.0.0.1:SERVE_PORT and
# then runs `wrk -t THREADS -c CONNECTIONS -d DURATION` against /feeds/bench-0001.atom, with a
# small lua script that counts the responses by status code. Meanwhile:
#   - the server's RSS (VmRSS), open file descriptors and its listen queue (ss: connections
#     the kernel completed that the server has not accepted) are sampled every 0.2 s, from
#     3 s before the flood to 3 s after it;
#   - a normal client (curl, a new connection each time, --max-time PROBE_TIMEOUT) asks for
#     the same feed every PROBE_EVERY seconds, and once more after the flood.
#
# The expectations of the checklist, each reported as ok or FAIL:
#   - no crash: the server is still running after the flood, answers, and exits 0 on SIGTERM;
#   - bounded memory: peak RSS during the flood <= MAX_RSS_MB, and not still growing (the max
#     of the flood's last third <= 1.2 x the max of its first third);
#   - excess load shed with 503: at least one 503 among the responses;
#   - a normal request is answered during the flood: every probe gets a 200 within
#     PROBE_TIMEOUT.
# The figures (requests/s, status counts, socket errors, latencies, RSS idle/peak, probes) are
# printed whatever the verdicts. Exit 1 when an expectation fails.
#
# The file descriptor limit (ulimit -n) is raised for wrk and the server to what 2 x
# CONNECTIONS + 1024 needs, up to the hard limit (raised too when running as root).
#
# NOTE: wrk and the server share this machine's cores (2 on the reference machine).
#
# Environment:
#   FEEDS=20 ITEMS=20          store size
#   CONNECTIONS=2000 THREADS=2 DURATION=30   wrk -c / -t / -d (seconds)
#   WRK_TIMEOUT=10             wrk --timeout in seconds (a slower response counts as a timeout)
#   WRK_HEADER=...             one extra request header for wrk, e.g. "Connection: close" (a
#                              new connection per request instead of keep-alive)
#   FEED_PATH=/feeds/bench-0001.atom   the path flooded and probed
#   PROBE_EVERY=5 PROBE_TIMEOUT=10     the normal client
#   MAX_RSS_MB=256             the memory bound
#   SERVE_PORT=18094           feedscrub serve
#   WORKDIR=...                default: mktemp -d under /tmp, removed on exit
#   FEEDSCRUB_BIN=...          use this binary instead of `cargo build --release`
set -euo pipefail

FEEDS=${FEEDS:-20}
ITEMS=${ITEMS:-20}
CONNECTIONS=${CONNECTIONS:-2000}
THREADS=${THREADS:-2}
DURATION=${DURATION:-30}
WRK_TIMEOUT=${WRK_TIMEOUT:-10}
FEED_PATH=${FEED_PATH:-/feeds/bench-0001.atom}
PROBE_EVERY=${PROBE_EVERY:-5}
PROBE_TIMEOUT=${PROBE_TIMEOUT:-10}
MAX_RSS_MB=${MAX_RSS_MB:-256}
SERVE_PORT=${SERVE_PORT:-18094}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

BENCH_NAME=check-flood
# shellcheck source=scripts/bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"

# ---------------------------------------------------------------- workdir, cleanup
SERVE_PID=
SAMPLER_PID=
PROBE_PIDS=()
bench_begin feedscrub-check-flood

# shellcheck disable=SC2317  # invoked by bench_exit (lib.sh)
bench_on_exit() {
    local p
    for p in "${PROBE_PIDS[@]}" $SAMPLER_PID; do
        kill "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    if [[ -n $SERVE_PID ]]; then bench_stop_pid "$SERVE_PID"; fi
}

# ---------------------------------------------------------------- tools, limits
bench_need wrk:wrk curl:curl python3:python3 ss:iproute2
bench_binary

bench_raise_fd_limit $((2 * CONNECTIONS + 1024)) "this flood"
log "ulimit -n $(ulimit -n)"

SERVE_URL=http://127.0.0.1:$SERVE_PORT
curl -s -o /dev/null --max-time 1 "$SERVE_URL/" && die "something already listens on 127.0.0.1:$SERVE_PORT (set SERVE_PORT=...)"

# ---------------------------------------------------------------- store
bench_local_store "$FEEDS" "$ITEMS"

# ---------------------------------------------------------------- daemon
bench_start_serve "$CONFIG" "$SERVE_PORT"
URL=$SERVE_URL$FEED_PATH
read -r code bytes < <(curl -s -o /dev/null -w '%{http_code} %{size_download}\n' --max-time 10 "$URL")
[[ $code == 200 ]] || bench_serve_failed "GET $URL answered $code, want 200"
log "GET $FEED_PATH: 200, $bytes bytes"

# ---------------------------------------------------------------- sampler
bench_sample_server "$SERVE_PORT"

sleep 3
T_FLOOD0=$(elapsed)

# ---------------------------------------------------------------- flood
cat >"$WORKDIR/count.lua" <<'EOF'
-- counts responses by status code across wrk's threads
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) codes = {} end
function response(status, headers, body) codes[status] = (codes[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("codes")) do total[k] = (total[k] or 0) + v end
  end
  for k, v in pairs(total) do io.write(string.format("status %d %d\n", k, v)) end
  local e = summary.errors
  io.write(string.format("errors connect %d read %d write %d status %d timeout %d\n",
    e.connect, e.read, e.write, e.status, e.timeout))
  io.write(string.format("latency p50 %.3f p99 %.3f max %.3f\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
EOF
WRK_ARGS=() HDR_NOTE=""
if [[ -n ${WRK_HEADER:-} ]]; then WRK_ARGS=(-H "$WRK_HEADER") HDR_NOTE=" -H \"$WRK_HEADER\""; fi
log "flood: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --timeout ${WRK_TIMEOUT}s$HDR_NOTE $URL"
wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --timeout "${WRK_TIMEOUT}s" -s "$WORKDIR/count.lua" \
    "${WRK_ARGS[@]}" "$URL" >"$WORKDIR/wrk.txt" 2>&1 &
WRK_PID=$!
PROBE_PIDS=()
probe() {   # probe NAME: one GET on a new connection; "NAME CODE SECONDS" to probe-NAME.txt
    curl -s -o /dev/null -w "$1 %{http_code} %{time_total}\n" --max-time "$PROBE_TIMEOUT" "$URL" \
        >"$WORKDIR/probe-$1.txt" 2>/dev/null || true
}
for ((t = PROBE_EVERY; t < DURATION; t += PROBE_EVERY)); do
    (sleep "$t" && probe "$t") &
    PROBE_PIDS+=($!)
done
wait "$WRK_PID" || { cat "$WORKDIR/wrk.txt" >&2; die "wrk failed"; }
T_FLOOD1=$(elapsed)
for p in "${PROBE_PIDS[@]}"; do wait "$p" || true; done
PROBE_PIDS=()

# ---------------------------------------------------------------- after
ALIVE=no
kill -0 "$SERVE_PID" 2>/dev/null && ALIVE=yes
probe after
bench_stop_sampled_server

# ---------------------------------------------------------------- report
mb() { kib_to_mb "$1"; }
stats() { bench_sample_stats "$@"; }
read -r idle_max idle_med < <(stats 0 "$T_FLOOD0" 2)
read -r flood_max _ < <(stats "$T_FLOOD0" "$T_FLOOD1" 2)
third=$(awk -v a="$T_FLOOD0" -v b="$T_FLOOD1" 'BEGIN { printf "%.2f", (b - a) / 3 }')
read -r first_max _ < <(stats "$T_FLOOD0" "$(awk -v a="$T_FLOOD0" -v t="$third" 'BEGIN { print a + t }')" 2)
read -r last_max _ < <(stats "$(awk -v b="$T_FLOOD1" -v t="$third" 'BEGIN { print b - t }')" "$T_FLOOD1" 2)
read -r after_max _ < <(stats "$T_FLOOD1" 1e9 2)
read -r fds_idle _ < <(stats 0 "$T_FLOOD0" 3)
read -r fds_max _ < <(stats "$T_FLOOD0" "$T_FLOOD1" 3)
read -r q_max _ < <(stats "$T_FLOOD0" "$T_FLOOD1" 4)

RPS=$(awk '$1 == "Requests/sec:" { printf "%.0f", $2 }' "$WORKDIR/wrk.txt")
REQS=$(awk '/requests in/ { print $1; exit }' "$WORKDIR/wrk.txt")
CODES=$(awk '$1 == "status" { printf "%s%s: %s", sep, $2, $3; sep = ", " }' "$WORKDIR/wrk.txt")
N503=$(awk '$1 == "status" && $2 == 503 { print $3 }' "$WORKDIR/wrk.txt")
N503=${N503:-0}
ERRS=$(awk '$1 == "errors" { printf "connect %s, read %s, write %s, timeout %s", $3, $5, $7, $11 }' "$WORKDIR/wrk.txt")
LAT=$(awk '$1 == "latency" { printf "p50 %.1f ms, p99 %.1f ms, max %.1f ms", $3, $5, $7 }' "$WORKDIR/wrk.txt")

echo
printf 'check-flood: wrk -t%s -c%s -d%ss --timeout %ss%s on %s (%s bytes); %s cores shared by wrk and the server; ulimit -n %s\n' \
    "$THREADS" "$CONNECTIONS" "$DURATION" "$WRK_TIMEOUT" "$HDR_NOTE" "$FEED_PATH" "$bytes" "$(nproc)" "$(ulimit -n)"
printf 'requests/s: %s (%s responses in %s s)\n' "${RPS:-?}" "${REQS:-?}" "$DURATION"
printf 'status codes: %s\n' "${CODES:-none}"
printf 'socket errors: %s\n' "${ERRS:-?}"
printf 'latency of answered requests (wrk): %s\n' "${LAT:-?}"
printf 'server RSS: idle %s MB (median %s MB), peak during the flood %s MB (first third %s MB, last third %s MB), after %s MB; VmHWM %s MB\n' \
    "$(mb "$idle_max")" "$(mb "$idle_med")" "$(mb "$flood_max")" "$(mb "$first_max")" "$(mb "$last_max")" "$(mb "$after_max")" "$(mb "$HWM")"
printf 'server file descriptors: idle %s, peak during the flood %s; listen queue (accepted by the kernel, not yet by the server): peak %s\n' \
    "$fds_idle" "$fds_max" "$q_max"
printf 'normal client (curl, new connection, --max-time %ss):' "$PROBE_TIMEOUT"
PROBES_OK=1
for f in $(find "$WORKDIR" -maxdepth 1 -name 'probe-*.txt' | sort -V); do
    read -r name code secs <"$f" || true
    [[ $name == after ]] && label="after" || label="t=${name}s"
    if [[ $code == 200 ]]; then
        printf ' %s: 200 in %.3f s;' "$label" "$secs"
    else
        printf ' %s: %s after %.1f s;' "$label" "${code:-none}" "${secs:-0}"
        [[ $name == after ]] || PROBES_OK=0
    fi
done
echo

verdict() { if [[ $2 == 1 ]]; then printf '  %-48s ok\n' "$1"; else printf '  %-48s FAIL (%s)\n' "$1" "$3"; FAILED=1; fi; }
FAILED=0
echo "expectations (checklist row 47):"
after_code=$(awk '{ print $2 }' "$WORKDIR/probe-after.txt" 2>/dev/null || true)
ok=0; [[ $ALIVE == yes && $after_code == 200 && $STOP_RC == 0 ]] && ok=1
verdict "no crash" "$ok" "alive after the flood: $ALIVE, GET after: ${after_code:-none}, exit on SIGTERM: $STOP_RC"
ok=0
awk -v p="$flood_max" -v m="$MAX_RSS_MB" -v f="$first_max" -v l="$last_max" \
    'BEGIN { exit !(p / 1024 <= m && l <= 1.2 * f) }' && ok=1
verdict "bounded memory (<= $MAX_RSS_MB MB, not growing)" "$ok" "peak $(mb "$flood_max") MB, first third $(mb "$first_max") MB, last third $(mb "$last_max") MB"
ok=0; ((N503 > 0)) && ok=1
verdict "excess load shed with 503" "$ok" "no 503 among the responses"
verdict "normal request answered during the flood" "$PROBES_OK" "a probe got no 200 within ${PROBE_TIMEOUT}s"
exit "$FAILED"
