#!/usr/bin/env bash
# check/sanitize.sh — proves that no script survives `feedscrub clean --format html`.
#
# Runs scripts/check/sanitize.py over the Universal Feed Parser's hostile
# sanitizer corpus (745 feeds, read where they lie in ../shared/ and never copied
# into this repository): every HTML-bearing field of every feed goes through the
# cleaner, and the output must hold no script, no script-capable element,
# attribute, URL or style (the python's docstring lists the exact checks).
# Prints one summary line, then each unsafe output (file, input, output) and the
# outputs that came out empty although their input had text.
#
# Usage: scripts/check/sanitize.sh [--self-test] [ARGS...]
#   --self-test   run the built-in list of classic XSS payloads instead of the corpus
#   --pages       run those payloads through `fetch` and the pages `serve` renders (titles,
#                 bodies, removed ad text) and check every page
#   other ARGS    passed to the python (--jobs N, --list, --regex, -v; see --help)
#
# Exit 1 when an output is unsafe or the cleaner failed on a fragment, 0 otherwise.
#
# Environment:
#   CORPUS=...         the corpus directory
#                      (default: ../shared/corpus/feedparser/wellformed/sanitize)
#   FEEDSCRUB_BIN=...  use this binary instead of `cargo build --release`
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CORPUS=${CORPUS:-$ROOT/../shared/corpus/feedparser/wellformed/sanitize}

BENCH_NAME=check-sanitize
# shellcheck source=scripts/bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"
bench_binary

self_test=0
for arg in "$@"; do
    [[ $arg == --self-test || $arg == --pages ]] && self_test=1
done
if [[ $self_test == 0 && ! -d $CORPUS ]]; then
    die "corpus not found: $CORPUS (set CORPUS)"
fi

exec python3 "$ROOT/scripts/check/sanitize.py" --bin "$BIN" --corpus "$CORPUS" "$@"
