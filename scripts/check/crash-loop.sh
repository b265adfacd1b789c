#!/usr/bin/env bash
# check/crash-loop.sh N — kill `feedscrub fetch` with SIGKILL at random moments while it refreshes
# a few hundred local feeds, N times, and check after each kill that the store opens, exports
# valid feeds, lost no item a completed fetch reported stored and holds no half-written item.
# See scripts/check/crash_loop.py for the details. Environment: FEEDS=300, SEED=1, WORKDIR=...,
# STORE=sled|redb (the engine; default: feedscrub's default), FEEDSCRUB_BIN=... (default:
# cargo build --release).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_NAME=crash-loop
# shellcheck source=scripts/bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"
bench_begin feedscrub-crash-loop
bench_need python3:python3
bench_binary
python3 "$ROOT/scripts/check/crash_loop.py" "$BIN" "$WORKDIR" "${1:-100}" --feeds "${FEEDS:-300}" --seed "${SEED:-1}" ${STORE:+--store "$STORE"}
