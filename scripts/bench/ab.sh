#!/usr/bin/env bash
# bench/ab.sh — is this tree slower than an older revision? Both builds, alternating, one run.
#
# Usage: scripts/bench/ab.sh OLD_REV [NEW_REV] [ROUNDS]
#
# Builds OLD_REV in a git worktree under /tmp (a target dir of its own; kept between runs,
# so a second run builds nothing), and NEW_REV the same way (default: this working tree, as
# it is), then ROUNDS times (default 3), old first then new each time:
#   clean    `cargo bench --bench clean` (criterion, corpus/cleaner and the scraper-parse
#            baseline of the same run): the cleaner's time per corpus pass
#   refresh  scripts/bench/refresh.sh with FEEDSCRUB_BIN set (RUNS=1, FEEDS=${FEEDS:-1000}):
#            the cold and warm fetch, as ratios against the curl baseline of the same run
# and prints every figure, the medians and new/old. Alternating keeps the machine's drift
# (these VMs swing by ±25 % between minutes) out of the comparison.
set -euo pipefail

OLD=${1:?usage: scripts/bench/ab.sh OLD_REV [NEW_REV] [ROUNDS]}
NEW=${2:-}
ROUNDS=${3:-3}
SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$SCRIPTS"

log() { printf 'bench-ab: %s\n' "$*" >&2; }

# A worktree of REV under /tmp (kept: a second run builds nothing new).
worktree() {
    local sha dir
    sha=$(git rev-parse --short "$1")
    dir=/tmp/feedscrub-bench-ab-$sha
    if [[ ! -d $dir ]]; then
        log "worktree of $sha in $dir"
        git worktree add -f --detach "$dir" "$sha" >/dev/null
    fi
    echo "$dir"
}
OLD_SHA=$(git rev-parse --short "$OLD")
TREE=$(worktree "$OLD")
if [[ -n $NEW ]]; then
    ROOT=$(worktree "$NEW") NEW_NAME=$(git rev-parse --short "$NEW")
else
    ROOT=$SCRIPTS NEW_NAME="$(git rev-parse --short HEAD)$(git diff --quiet || echo +changes)"
fi
for dir in "$TREE" "$ROOT"; do
    log "building $dir"
    (cd "$dir" && cargo build --release -q && cargo bench --bench clean --no-run -q 2>/dev/null)
done

# criterion's estimate for one benchmark, in ms
criterion_ms() { # DIR FILTER
    (cd "$1" && cargo bench -q --bench clean -- --warm-up-time 2 --measurement-time 8 "$2" 2>/dev/null) |
        awk '/time:/ { v = $(NF-3); u = $(NF-2); gsub(/\[/, "", v);
             if (u == "µs") v /= 1000; if (u == "s") v *= 1000; print v; exit }'
}
# bench-refresh's cold and warm ratios against curl
refresh_ratios() { # BIN
    FEEDSCRUB_BIN=$1 RUNS=1 FEEDS=${FEEDS:-1000} "$SCRIPTS/scripts/bench/refresh.sh" 2>/dev/null |
        awk '/^cold fetch/ { for (i = 1; i <= NF; i++) if ($i ~ /x$/) c = $i }
             /^warm fetch/ { for (i = 1; i <= NF; i++) if ($i ~ /x$/) w = $i }
             END { sub(/x/, "", c); sub(/x/, "", w); print c, w }'
}
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

declare -a OC NC OP NP ORC NRC ORW NRW
for r in $(seq "$ROUNDS"); do
    OC+=("$(criterion_ms "$TREE" corpus/cleaner)") OP+=("$(criterion_ms "$TREE" corpus/scraper_parse_only)")
    NC+=("$(criterion_ms "$ROOT" corpus/cleaner)") NP+=("$(criterion_ms "$ROOT" corpus/scraper_parse_only)")
    read -r oc ow < <(refresh_ratios "$TREE/target/release/feedscrub")
    read -r nc nw < <(refresh_ratios "$ROOT/target/release/feedscrub")
    ORC+=("$oc") ORW+=("$ow") NRC+=("$nc") NRW+=("$nw")
    log "round $r/$ROUNDS: cleaner old ${OC[-1]} ms (parse ${OP[-1]}) new ${NC[-1]} ms (parse ${NP[-1]});" \
        "refresh cold old ${oc}x new ${nc}x curl, warm old ${ow}x new ${nw}x curl"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
mo=$(median "${OC[@]}") mn=$(median "${NC[@]}")
po=$(median "${OP[@]}") pn=$(median "${NP[@]}")
co=$(median "${ORC[@]}") cn=$(median "${NRC[@]}")
wo=$(median "${ORW[@]}") wn=$(median "${NRW[@]}")
echo
echo "bench-ab: $OLD_SHA (old) vs $NEW_NAME (new), $ROUNDS rounds, medians"
echo "clean bench   cleaner: old $mo ms, new $mn ms, new/old $(ratio "$mn" "$mo")   (scraper parse: old $po, new $pn ms)"
echo "              cleaner per parse: old $(ratio "$mo" "$po"), new $(ratio "$mn" "$pn")"
echo "bench-refresh cold (x curl): old $co, new $cn, new/old $(ratio "$cn" "$co")"
echo "bench-refresh warm (x curl): old $wo, new $wn, new/old $(ratio "$wn" "$wo")"
