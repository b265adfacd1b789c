#!/usr/bin/env bash
# The pages `serve` renders, timed: a generated feed of ITEMS items (default 500, about 2 KB
# of article each with an "Anzeige" block, one of about 20 KB) is fetched into a temp store, `serve` started on
# it, and each page requested REQUESTS times (default 50) with curl over loopback; the median
# total time per page is printed beside the median of `/healthz` (the baseline: the same
# request path with nothing to render), and the item page's size.
#
#   scripts/bench/pages.sh [ITEMS] [REQUESTS]
set -euo pipefail
cd "$(dirname "$0")/../.."
ITEMS=${1:-500}
REQUESTS=${2:-50}
PORT=${PORT:-18766}
cargo build --release --quiet --bin feedscrub
BIN=$PWD/target/release/feedscrub
WORK=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
python3 - "$WORK/big.xml" "$ITEMS" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
items = []
for i in range(n):
    # every item's own sentences (a sentence shared by most items would be learned as boilerplate)
    # item 42 is a long article (about 20 KB of text), the others about 2 KB
    sentences = 280 if i == 42 else 28
    body = "<p>" + " ".join(f"In Sitzung {i} beriet der Gemeinderat Punkt {k} des Haushalts lange." for k in range(sentences)) + f"</p><p>Anzeige</p><p>Jetzt testen und sparen, Angebot {i}!</p><p>Ende der Meldung {i}.</p>"
    items.append(f"<item><title>Meldung {i}</title><link>https://news.example/{i}</link><guid>g{i}</guid>"
                 f"<pubDate>Mon, {1 + i % 28:02d} Sep 2026 10:{i % 60:02d}:00 GMT</pubDate><description><![CDATA[{body}]]></description></item>")
open(path, "w").write('<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title><link>https://news.example/</link>' + "".join(items) + "</channel></rss>")
PY
printf '[settings]\ndb = "db"\nretain_items = %d\n\n[[feed]]\nname = "big"\nurl = "big.xml"\n' "$((ITEMS * 2))" > "$WORK/feeds.toml"
(cd "$WORK" && "$BIN" -q fetch >/dev/null)
(cd "$WORK" && exec "$BIN" serve --listen "127.0.0.1:$PORT" 2> serve.log) &
PID=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
median() { # PATH: median seconds of REQUESTS requests
  for _ in $(seq "$REQUESTS"); do curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$PORT$1"; done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
base=$(median /healthz)
echo "($WORK) feed of $ITEMS items, median of $REQUESTS requests each over loopback; baseline /healthz ${base}s"
for p in / /feeds/big "/feeds/big?page=$((ITEMS / 40 + 1))" /feeds/big/items/guid%3Ag42; do
  m=$(median "$p")
  printf '  %-32s %8.2f ms  (%.1fx /healthz)\n' "$p" "$(echo "$m * 1000" | bc -l)" "$(echo "$m / $base" | bc -l)"
done
size=$(curl -s "http://127.0.0.1:$PORT/feeds/big/items/guid%3Ag42" | wc -c)
article=$(grep -o '<item><title>Meldung 42<.*' "$WORK/big.xml" | sed 's/<\/item>.*//' | wc -c)
echo "  item page: $size bytes of HTML for an article of $article bytes"
