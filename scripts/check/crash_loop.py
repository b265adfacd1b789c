#!/usr/bin/env python3
"""check/crash_loop.py: kill `feedscrub fetch` with SIGKILL at random moments and check the store.

Usage: check/crash_loop.py BIN WORKDIR CYCLES [--feeds N] [--seed S] [--store sled|redb]

WORKDIR gets a feeds.toml and N local feed files (default 300). Every cycle rewrites half of
the feeds so that each lists 20 items of which some are new, starts `BIN fetch`, and kills
it with SIGKILL after a random delay (some runs finish first). After the kill (or the
finish) it checks, timing the first command as the recovery time:

- the store opens: `BIN export --format json --limit 0` exits 0 and prints valid JSON;
- the Atom export parses as XML;
- no item that a *completed* fetch (exit 0) reported stored is missing (of those retention
  must keep: the newest KEEP_CHECKED of each feed, with `retain_items = RETAIN`);
- no item is half-written: every exported item has its title and its whole body: the 40
  words drawn for that item, which end it (a sentence every body ended with would be learned
  as the feed's boilerplate and cut, as it should be).

Half of the feeds change every cycle, so each fetch has work to do; the kill lands at a
random point of a typical run (the typical duration is learned from the runs that finish),
and every fifth run is left to finish.
Prints one line per 100 cycles and a summary; exits 1 if any check failed.
"""

import json
import os
import random
import signal
import subprocess
import sys
import time
import xml.dom.minidom

ITEMS_PER_FEED = 20
RETAIN = 60
# confirmed items this close to the newest of their feed are checked (well inside RETAIN)
KEEP_CHECKED = 40
WORDS = (
    "Rat Stadt Haushalt Schule Verkehr Polizei Brücke Markt Bahnhof Klinik Wasser Strom Park Museum Verein "
    "Gericht Hafen Flughafen Kreis Gemeinde Bürger Wahl Steuer Preis Miete Bau Straße Radweg Bus Bahn Wetter "
    "Sturm Feuer Ernte Fest Konzert Theater Kino Bibliothek Schwimmbad Sporthalle Kita Hochschule Forschung"
).split()


def write_feed(path, feed, first):
    """Feed `feed` listing items first .. first+19 (item n of feed f is the same text always)."""
    items = []
    for n in range(first, first + ITEMS_PER_FEED):
        # every item its own words: near-identical items of different feeds would be shown as
        # one story in the merged export this loop reads, and a paragraph or sentence the
        # feed's items share is learned as its boilerplate
        body = f"&lt;p&gt;Meldung {n} aus Feed {feed}: {item_words(feed, n)}.&lt;/p&gt;"
        items.append(
            f"<item><guid isPermaLink=\"false\">f{feed}-i{n}</guid><title>F{feed}-I{n}</title>"
            f"<link>https://crash.example/{feed}/{n}</link><description>{body}</description></item>"
        )
    doc = (
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel>"
        f"<title>Feed {feed}</title><link>https://crash.example/{feed}/</link><description>d</description>"
        + "".join(items)
        + "</channel></rss>"
    )
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(doc)
    os.replace(tmp, path)


def item_words(feed, n):
    """The words of item n of feed `feed`, the same in every cycle."""
    return " ".join(random.Random(feed * 100003 + n).choices(WORDS, k=40))


def feed_of(title):
    return int(title[1:].split("-I")[0])


def item_number(title):
    return int(title.split("-I")[1])


def listed(first):
    return range(first, first + ITEMS_PER_FEED)


def main():
    args = sys.argv[1:]
    if len(args) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    binary, workdir, cycles = os.path.abspath(args[0]), args[1], int(args[2])
    feeds = int(args[args.index("--feeds") + 1]) if "--feeds" in args else 300
    rng = random.Random(int(args[args.index("--seed") + 1]) if "--seed" in args else 1)
    store = args[args.index("--store") + 1] if "--store" in args else None
    os.makedirs(os.path.join(workdir, "feeds"), exist_ok=True)
    config = os.path.join(workdir, "feeds.toml")
    with open(config, "w") as f:
        # retention keeps the newest RETAIN items of each feed: the store stays small, and the
        # newest KEEP_CHECKED of them must always be there
        f.write(f"[settings]\ndb = \"db\"\nconcurrency = 16\nretain_items = {RETAIN}\nretain_days = 36500\n")
        if store:
            f.write(f"store = \"{store}\"\n")
        for i in range(feeds):
            f.write(f"\n[[feed]]\nname = \"f{i:04d}\"\nurl = \"feeds/{i:04d}.xml\"\n")
    first = [0] * feeds
    for i in range(feeds):
        write_feed(os.path.join(workdir, "feeds", f"{i:04d}.xml"), i, 0)

    confirmed = set()  # titles a completed fetch reported stored
    stats = {"cycles": 0, "killed": 0, "completed": 0, "open_failures": 0, "lost": 0, "partial": 0,
             "invalid_export": 0}
    recovery = []
    failures = []
    base = ["--config", config]
    typical = 1.0  # seconds a fetch takes; adjusted as runs finish
    for cycle in range(1, cycles + 1):
        for i in rng.sample(range(feeds), max(1, feeds // 2)):
            first[i] += rng.randint(1, 5)
            write_feed(os.path.join(workdir, "feeds", f"{i:04d}.xml"), i, first[i])
        expected_now = {f"F{i}-I{n}" for i in range(feeds) for n in listed(first[i])}
        proc = subprocess.Popen([binary, "-q", *base, "fetch"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, cwd=workdir)
        # kill somewhere inside a typical run (learned from the runs that finished); every
        # fifth run is left to finish, so the set of items reported stored keeps growing
        delay = None if cycle % 5 == 0 else rng.random() * typical * 1.1
        started = time.monotonic()
        try:
            code = proc.wait(timeout=delay)
            typical = 0.8 * typical + 0.2 * (time.monotonic() - started)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            code = None
        stats["cycles"] += 1
        if code is None:
            stats["killed"] += 1
        elif code == 0:
            stats["completed"] += 1
            confirmed |= expected_now
        # recovery: the first command after the kill opens the store
        t0 = time.monotonic()
        out = subprocess.run([binary, "-q", *base, "export", "--format", "json", "--limit", "0"],
                             capture_output=True, text=True, cwd=workdir)
        recovery.append(time.monotonic() - t0)
        if out.returncode != 0:
            stats["open_failures"] += 1
            failures.append(f"cycle {cycle}: export exited {out.returncode}: {out.stderr.strip()[:300]}")
            continue
        try:
            items = json.loads(out.stdout)["items"]
        except (ValueError, KeyError) as e:
            stats["invalid_export"] += 1
            failures.append(f"cycle {cycle}: JSON export does not parse: {e}")
            continue
        titles = set()
        for it in items:
            title = it.get("title", "")
            html = it.get("content_html", "")
            titles.add(title)
            whole = title.startswith("F") and f"{item_words(feed_of(title), item_number(title))}." in html
            if not whole:
                stats["partial"] += 1
                failures.append(f"cycle {cycle}: half-written item {title!r}: {html[-80:]!r}")
        missing = {t for t in confirmed - titles if item_number(t) >= first[feed_of(t)] + ITEMS_PER_FEED - KEEP_CHECKED}
        if missing:
            stats["lost"] += len(missing)
            failures.append(f"cycle {cycle}: {len(missing)} confirmed items missing, e.g. {sorted(missing)[:3]}")
        if cycle % 10 == 0:
            atom = subprocess.run([binary, "-q", *base, "export", "--format", "atom", "--limit", "0"],
                                  capture_output=True, text=True, cwd=workdir)
            try:
                xml.dom.minidom.parseString(atom.stdout.encode())
            except Exception as e:  # noqa: BLE001 - any parse error is a failure
                stats["invalid_export"] += 1
                failures.append(f"cycle {cycle}: Atom export is not XML: {e}")
        if cycle % 100 == 0:
            print(f"crash-loop: {cycle} cycles, {stats['killed']} killed, {len(confirmed)} confirmed items, "
                  f"{len(failures)} failures", flush=True)
    recovery.sort()
    p = lambda q: recovery[min(len(recovery) - 1, int(q * len(recovery)))] * 1000  # noqa: E731
    print(f"crash-loop: {stats['cycles']} cycles ({stats['killed']} killed mid-run, {stats['completed']} completed), "
          f"{len(confirmed)} items confirmed stored; open failures {stats['open_failures']}, "
          f"lost items {stats['lost']}, partial items {stats['partial']}, invalid exports {stats['invalid_export']}; "
          f"recovery (first command after the kill) median {p(0.5):.0f} ms, p99 {p(0.99):.0f} ms")
    for f in failures[:20]:
        print("  " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
