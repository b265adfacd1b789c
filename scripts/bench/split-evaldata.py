#!/usr/bin/env python3
"""Split a trafilatura-style evaldata.json by site into a tuning and a test part.

    scripts/bench/split-evaldata.py EVALDATA.json OUT_DIR

Writes OUT_DIR/evaldata-tune.json and OUT_DIR/evaldata-test.json (and prints their sizes). A
page's site is the host of its URL without "www." (for a key that is no URL, the domain named
in it); a site is in the test part when
int(sha1(site).hexdigest(), 16) % 3 == 0 (as scripts/realcorpus/score.py splits feeds), so about
a third of the sites, with all their pages, are only ever reported, never tuned on.
"""
import hashlib
import json
import os
import re
import sys
from urllib.parse import urlsplit


def site(url):
    host = urlsplit(url).hostname
    if not host:
        # keys that are not URLs ("hard::jamaicaobserver.com-attacks.html"): the domain in them
        m = re.search(r"[a-z0-9][a-z0-9-]*\.[a-z]{2,3}(?=[-._])", url.lower().split("::")[-1])
        host = m.group(0) if m else url
    host = host.lower()
    return host[4:] if host.startswith("www.") else host


def part(url):
    return "test" if int(hashlib.sha1(site(url).encode()).hexdigest(), 16) % 3 == 0 else "tune"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    data = json.load(open(sys.argv[1], encoding="utf-8"))
    parts = {"tune": {}, "test": {}}
    for url, page in data.items():
        parts[part(url)][url] = page
    os.makedirs(sys.argv[2], exist_ok=True)
    for name, pages in parts.items():
        with open(os.path.join(sys.argv[2], f"evaldata-{name}.json"), "w", encoding="utf-8") as f:
            json.dump(pages, f, ensure_ascii=False)
        print(f"{name}: {len(pages)} pages, {len({site(u) for u in pages})} sites")


if __name__ == "__main__":
    main()
