#!/usr/bin/env bash
# check/slowloris.sh — are normal requests to `feedscrub serve` still answered while N
# connections trickle their request heads (slowloris; checklist row 46)?
#
# Generates 20 local feeds x 20 items (scripts/bench/gen-feeds.py, read as local files), fills
# a store with `feedscrub fetch`, starts `feedscrub serve` on 127.0.0.1:PORT and runs
# scripts/check/slowloris.py against /feeds/bench-0001.atom for DURATION seconds: N tricklers each
# send the start of a request head and then one header byte every INTERVAL seconds,
# reconnecting at once when the server answers or closes the connection, while a normal
# client (curl, a new connection each time, --max-time PROBE_TIMEOUT) asks for the same feed
# every PROBE_EVERY seconds. Everything talks to 127.0.0.1 only. Meanwhile the server's RSS
# (VmRSS), open file descriptors and listen queue (ss: connections the kernel completed that
# the server has not accepted) are sampled every 0.2 s, from 3 s before the tricklers start
# to 3 s after they stop. Then one more curl, and the server is stopped with SIGTERM.
#
# Reports: what the tricklers' connections got (answered with which status, closed
# unanswered, how long they lasted); the curls answered with 200 and their latency; the
# server's RSS (idle, peak, VmHWM), file descriptors (idle, peak) and listen queue (peak); the
# server's own log lines about full connection slots; its exit status on SIGTERM. Verdicts,
# each ok or FAIL:
#   - normal requests answered: every curl during the run got a 200 within PROBE_TIMEOUT;
#   - no crash: the server is still running after the run, answers the curl after it, and
#     exits 0 on SIGTERM.
# Exit 1 when one fails.
#
# The file descriptor limit (ulimit -n) is raised for the tricklers and the server to what
# N + 1024 needs, up to the hard limit (raised too when running as root).
#
# NOTE: the tricklers, curl and the server share this machine's cores (2 on the reference
# machine).
#
# Environment:
#   N=1000                     tricklers
#   DURATION=30                seconds
#   INTERVAL=10                seconds between a trickler's header bytes
#   PROBE_EVERY=2 PROBE_TIMEOUT=10   the normal client
#   PORT=18095                 feedscrub serve
#   WORKDIR=...                default: mktemp -d under /tmp, removed on exit
#   FEEDSCRUB_BIN=...          use this binary instead of `cargo build --release`
set -euo pipefail

N=${N:-1000}
DURATION=${DURATION:-30}
INTERVAL=${INTERVAL:-10}
PROBE_EVERY=${PROBE_EVERY:-2}
PROBE_TIMEOUT=${PROBE_TIMEOUT:-10}
PORT=${PORT:-18095}
FEED_PATH=/feeds/bench-0001.atom

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

BENCH_NAME=check-slowloris
# shellcheck source=scripts/bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"

# ---------------------------------------------------------------- workdir, cleanup
SERVE_PID=
SAMPLER_PID=
bench_begin feedscrub-check-slowloris

# shellcheck disable=SC2317  # invoked by bench_exit (lib.sh)
bench_on_exit() {
    if [[ -n $SAMPLER_PID ]]; then
        kill "$SAMPLER_PID" 2>/dev/null || true
        wait "$SAMPLER_PID" 2>/dev/null || true
    fi
    if [[ -n $SERVE_PID ]]; then bench_stop_pid "$SERVE_PID"; fi
}

# ---------------------------------------------------------------- tools, limits
bench_need curl:curl python3:python3 ss:iproute2
bench_binary

bench_raise_fd_limit $((N + 1024)) "$N tricklers"

SERVE_URL=http://127.0.0.1:$PORT
CURL=(curl -s --noproxy '*')
"${CURL[@]}" -o /dev/null --max-time 1 "$SERVE_URL/" && die "something already listens on 127.0.0.1:$PORT (set PORT=...)"

# ---------------------------------------------------------------- store
bench_local_store "20" "20"

# ---------------------------------------------------------------- daemon
bench_start_serve "$CONFIG" "$PORT"
URL=$SERVE_URL$FEED_PATH
read -r code bytes < <("${CURL[@]}" -o /dev/null -w '%{http_code} %{size_download}\n' --max-time 10 "$URL")
[[ $code == 200 ]] || bench_serve_failed "GET $URL answered $code, want 200"
log "GET $FEED_PATH: 200, $bytes bytes"

# ---------------------------------------------------------------- sampler
bench_sample_server "$PORT"

sleep 3
T_RUN0=$(elapsed)

# ---------------------------------------------------------------- tricklers and curls
log "slowloris: $N tricklers, a header byte every ${INTERVAL}s, a curl every ${PROBE_EVERY}s, for ${DURATION}s on $URL"
SLOW_RC=0
python3 "$ROOT/scripts/check/slowloris.py" "$PORT" --path "$FEED_PATH" --connections "$N" --duration "$DURATION" \
    --interval "$INTERVAL" --probe-every "$PROBE_EVERY" --probe-timeout "$PROBE_TIMEOUT" \
    >"$WORKDIR/slowloris.txt" 2>&1 || SLOW_RC=$?
T_RUN1=$(elapsed)
((SLOW_RC <= 1)) || { cat "$WORKDIR/slowloris.txt" >&2; die "check/slowloris.py failed (exit $SLOW_RC)"; }

# ---------------------------------------------------------------- after
ALIVE=no
kill -0 "$SERVE_PID" 2>/dev/null && ALIVE=yes
read -r after_code after_secs < <("${CURL[@]}" -o /dev/null -w '%{http_code} %{time_total}\n' --max-time "$PROBE_TIMEOUT" "$URL" || true) || true
bench_stop_sampled_server

# ---------------------------------------------------------------- report
mb() { kib_to_mb "$1"; }
stats() { bench_sample_stats "$@"; }
read -r idle_max idle_med < <(stats 0 "$T_RUN0" 2)
read -r run_max run_med < <(stats "$T_RUN0" "$T_RUN1" 2)
read -r after_max _ < <(stats "$T_RUN1" 1e9 2)
read -r fds_idle _ < <(stats 0 "$T_RUN0" 3)
read -r fds_max fds_med < <(stats "$T_RUN0" "$T_RUN1" 3)
fds_end=$(awk 'END { print $3 }' "$WORKDIR/samples.txt")
read -r q_max _ < <(stats "$T_RUN0" "$T_RUN1" 4)

echo
printf 'check-slowloris: %s tricklers for %ss on %s (%s bytes); %s cores shared by the tricklers, curl and the server; ulimit -n %s\n' \
    "$N" "$DURATION" "$FEED_PATH" "$bytes" "$(nproc)" "$(ulimit -n)"
cat "$WORKDIR/slowloris.txt"
if [[ ${after_code:-000} == 200 ]]; then
    printf 'after the run: 200 in %s ms\n' "$(awk -v s="$after_secs" 'BEGIN { printf (s < 0.01 ? "%.1f" : "%.0f"), s * 1000 }')"
else
    printf 'after the run: %s after %.1f s\n' "${after_code:-none}" "${after_secs:-0}"
fi
printf 'server RSS: idle %s MB (median %s MB), during the run peak %s MB (median %s MB), after %s MB; VmHWM %s MB\n' \
    "$(mb "$idle_max")" "$(mb "$idle_med")" "$(mb "$run_max")" "$(mb "$run_med")" "$(mb "$after_max")" "$(mb "$HWM")"
printf 'server file descriptors: idle %s, during the run peak %s (median %s), 3 s after it %s; listen queue (accepted by the kernel, not yet by the server): peak %s\n' \
    "$fds_idle" "$fds_max" "$fds_med" "$fds_end" "$q_max"
# the server's own lines about full slots, without colours
slots=$(sed 's/\x1b\[[0-9;]*m//g' "$WORKDIR/serve.err" | grep 'connection slots taken' || true)
if [[ -n $slots ]]; then
    printf 'server log, lines about full connection slots: %s; the last: %s\n' \
        "$(printf '%s\n' "$slots" | wc -l)" "$(printf '%s\n' "$slots" | tail -n 1 | cut -c1-240)"
else
    echo 'server log: no line about full connection slots'
fi
if [[ $ALIVE == yes ]]; then
    printf 'server exit status on SIGTERM: %s\n' "$STOP_RC"
else
    printf 'server died during the run: exit status %s\n' "$STOP_RC"
fi

verdict() { if [[ $2 == 1 ]]; then printf '  %-48s ok\n' "$1"; else printf '  %-48s FAIL (%s)\n' "$1" "$3"; FAILED=1; fi; }
FAILED=0
echo "expectations (checklist row 46):"
ok=0; ((SLOW_RC == 0)) && ok=1
verdict "normal requests answered during the run" "$ok" "a curl got no 200 within ${PROBE_TIMEOUT}s"
ok=0; [[ $ALIVE == yes && ${after_code:-} == 200 && $STOP_RC == 0 ]] && ok=1
verdict "no crash" "$ok" "alive after the run: $ALIVE, GET after: ${after_code:-none}, exit on SIGTERM: $STOP_RC"
exit "$FAILED"
