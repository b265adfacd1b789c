#!/usr/bin/env bash
# bench/shared.sh — how many feeds per second do 1, 2 and 3 `feedscrub serve --role worker`
# processes on one PostgreSQL refresh, and how many PostgreSQL commits per second does that
# take, against the embedded redb store in one process measured in the same run?
#
# Setup: FEEDS feeds x ITEMS items (scripts/bench/gen-feeds.py), served as static files by a
# private nginx listening on every address (it answers If-None-Match / If-Modified-Since with
# 304 by itself); feed i is fetched from host 127.0.0.(2 + i % 20), so the 20 hosts make
# per_host count. A throw-away PostgreSQL cluster (initdb into the workdir, run as the
# `postgres` user when the script runs as root; max_connections=300, shared_buffers=256MB,
# durability settings left at their defaults: fsync and synchronous_commit on) listens on a
# free port of 127.0.0.1. Every run uses concurrency = CONCURRENCY (per process),
# per_host = 16, interval = "1h", timeout = "30s".
#
#   1. Baseline, redb: `feedscrub fetch` into a fresh store folder (cold: every item new),
#      then again (warm: every feed answers 304), under /usr/bin/time: wall, user + sys.
#   2. The same two fetches with store = "postgres" on a fresh database: the single-process
#      PostgreSQL row.
#   3. For W in WORKERS: a fresh database; `serve --role web` lists feeds.toml in it (and
#      applies the migrations) and is stopped, and every feed is pushed a day out, so that no
#      worker polls anything before the measurement starts. Then W `serve --role worker`
#      processes (RUST_LOG=warn, each on its own --listen port) start and print "serving".
#      Cold phase: `UPDATE feeds SET next_poll = now()` (T0) makes every feed due at once;
#      psql polls every 0.5 s until `count(*) WHERE last_success IS NOT NULL` = FEEDS (T1).
#      Warm phase (1 s later): the same UPDATE (T2, the database's now()), then until
#      `count(*) WHERE last_success >= T2` = FEEDS (T3). (A refresh stamps last_success with
#      the worker's clock as it starts; worker and database share this machine's clock, and
#      a refresh claimed after T2 starts after T2.) Times are the database's clock.
#
# Figures per row: wall s; feeds/s; ratio to the redb fetch of the same phase; PostgreSQL
# commits/s and commits per feed (pg_stat_database.xact_commit of the database, read-only
# transactions included, the script's own psql queries subtracted; a busy backend publishes
# its counts at most once a second, so a phase's end may miss up to ~1 s of them); write
# transactions per feed (transaction ids consumed, pg_snapshot_xmax, exact); feedscrub CPU
# ms per feed (fetch: user + sys of the process, start and config load included; workers:
# utime + stime of every worker from /proc/PID/stat over the phase); postgres CPU ms per feed
# (the postmaster and all its children — backends, checkpointer, WAL writer, background
# writer, autovacuum — from /proc, plus the postmaster's cutime + cstime, which holds the CPU
# of backends that ended within the phase, e.g. those of the script's psql polls).
# The results table is printed and written to results.md, which is copied to OUT.
#
# Usage: scripts/bench/shared.sh
#
# Environment:
#   FEEDS=20000        feeds
#   ITEMS=3            items per feed
#   CONCURRENCY=16     [settings] concurrency of every process (fetch and each worker)
#   WORKERS="1 2 3"    worker-process counts, one fresh database and run each
#   TIMEOUT=600        seconds a phase of the worker runs may take before it is given up
#   PGBENCH_SECONDS=20 then `pgbench -N` on the same cluster, as the ceiling (0: skip)
#   WORKDIR=...        default: mktemp -d under /tmp, removed on exit
#   FEEDSCRUB_BIN=...  use this binary instead of `cargo build --release`
#   OUT=...            where results.md is kept (default target/bench-shared)
set -euo pipefail

FEEDS=${FEEDS:-20000}
ITEMS=${ITEMS:-3}
CONCURRENCY=${CONCURRENCY:-16}
WORKERS=${WORKERS:-1 2 3}
TIMEOUT=${TIMEOUT:-600}
PGBENCH_SECONDS=${PGBENCH_SECONDS:-20}
HOSTS=20
PER_HOST=16
POLL=0.5
START_TIMEOUT=120   # seconds a serve process may take to load the config and listen

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
OUT=${OUT:-$ROOT/target/bench-shared}

BENCH_NAME=bench-shared
# shellcheck source=scripts/bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"

[[ $PGBENCH_SECONDS =~ ^[0-9]+$ ]] || die "PGBENCH_SECONDS must be a whole number, not '$PGBENCH_SECONDS'"
for v in FEEDS ITEMS CONCURRENCY TIMEOUT; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive whole number, not '${!v}'"
done
((CONCURRENCY <= 1024)) || die "CONCURRENCY must be at most 1024 (config.rs)"
read -r -a WORKER_LIST <<<"$WORKERS"
((${#WORKER_LIST[@]})) || die "WORKERS is empty"
for w in "${WORKER_LIST[@]}"; do [[ $w =~ ^[1-9][0-9]*$ ]] || die "a worker count must be a positive whole number, not '$w'"; done

# ---------------------------------------------------------------- workdir, cleanup
NGINX_PID=
SERVE_PID=   # the `serve --role web` that lists the feeds (short-lived)
WORKER_PIDS=()
PG_STARTED=0
bench_begin feedscrub-bench-shared
PGDIR=$WORKDIR/pg
PGDATA_DIR=$PGDIR/data

# shellcheck disable=SC2317  # invoked by bench_on_exit
keep_results() {
    [[ -s $WORKDIR/results.md ]] || return 0
    if ! { mkdir -p "$OUT" && cp "$WORKDIR/results.md" "$OUT/results.md"; }; then log "cannot copy results.md to $OUT"; fi
}

# pgrun CMD...: CMD as the cluster's owner (postgres when the script runs as root), in PGDIR
pgrun() {
    if ((EUID == 0)); then
        (cd "$PGDIR" && runuser -u postgres -- "$@")
    else
        (cd "$PGDIR" && "$@")
    fi
}

# shellcheck disable=SC2317  # invoked by bench_on_exit
pg_stop() {
    ((PG_STARTED)) || return 0
    PG_STARTED=0
    pgrun "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 30 stop >/dev/null 2>&1 ||
        pgrun "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m immediate -w stop >/dev/null 2>&1 || log "cannot stop PostgreSQL ($PGDATA_DIR)"
}

# shellcheck disable=SC2317  # invoked by bench_on_exit and run_workers
stop_workers() {
    local pid
    STOP_RCS=()
    for pid in "${WORKER_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${WORKER_PIDS[@]}"; do
        bench_stop_pid "$pid"
        STOP_RCS+=("$STOP_RC")
    done
    WORKER_PIDS=()
}

# shellcheck disable=SC2317  # invoked by bench_exit (lib.sh)
bench_on_exit() {
    stop_workers
    if [[ -n $SERVE_PID ]]; then bench_stop_pid "$SERVE_PID"; fi
    if [[ -n $NGINX_PID ]]; then bench_stop_pid "$NGINX_PID"; fi
    pg_stop
    keep_results
}

# ---------------------------------------------------------------- tools
bench_need nginx:nginx /usr/bin/time:time curl:curl python3:python3 getconf:libc-bin \
    psql:postgresql-client pgrep:procps
if ! compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null; then
    log "installing postgresql"
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
fi
PGBIN=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
[[ -x $PGBIN/pg_ctl && -x $PGBIN/initdb && -x $PGBIN/postgres ]] || die "no PostgreSQL server binaries under /usr/lib/postgresql"
((EUID != 0)) || command -v runuser >/dev/null || die "runuser (util-linux) is needed to run PostgreSQL as root"
bench_binary
if [[ $(ulimit -Hn) != unlimited ]] && (($(ulimit -Hn) < 65536)); then ulimit -Hn 65536 2>/dev/null || true; fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
bench_raise_fd_limit $((4 * CONCURRENCY + 1024)) "feedscrub"
CLK_TCK=$(getconf CLK_TCK)
BIN_DESC="\`$BIN\` ($("$BIN" --version 2>/dev/null | head -n 1 || true), modified $(date -u -r "$BIN" '+%Y-%m-%d %H:%M UTC'))"
NGINX_VERSION=$(nginx -v 2>&1 | sed 's/.*\///')
chmod a+rx "$WORKDIR"   # nginx workers (nobody) and PostgreSQL (postgres) run as other users under root
mkdir -p "$WORKDIR/logs"

# ---------------------------------------------------------------- helpers
calc() { awk "BEGIN { $1 }" </dev/null; }   # calc 'printf "%.1f", 1 / 3'
# div A B [FORMAT]: A / B, or n/a when B is not positive
div() { awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN { if (b + 0 > 0) printf f, a / b; else print "n/a" }' </dev/null; }
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2fx", a / b; else print "n/a" }' </dev/null
}

# ticks PID...: utime + stime of the processes, in clock ticks (0 for those gone)
ticks() {
    local t=0 p v
    for p in "$@"; do
        v=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null) || v=0
        t=$((t + ${v:-0}))
    done
    echo "$t"
}

# pg_ticks: CPU of the cluster in clock ticks: the postmaster (with cutime + cstime, the CPU
# of its children that ended) and every child alive now
pg_ticks() {
    local t c
    t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$PG_PM/stat" 2>/dev/null) || t=0
    for c in $(pgrep -P "$PG_PM" || true); do
        t=$((t + $(ticks "$c")))
    done
    echo "$t"
}
ticks_ms() { calc "printf \"%.0f\", $1 * 1000 / $CLK_TCK"; }

# sql DB QUERY: the rows, unaligned, fields separated by one space
sql() {
    psql -X -q -A -t -F ' ' -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$1" -c "$2"
}

# the figures a poll reads in one statement: clock, commits of the database, next xid
READING="extract(epoch FROM clock_timestamp()), \
(SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()), \
pg_snapshot_xmax(pg_current_snapshot())"

fresh_db() {
    PGOPTIONS='-c client_min_messages=warning' sql postgres "DROP DATABASE IF EXISTS $1" >/dev/null
    sql postgres "CREATE DATABASE $1" >/dev/null
}

# metric URL NAME: a counter of a worker's /metrics (sum over its labels), or empty
metric() {
    curl -sf --max-time 30 "$1/metrics" | awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $2; f = 1 } END { if (f) print s }'
}

# top_messages FILE...: the 3 most frequent distinct messages (timestamps, pids and numbers
# masked), each with its count, on one line
top_messages() {
    sed -e 's/\x1b\[[0-9;]*m//g' -e 's/^[0-9TZ:. -]*\(UTC \)\?\(\[[0-9]*\] \)\?//' -e 's/[0-9][0-9]*/N/g' "$@" |
        cut -c 1-240 | sort | uniq -c | sort -rn | head -n 3 |
        awk '{ n = $1; $1 = ""; sub(/^ /, ""); printf "%s%d x `%s`", (NR > 1 ? "; " : ""), n, $0 }'
}

# ---------------------------------------------------------------- PostgreSQL
start_postgres() {
    mkdir -p "$PGDIR"
    if ((EUID == 0)); then
        chown postgres: "$PGDIR"
        runuser -u postgres -- test -w "$PGDIR" ||
            die "the postgres user cannot write $PGDIR (is a parent of WORKDIR closed to it?)"
    fi
    log "initdb $PGDATA_DIR ($("$PGBIN/postgres" --version))"
    pgrun "$PGBIN/initdb" -A trust -U postgres -E UTF8 --no-locale --no-sync -D "$PGDATA_DIR" >"$WORKDIR/logs/initdb.log" 2>&1 || {
        tail -n 15 "$WORKDIR/logs/initdb.log" >&2
        die "initdb failed"
    }
    PG_PORT=$(bench_free_port)
    PG_STARTED=1
    pgrun "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$PGDIR/server.log" -w -t 60 \
        -o "-p $PG_PORT -k $PGDIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB" \
        start >"$WORKDIR/logs/pg_ctl.log" 2>&1 || {
        tail -n 15 "$PGDIR/server.log" >&2 || true
        die "PostgreSQL did not start"
    }
    PG_PM=$(head -n 1 "$PGDATA_DIR/postmaster.pid")
    PG_VERSION=$(sql postgres "SHOW server_version")
    PG_SETTINGS=$(sql postgres "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name) FROM pg_settings \
        WHERE name IN ('max_connections', 'shared_buffers', 'fsync', 'synchronous_commit', 'wal_level', 'max_wal_size', 'checkpoint_timeout')")
    log "PostgreSQL $PG_VERSION on 127.0.0.1:$PG_PORT (postmaster $PG_PM): $PG_SETTINGS"
}

# ---------------------------------------------------------------- feeds, nginx, configs

# rehost FILE: feed i's URL on host 127.0.0.(2 + i % HOSTS) instead of 127.0.0.1
rehost() {
    awk -v hosts="$HOSTS" '
        match($0, /http:\/\/127\.0\.0\.1:[0-9]+\/feeds\/[0-9]+\.xml/) {
            url = substr($0, RSTART, RLENGTH)
            n = url; sub(/.*\/feeds\//, "", n); sub(/\.xml$/, "", n)
            host = "127.0.0." (2 + (n + 0) % hosts)
            sub(/127\.0\.0\.1/, host, url)
            $0 = substr($0, 1, RSTART - 1) url substr($0, RSTART + RLENGTH)
        }
        { print }' "$1" >"$1.tmp"
    mv "$1.tmp" "$1"
}

# pg_config DB: writes $WORKDIR/pg-DB.toml (store = "postgres" on database DB); prints its path
pg_config() {
    local f=$WORKDIR/pg-$1.toml
    sed -e "/^\[settings\]\$/a store = \"postgres\"\ndatabase_url = \"postgres://postgres@127.0.0.1:$PG_PORT/$1\"" \
        -e "s#^db = .*#db = \"$WORKDIR/unused/feedscrub.db\"#" "$BASE_CONFIG" >"$f"
    echo "$f"
}

# ---------------------------------------------------------------- results
declare -A R   # R[row,key]
ROWS=()        # row ids in table order
NOTES=()

# add_row ID PROCS STORE PHASE WALL FEEDS COMMITS XACTS FS_TICKS_OR_MS PG_TICKS
# (COMMITS/XACTS/PG_TICKS "-" for redb; FS given in ms)
add_row() {
    local id=$1
    R[$id,procs]=$2 R[$id,store]=$3 R[$id,phase]=$4 R[$id,wall]=$5 R[$id,feeds]=$6
    R[$id,fps]=$(div "$6" "$5" "%.1f")
    if [[ $7 == - ]]; then
        R[$id,cps]=- R[$id,cpf]=- R[$id,xpf]=- R[$id,pgms]=-
    else
        R[$id,cps]=$(div "$7" "$5" "%.0f")
        R[$id,cpf]=$(div "$7" "$6" "%.2f")
        R[$id,xpf]=$(div "$8" "$6" "%.2f")
        R[$id,pgms]=$(div "$(ticks_ms "${10}")" "$6" "%.2f")
    fi
    R[$id,fsms]=$(div "$9" "$6" "%.2f")
    ROWS+=("$id")
    write_results
}

write_results() {
    local id base
    {
        echo "## feedscrub on PostgreSQL: $FEEDS feeds x $ITEMS items, worker processes vs a redb fetch, $(nproc) cores"
        echo
        echo "Machine: $(nproc) cores ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), $(free -g | awk '/^Mem:/ { print $2 }') GB RAM." \
            "Binary $BIN_DESC; nginx $NGINX_VERSION (static files, 304 by itself, on every address; feed i on host 127.0.0.(2 + i % $HOSTS));" \
            "PostgreSQL $PG_VERSION on 127.0.0.1 ($PG_SETTINGS). Every process: concurrency = $CONCURRENCY, per_host = $PER_HOST, interval = \"1h\", timeout = \"30s\"."
        echo
        echo "| processes | store | phase | wall s | feeds/s | vs redb fetch | PG commits/s | commits/feed | write xacts/feed | feedscrub CPU ms/feed | postgres CPU ms/feed |"
        echo "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
        for id in "${ROWS[@]}"; do
            base=${R[redb-${R[$id,phase]},fps]:-}
            echo "| ${R[$id,procs]} | ${R[$id,store]} | ${R[$id,phase]} | ${R[$id,wall]} | ${R[$id,fps]} | $(ratio "${R[$id,fps]}" "$base") | ${R[$id,cps]} | ${R[$id,cpf]} | ${R[$id,xpf]} | ${R[$id,fsms]} | ${R[$id,pgms]} |"
        done
        echo
        echo "cold = every feed new (3 items cleaned and stored per feed); warm = every feed answered 304 (state commit only)."
        echo "fetch rows: one \`feedscrub fetch\` process under /usr/bin/time (process start, config load and store open included)."
        echo "worker rows: W \`serve --role worker\` processes already running; the phase starts with \`UPDATE feeds SET next_poll = now()\` and ends when psql (every $POLL s) sees every feed's last_success written; database clock."
        echo "PG commits: pg_stat_database.xact_commit of the bench database (read-only transactions such as claims' empty rounds included; the script's own queries subtracted; up to ~1 s of a busy backend's commits may not be published yet at a phase's end)."
        echo "write xacts: transaction ids consumed (pg_snapshot_xmax). feedscrub CPU: the fetch process, or the sum of the workers (/proc/PID/stat)."
        echo "postgres CPU: postmaster + all its children alive + the postmaster's cutime/cstime (backends that ended)."
        echo
        for id in "${NOTES[@]}"; do echo "- $id"; done
    } >"$WORKDIR/results.md"
}

# ---------------------------------------------------------------- fetch rows
# run_fetch STORE PHASE CONFIG [DB]: one `feedscrub fetch` under /usr/bin/time; a row
run_fetch() {
    local store=$1 phase=$2 cfg=$3 db=${4:-} out rc=0 wall user sys maxrss pt0=0 pt1=0 c0=0 c1=0 x0=0 x1=0 t n busy ok
    out=$WORKDIR/logs/fetch-$store-$phase.out
    log "$store: $phase fetch of $FEEDS feeds"
    if [[ -n $db ]]; then
        read -r _ c0 x0 < <(sql "$db" "SELECT $READING")
        pt0=$(pg_ticks)
    fi
    /usr/bin/time -f '%e %U %S %M' -o "$WORKDIR/time.txt" \
        "$BIN" -q --config "$cfg" fetch >"$out" 2>&1 || rc=$?
    n=0
    if [[ -n $db ]]; then
        # the fetch's backends publish their counts as they end: wait for them to be gone
        for _ in $(seq 100); do
            read -r busy _ c1 x1 < <(sql "$db" "SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                AND pid <> pg_backend_pid()), $READING")
            n=$((n + 1))
            ((busy == 0)) && break
            sleep 0.1
        done
        pt1=$(pg_ticks)
    fi
    read -r wall user sys maxrss < <(tail -n 1 "$WORKDIR/time.txt")
    ok=$(grep -m 1 ' feeds ok' "$out" | sed 's/;.*//' || true)
    if ((rc == 1)); then
        NOTES+=("**WARNING** $store $phase fetch: ${ok:-exit status 1} (some feeds failed; measured anyway)")
    elif ((rc != 0)); then
        tail -n 15 "$out" >&2
        die "$store $phase fetch exited with status $rc"
    fi
    if [[ $phase == warm ]]; then
        t=$(awk '$2 == "304"' "$out" | wc -l)
        ((t == FEEDS)) || NOTES+=("**WARNING** $store warm fetch: only $t of $FEEDS feeds answered 304")
    fi
    NOTES+=("$store $phase fetch: ${wall} s wall, ${user} s user + ${sys} s sys, peak RSS $((maxrss / 1024)) MB; ${ok:-?}")
    if [[ -n $db ]]; then
        # own queries: the first reading and all but the last wait-reading
        add_row "$store-$phase" 1 "$store fetch" "$phase" "$wall" "$FEEDS" $((c1 - c0 - n)) $((x1 - x0)) \
            "$(calc "printf \"%.0f\", ($user + $sys) * 1000")" $((pt1 - pt0))
    else
        add_row "$store-$phase" 1 "$store fetch" "$phase" "$wall" "$FEEDS" - - "$(calc "printf \"%.0f\", ($user + $sys) * 1000")" -
    fi
    log "$store $phase fetch: ${wall} s, ${R[$store-$phase,fps]} feeds/s"
}

# ---------------------------------------------------------------- worker rows
# serve_started ERRFILE PID WHAT: waits until the process says it serves
serve_started() {
    local deadline=$((SECONDS + START_TIMEOUT))
    until grep -q 'feedscrub: serving' "$1" 2>/dev/null; do
        kill -0 "$2" 2>/dev/null || { tail -n 15 "$1" >&2; die "$3 exited during start"; }
        ((SECONDS < deadline)) || { tail -n 15 "$1" >&2; die "$3 did not start within $START_TIMEOUT s"; }
        sleep 0.1
    done
}

workers_alive() {
    local i
    for i in "${!WORKER_PIDS[@]}"; do
        kill -0 "${WORKER_PIDS[$i]}" 2>/dev/null || {
            tail -n 15 "$WORKDIR/logs/worker-$W-$i.err" >&2
            die "worker $i of $W exited (while $1)"
        }
    done
}

# worker_counts: "polls/not-modified/failures" of every worker, space-separated
worker_counts() {
    local port out=()
    for port in "${WORKER_PORTS[@]}"; do
        out+=("$(metric "http://127.0.0.1:$port" feedscrub_polls_total)/$(metric "http://127.0.0.1:$port" feedscrub_not_modified_total)/$(metric "http://127.0.0.1:$port" feedscrub_failures_total)")
    done
    echo "${out[*]}"
}

# phase_note BEFORE AFTER: per worker "polls (304s, failures)" made between two worker_counts
phase_note() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        n = split(a, x, " "); split(b, y, " "); tot = 0
        for (i = 1; i <= n; i++) {
            split(x[i], p, "/"); split(y[i], q, "/")
            d = q[1] - p[1]; tot += d
            s = s (i > 1 ? ", " : "") d " (" q[2] - p[2] " 304, " q[3] - p[3] " failed)"
        }
        printf "%d polls: %s", tot, s }' </dev/null
}

# measure_phase PHASE: makes every feed due, waits until all are refreshed; a row.
# PHASE_DONE=1 when every feed was refreshed within TIMEOUT.
measure_phase() {
    local phase=$1 db=$DB wt0 pt0 wt1 pt1 n t0 ts c0 x0 cond count at c1 x1 polls=0 start feeds m0 m1
    PHASE_DONE=0
    m0=$(worker_counts)
    wt0=$(ticks "${WORKER_PIDS[@]}")
    pt0=$(pg_ticks)
    read -r n t0 c0 x0 ts < <(sql "$db" "WITH u AS (UPDATE feeds SET next_poll = now() WHERE configured RETURNING 1) \
        SELECT (SELECT count(*) FROM u), extract(epoch FROM now()), \
        (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()), \
        pg_snapshot_xmax(pg_current_snapshot()), now()::text")
    ((n == FEEDS)) || die "UPDATE feeds made $n feeds due, not $FEEDS"
    if [[ $phase == cold ]]; then cond="last_success IS NOT NULL"; else cond="last_success >= '$ts'::timestamptz"; fi
    log "$W worker(s), $phase: every feed due at $ts; waiting for: $cond"
    start=$SECONDS
    while :; do
        workers_alive "the $phase phase"
        read -r count at c1 x1 < <(sql "$db" "SELECT (SELECT count(*) FROM feeds WHERE $cond), $READING")
        polls=$((polls + 1))
        if ((count >= FEEDS)); then PHASE_DONE=1; break; fi
        ((SECONDS - start < TIMEOUT)) || break
        sleep "$POLL"
    done
    wt1=$(ticks "${WORKER_PIDS[@]}")
    pt1=$(pg_ticks)
    m1=$(worker_counts)
    local wall
    wall=$(calc "printf \"%.2f\", $at - $t0")
    feeds=$count
    if [[ $phase == cold ]]; then feeds=$((count - EARLY)); fi
    # own commits: the UPDATE and every poll but the last (whose own commit is not counted yet)
    add_row "w$W-$phase" "$W" "postgres worker" "$phase" "$wall" "$feeds" $((c1 - c0 - polls)) $((x1 - x0 - 1)) \
        "$(ticks_ms $((wt1 - wt0)))" $((pt1 - pt0))
    NOTES+=("$W worker(s) $phase: $(phase_note "$m0" "$m1"); workers CPU $(ticks_ms $((wt1 - wt0))) ms, postgres CPU $(ticks_ms $((pt1 - pt0))) ms")
    if ((!PHASE_DONE)); then
        R[w$W-$phase,phase]="$phase (TIMEOUT: $count of $FEEDS)"
        NOTES+=("**WARNING** $W worker(s) $phase: TIMEOUT after $TIMEOUT s, only $count of $FEEDS feeds refreshed; the row is what was done by then")
        write_results
        log "WARNING: $W worker(s) $phase: only $count of $FEEDS feeds after $TIMEOUT s"
        return 0
    fi
    write_results
    log "$W worker(s) $phase: $feeds feeds in $wall s = ${R[w$W-$phase,fps]} feeds/s, ${R[w$W-$phase,cps]} commits/s"
}

run_workers() {
    W=$1
    DB=bench_w$W
    local cfg i port
    log "==== $W worker process(es), database $DB"
    fresh_db "$DB"
    cfg=$(pg_config "$DB")
    # the feeds listed (and the schema made) by the binary itself, then all pushed a day out
    port=$(bench_free_port)
    "$BIN" --config "$cfg" serve --role web --listen "127.0.0.1:$port" >"$WORKDIR/logs/web-$W.out" 2>"$WORKDIR/logs/web-$W.err" &
    SERVE_PID=$!
    serve_started "$WORKDIR/logs/web-$W.err" "$SERVE_PID" "serve --role web"
    bench_stop_pid "$SERVE_PID"
    SERVE_PID=
    i=$(sql "$DB" "WITH u AS (UPDATE feeds SET next_poll = now() + interval '1 day' WHERE configured RETURNING 1) SELECT count(*) FROM u")
    ((i == FEEDS)) || die "serve --role web listed $i feeds in $DB, not $FEEDS"

    WORKER_PORTS=()
    for ((i = 0; i < W; i++)); do
        port=$(bench_free_port)
        WORKER_PORTS+=("$port")
        RUST_LOG=warn "$BIN" --config "$cfg" serve --role worker --listen "127.0.0.1:$port" \
            >"$WORKDIR/logs/worker-$W-$i.out" 2>"$WORKDIR/logs/worker-$W-$i.err" &
        WORKER_PIDS+=($!)
    done
    for i in "${!WORKER_PIDS[@]}"; do
        serve_started "$WORKDIR/logs/worker-$W-$i.err" "${WORKER_PIDS[$i]}" "worker $i of $W"
    done
    log "$W worker(s) serving: pids ${WORKER_PIDS[*]}"
    EARLY=$(sql "$DB" "SELECT count(*) FROM feeds WHERE last_success IS NOT NULL")
    ((EARLY == 0)) || NOTES+=("**WARNING** $W worker(s): $EARLY feeds were refreshed before the cold phase started (not counted)")

    measure_phase cold
    if ((PHASE_DONE)); then
        sleep 1
        measure_phase warm
    else
        NOTES+=("$W worker(s): warm phase skipped (the cold phase did not finish)")
    fi

    stop_workers
    for i in "${!STOP_RCS[@]}"; do
        ((STOP_RCS[i] == 0)) || NOTES+=("**WARNING** worker $i of $W exited with status ${STOP_RCS[$i]} after SIGTERM")
    done
    # what the workers logged at warn level and above
    local lines
    cat "$WORKDIR"/logs/worker-"$W"-*.err | grep -v -e '^feedscrub: serving' -e '^feedscrub: stopped' >"$WORKDIR/logs/worker-$W.warn" || true
    lines=$(grep -c . "$WORKDIR/logs/worker-$W.warn" || true)
    if ((lines > 0)); then
        NOTES+=("**WARNING** $W worker(s) logged $lines lines at warn level or above: $(top_messages "$WORKDIR/logs/worker-$W.warn")")
    fi
    local errs
    errs=$(sql "$DB" "SELECT count(*) FILTER (WHERE last_error IS NOT NULL), count(*) FILTER (WHERE failures > 0), \
        count(*) FILTER (WHERE lease_owner IS NOT NULL), sum(item_count) FROM feeds")
    NOTES+=("$W worker(s) at the end: feeds with last_error / failures > 0 / still leased, items: $errs; items table: $(sql "$DB" "SELECT count(*) FROM items") rows")
    write_results
    sql postgres "DROP DATABASE $DB" >/dev/null || log "cannot drop $DB"
}

# ---------------------------------------------------------------- main
log "$FEEDS feeds x $ITEMS items; concurrency $CONCURRENCY per process, per_host $PER_HOST, $HOSTS hosts; workers: ${WORKER_LIST[*]}; workdir $WORKDIR"
start_postgres

NGINX_PORT=$(bench_free_port)
t0=$EPOCHREALTIME
bytes=$(python3 "$ROOT/scripts/bench/gen-feeds.py" "$WORKDIR" \
    --feeds "$FEEDS" --items "$ITEMS" --port "$NGINX_PORT" --concurrency "$CONCURRENCY" | tail -n 1)
BASE_CONFIG=$WORKDIR/feeds.toml
rehost "$BASE_CONFIG"
rehost "$WORKDIR/urls.txt"
sed -i -e "/^\[settings\]\$/a per_host = $PER_HOST\ninterval = \"1h\"" "$BASE_CONFIG"
grep -q '^timeout = "30s"' "$BASE_CONFIG" || sed -i -e '/^\[settings\]$/a timeout = "30s"' "$BASE_CONFIG"
log "generated $FEEDS feeds ($(calc "printf \"%.1f\", $bytes / 1e6") MB) in $(calc "printf \"%.1f\", $EPOCHREALTIME - $t0") s"
REDB_CONFIG=$WORKDIR/redb.toml
sed -e '/^\[settings\]$/a store = "redb"' -e "s#^db = .*#db = \"$WORKDIR/redb/feedscrub.db\"#" "$BASE_CONFIG" >"$REDB_CONFIG"
"$BIN" --config "$REDB_CONFIG" check >"$WORKDIR/logs/check.out" 2>&1 || {
    tail -n 15 "$WORKDIR/logs/check.out" >&2
    die "feedscrub check rejects the generated config"
}

bench_static_nginx_conf "$NGINX_PORT"
first_url=$(head -n 1 "$WORKDIR/urls.txt")
bench_start_nginx "$first_url"
bench_check_304 "$first_url"
last_url=$(tail -n 1 "$WORKDIR/urls.txt")
curl -sf -o /dev/null --max-time 5 "$last_url" || die "nginx does not answer at $last_url"

# baseline: redb, one process
rm -rf "$WORKDIR/redb"
mkdir -p "$WORKDIR/redb"
run_fetch redb cold "$REDB_CONFIG"
run_fetch redb warm "$REDB_CONFIG"
NOTES+=("redb store after the fetches: $(du -sh "$WORKDIR/redb" | cut -f 1)")

# PostgreSQL, one fetch process
fresh_db bench_fetch
PG_FETCH_CONFIG=$(pg_config bench_fetch)
run_fetch postgres cold "$PG_FETCH_CONFIG" bench_fetch
run_fetch postgres warm "$PG_FETCH_CONFIG" bench_fetch
NOTES+=("postgres database after the fetches: $(sql bench_fetch "SELECT pg_size_pretty(pg_database_size(current_database()))")")
sql postgres "DROP DATABASE bench_fetch" >/dev/null

for w in "${WORKER_LIST[@]}"; do
    run_workers "$w"
done

# the ceiling of this cluster on this machine: pgbench's simple-update transactions
if ((PGBENCH_SECONDS > 0)); then
    fresh_db bench_pgbench
    "$PGBIN/pgbench" -q -i -s 10 -h 127.0.0.1 -p "$PG_PORT" -U postgres bench_pgbench >"$WORKDIR/logs/pgbench-init.log" 2>&1 ||
        die "pgbench -i failed: $(tail -n 3 "$WORKDIR/logs/pgbench-init.log")"
    "$PGBIN/pgbench" -N -c 8 -j 2 -T "$PGBENCH_SECONDS" -h 127.0.0.1 -p "$PG_PORT" -U postgres bench_pgbench >"$WORKDIR/logs/pgbench.log" 2>&1 ||
        die "pgbench failed: $(tail -n 3 "$WORKDIR/logs/pgbench.log")"
    tps=$(awk -F'= ' '/^tps/ { split($2, a, " "); printf "%.0f", a[1]; exit }' "$WORKDIR/logs/pgbench.log")
    NOTES+=("pgbench -N (simple update, 8 clients, 2 threads, $PGBENCH_SECONDS s, scale 10) on the same cluster: $tps transactions/s, the ceiling of durable write transactions here")
    sql postgres "DROP DATABASE bench_pgbench" >/dev/null
fi

grep -E 'ERROR|FATAL|PANIC|deadlock' "$PGDIR/server.log" >"$WORKDIR/logs/pg-errors.log" || true
pg_errors=$(grep -c . "$WORKDIR/logs/pg-errors.log" || true)
if ((pg_errors > 0)); then
    NOTES+=("**WARNING** PostgreSQL's log has $pg_errors ERROR/FATAL/PANIC/deadlock lines: $(top_messages "$WORKDIR/logs/pg-errors.log")")
else
    NOTES+=("PostgreSQL's log: no ERROR/FATAL/PANIC lines")
fi
NOTES+=("the whole run took $SECONDS s")
write_results

echo
cat "$WORKDIR/results.md"
echo
log "results kept in $OUT/"
exit 0
