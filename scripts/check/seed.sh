#!/usr/bin/env bash
# Checks the heart of the mission on the REAL seed article, which stays in ../shared/ (it is
# third-party text and is never copied into this repository):
#   ../shared/samples/boerse-global-allianzen.txt  -> must become exactly  ...clean.txt
# both as plain text and as HTML (<p> paragraphs, <h2> headings, the label in <strong>), through
#   1. `feedscrub clean` directly, and
#   2. the whole pipeline: a local feed carrying both forms -> `fetch` -> `export --format json`.
# Exit 0 when all four outputs match, 1 otherwise (with a diff).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seed_dir="${SEED_DIR:-$root/../shared/samples}"
seed="$seed_dir/boerse-global-allianzen.txt"
want="$seed_dir/boerse-global-allianzen.clean.txt"
[ -f "$seed" ] && [ -f "$want" ] || { echo "check-seed: seed files not found in $seed_dir" >&2; exit 1; }
if [ -z "${FEEDSCRUB_BIN:-}" ]; then
  (cd "$root" && cargo build --quiet)
  FEEDSCRUB_BIN="$root/target/debug/feedscrub"
fi
py="$root/scripts/check/seed_forms.py"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

printf '%s\n' "$(cat "$want")" > "$work/want.txt"   # exactly one trailing newline
fail=0
compare() { # name file
  if diff -u "$work/want.txt" "$2" > "$work/$1.diff"; then
    echo "check-seed: $1: ok"
  else
    echo "check-seed: $1: DIFFERS from the clean version:" >&2
    cat "$work/$1.diff" >&2
    fail=1
  fi
}

# 1. The cleaner directly.
"$FEEDSCRUB_BIN" clean --format text "$seed" > "$work/clean-text.txt"
compare "clean (plain text in)" "$work/clean-text.txt"
python3 "$py" html "$seed" > "$work/seed.html"
"$FEEDSCRUB_BIN" clean --format text "$work/seed.html" > "$work/clean-html.txt"
compare "clean (HTML in)" "$work/clean-html.txt"

# 2. The whole pipeline: fetch -> store -> export.
python3 "$py" feed "$seed" "$work/seed.xml"
cat > "$work/feeds.toml" <<TOML
[settings]
db = "db"
[[feed]]
name = "seed"
url = "seed.xml"
TOML
"$FEEDSCRUB_BIN" --config "$work/feeds.toml" --quiet fetch > "$work/fetch.txt" || { cat "$work/fetch.txt" >&2; exit 1; }
"$FEEDSCRUB_BIN" --config "$work/feeds.toml" export --feed seed --format json > "$work/export.json"
python3 "$py" text "$work/export.json" https://seed.example/seed-text > "$work/pipeline-text.txt"
compare "fetch+export (plain-text item)" "$work/pipeline-text.txt"
python3 "$py" text "$work/export.json" https://seed.example/seed-html > "$work/pipeline-html.txt"
compare "fetch+export (HTML item)" "$work/pipeline-html.txt"

if grep -qi 'anzeige' "$work/export.json"; then
  echo "check-seed: an 'Anzeige' label survived in the export" >&2
  fail=1
fi
exit $fail
