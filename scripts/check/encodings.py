#!/usr/bin/env python3
"""check/encodings.py — does `feedscrub fetch` decode every feedparser encoding fixture?

The Universal Feed Parser's tests/encoding/ fixtures (82 files, read where they lie in
../shared/ and never copied) each start with a comment holding `Header:` lines (the HTTP
headers the fixture is served with, e.g. `Content-type: text/xml; charset=windows-1252`), a
`Description:` and an `Expect:` line (a feedparser expression: the encoding it must detect,
or a title/description with specific characters).

Three variants of every fixture are served from a local HTTP server on 127.0.0.1, all
generated at run time in the work directory:

  f-NAME  the fixture, byte for byte, with exactly the headers it declares (no
          Content-Type at all when it declares none);
  c-NAME  the control: the fixture decoded by python with the reference encoding (below),
          BOM dropped, prolog encoding rewritten to UTF-8, re-encoded as UTF-8 and served as
          `application/xml; charset=utf-8`. A correct decoder stores exactly the same for
          f-NAME as for c-NAME;
  p-NAME  the probe: the fixture's own start (BOM, prolog, header comment) followed by a
          fixed RSS 2.0 channel whose title, item title and item description are a probe
          string with non-ASCII characters the reference encoding can express (ASCII only
          when it is us-ascii), all encoded in the reference encoding and served with the
          fixture's headers. Many fixtures hold no text (`<rss></rss>`, an empty Atom 0.3
          feed) and some a root feed-rs rejects (`<rss>` without `<channel>`): the probe
          makes their decoding visible.

The reference encoding: feedparser's expected `encoding` when the Expect line names one and
it is a superset of what RFC 7303 gives; otherwise RFC 7303 with the XML 1.0 Appendix F
autodetection: BOM, then the HTTP charset parameter, then UTF-16/32 detected from the first
bytes (`<?` in 2 or 4 bytes per character), then the prolog's encoding, then UTF-8.
feedparser still follows RFC 3023 for text/* without charset (us-ascii); those fixtures are
ASCII, so both give the same text, and the probe uses RFC 7303's answer.

One `feedscrub fetch` over all 246 feeds (own store in the work directory), then
`feedscrub export --feed NAME --format json --limit 0` for each feed that fetched.

A fixture is "decoded correctly" when
  * f-NAME fetched, its export equals c-NAME's (feed title, description, link; each item's
    title, link, content_html, authors, tags; the feed's own name normalised), and the
    Expect line's text (title or description), when it names one, is what was stored
    (compared as HTML: text and attribute values, whitespace normalised); or
  * f-NAME and c-NAME are both rejected with the same error (the document's shape: feed-rs
    reads no `<rss>` without `<channel>`), so nothing about decoding is visible, and the
    probe p-NAME decodes correctly ("via probe").
Probes are reported for every fixture, in their own table: they also show how the decoder
treats charset conflicts that the fixtures' ASCII bodies cannot show.

Fixtures whose expectation is not about decoding are "not applicable", by group, each with
its reason (NOT_APPLICABLE below); what feedscrub did with them is still shown.

Exit status: 1 when a fixture or a probe fails, 0 otherwise, 2 for usage errors.
"""

import argparse
import ast
import codecs
import html
import html.parser
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import time

# ------------------------------------------------------------------ not applicable groups

NOT_APPLICABLE = [
    (
        "crash test",
        "feedparser only asserts it does not crash (`Expect: 1`, or `bozo` after invalid bytes); "
        "the check here is that fetch reports the feed (ok or a typed error) and exits 0/1",
        {"bozo_encoding_mismatch_crash.xml", "encoding_attribute_crash.xml",
         "encoding_attribute_crash_2.xml", "bozo_invalid-bytes-with-bom.xml"},
    ),
    (
        "repair heuristic",
        "the bytes decode exactly as declared; feedparser's expected text is a repair of text "
        "that was wrong before it was encoded (windows-1252 code points U+0080-U+009F used as "
        "Unicode, UTF-8 read as Latin-1 and re-encoded): not a charset decision",
        {"demoronize-1.xml", "demoronize-2.xml", "double-encoded-html.xml",
         "bozo_double-encoded-html.xml"},
    ),
    (
        "no right answer",
        "declared UTF-8 with bytes that are not UTF-8 (\"unguessable characters\"), so no "
        "decoding is correct; feedparser's expected string does not even match the file's "
        "bytes (it has \\u0160 where the file has 0xA9)",
        {"bozo_linenoise.xml"},
    ),
]

# Probe strings, by reference encoding (the first one the encoding can express is used).
LATIN = ["Grüße, Iñtërnâtiônàlizætiøn: „Straße“ – 中文 년 €", "Grüße, Iñtërnâtiônàlizætiøn"]
CHINESE = "中文報導 新聞"
KOREAN = "년 한국어 뉴스"
PROBES_FIRST = {   # python codec name -> the probe tried first
    "big5": CHINESE, "big5hkscs": CHINESE, "cp950": CHINESE, "gb2312": CHINESE, "gbk": CHINESE,
    "gb18030": CHINESE, "euc_kr": KOREAN, "cp949": KOREAN,
}

# ------------------------------------------------------------------ fixtures


def codec_name(label):
    """python's canonical codec name for a label, or None."""
    if not label:
        return None
    try:
        return codecs.lookup(label.strip().strip("'\"")).name
    except LookupError:
        return None


BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),   # before UTF-16 LE: FF FE 00 00 starts with FF FE
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]
AUTODETECT = [   # XML 1.0 Appendix F, no BOM
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
]


def bom_of(data):
    for bom, enc in BOMS:
        if data.startswith(bom):
            return bom, enc
    return b"", None


def sniff_family(data):
    for prefix, enc in AUTODETECT:
        if data.startswith(prefix):
            return enc
    return None


def readable(data):
    """The fixture as text good enough to read its ASCII header comment and prolog."""
    bom, enc = bom_of(data)
    enc = enc or sniff_family(data) or "latin-1"
    return data[len(bom):].decode(enc, errors="replace")


def http_charset(headers):
    for k, v in headers:
        if k.lower() == "content-type":
            for param in v.split(";")[1:]:
                if "=" in param:
                    key, val = param.split("=", 1)
                    if key.strip().lower() == "charset":
                        return val.strip().strip("'\"").strip()
    return None


def prolog_encoding(text):
    m = re.match(r"\s*<\?xml[^>]*?encoding\s*=\s*['\"]([^'\"]+)['\"]", text)
    return m.group(1) if m else None


class Fixture:
    def __init__(self, path):
        self.path = path
        self.file = os.path.basename(path)
        with open(path, "rb") as fh:
            self.data = fh.read()
        text = readable(self.data)
        m = re.search(r"<!--(.*?)-->", text, re.S)
        self.comment = m.group(1) if m else ""
        self.headers = []
        self.description = self.expect = ""
        for line in self.comment.splitlines():
            hm = re.match(r"\s*(\w+):\s*(.*?)\s*$", line)
            if not hm:
                continue
            key, val = hm.group(1), hm.group(2)
            if key == "Header":
                name, _, value = val.partition(":")
                self.headers.append((name.strip(), value.strip()))
            elif key == "Description":
                self.description = val
            elif key == "Expect":
                self.expect = val
        self.bom, self.bom_enc = bom_of(self.data)
        self.family = sniff_family(self.data)
        self.prolog = prolog_encoding(text)
        self.http = http_charset(self.headers)
        self.fp_encoding = None
        em = re.search(r"encoding == '([^']+)'", self.expect)
        if em:
            self.fp_encoding = em.group(1)
        self.expect_field, self.expect_value = parse_text_expectation(self.expect)
        self.reference = self.reference_encoding()
        self.group = next((g for g, _, names in NOT_APPLICABLE if self.file in names), None)
        self.slug = slug(self.file)
        body = re.sub(r"<!--.*?-->|<\?.*?\?>", "", text, flags=re.S)
        self.has_text = bool(re.sub(r"<[^>]*>|\s+", "", body))
        self.atom03 = "http://purl.org/atom/ns#" in body

    def rfc7303(self):
        """BOM, HTTP charset, UTF-16/32 autodetection, prolog, UTF-8 (python codec names)."""
        if self.bom_enc:
            return self.bom_enc
        http_enc = codec_name(self.http)
        if http_enc:
            return http_enc
        if self.family:
            return self.family
        return codec_name(self.prolog) or "utf-8"

    def reference_encoding(self):
        mine = self.rfc7303()
        fp = codec_name(self.fp_encoding)
        if fp and fp != mine:
            # feedparser's answer when it reads the same bytes differently only by being a
            # superset (gb2312 -> gb18030); RFC 3023's us-ascii for text/* is not taken over
            if fp == "gb18030" and mine in ("gb2312", "gbk"):
                return fp
            if mine == "utf-8" and fp.startswith(("utf-16", "utf-32")):
                return fp
        return mine

    def decoded(self, errors="strict"):
        return self.data[len(self.bom):].decode(self.reference, errors=errors)


def parse_text_expectation(expect):
    """(field, value) from an Expect line naming a text: ('description'|'title'), str."""
    m = re.search(r"ord\(entries\[0\]\['description'\]\) == (\d+)", expect)
    if m:
        return "description", chr(int(m.group(1)))
    for pat, field in [
        (r"entries\[0\]\['description'\] == (.+)$", "description"),
        (r"entries\[0\]\.summary == (.+)$", "description"),
        (r"feed\['title'\] == (.+)$", "title"),
    ]:
        m = re.search(pat, expect)
        if m:
            try:
                return field, ast.literal_eval(m.group(1).strip())
            except (ValueError, SyntaxError):
                return None, None
    return None, None


def slug(file):
    s = re.sub(r"[^a-z0-9]+", "-", os.path.splitext(file)[0].lower()).strip("-")
    return s[:60]


# ------------------------------------------------------------------ variants


def control_bytes(fx):
    text = fx.decoded(errors="replace")
    text = re.sub(r"^(\s*<\?xml[^>]*?encoding\s*=\s*)(['\"])[^'\"]*\2",
                  r"\1\2utf-8\2", text, count=1)
    return text.encode("utf-8")


def probe_string(enc):
    name = codecs.lookup(enc).name
    if name == "ascii":
        return "Plain ASCII probe"
    cands = ([PROBES_FIRST[name]] if name in PROBES_FIRST else []) + LATIN
    for p in cands:
        try:
            p.encode(enc)
            return p
        except UnicodeEncodeError:
            continue
    return "Plain ASCII probe"


PROBE_BODY = (
    "\n<rss version=\"2.0\"><channel><title>{p}</title><link>http://example.com/</link>"
    "<description>probe</description>"
    "<item><title>{p}</title><guid isPermaLink=\"false\">probe-1</guid>"
    "<description>{p}</description></item></channel></rss>\n"
)


def probe_bytes(fx):
    text = fx.decoded(errors="replace")
    end = text.find("-->")
    head = text[: end + 3] if end >= 0 and text.lstrip().startswith(("<?xml", "<!--")) else ""
    p = probe_string(fx.reference)
    text = head + PROBE_BODY.format(p=html.escape(p, quote=False))
    return fx.bom + text.encode(fx.reference), p


# ------------------------------------------------------------------ HTTP server


class Handler(http.server.BaseHTTPRequestHandler):
    routes = {}

    def do_GET(self):
        route = self.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        body, headers = route
        self.send_response(200)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_):
        pass


# ------------------------------------------------------------------ comparing outputs


class Signature(html.parser.HTMLParser):
    """The text and attribute values of an HTML fragment, whitespace normalised."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("alt", "title") and v:
                self.parts.append("[%s=%s]" % (k, " ".join(v.split())))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.parts.append(data)


def signature(fragment):
    s = Signature()
    s.feed(fragment or "")
    s.close()
    return " ".join("".join(s.parts).split())


def normalise(export, name):
    def n(v):
        return v.replace(name, "<NAME>") if isinstance(v, str) else v
    items = []
    for it in export.get("items", []):
        items.append({k: n(it.get(k)) for k in ("title", "url", "content_html", "authors", "tags")})
    return {
        "title": n(export.get("title")),
        "description": n(export.get("description")),
        "home_page_url": export.get("home_page_url"),
        "items": items,
    }


def short(v, n=70):
    s = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
    s = s.encode("unicode_escape").decode("ascii") if any(ord(c) < 32 or 0x7f <= ord(c) < 0xa0 for c in s) else s
    return s if len(s) <= n else s[: n - 1] + "…"


def first_difference(a, b):
    if a["title"] != b["title"]:
        return "title %s, want %s" % (short(a["title"], 40), short(b["title"], 40))
    if len(a["items"]) != len(b["items"]):
        return "%d items, want %d" % (len(a["items"]), len(b["items"]))
    for x, y in zip(a["items"], b["items"]):
        for k in x:
            if x[k] != y[k]:
                return "item %s %s, want %s" % (k, short(x[k], 40), short(y[k], 40))
    for k in a:
        if a[k] != b[k]:
            return "%s %s, want %s" % (k, short(a[k], 40), short(b[k], 40))
    return None


# ------------------------------------------------------------------ main


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)



def print_failures(rows):
    """A table of (fixture, failure) pairs with the fixture's reference encoding and headers;
    nothing when there are none."""
    rows = list(rows)
    if not rows:
        return
    print("  %-60s %-10s %-36s %s" % ("fixture", "reference", "headers", "failure"))
    for fx, failure in rows:
        hdr = "; ".join(v for _, v in fx.headers) or "-"
        print("  %-60s %-10s %-36s %s" % (fx.file, fx.reference, short(hdr, 36), failure))

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--port", type=int, default=0, help="0: any free port")
    ap.add_argument("-v", "--verbose", action="store_true", help="one line per fixture")
    args = ap.parse_args()
    if os.sep in args.bin:   # feedscrub runs in the work directory
        args.bin = os.path.abspath(args.bin)

    files = sorted(f for f in os.listdir(args.corpus) if f.endswith(".xml"))
    if not files:
        print("check-encodings: no fixtures in %s" % args.corpus, file=sys.stderr)
        return 2
    fixtures = [Fixture(os.path.join(args.corpus, f)) for f in files]
    slugs = [fx.slug for fx in fixtures]
    assert len(set(slugs)) == len(slugs), "fixture names collide after slugging"

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = "http://127.0.0.1:%d" % port

    probes = {}
    lines = ["[settings]", 'db = "store"', 'timeout = "10s"', "concurrency = 16", ""]
    for fx in fixtures:
        pbytes, pstr = probe_bytes(fx)
        probes[fx.file] = pstr
        variants = [
            ("f", fx.data, fx.headers),
            ("c", control_bytes(fx), [("Content-Type", "application/xml; charset=utf-8")]),
            ("p", pbytes, fx.headers),
        ]
        for v, body, headers in variants:
            path = "/%s/%s" % (v, fx.file)
            Handler.routes[path] = (body, headers)
            lines += ["[[feed]]", 'name = "%s-%s"' % (v, fx.slug), 'url = "%s%s"' % (base, path),
                      'ads = "keep"', ""]
    config = os.path.join(args.workdir, "feeds.toml")
    with open(config, "w") as fh:
        fh.write("\n".join(lines))

    t0 = time.monotonic()
    fetch = run([args.bin, "--config", config, "-q", "fetch"], cwd=args.workdir)
    fetch_s = time.monotonic() - t0
    with open(os.path.join(args.workdir, "fetch.out"), "w") as fh:
        fh.write(fetch.stdout + fetch.stderr)
    status = {}
    for line in fetch.stdout.splitlines():
        parts = line.split(None, 2)
        if len(parts) >= 2 and parts[1] in ("ok", "error", "gone"):
            status[parts[0]] = (parts[1], parts[2] if parts[1] == "error" and len(parts) > 2 else "")
    if fetch.returncode not in (0, 1) or not status:
        print("check-encodings: feedscrub fetch exited %d\n%s%s" % (fetch.returncode, fetch.stdout[-2000:],
              fetch.stderr[-2000:]), file=sys.stderr)
        return 2

    exports = {}
    for name, (st, _) in status.items():
        if st != "ok":
            continue
        r = run([args.bin, "--config", config, "-q", "export", "--feed", name, "--format", "json",
                 "--limit", "0"], cwd=args.workdir)
        if r.returncode != 0:
            status[name] = ("error", "export failed: " + r.stderr.strip()[:200])
            continue
        exports[name] = normalise(json.loads(r.stdout), name)
    server.shutdown()

    def err_of(name):
        st, msg = status.get(name, ("missing", "not in the fetch summary"))
        if st == "ok":
            return None
        # the URL differs between variants; keep the reason
        return re.sub(r"^\S+: ", "", msg) or st

    results = []   # (fx, verdict, how, detail, probe_verdict, probe_detail)
    for fx in fixtures:
        f, c, p = ("%s-%s" % (v, fx.slug) for v in "fcp")
        ferr, cerr, perr = err_of(f), err_of(c), err_of(p)

        # the probe
        pstr = probes[fx.file]
        if perr:
            pv, pd = "FAIL", "fetch failed: " + perr
        else:
            e = exports[p]
            got = [e["title"]] + [x for it in e["items"][:1] for x in (it["title"], signature(it["content_html"]))]
            want = [pstr, pstr, pstr]
            if got == want:
                pv, pd = "ok", ""
            else:
                bad = next(g for g, w in zip(got + [None] * 3, want) if g != w)
                pv, pd = "FAIL", "stored %s, want %s" % (short(bad, 45), short(pstr, 45))

        # the fixture itself
        how = ""
        if ferr is None and cerr is None:
            diff = first_difference(exports[f], exports[c])
            text_issue = None
            if fx.expect_field:
                e = exports[f]
                if fx.expect_field == "title":
                    got = e["title"]
                    ok = got == fx.expect_value
                else:
                    html_got = e["items"][0]["content_html"] if e["items"] else "(no item)"
                    ok = signature(html_got) == signature(fx.expect_value)
                    got = "%s (text %s)" % (html_got, signature(html_got))
                if not ok:
                    text_issue = "%s stored as %s, want %s" % (fx.expect_field, short(got, 60),
                                                               short(fx.expect_value, 40))
            stored_nothing = not exports[f]["items"] and exports[f]["title"] == "<NAME>"
            if diff is None and text_issue is None and stored_nothing:
                # equal, but vacuously: the probe decides
                how, verdict = "via probe", pv
                detail = "as served: parsed, nothing stored (%s)" % (
                    "its text is in Atom 0.3 elements, which feed-rs does not read" if fx.atom03 and fx.has_text
                    else "feed-rs stored none of its text" if fx.has_text else "it holds no text")
                if pv != "ok":
                    detail += "; probe: " + pd
            elif diff is None and text_issue is None:
                verdict, detail = "ok", ""
                how = "expected text" if fx.expect_field else "same as control"
            else:
                verdict, detail = "FAIL", text_issue or ("differs from the UTF-8 control: " + diff)
        elif ferr is not None and cerr is None:
            verdict, detail = "FAIL", "fetch failed, the UTF-8 control did not: " + ferr
        elif ferr is not None and ferr == cerr:
            how = "via probe"
            verdict = pv
            detail = "as served: %s (so is the UTF-8 control)" % ferr
            if pv != "ok":
                detail += "; probe: " + pd
        elif ferr is not None:
            verdict, detail = "FAIL", "fetch failed: %s; the UTF-8 control: %s" % (ferr, cerr)
        else:
            verdict, detail = "FAIL", "the UTF-8 control failed (harness?): " + cerr

        if fx.group and ferr == "not in the fetch summary":
            verdict, detail = "FAIL", "fetch did not report the feed"
        elif fx.group:
            observed = detail or ("stored as the control" if verdict == "ok" else "")
            if fx.expect_field and ferr is None:
                e = exports[f]
                got = e["title"] if fx.expect_field == "title" else (
                    e["items"][0]["content_html"] if e["items"] else "(no item)")
                observed = "stored %s (feedparser wants %s)" % (short(got, 40), short(fx.expect_value, 30))
            elif ferr is not None:
                observed = "fetch: " + ferr
            verdict, detail = "n/a", observed
        results.append((fx, verdict, how, detail, pv, pd))

    # ------------------------------------------------------------------ report
    n = len(results)
    ok = [r for r in results if r[1] == "ok"]
    fail = [r for r in results if r[1] == "FAIL"]
    na = [r for r in results if r[1] == "n/a"]
    via_probe = [r for r in ok if r[2] == "via probe"]
    pfail = [r for r in results if r[4] != "ok"]

    print("check-encodings: %d fixtures from %s, served from %s (fetch of %d feeds: %.1f s, exit %d)"
          % (n, args.corpus, base, len(status), fetch_s, fetch.returncode))
    if args.verbose:
        print()
        print("%-64s %-10s %-7s %-6s %-15s %s" % ("fixture", "reference", "verdict", "probe", "how", "detail"))
        for fx, v, how, d, pv, pd in results:
            print("%-64s %-10s %-7s %-6s %-15s %s" % (fx.file, fx.reference, v, pv, how, d))
    print()
    print("Fixtures that failed (%d):" % len(fail))
    print_failures((fx, d) for fx, _, _, d, _, _ in fail)
    print()
    print("Not applicable (%d), by group:" % len(na))
    for group, reason, names in NOT_APPLICABLE:
        members = [r for r in na if r[0].group == group]
        print("  %s (%d): %s" % (group, len(members), reason))
        for fx, _, _, d, _, _ in members:
            print("    %-44s %s" % (fx.file, d))
    print()
    print("Probes that failed (%d of %d; the fixture's BOM, prolog and headers around a channel whose "
          "text is non-ASCII in the reference encoding):" % (len(pfail), n))
    print_failures((fx, pd) for fx, _, _, _, _, pd in pfail)
    print()
    applicable = n - len(na)
    rejected = sum(1 for r in via_probe if r[3].startswith("as served: not a feed"))
    print("%d/%d decoded correctly: %d by what they store, %d only through their probe (%d store no text "
          "as served: none in them, or Atom 0.3 elements feed-rs does not read; %d are `<rss>` without "
          "`<channel>`, rejected as not a feed also as UTF-8); %d failed; %d not applicable"
          % (len(ok), n, len(ok) - len(via_probe), len(via_probe), len(via_probe) - rejected, rejected,
             len(fail), len(na)))
    print("of the %d applicable fixtures: %d decoded correctly; probes: %d/%d decoded correctly"
          % (applicable, len(ok), n - len(pfail), n))
    return 1 if fail or pfail else 0


if __name__ == "__main__":
    sys.exit(main())
