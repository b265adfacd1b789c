#!/usr/bin/env bash
# check/encodings.sh — does `feedscrub fetch` decode every feedparser encoding fixture?
#
# Runs scripts/check/encodings.py over the Universal Feed Parser's encoding fixtures (82
# files, read where they lie in ../shared/ and never copied into this repository). Each
# fixture is served from a local HTTP server on 127.0.0.1 with the HTTP headers its
# `Header:` lines declare, beside a UTF-8 control (python's decoding of it) and a probe (its
# BOM, prolog and headers around non-ASCII text in the same encoding); one `feedscrub fetch`
# reads them all into a store of its own in a temporary directory, `feedscrub export` writes
# each back as JSON, and the python compares (the python's docstring has the details and
# the groups of fixtures that are not about decoding, with their reasons).
#
# Prints the fixtures that failed, the not-applicable groups with what feedscrub did with
# them, the probes that failed, and "N/82 decoded correctly".
#
# Usage: scripts/check/encodings.sh [-v]   (-v: one line per fixture)
#
# Exit 1 when a fixture or a probe is decoded wrongly, 0 otherwise.
#
# Environment:
#   CORPUS=...         the fixtures (default: ../shared/corpus/feedparser/encoding)
#   PORT=0             the local server's port (0: any free one)
#   WORKDIR=...        default: mktemp -d under /tmp, removed on exit
#   FEEDSCRUB_BIN=...  use this binary instead of `cargo build --release`
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CORPUS=${CORPUS:-$ROOT/../shared/corpus/feedparser/encoding}

BENCH_NAME=check-encodings
# shellcheck source=scripts/bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"
bench_begin feedscrub-check-encodings

[[ -d $CORPUS ]] || die "corpus not found: $CORPUS (set CORPUS)"
bench_need python3:python3
bench_binary

python3 "$ROOT/scripts/check/encodings.py" --bin "$BIN" --corpus "$CORPUS" \
    --workdir "$WORKDIR" --port "${PORT:-0}" "$@"
