#!/usr/bin/env python3
"""Checks label files of the real-feed corpus without running feedscrub (for labelers, who must
never see its output).

Usage (from the repository root):

    python3 scripts/realcorpus/check_labels.py scripts/realcorpus/labels/e.json [...]

For every item: the file is well formed (the same checks score.py applies), the source file
exists (run scripts/realcorpus/fill.sh first for mirror: sources), the item at `index` has the
labeled `title`, and every `drop`, `labels`, `either` and `keep` snippet is found in the item's
body as score.py reads it (the same normalization). Prints one line per problem, then counts:
items, sites, languages, the tune/test split of the sites. Exit 0 when nothing is wrong, 1 when
something is, 2 on usage errors.
"""

import collections
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import score  # noqa: E402  (the scorer's own reading of feeds and labels)


def main(argv):
    if not argv:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    problems, malformed, wrong = [], [], 0
    items = []
    for f in argv:
        _, got = score.load_labels(f, problems, malformed)
        items += got
    parsed = {}
    sites, langs = collections.Counter(), collections.Counter()
    for it in items:
        where = f"{it['_file']} items[{it['_pos']}] ({it['title'][:50]!r})"
        sites[it["site"]] += 1
        langs[it["lang"]] += 1
        src = it["source"]
        if src not in parsed:
            try:
                path = score.resolve_source(src)
                parsed[src] = score.parse_source(path)[0] if path.exists() else f"missing file {path}"
            except Exception as e:  # a feed file the scorer cannot read is a label problem
                parsed[src] = f"unreadable: {e}"
        feed = parsed[src]
        if isinstance(feed, str):
            print(f"{where}: source {src}: {feed}")
            wrong += 1
            continue
        if it["index"] >= len(feed):
            print(f"{where}: index {it['index']} but the feed has {len(feed)} items")
            wrong += 1
            continue
        item = feed[it["index"]]
        if not (score.title_keys(it["title"]) & score.title_keys(item["title"])):
            print(f"{where}: the item at index {it['index']} is titled {item['title'][:60]!r}")
            wrong += 1
            continue
        body = score.pad(score.norm(item["body"]))
        for key in score.LIST_KEYS:
            for snip in it.get(key, []):
                ns = score.norm(snip)
                if ns and score.count_occurrences(body, ns) == 0:
                    print(f"{where}: {key} snippet not found in the body: {snip[:80]!r}")
                    wrong += 1
    for p in problems:
        print(p)
    parts = collections.Counter(score.part_of(s) for s in sites)
    print(f"{len(items)} items, {len(sites)} sites ({parts['tune']} tune, {parts['test']} test), "
          f"languages {dict(langs)}; {wrong + len(problems)} problems")
    return 1 if wrong or problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
