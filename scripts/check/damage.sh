#!/usr/bin/env bash
# check/damage.sh — what each store engine makes of damaged files (RELIABILITY row 42).
#
# For sled and redb in turn: a fetch stores 40 items, then 4 KiB of random bytes are written
# over the engine's main file (sled's log `db`, redb's `store.redb`) at its start, and in a
# second store at its middle. Then `export` runs and the script prints what a user gets:
#   moved aside  the store was renamed db.corrupt-* with an error line (a loud, safe outcome);
#   error        export failed with a message (loud);
#   N items      export succeeded with N of the 40 items; fewer than 40 without a word is the
#                bad outcome: acknowledged data silently gone.
# Exits 1 if any case lost items silently.
#
# Environment: FEEDSCRUB_BIN=... to use a built binary (default: cargo build --release).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_NAME=check-damage
# shellcheck source=scripts/bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"
bench_begin feedscrub-check-damage
bench_binary

python3 - "$WORKDIR/feed.xml" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>t</title><link>https://example.org/</link>\n')
    for i in range(40):
        f.write(f"<item><title>Item {i}</title><link>https://example.org/{i}</link><guid>g{i}</guid>"
                f"<description>&lt;p&gt;Paragraph {i} of a story, with enough words to be kept as text.&lt;/p&gt;</description></item>\n")
    f.write("</channel></rss>\n")
PY

SILENT=0
for store in sled redb; do
    file=$([[ $store == sled ]] && echo db || echo store.redb)
    for where in start middle; do
        dir=$WORKDIR/$store-$where
        mkdir -p "$dir"
        cp "$WORKDIR/feed.xml" "$dir/feed.xml"
        printf '[settings]\ndb = "db"\nstore = "%s"\n\n[[feed]]\nname = "f"\nurl = "feed.xml"\n' "$store" >"$dir/feeds.toml"
        "$BIN" -q --config "$dir/feeds.toml" fetch >/dev/null 2>&1 || { log "$store: the first fetch failed"; exit 1; }
        size=$(stat -c %s "$dir/db/$file")
        offset=$([[ $where == start ]] && echo 0 || echo $((size / 2 / 4096 * 4096)))
        head -c 4096 /dev/urandom | dd of="$dir/db/$file" bs=1 seek="$offset" conv=notrunc status=none
        out=$(timeout -k 5 60 "$BIN" --config "$dir/feeds.toml" export --format json 2>"$dir/err.txt")
        code=$?
        if compgen -G "$dir/db.corrupt-*" >/dev/null; then
            verdict="moved aside"
        elif ((code != 0)); then
            verdict="error: $(grep -m1 -v '^\s*$' "$dir/err.txt" | cut -c1-120)"
        else
            n=$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))' <<<"$out" 2>/dev/null || echo "?")
            verdict="$n items"
            [[ $n == 40 ]] || { verdict="$verdict (of 40, without an error: SILENT LOSS)"; SILENT=1; }
        fi
        printf '%-5s %-7s (%s bytes, 4 KiB at %s): %s\n' "$store" "$where" "$size" "$offset" "$verdict"
    done
done
exit $SILENT
