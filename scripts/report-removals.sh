#!/usr/bin/env bash
# report-removals.sh — what `feedscrub clean` removes from real feeds, and what it misses.
#
# Runs scripts/report-removals.py over the real third-party feeds of the shared corpus
# (golem.de with 1x1 cpx pixels, a Swedish Blogger feed with "Annons:" footers, FeedBurner
# feedflare, SimplePie "appeared first on"; read where they lie in ../shared/ and never copied
# into this repository): the richest body of every item goes through
# `feedscrub clean --explain --format html --base-url LINK` (2 jobs). Prints per feed the items,
# the items changed, the removed elements by rule with their most frequent first words, bytes
# in/out; then every possible miss (a tell-tale such as cpx.golem.de, "appeared first on",
# "Annons:", utm_source= or a 1x1 image left in the output) and every possible over-removal
# (output text < 40% of the input text, with the explain lines); last a summary line
#   report-removals: F feeds, I items, R removed elements, M possible misses, O possible over-removals
#
# Usage: scripts/report-removals.sh [ARGS...]
#   ARGS   passed to the python (--jobs N, --top N, --ratio R, --context N, --progress; see --help)
#
# Exit 0 (a report, not a gate: misses and over-removals do not fail it); 2 when the cleaner
# fails or the corpus or binary is missing.
#
# Environment:
#   CORPUS=...         the corpus directory (default: ../shared/corpus/feeds)
#   FEEDSCRUB_BIN=...  use this binary instead of `cargo build --release`
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CORPUS=${CORPUS:-$ROOT/../shared/corpus/feeds}

log() { printf 'report-removals: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

# shellcheck source=scripts/bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"
bench_binary

[[ -d $CORPUS ]] || die "corpus not found: $CORPUS (set CORPUS)"

exec python3 "$ROOT/scripts/report-removals.py" --bin "$BIN" --corpus "$CORPUS" "$@"
