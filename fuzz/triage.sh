#!/usr/bin/env bash
# Replays every artifact of a target and groups them by what broke (panic location and the
# first line of its message), smallest input first, so a fork-mode run with -ignore_crashes
# that saved many crashes reads as a few bugs.
#
# Usage: fuzz/triage.sh TARGET   (after `cargo +nightly fuzz build TARGET`)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
target="${1:?usage: triage.sh TARGET}"
bin="$here/target/x86_64-unknown-linux-gnu/release/$target"
[[ -x "$bin" ]] || { echo "triage.sh: build first: cargo +nightly fuzz build $target" >&2; exit 1; }
shopt -s nullglob
for f in "$here/artifacts/$target"/*; do
    out=$(RUST_BACKTRACE=1 FEEDSCRUB_FUZZ_SKIP_IDEMPOTENCE="${FEEDSCRUB_FUZZ_SKIP_IDEMPOTENCE:-}" timeout 60 "$bin" "$f" 2>&1 || true)
    # Where in feedscrub: the first backtrace frame in src/, else the panic's own location.
    where=$(grep -m1 -o "at $root/src/[^ ]*" <<<"$out" | sed "s|at $root/||" || true)
    [[ -z "$where" ]] && where=$(grep -m1 -o "panicked at [^ ]*" <<<"$out" | sed 's/panicked at //; s/:$//' || true)
    what=$(grep -m1 -A1 "panicked at" <<<"$out" | tail -n1 | cut -c1-100 || true)
    [[ -z "$where" ]] && { where="no panic"; what="(does not reproduce)"; }
    printf '%s\t%s\t%s\t%s\n' "$where" "$what" "$(stat -c %s "$f")" "${f#"$here"/}"
done | sort -t$'\t' -k1,1 -k3,3n | awk -F'\t' '
    function flush() { if (n > 3) print "  ... " n - 3 " more" }
    $1 != last { if (last != "") { flush(); print "" } print $1 "  (" $2 ")"; last = $1; n = 0 }
    { if (n++ < 3) print "  " $3 " bytes  " $4 }
    END { flush() }'
