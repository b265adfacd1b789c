#!/usr/bin/env bash
# check/disk-full.sh — a full disk and a read-only data folder, for each store engine
# (RELIABILITY rows 43 and 44). Needs root (it mounts a small tmpfs).
#
# For sled and redb in turn, on an 8 MiB tmpfs:
#   1. fetch a feed with item A                       → stored;
#   2. fill the disk, add item B to the feed, fetch   → a clear error (exit 1), no panic;
#   3. still full: export                             → A is readable;
#   4. free the space, fetch again                    → A and B stored;
#   5. remount read-only, fetch and export            → a clear error; what export does is shown;
# and prints one line per step and engine ("ok" or what happened instead). Every command gets
# 60 s (then SIGKILL): exit code 124 or 137 means it hung.
#
# Bodies of about 1 MB (item B, C) do not fit in what an engine keeps in reserve, so the fetch
# of step 2 really meets the full disk.
#
# Environment: FEEDSCRUB_BIN=... to use a built binary (default: cargo build --release).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_NAME=check-disk-full
# shellcheck source=scripts/bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"
[[ $(id -u) == 0 ]] || die "needs root to mount a tmpfs"
bench_begin feedscrub-check-disk-full
MNT=$WORKDIR/mnt
bench_on_exit() {
    mountpoint -q "$MNT" && umount "$MNT"
}
bench_binary

feed() { # feed FILE ITEM... : an RSS feed with these item ids; every item but A has a body
    # of about 1 MB of words that do not compress away, more than any engine keeps in reserve
    python3 - "$@" <<'PY'
import random, sys
file, ids = sys.argv[1], sys.argv[2:]
rng = random.Random(7)
words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9))) for _ in range(5000)]
with open(file, "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>t</title><link>https://example.org/</link>\n')
    for i in ids:
        n = 10 if i == "A" else 150_000
        body = " ".join(rng.choice(words) for _ in range(n))
        f.write(f"<item><title>Item {i}</title><link>https://example.org/{i}</link><guid>{i}</guid>"
                f"<description>&lt;p&gt;{body}&lt;/p&gt;</description></item>\n")
    f.write("</channel></rss>\n")
PY
}
titles() { # the item titles an export prints, sorted, on one line
    timeout -k 5 60 "$BIN" -q --config "$1" export --format json 2>/dev/null | python3 -c 'import json,sys; print(" ".join(sorted(i["title"] for i in json.load(sys.stdin)["items"])))' 2>/dev/null
}
step() { # step ENGINE WHAT EXPECTED GOT
    if [[ $3 == "$4" ]]; then printf '%-5s %-46s ok\n' "$1" "$2"; else printf '%-5s %-46s expected %s, got %s\n' "$1" "$2" "$3" "$4"; FAIL=1; fi
}

FAIL=0
for store in sled redb; do
    mkdir -p "$MNT"
    mount -t tmpfs -o size=8m tmpfs "$MNT" || die "cannot mount a tmpfs"
    cfg=$WORKDIR/$store.toml
    feed "$WORKDIR/feed.xml" A
    printf '[settings]\ndb = "%s/db"\nstore = "%s"\n\n[[feed]]\nname = "f"\nurl = "feed.xml"\n' "$MNT" "$store" >"$cfg"
    timeout -k 5 60 "$BIN" -q --config "$cfg" fetch >/dev/null 2>&1
    step $store "1 fetch A" "0 Item A" "$? $(titles "$cfg")"

    dd if=/dev/zero of="$MNT/filler" bs=64k status=none 2>/dev/null # until the disk is full
    feed "$WORKDIR/feed.xml" A B
    out=$(timeout -k 5 60 "$BIN" -q --config "$cfg" fetch 2>&1)
    code=$?
    panicked=$(grep -c "panicked" <<<"$out")
    step $store "2 disk full: fetch B fails, no panic" "1 0" "$code $panicked"
    log "$store, disk full, fetch says: $(grep -m1 -i -E 'error|space' <<<"$out" | cut -c1-200)"
    step $store "3 disk full: A still readable" "Item A" "$(titles "$cfg")"

    rm -f "$MNT/filler"
    timeout -k 5 60 "$BIN" -q --config "$cfg" fetch >/dev/null 2>&1
    step $store "4 space freed: fetch stores B, A kept" "0 Item A Item B" "$? $(titles "$cfg")"

    mount -o remount,ro "$MNT"
    feed "$WORKDIR/feed.xml" A B C
    out=$(timeout -k 5 60 "$BIN" -q --config "$cfg" fetch 2>&1)
    code=$?
    step $store "5 read-only: fetch fails clearly, no panic" "1 0" "$code $(grep -c panicked <<<"$out")"
    log "$store, read-only, fetch says: $(grep -m1 -i -E 'error|read-only' <<<"$out" | cut -c1-200)"
    step $store "6 read-only: export still reads A and B" "Item A Item B" "$(titles "$cfg")"
    umount "$MNT"
done
exit $FAIL
