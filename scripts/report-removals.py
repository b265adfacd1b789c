#!/usr/bin/env python3
"""report-removals.py — what `feedscrub clean` removes from real feeds, and what it misses.

Every feed file in CORPUS (real third-party feeds, read where they lie in ../shared/ and never
copied into this repository) is parsed; for each RSS <item> / Atom <entry> the richest body is
taken (content:encoded, else Atom content, else description, else summary; the first that is not
blank) with the item's link (RSS <link>, else Atom <link rel="alternate">, else a URL-shaped
<guid>/<id>), and the body goes through

    feedscrub --quiet clean --explain --format html [--base-url LINK] -

(in parallel, --jobs processes at once). The explain lines on stderr say which rule removed
which element. Field extraction (entities, CDATA, inline XHTML, base64) is the one of
scripts/check/sanitize.py, imported with importlib.

Report (stdout):
  * per feed: items, items with something removed, removed elements (ads / boilerplate, and by
    rule), bytes in / bytes out, visible text in / out;
  * per feed and rule: the most frequent removed "first words" (--top, default 5);
  * POSSIBLE MISS: items whose cleaned output still holds a tell-tale of tracking or boilerplate
    (cpx.golem.de, feeds.feedburner.com/~, feedproxy.google.com/~, "appeared first on",
    "erschien zuerst auf", "Annons:", utm_source=, an element with width="1" and height="1",
    "Läs mer", sharer, twitter.com/intent, feedsportal; case-insensitive, also after HTML
    entities are decoded), with the feed, item link and the 120 characters around each;
  * POSSIBLE OVER-REMOVAL: items whose output text (tags stripped, whitespace collapsed) is
    shorter than --ratio (default 0.4) of the input text, with the explain lines;
  * a last line:
    report-removals: F feeds, I items, R removed elements, M possible misses, O possible over-removals

Exit status: 0, also when misses or over-removals are found (this is a report, not a gate);
2 when the binary fails (does not run, exits non-zero, times out) or on usage errors.
"""

import argparse
import collections
import concurrent.futures
import html
import importlib.util
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))


def load_check_sanitize():
    """scripts/check/sanitize.py as a module (its name has a dash: no plain import)."""
    sys.dont_write_bytecode = True  # no scripts/__pycache__ left behind
    path = os.path.join(HERE, "check/sanitize.py")
    spec = importlib.util.spec_from_file_location("check_sanitize", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


cs = load_check_sanitize()

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
ATOM_NS = "http://www.w3.org/2005/Atom"

# Body fields in order of preference: (namespace or None for any, local name).
BODY_FIELDS = [
    (CONTENT_NS, "encoded"),
    (None, "content"),
    (None, "description"),
    (None, "summary"),
]

RULES = ["ad-label", "ad-class", "boilerplate-class", "pixel", "share-link", "boilerplate", "pitch", "learned",
         "feed-remove", "feed-remove-text", "unsafe"]

# (label, compiled pattern) searched case-insensitively in the cleaned output.
TELLTALES = [(t, re.compile(re.escape(t), re.I)) for t in (
    "cpx.golem.de", "feeds.feedburner.com/~", "feedproxy.google.com/~", "appeared first on",
    "erschien zuerst auf", "Annons:", "utm_source=", "Läs mer", "sharer", "twitter.com/intent",
    "feedsportal",
)]
TAG_RX = re.compile(r"<[A-Za-z][^>]*>")
W1_RX = re.compile(r"""\swidth\s*=\s*["']?\s*1(?:px)?\s*["'\s/>]""", re.I)
H1_RX = re.compile(r"""\sheight\s*=\s*["']?\s*1(?:px)?\s*["'\s/>]""", re.I)

HEADER_RX = re.compile(r"^removed (\d+) ads and (\d+) boilerplate blocks \((\d+) elements\):?$")
LINE_RX = re.compile(r'^  (\S+) +"((?:[^"\\]|\\.)*)" *(.*)$')
RUST_ESC = re.compile(r"\\(u\{[0-9a-fA-F]+\}|.)")


def rust_unquote(s):
    """The inside of a Rust `{:?}` string literal, unescaped."""
    simple = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", '"': '"', "'": "'", "\\": "\\"}

    def rep(m):
        e = m.group(1)
        if e.startswith("u{"):
            try:
                return chr(int(e[2:-1], 16))
            except (ValueError, OverflowError):
                return m.group(0)
        return simple.get(e, m.group(0))

    return RUST_ESC.sub(rep, s)


# ------------------------------------------------------------------ feed extraction

def ns_of(tag):
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else None


def is_url(s):
    return bool(s) and re.match(r"https?://[^/\s]+", s.strip(), re.I) is not None


def item_link(item):
    """RSS <link> text, else Atom rel=alternate (or rel-less) href, else a URL guid / id."""
    alt = None
    for child in item:
        if not isinstance(child.tag, str) or cs.local_name(child.tag) != "link":
            continue
        href = child.get("href")
        if href is not None:
            if (child.get("rel") or "alternate") == "alternate" and alt is None:
                alt = href.strip()
        elif child.text and child.text.strip():
            return child.text.strip()
    if alt:
        return alt
    for child in item:
        if isinstance(child.tag, str) and cs.local_name(child.tag) in ("guid", "id") and is_url(child.text):
            return child.text.strip()
    return ""


def item_title(item):
    for child in item:
        if isinstance(child.tag, str) and cs.local_name(child.tag) == "title":
            return " ".join(cs.field_value(child).split())
    return ""


def item_body(item):
    """(field name, body) of the first non-blank body field in preference order, or (None, "")."""
    children = [c for c in item if isinstance(c.tag, str)]
    for ns, name in BODY_FIELDS:
        for c in children:
            if cs.local_name(c.tag) == name and (ns is None or ns_of(c.tag) == ns):
                if c.get("src") is not None and not (c.text or "").strip() and not len(c):
                    continue  # Atom out-of-line content: nothing here
                value = cs.field_value(c)
                if value.strip():
                    prefix = "content:" if ns_of(c.tag) == CONTENT_NS else ""
                    return prefix + name, value
    return None, ""


def extract_items(path):
    """The items of one feed file: list of dicts (link, title, field, body)."""
    with open(path, "rb") as f:
        data = f.read()
    root = ET.fromstring(data)
    items = []

    def walk(el):
        for child in el:
            if not isinstance(child.tag, str):
                continue
            if cs.local_name(child.tag) in ("item", "entry"):
                field, body = item_body(child)
                items.append({"link": item_link(child), "title": item_title(child),
                              "field": field, "body": body})
            else:
                walk(child)

    walk(root)
    return items


# ------------------------------------------------------------------ running the cleaner

class BinaryFailed(Exception):
    pass


def run_cleaner(binary, body, base, timeout):
    """(output html, [(rule, first words, why)], (ads, boilerplate, elements), raw explain lines)."""
    cmd = [binary, "--quiet", "clean", "--explain", "--format", "html"]
    if base:
        cmd += ["--base-url", base]
    cmd.append("-")
    try:
        p = subprocess.run(cmd, input=body.encode("utf-8", "surrogatepass"),
                           capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as e:
        raise BinaryFailed(f"timed out after {timeout}s") from e
    except OSError as e:
        raise BinaryFailed(f"cannot run {binary}: {e}") from e
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode != 0:
        raise BinaryFailed(f"exit status {p.returncode}: {err.strip()[-500:]}")
    out = p.stdout.decode("utf-8", "replace")
    if out.endswith("\n"):
        out = out[:-1]
    removals, header, lines, stray = [], None, [], []
    for line in err.splitlines():
        m = HEADER_RX.match(line)
        if m:
            header = tuple(int(g) for g in m.groups())
            continue
        m = LINE_RX.match(line)
        if m:
            removals.append((m.group(1), rust_unquote(m.group(2)), m.group(3).strip()))
            lines.append(line)
        elif line.strip():
            stray.append(line)
    if header is None:
        raise BinaryFailed(f"no explain header on stderr: {err.strip()[-300:]!r}")
    return {"out": out, "removals": removals, "header": header, "lines": lines, "stray": stray}


def clean_all(binary, jobs, items, timeout, progress):
    """Cleans every item (dicts with body and link) in place; returns the list of failures."""
    failures = []
    todo = [it for it in items if it["body"].strip()]
    done = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futs = {pool.submit(run_cleaner, binary, it["body"], cs.usable_base(it["link"]), timeout): it
                for it in todo}
        for fut in concurrent.futures.as_completed(futs):
            it = futs[fut]
            try:
                it["result"] = fut.result()
            except BinaryFailed as e:
                failures.append((it, str(e)))
            done += 1
            if progress and (done % 50 == 0 or done == len(todo)):
                print(f"report-removals: cleaned {done}/{len(todo)} items", file=sys.stderr)
    return failures


# ------------------------------------------------------------------ analysis

def text_of(fragment):
    return " ".join(cs.visible_text(fragment).split())


def one_line(s):
    return re.sub(r"[\x00-\x1f\x7f]", " ", " ".join(s.split()))


def around(s, start, end, width):
    """`width` characters of s centred on [start, end), on one line, with … at cut ends."""
    pad = max(0, (width - (end - start)) // 2)
    a, b = max(0, start - pad), min(len(s), end + pad)
    snip = one_line(s[a:b])
    return ("…" if a > 0 else "") + snip + ("…" if b < len(s) else "")


def telltales(out, width):
    """[(tell-tale, context)] found in the output (first occurrence of each)."""
    found = []
    decoded = html.unescape(out)
    for label, rx in TELLTALES:
        m = rx.search(out)
        src = out
        if not m:
            m, src = rx.search(decoded), decoded
        if m:
            found.append((label, around(src, m.start(), m.end(), width)))
    for m in TAG_RX.finditer(out):
        tag = m.group(0)
        if W1_RX.search(tag) and H1_RX.search(tag):
            found.append(('width="1" height="1"', around(out, m.start(), m.end(), width)))
            break
    return found


def short(s, n):
    s = one_line(s)
    return s if len(s) <= n else s[:n - 1] + "…"


def table(headers, rows, right=None):
    """Aligned text table; columns in `right` (indices) right-aligned (default: all but the first)."""
    right = set(range(1, len(headers))) if right is None else set(right)
    cells = [[str(c) for c in r] for r in [headers] + rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, r in enumerate(cells):
        parts = [c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(r)]
        lines.append("  " + "  ".join(parts).rstrip())
        if n == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def pct(a, b):
    return f"{100.0 * a / b:.0f}%" if b else "-"


# ------------------------------------------------------------------ main

def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Report what `feedscrub clean` removes from the real feeds of a corpus, "
                    "its possible misses and possible over-removals (see the module docstring).")
    ap.add_argument("corpus", nargs="?", help="directory of feed files")
    ap.add_argument("--corpus", dest="corpus_opt", metavar="DIR", help="same as the positional CORPUS")
    ap.add_argument("--bin", default=os.environ.get("FEEDSCRUB_BIN", "feedscrub"),
                    help="the feedscrub binary (default: $FEEDSCRUB_BIN, else feedscrub on PATH)")
    ap.add_argument("--jobs", "-j", type=int, default=2, help="parallel cleaner processes (default 2)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per cleaner run")
    ap.add_argument("--top", type=int, default=5, help="most frequent first words shown per rule and feed")
    ap.add_argument("--ratio", type=float, default=0.4,
                    help="over-removal when output text < RATIO x input text (default 0.4)")
    ap.add_argument("--context", type=int, default=120, help="characters shown around a tell-tale")
    ap.add_argument("--progress", action="store_true", help="progress lines on stderr")
    args = ap.parse_args(argv)
    corpus = args.corpus_opt or args.corpus
    if not corpus:
        ap.error("a corpus directory is needed")
    if not os.path.isdir(corpus):
        print(f"report-removals: corpus directory not found: {corpus}", file=sys.stderr)
        return 2
    t0 = time.monotonic()

    try:
        probe = run_cleaner(args.bin, "<p>probe</p>", None, args.timeout)
    except BinaryFailed as e:
        print(f"report-removals: the cleaner does not work ({args.bin}): {e}", file=sys.stderr)
        return 2
    if "probe" not in probe["out"]:
        print(f"report-removals: the cleaner does not work ({args.bin}): {probe['out']!r}", file=sys.stderr)
        return 2

    names = sorted(n for n in os.listdir(corpus)
                   if os.path.isfile(os.path.join(corpus, n)) and not n.startswith("."))
    feeds, all_items, feed_errors = [], [], []
    for name in names:
        try:
            items = extract_items(os.path.join(corpus, name))
        except (ET.ParseError, OSError, ValueError) as e:
            feed_errors.append((name, f"{type(e).__name__}: {e}"))
            continue
        for it in items:
            it["feed"] = name
        feeds.append((name, items))
        all_items += items

    failures = clean_all(args.bin, max(1, args.jobs), all_items, args.timeout, args.progress)
    t1 = time.monotonic()

    # ---- per-feed numbers
    stats, misses, overs, stray = {}, [], [], []
    rules_seen = collections.Counter()
    for name, items in feeds:
        s = stats[name] = {
            "items": len(items), "nobody": 0, "changed": 0, "removed": 0, "ads": 0, "boiler": 0,
            "bin": 0, "bout": 0, "tin": 0, "tout": 0, "rules": collections.Counter(),
            "words": collections.defaultdict(collections.Counter), "miss": 0, "over": 0,
            "fields": collections.Counter(),
        }
        for it in items:
            if not it["body"].strip():
                s["nobody"] += 1
                continue
            s["fields"][it["field"]] += 1
            r = it.get("result")
            if r is None:
                continue  # the binary failed on it: listed below
            ads, boiler, _ = r["header"]
            s["ads"] += ads
            s["boiler"] += boiler
            s["removed"] += len(r["removals"])
            s["changed"] += 1 if r["removals"] else 0
            for rule, what, _why in r["removals"]:
                s["rules"][rule] += 1
                rules_seen[rule] += 1
                s["words"][rule][short(what, 70)] += 1
            s["bin"] += len(it["body"].encode("utf-8", "surrogatepass"))
            s["bout"] += len(r["out"].encode("utf-8", "surrogatepass"))
            tin, tout = text_of(it["body"]), text_of(r["out"])
            s["tin"] += len(tin)
            s["tout"] += len(tout)
            found = telltales(r["out"], args.context)
            if found:
                s["miss"] += 1
                misses.append((it, found))
            if tin and len(tout) < args.ratio * len(tin):
                s["over"] += 1
                overs.append((it, len(tin), len(tout), tout))
            if r["stray"]:
                stray.append((it, r["stray"]))
            if r["header"][2] != len(r["removals"]):
                stray.append((it, [f"header says {r['header'][2]} elements, "
                                   f"{len(r['removals'])} explain lines parsed"]))

    n_items = sum(s["items"] for s in stats.values())
    n_removed = sum(s["removed"] for s in stats.values())

    # ---- output
    print(f"report-removals: corpus {corpus}")
    print(f"binary {args.bin}; {len(feeds)} feeds, {n_items} items cleaned with {max(1, args.jobs)} jobs "
          f"in {t1 - t0:.1f}s\n")

    print("== per feed")
    rows = []
    for name, _ in feeds:
        s = stats[name]
        rows.append([name, s["items"], s["changed"], s["removed"], s["ads"], s["boiler"],
                     s["bin"], s["bout"], pct(s["bout"], s["bin"]), s["tin"], s["tout"],
                     pct(s["tout"], s["tin"]), s["miss"], s["over"]])
    tot = [sum(stats[n][k] for n, _ in feeds) for k in
           ("items", "changed", "removed", "ads", "boiler", "bin", "bout", "tin", "tout", "miss", "over")]
    rows.append(["TOTAL", tot[0], tot[1], tot[2], tot[3], tot[4], tot[5], tot[6], pct(tot[6], tot[5]),
                 tot[7], tot[8], pct(tot[8], tot[7]), tot[9], tot[10]])
    print(table(["feed", "items", "changed", "removed", "ads", "boilerpl", "bytes in", "bytes out",
                 "out/in", "text in", "text out", "out/in", "misses", "over-rm"], rows))
    print("  (changed: items with at least one removal; text: visible characters, tags stripped)")

    print("\n== removed elements by rule")
    shown = [r for r in RULES if rules_seen[r]] + sorted(r for r in rules_seen if r not in RULES)
    if shown:
        rows = [[name] + [stats[name]["rules"][r] or "." for r in shown] + [stats[name]["removed"]]
                for name, _ in feeds]
        rows.append(["TOTAL"] + [rules_seen[r] for r in shown] + [n_removed])
        print(table(["feed"] + shown + ["all"], rows))
        unused = [r for r in RULES if not rules_seen[r]]
        if unused:
            print(f"  (no removals by: {', '.join(unused)})")
    else:
        print("  (nothing removed)")

    print(f"\n== what was removed: the {args.top} most frequent first words per rule and feed")
    for name, _ in feeds:
        s = stats[name]
        bodies = ", ".join(f"{f} x{c}" for f, c in s["fields"].most_common())
        extra = f", {s['nobody']} without body" if s["nobody"] else ""
        print(f"\n{name}  ({s['items']} items; body from {bodies or '-'}{extra})")
        if not s["rules"]:
            print("  (nothing removed)")
        for rule in [r for r in shown if s["rules"][r]]:
            words = s["words"][rule]
            print(f"  {rule} ({s['rules'][rule]} removed, {len(words)} distinct):")
            for what, c in words.most_common(args.top):
                print(f"    {c:5d}  \"{what}\"")
            if len(words) > args.top:
                print(f"           … {len(words) - args.top} more distinct")

    print(f"\n== possible misses ({len(misses)} items whose output still holds a tell-tale)")
    for it, found in misses:
        print(f"\nMISS {it['feed']}")
        print(f"  item: {it['link'] or '(no link)'}")
        if it["title"]:
            print(f"  title: {short(it['title'], 100)}")
        for label, ctx in found:
            print(f"  [{label}] {ctx}")
        lines = it["result"]["lines"]
        print(f"  removed here ({len(lines)}):" if lines else "  removed here: nothing")
        for line in lines:
            print(f"  {line}")

    print(f"\n== possible over-removals ({len(overs)} items whose output text is < "
          f"{args.ratio:.0%} of the input text)")
    for it, tin, tout, out_text in overs:
        print(f"\nOVER {it['feed']}")
        print(f"  item: {it['link'] or '(no link)'}")
        if it["title"]:
            print(f"  title: {short(it['title'], 100)}")
        print(f"  text {tin} -> {tout} chars ({pct(tout, tin)}); kept: \"{short(out_text, 160)}\"")
        r = it["result"]
        a, b, k = r["header"]
        print(f"  removed {a} ads and {b} boilerplate blocks ({k} elements):")
        for line in r["lines"]:
            print(f"  {line}")

    if stray:
        print(f"\n== unexpected stderr from the cleaner ({len(stray)} items)")
        for it, lines in stray:
            print(f"  {it['feed']} {it['link']}:")
            for line in lines[:10]:
                print(f"    {short(line, 200)}")
    for name, err in feed_errors:
        print(f"\nFEED ERROR {name}: {err} (skipped)")
    for it, err in failures:
        print(f"\nCLEANER FAILED {it['feed']} {it['link'] or '(no link)'}: {err}")

    print(f"\nreport-removals: {len(feeds)} feeds, {n_items} items, {n_removed} removed elements, "
          f"{len(misses)} possible misses, {len(overs)} possible over-removals")
    return 2 if failures else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(1)
