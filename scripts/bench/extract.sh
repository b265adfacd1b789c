#!/usr/bin/env bash
# The extractor (`extract` + the cleaner, as text) beside trafilatura on two benchmarks, both read
# in place at run time from ../shared/corpus (never copied; outputs go to a temp dir removed on exit):
#
# 1. AEB (181 article pages with ground truth): F1/precision/recall/accuracy of feedscrub and of
#    trafilatura, both scored by ../shared/tools/aeb_eval.py (one row each), plus pages/s of
#    extract + clean on one core beside a scraper parse of the same pages (the baseline, measured
#    in the same run), with their ratio.
# 2. trafilatura-dev (502 pages, "with"/"without" snippets): feedscrub and trafilatura scored by
#    ../shared/tools/trafilatura_eval.py on three subsets -- tune and test (split by site with
#    scripts/bench/split-evaldata.py) and all -- one row per extractor and subset ("feedscrub tune",
#    "trafilatura tune", ...: P R Acc F1 tp/fp/fn/tn, errors, empty outputs), plus the same
#    speed line for feedscrub on these pages.
#
# trafilatura is scripts/bench/trafilatura_peer.py (in-process trafilatura.extract(page bytes,
# include_comments=False, include_tables=True), None -> empty output, TRAF_JOBS worker processes,
# default 2), which also prints its pages/s in one process, for information. It runs from a
# throw-away venv in TRAF_VENV (default target/trafilatura-venv, git-ignored), set up with
# `python3 -m venv` and `pip install trafilatura==2.3.1 lxml_html_clean` only when trafilatura of
# that version does not import there: the first run needs network access to PyPI, later runs reuse
# the venv. If `python3 -m venv` fails (Debian/Ubuntu without ensurepip), run
# `apt-get install -y python3-venv` first.
#
#   scripts/bench/extract.sh [PASSES]      (default 5 timed passes; the best is reported)
#   SKIP_TRAF=1 scripts/bench/extract.sh   feedscrub only (no venv, no trafilatura rows)
#   PERDOC_DIR=DIR scripts/bench/extract.sh
#                                          also writes feedscrub's trafilatura_eval.py --per-doc
#                                          JSONL per subset: DIR/feedscrub-{tune,test,all}.jsonl
#   CMD=1 scripts/bench/extract.sh         also scores `feedscrub extract --format text FILE` per
#                                          AEB page
#   CPU=N                                  the core for the timed passes (taskset; default 1)
set -euo pipefail
# PERDOC_DIR and TRAF_VENV as given relative to the caller's directory; the rest to the repo root.
if [[ -n "${PERDOC_DIR:-}" ]]; then PERDOC_DIR=$(realpath -m "$PERDOC_DIR"); fi
if [[ -n "${TRAF_VENV:-}" ]]; then TRAF_VENV=$(realpath -m "$TRAF_VENV"); fi
cd "$(dirname "$0")/../.."
SHARED=${SHARED:-../shared}
AEB=$SHARED/corpus/aeb
TDEV=$SHARED/corpus/trafilatura-dev
AEB_EVAL=$SHARED/tools/aeb_eval.py
TRAF_EVAL=$SHARED/tools/trafilatura_eval.py
PASSES=${1:-5}
CPU=${CPU:-1}
TRAF=1
if [[ -n "${SKIP_TRAF:-}" && "$SKIP_TRAF" != 0 ]]; then TRAF=; fi
TRAF_VERSION=2.3.1
VENV=${TRAF_VENV:-target/trafilatura-venv}
TRAF_JOBS=${TRAF_JOBS:-2}

cargo build --release --quiet --example extract_pages --bin feedscrub
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if [[ -n "$TRAF" ]] &&
  ! "$VENV/bin/python" -c "import sys, trafilatura; sys.exit(trafilatura.__version__ != '$TRAF_VERSION')" 2>/dev/null; then
  echo "== installing trafilatura==$TRAF_VERSION into $VENV (once)"
  python3 -m venv "$VENV" || {
    echo "bench-extract: python3 -m venv failed; try apt-get install -y python3-venv" >&2
    exit 1
  }
  # lxml_html_clean by name: jusText (a trafilatura dependency) asks for lxml[html_clean], an extra
  # that newer lxml releases no longer provide, and then fails to import lxml.html.clean.
  "$VENV/bin/pip" install -q --disable-pip-version-check "trafilatura==$TRAF_VERSION" lxml_html_clean
fi

# feedscrub over DIR into OUT, with the timed passes on one core; its lines prefixed "feedscrub: ".
feedscrub() {
  taskset -c "$CPU" target/release/examples/extract_pages "$1" "$2" "$PASSES" | sed 's/^/feedscrub: /'
}
peer() {
  "$VENV/bin/python" scripts/bench/trafilatura_peer.py "$1" "$2" "$TRAF_JOBS"
}

echo
echo "== AEB: $(ls "$AEB/html" | wc -l) pages, scored by aeb_eval.py; speed on one core (taskset -c $CPU), best of $PASSES passes"
feedscrub "$AEB" "$TMP/aeb-feedscrub"
if [[ -n "$TRAF" ]]; then peer "$AEB" "$TMP/aeb-trafilatura"; fi
row=$(python3 "$AEB_EVAL" --data "$AEB" --outputs "$TMP/aeb-feedscrub")
printf '%-12s %s\n' feedscrub "$row"
if [[ -n "$TRAF" ]]; then
  row=$(python3 "$AEB_EVAL" --data "$AEB" --outputs "$TMP/aeb-trafilatura")
  printf '%-12s %s\n' trafilatura "$row"
fi
if [[ -n "${CMD:-}" ]]; then
  echo "== the command, one process per page"
  python3 "$AEB_EVAL" --data "$AEB" --cmd "$PWD/target/release/feedscrub extract --format text {}"
fi

echo
echo "== trafilatura-dev: $(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$TDEV/evaldata.json") pages, scored by trafilatura_eval.py; speed as above"
python3 scripts/bench/split-evaldata.py "$TDEV/evaldata.json" "$TMP/split" | sed 's/^/subset /'
feedscrub "$TDEV" "$TMP/tdev-feedscrub"
if [[ -n "$TRAF" ]]; then peer "$TDEV" "$TMP/tdev-trafilatura"; fi
if [[ -n "${PERDOC_DIR:-}" ]]; then mkdir -p "$PERDOC_DIR"; fi

# One row: NAME SUBSET OUTDIR -> "NAME SUBSET  P R Acc F1 tp/fp/fn/tn  errors=.. empty_outputs=..".
score() {
  local name=$1 sub=$2 out=$3 evaldata=$TDEV/evaldata.json res all tail
  if [[ $sub != all ]]; then evaldata=$TMP/split/evaldata-$sub.json; fi
  local perdoc=()
  if [[ $name == feedscrub && -n "${PERDOC_DIR:-}" ]]; then
    perdoc=(--per-doc "$PERDOC_DIR/feedscrub-$sub.jsonl")
  fi
  res=$(python3 "$TRAF_EVAL" --data "$TDEV" --evaldata "$evaldata" --outputs "$out" --name "$name $sub" "${perdoc[@]}")
  all=$(grep -m1 '^all ' <<<"$res")
  tail=$(grep -m1 -o '^errors=[0-9]* empty_outputs=[0-9]*' <<<"$res")
  printf '%-18s%s  %s\n' "$name $sub" "${all:10}" "$tail"
}
printf '%-18s %6s %6s %6s %6s   %s\n' "" P R Acc F1 tp/fp/fn/tn
for sub in tune test all; do
  score feedscrub "$sub" "$TMP/tdev-feedscrub"
  if [[ -n "$TRAF" ]]; then score trafilatura "$sub" "$TMP/tdev-trafilatura"; fi
done
