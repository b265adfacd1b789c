#!/usr/bin/env bash
# check-fsync.sh — is a refresh on disk before feedscrub reports it stored?
#
# Runs `feedscrub fetch` on a local feed under strace and checks that an fdatasync/fsync of
# the store's log file comes before the summary line ("… feeds ok …") is written to stdout.
# sled's own flush only issues sync_file_range (no metadata, no device cache flush); the
# store's writer thread adds an fdatasync before it acknowledges a commit.
#
# Environment: FEEDSCRUB_BIN=... to use a built binary (default: cargo build --release).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log() { printf 'check-fsync: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
# shellcheck source=scripts/bench-lib.sh
source "$ROOT/scripts/bench-lib.sh"
OWN_WORKDIR=0
bench_workdir feedscrub-check-fsync
trap '[[ $OWN_WORKDIR == 1 ]] && rm -rf "$WORKDIR"' EXIT
bench_need strace:strace
bench_binary

cp "$ROOT/examples/sample-feed.xml" "$WORKDIR/feed.xml"
printf '[settings]\ndb = "db"\n\n[[feed]]\nname = "sample"\nurl = "feed.xml"\n' >"$WORKDIR/feeds.toml"
trace=$WORKDIR/strace.txt
strace -f -s 65536 -o "$trace" -e trace=fsync,fdatasync,sync_file_range,write \
    "$BIN" -q --config "$WORKDIR/feeds.toml" fetch >"$WORKDIR/out.txt" || die "feedscrub fetch failed"
grep -q 'feeds ok' "$WORKDIR/out.txt" || die "no summary line in the output"
sync_line=$(grep -n -E '(fdatasync|fsync)\(' "$trace" | head -n 1 | cut -d: -f1 || true)
report_line=$(grep -n -E 'write\(1, .*feeds ok' "$trace" | head -n 1 | cut -d: -f1 || true)
[[ -n $sync_line ]] || die "no fsync or fdatasync at all"
[[ -n $report_line ]] || die "the summary write was not traced"
((sync_line < report_line)) || die "the summary was written (line $report_line) before any fsync (line $sync_line)"
log "ok: $(sed -n "${sync_line}p" "$trace" | sed 's/^[0-9]* *//') before the summary is written"
