#!/usr/bin/env bash
# Screenshots of the pages `serve` renders for the shipped sample feed, at a phone's and a
# desktop's width, into docs/screenshots/ (shown in README). Needs chromium (apt-get install
# chromium). The store and config live in a temp folder; nothing else is written.
#
#   scripts/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin feedscrub
BIN=$PWD/target/release/feedscrub
OUT=$PWD/docs/screenshots
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
cp examples/sample-feed.xml "$WORK/sample.xml"
printf '[settings]\ndb = "db"\n\n[[feed]]\nname = "sample"\nurl = "sample.xml"\n' > "$WORK/feeds.toml"
(cd "$WORK" && "$BIN" -q fetch)
(cd "$WORK" && exec "$BIN" serve --listen 127.0.0.1:18765 2> serve.log) &
PID=$!
for _ in $(seq 50); do curl -sf http://127.0.0.1:18765/healthz >/dev/null && break; sleep 0.1; done
ITEM=$(curl -s http://127.0.0.1:18765/feeds/sample | grep -o 'href="[^"]*/items/[^"]*bibliothek"' | head -1 | sed 's/^href="//; s/"$//')
shot() { # NAME WIDTH HEIGHT URL
  chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$WORK/profile-$1" \
    --window-size="$2,$3" --screenshot="$OUT/$1.png" "$4" 2>/dev/null
  echo "docs/screenshots/$1.png ($2x$3): $4"
}
shot dashboard-desktop 1280 560 http://127.0.0.1:18765/
shot item-desktop 1280 1100 "$ITEM"
shot item-phone 390 2000 "$ITEM"
