#!/usr/bin/env bash
# Copies every "mirror:OWNER/NAME@COMMIT:PATH" source named in scripts/realcorpus/labels/*.json
# from the fetched git directory under /work/.mirror/ into target/realcorpus/OWNER+NAME/PATH.
# Nothing third-party is committed; run this to materialise the feed files locally.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
mirror="${MIRROR_DIR:-/work/.mirror}"
out="$root/target/realcorpus"
mkdir -p "$out"
sources="$(python3 - "$here/labels" <<'PY'
import json, glob, os, sys
seen = set()
for f in sorted(glob.glob(os.path.join(sys.argv[1], '*.json'))):
    try:
        data = json.load(open(f, encoding='utf-8'))
    except Exception as e:
        sys.exit(f"fill.sh: cannot parse {f}: {e}")
    for it in data.get('items', []):
        s = it.get('source', '')
        if s.startswith('mirror:') and s not in seen:
            seen.add(s); print(s)
PY
)"
fail=0; got=0
while IFS= read -r src; do
  [ -z "$src" ] && continue
  rest="${src#mirror:}"; repo="${rest%%@*}"; rest="${rest#*@}"
  commit="${rest%%:*}"; path="${rest#*:}"
  key="${repo/\//+}"
  gitdir=""
  for cand in "$mirror/$key/repo" "$mirror/$key"; do
    if [ -d "$cand" ] && git --git-dir="$cand" rev-parse --git-dir >/dev/null 2>&1; then gitdir="$cand"; break; fi
  done
  if [ -z "$gitdir" ]; then
    echo "fill.sh: MISSING mirror for $repo (expected a git dir at $mirror/$key/repo); fetch github:$repo first" >&2
    fail=1; continue
  fi
  dest="$out/$key/$path"
  mkdir -p "$(dirname "$dest")"
  if git --git-dir="$gitdir" show "$commit:$path" > "$dest.tmp" 2>/dev/null; then
    mv "$dest.tmp" "$dest"; got=$((got+1))
    echo "got $repo@${commit:0:12}:$path -> ${dest#$root/}"
  else
    rm -f "$dest.tmp"
    echo "fill.sh: FAILED $repo: commit $commit or path $path not in $gitdir" >&2
    fail=1
  fi
done <<< "$sources"
echo "fill.sh: $got file(s) copied into ${out#$root/}"
if [ "$fail" -ne 0 ]; then echo "fill.sh: some sources are missing (see above)" >&2; exit 1; fi
