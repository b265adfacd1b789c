#!/usr/bin/env bash
# check/fsync.sh — is a refresh on disk before feedscrub reports it stored?
#
# Runs `feedscrub fetch` on a local feed under strace, once per store engine, and checks that
# an fdatasync/fsync comes before the summary line ("… feeds ok …") is written to stdout.
# sled's own flush only issues sync_file_range (no metadata, no device cache flush); the
# store's writer thread adds an fdatasync of its log before it acknowledges a commit. redb
# syncs its file in every commit (Durability::Immediate).
#
# Environment: FEEDSCRUB_BIN=... to use a built binary (default: cargo build --release).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_NAME=check-fsync
# shellcheck source=scripts/bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"
bench_begin feedscrub-check-fsync
bench_need strace:strace
bench_binary

cp "$ROOT/examples/sample-feed.xml" "$WORKDIR/feed.xml"
for store in sled redb; do
    rm -rf "$WORKDIR/db"
    printf '[settings]\ndb = "db"\nstore = "%s"\n\n[[feed]]\nname = "sample"\nurl = "feed.xml"\n' "$store" >"$WORKDIR/feeds.toml"
    trace=$WORKDIR/strace-$store.txt
    strace -f -s 65536 -o "$trace" -e trace=fsync,fdatasync,sync_file_range,write,pwrite64,pwritev,pwritev2 \
        "$BIN" -q --config "$WORKDIR/feeds.toml" fetch >"$WORKDIR/out.txt" || die "$store: feedscrub fetch failed"
    grep -q 'feeds ok' "$WORKDIR/out.txt" || die "$store: no summary line in the output"
    report_line=$(grep -n -E 'write\(1, .*feeds ok' "$trace" | head -n 1 | cut -d: -f1 || true)
    [[ -n $report_line ]] || die "$store: the summary write was not traced"
    # the last sync before the summary, and the last positioned write (the store's pages or
    # log) before it: that write must be covered by the sync
    sync_line=$(head -n "$report_line" "$trace" | grep -n -E '(fdatasync|fsync)\(' | tail -n 1 | cut -d: -f1 || true)
    write_line=$(head -n "$report_line" "$trace" | grep -n -E 'pwrite(64|v|v2)?\(' | tail -n 1 | cut -d: -f1 || true)
    [[ -n $sync_line ]] || die "$store: no fsync or fdatasync before the summary"
    [[ -n $write_line ]] || die "$store: no write to the store was traced"
    ((write_line < sync_line)) || die "$store: the store was written (line $write_line) after the last fsync (line $sync_line) before the summary"
    log "$store ok: $(sed -n "${sync_line}p" "$trace" | sed 's/^[0-9]* *//') before the summary is written"
done
