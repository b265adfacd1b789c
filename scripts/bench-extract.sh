#!/usr/bin/env bash
# The extractor on the AEB benchmark (181 article pages with ground truth, read at run time from
# ../shared/corpus/aeb, never copied): F1/precision/recall of `extract` + the cleaner, scored by
# ../shared/tools/aeb_eval.py, and pages/s of extract + clean on one core beside a scraper parse
# of the same pages (the baseline, measured in the same run), with their ratio.
#
#   scripts/bench-extract.sh [PASSES]      (default 5 timed passes; the best is reported)
#   CMD=1 scripts/bench-extract.sh         also scores `feedscrub extract --format text FILE` per page
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared}
AEB=$SHARED/corpus/aeb
EVAL=$SHARED/tools/aeb_eval.py
PASSES=${1:-5}
CPU=${CPU:-1}

cargo build --release --quiet --example extract_aeb --bin feedscrub
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

echo "== quality (extract + clean, text) on $(ls "$AEB/html" | wc -l) AEB pages"
echo "== speed: one core (taskset -c $CPU), best of $PASSES passes"
taskset -c "$CPU" target/release/examples/extract_aeb "$AEB" "$OUT" "$PASSES"
python3 "$EVAL" --data "$AEB" --outputs "$OUT"
if [[ -n "${CMD:-}" ]]; then
  echo "== the command, one process per page"
  python3 "$EVAL" --data "$AEB" --cmd "$PWD/target/release/feedscrub extract --format text {}"
fi
