#!/usr/bin/env python3
"""Score feedscrub against the labeled real-feed dev corpus (scripts/realcorpus/LABELS.md).

Usage (from the repository root):

    python3 scripts/realcorpus/score.py [--bin target/release/feedscrub]
        [--labels 'scripts/realcorpus/labels/*.json'] [--jobs 2] [--per-item FILE.jsonl]
        [--part tune|test|all] [--show-misses N] [--keep-tmp]

Python 3 standard library only. It is a report, not a gate: exit 0 when it ran, 2 on usage
errors (bad options, no binary).

1. Labels. Every file matching --labels is read (a file other people are still writing may be
   truncated: it is named and skipped; a malformed item is named by file and position and
   skipped). Each item's `source` is either a path relative to ../shared/corpus/ (seen from the
   repository root) or `mirror:OWNER/NAME@COMMIT:PATH`, read from
   target/realcorpus/OWNER+NAME/PATH (filled by scripts/realcorpus/fill.sh). A source file that
   is missing is reported once and its items are skipped, with a count.

2. The real path. For each distinct source file, in its own temp dir: a feeds.toml with that
   one feed (url = the absolute path, ads = "mark", retention wide open) and a fresh store, then
   `BIN --config feeds.toml fetch` and `BIN --config feeds.toml export --feed src --format json
   --limit 0` (the per-feed output: no merging of look-alike items). One store per source
   file, so dedup across feeds cannot interfere. Sources run in parallel (--jobs). A failing
   fetch or export prints its output, counts the source as failed, and its items are skipped.

3. Matching. The source file is parsed here (RSS <item>, Atom <entry>, JSON Feed items[], in
   document order; ElementTree, with a tolerant regex reader for XML it refuses). The labeled
   `index` must name an item whose title matches the label's `title` (normalized, see 4). Every
   source item is then matched, in document order, to an unused export item: by export `id`
   == guid/id, else by export `url` == link (host without www, path, query without utm_* and
   similar; http/https alike; then path+query alone for relative links), else by normalized
   title; among candidates by link, one with the same title comes first, and when none has
   it, an item with that title anywhere. The export title may carry the ad mark "[Ad] " (what ads = "mark" does; an
   `_feedscrub.ad` flag would count too). A labeled item with no export item is "dropped" when
   labeled whole_ad, else LOST: all its sentences and traps count as not kept (its junk as gone).

4. Normalization, used for every comparison: HTML -> visible text (html.parser; script/style
   skipped; block tags make line breaks; entities decoded), Unicode NFKC (per character, after
   NFC), curly quotes and dashes to ASCII, lowercase, every run of characters that are not
   letters, digits or combining marks to one space (a spacing accent such as "¯" or "´",
   which NFKC makes a space and a combining mark, is punctuation). Snippets and sentences are compared in that
   form as substrings with word boundaries (" " + needle + " " in " " + haystack + " ").
   A snippet with no letter or digit ("[...]", "|") normalizes to nothing and is not scored.

5. Metrics, per item, summed per site and per part:
   - junk removed: of the `drop` snippets of non-whole-ad items, the share NOT left in the
     output body (export content_html). A snippet of >= 4 words is left when at least half of
     its overlapping word 3-grams that the item's article text (the body minus its drop/either
     snippets) does not have are in the output's 3-gram set (all of them count if the article
     has every one, or if the snippet is unfound), so a footer or a related link that quotes
     the article's own heading is not found in that heading; a shorter one is left when it
     occurs in the output more often than in the article text, so a label word that the
     article itself uses does not count.
   - labels left: `labels` snippets left standing (same test).
   - article sentences kept: the body's visible text with every drop and either snippet blanked
     out (a snippet of < 4 words, such as a bare "Anzeige", only where it makes a whole line and
     otherwise as often as it is listed, preferring line starts, so the article's own use of the
     word stays article text), split into sentences (line breaks, and . ! ? - optionally
     followed by closing quotes or brackets - then whitespace and a capital or digit), those
     of >= 3 words; a sentence is
     kept when it occurs in the normalized output. Every such sentence of every non-whole-ad
     item counts. `keep` snippets must be present too (traps kept, counted separately).
   - whole-ad: of the whole_ad items, the share dropped or marked as ad; false-positive ads:
     non-whole-ad items marked as ad (a non-whole-ad item missing from the output is
     LOST, not a false positive: with ads = "mark" feedscrub drops no ad item).
   Drop/either snippets that cannot be found in the item's body are counted as "unfound" (a
   label problem, or a body other than the one feedscrub uses).

6. Split: a site is in `test` when int(sha1(site).hexdigest(), 16) % 3 == 0, else in `tune`.
   Printed: a per-site table, then totals for tune, test and all (ratios with 3 decimals and raw
   counts), and counts of items, sites and languages. --part restricts the whole run.

7. --show-misses N prints up to N junk snippets left, N article sentences lost and N ad
   mistakes, with site and item title. --per-item FILE writes one JSON line per item with
   everything (status, matched export id, each snippet and sentence with its verdict).
   --keep-tmp keeps each source's temp dir (feeds.toml, store) for a look with `feedscrub stats`.

Notes: ads = "mark" puts "[Ad] " before the title of an item feedscrub judges an ad as a whole
(src/refresh.rs, clean::rules::AD_MARK); that prefix is the mark read here. Items feedscrub
collapses as duplicates inside one feed (same guid or canonical URL) show up as LOST, and a
note names every source whose export has fewer items than the file.
"""

import argparse
import concurrent.futures
import glob
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import urllib.parse
import xml.etree.ElementTree as ET
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = (REPO / ".." / "shared" / "corpus").resolve()
MIRROR = REPO / "target" / "realcorpus"
AD_MARK = "[Ad] "
FETCH_TIMEOUT = 600

# ---------------------------------------------------------------------------------------------
# Text normalization
# ---------------------------------------------------------------------------------------------

BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
SKIP_TAGS = {"script", "style"}
ASCII_PUNCT = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2039": "'", "\u203a": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-",
})


class _VisibleText(HTMLParser):
    """Collects the visible text of an HTML fragment; block tags become line breaks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skip = 0
        self.pre = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_TAGS:
            self.skip += 1
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "pre":
            self.pre += 1

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "pre":
            self.pre = max(0, self.pre - 1)

    def handle_data(self, data):
        if self.skip:
            return
        self.parts.append(data if self.pre else re.sub(r"\s+", " ", data))


def _tidy_lines(text):
    lines = (re.sub(r"[ \t\r\f\v\u00a0]+", " ", l).strip() for l in text.split("\n"))
    return unicodedata.normalize("NFC", "\n".join(l for l in lines if l))


def visible_text(fragment):
    """HTML fragment -> visible text, one line per block, NFC."""
    p = _VisibleText()
    try:
        p.feed(fragment or "")
        p.close()
    except Exception:  # html.parser is lenient; be safe anyway
        pass
    return _tidy_lines("".join(p.parts))


def plain_text(text):
    """Plain text body -> the same shape as visible_text()."""
    return _tidy_lines(text or "")


@lru_cache(maxsize=None)
def _norm_char(ch):
    n = unicodedata.normalize("NFKC", ch).translate(ASCII_PUNCT).lower()
    out = []
    for c in n:
        # A combining mark is part of a word, except the one NFKC puts after a space for a
        # spacing accent ("¯" is " " + U+0304, "´" is " " + U+0301): that is punctuation.
        mark = unicodedata.category(c).startswith("M") and not (out and out[-1] == " ")
        out.append(c if (c.isalnum() or mark) else " ")
    return "".join(out)


def norm_map(text):
    """Normalized text, and for each of its characters the index in `text` it came from.
    `text` should be NFC already (visible_text() output is)."""
    out, idx = [], []
    for i, ch in enumerate(text):
        for c in _norm_char(ch):
            if c == " ":
                if out and out[-1] != " ":
                    out.append(" ")
                    idx.append(i)
            else:
                out.append(c)
                idx.append(i)
    if out and out[-1] == " ":
        out.pop()
        idx.pop()
    return "".join(out), idx


def norm(text):
    """The normalized form of plain text (entities decoded first)."""
    return norm_map(unicodedata.normalize("NFC", html.unescape(text or "")))[0]


def pad(s):
    return " " + s + " "


def count_occurrences(padded_hay, needle):
    """Word-bounded occurrences (overlapping) of normalized `needle` in pad(haystack)."""
    if not needle:
        return 0
    pn, n, start = pad(needle), 0, 0
    while True:
        i = padded_hay.find(pn, start)
        if i < 0:
            return n
        n += 1
        start = i + 1


def trigrams(words):
    return {tuple(words[i:i + 3]) for i in range(len(words) - 2)}


# ---------------------------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------------------------

LIST_KEYS = ("drop", "labels", "either", "keep")


def part_of(site):
    return "test" if int(hashlib.sha1(site.encode("utf-8")).hexdigest(), 16) % 3 == 0 else "tune"


def validate_item(it):
    """Returns an error string, or None when the label item is well formed."""
    if not isinstance(it, dict):
        return "not an object"
    for k in ("source", "site", "lang", "title"):
        if not isinstance(it.get(k), str) or (k != "title" and not it.get(k).strip()):
            return f"`{k}` missing or not a non-empty string"
    if not isinstance(it.get("index"), int) or isinstance(it.get("index"), bool) or it["index"] < 0:
        return "`index` missing or not an integer >= 0"
    if not isinstance(it.get("whole_ad", False), bool):
        return "`whole_ad` is not true/false"
    for k in LIST_KEYS:
        v = it.get(k, [])
        if not isinstance(v, list) or not all(isinstance(s, str) for s in v):
            return f"`{k}` is not a list of strings"
    return None


def load_labels(pattern, problems, malformed):
    """All label items of the files matching `pattern`, each with `_file` and `_pos` added.
    Problems are appended to `problems`, malformed items to `malformed`."""
    files = sorted(glob.glob(pattern))
    items = []
    for f in files:
        try:
            with open(f, encoding="utf-8") as fh:
                doc = json.load(fh)
        except (OSError, ValueError) as e:
            problems.append(f"{f}: malformed label file, skipped: {e}")
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
            problems.append(f"{f}: malformed label file, skipped: no `items` list")
            continue
        for pos, it in enumerate(doc["items"]):
            err = validate_item(it)
            if err:
                title = it.get("title") if isinstance(it, dict) else None
                problems.append(f"{f}: items[{pos}] ({title!r}): {err}; skipped")
                malformed.append(pos)
                continue
            it = dict(it)
            it.update(_file=os.path.basename(f), _pos=pos, whole_ad=it.get("whole_ad", False))
            for k in LIST_KEYS:
                it[k] = [s for s in it.get(k, []) if s.strip()]
            items.append(it)
    return files, items


def resolve_source(source):
    """The local path of a label's `source`."""
    if source.startswith("mirror:"):
        m = re.fullmatch(r"mirror:([^/]+)/([^@]+)@([0-9a-fA-F]{40}):(.+)", source)
        if not m:
            raise ValueError(f"bad mirror source {source!r} (want mirror:OWNER/NAME@COMMIT40:PATH)")
        return MIRROR / f"{m.group(1)}+{m.group(2)}" / m.group(4)
    return CORPUS / source


# ---------------------------------------------------------------------------------------------
# Parsing the source feed (our own reading, to find the labeled item)
# ---------------------------------------------------------------------------------------------

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"


def is_rss_ns(ns):
    """RSS elements: no namespace, or one of RSS 0.9/1.0 (some feeds drop the trailing slash)."""
    return ns == "" or any(k in ns.lower() for k in ("purl.org/rss/1.0", "netscape.com/rdf", "userland.com/rss"))


def _split_tag(tag):
    if not isinstance(tag, str):
        return None, ""
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def _inner_markup(el):
    """The children of an XML element as HTML (namespace prefixes dropped)."""
    out = [html.escape(el.text or "", quote=False)]
    for child in el:
        _, local = _split_tag(child.tag)
        if local:
            out.append(f"<{local}>{_inner_markup(child)}</{local}>")
        out.append(html.escape(child.tail or "", quote=False))
    return "".join(out)


def _looks_html(s):
    return bool(re.search(r"</?[a-zA-Z][^>]*>|&[#a-zA-Z0-9]+;", s or ""))


def _body(kind, value):
    """(kind, raw) -> visible text."""
    if kind == "text":
        return plain_text(value)
    return visible_text(value)


def _atom_text(el):
    """An Atom text construct as ('html'|'text', string)."""
    typ = (el.get("type") or "text").lower()
    if typ in ("xhtml", "application/xhtml+xml"):
        return "html", _inner_markup(el)
    text = "".join(el.itertext()) if len(el) else (el.text or "")
    if typ in ("html", "text/html") or _looks_html(text):
        return "html", text
    return "text", text


def _rss_item(el):
    f = {"title": None, "guid": None, "link": None, "bodies": {}}
    for c in el:
        ns, local = _split_tag(c.tag)
        text = "".join(c.itertext())
        if local == "title" and is_rss_ns(ns) and f["title"] is None:
            f["title"] = text
        elif local == "guid" and f["guid"] is None:
            f["guid"] = text.strip()
        elif local == "link" and is_rss_ns(ns) and f["link"] is None:
            f["link"] = text.strip()
        elif local == "link" and ns.endswith("Atom") and f["link"] is None and c.get("href"):
            f["link"] = c.get("href")
        elif local == "origLink" and c.text:
            f["orig_link"] = text.strip()
        elif local == "encoded" and ns == CONTENT_NS:
            f["bodies"].setdefault("encoded", ("html", text))
        elif local == "description" and is_rss_ns(ns):
            f["bodies"].setdefault("description", ("html", text))
        elif local == "summary":
            f["bodies"].setdefault("summary", _atom_text(c))
    return f


def _atom_entry(el):
    f = {"title": None, "guid": None, "link": None, "bodies": {}}
    for c in el:
        _, local = _split_tag(c.tag)
        if local == "title" and f["title"] is None:
            f["title"] = _atom_text(c)[1]
        elif local == "id" and f["guid"] is None:
            f["guid"] = (c.text or "").strip()
        elif local == "link" and c.get("rel", "alternate") == "alternate" and f["link"] is None:
            f["link"] = c.get("href")
        elif local == "origLink" and c.text:
            f["orig_link"] = c.text.strip()
        elif local == "content" and not c.get("src"):
            f["bodies"].setdefault("content", _atom_text(c))
        elif local == "summary":
            f["bodies"].setdefault("summary", _atom_text(c))
    return f


BODY_ORDER = ("encoded", "content", "description", "summary")


def _finish(f):
    """Source item fields -> {title, guid, link, body} (body = visible text of the richest)."""
    kind, raw = next((f["bodies"][k] for k in BODY_ORDER if k in f["bodies"]), ("text", ""))
    return {"title": f["title"] or "", "guid": f["guid"] or "", "link": f.get("link") or "",
            "orig_link": f.get("orig_link") or "", "body": _body(kind, raw)}


PROLOG_ENCODING = re.compile(rb"^(\s*<\?xml[^>]*encoding=[\"'])([A-Za-z0-9_.:-]+)")


def parse_xml_feed(data):
    # Bytes that are valid UTF-8 are UTF-8 whatever the prolog says (a feed written in UTF-8
    # under a copied "ISO-8859-1" prolog): the text is what it really is, as feedscrub reads it
    # (src/charset.rs), not mojibake that no output could match.
    m = PROLOG_ENCODING.match(data)
    if m and m.group(2).lower() not in (b"utf-8", b"utf8") and not data.isascii():
        try:
            data.decode("utf-8")
            data = data[:m.start(2)] + b"utf-8" + data[m.end(2):]
        except UnicodeDecodeError:
            pass
    root = ET.fromstring(data)
    _, rl = _split_tag(root.tag)
    if rl == "feed":
        return [_finish(_atom_entry(e)) for e in root if _split_tag(e.tag)[1] == "entry"]
    items = []
    for e in root.iter():
        ns, local = _split_tag(e.tag)
        if local == "item" and is_rss_ns(ns):
            items.append(_finish(_rss_item(e)))
        elif local == "entry" and ns.endswith("Atom"):
            items.append(_finish(_atom_entry(e)))
    return items


def parse_json_feed(doc):
    items = []
    for it in doc.get("items") or []:
        if not isinstance(it, dict):
            continue
        if it.get("content_html"):
            kind, raw = "html", it["content_html"]
        elif it.get("content_text"):
            kind, raw = "text", it["content_text"]
        else:
            kind, raw = "html", it.get("summary") or ""
        items.append({"title": it.get("title") or "", "guid": str(it.get("id") or ""),
                      "link": it.get("url") or "", "orig_link": "", "body": _body(kind, raw)})
    return items


def decode_bytes(data):
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    for bom, enc in ((b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        m = re.search(rb"<\?xml[^>]*encoding=[\"']([A-Za-z0-9_.:-]+)", data[:300])
        try:
            return data.decode(m.group(1).decode() if m else "windows-1252", "replace")
        except LookupError:
            return data.decode("windows-1252", "replace")


def _xml_value(raw):
    """Element content from the tolerant reader: CDATA kept as is, the rest unescaped."""
    parts = re.split(r"<!\[CDATA\[(.*?)\]\]>", raw, flags=re.S)
    return "".join(p if i % 2 else html.unescape(p) for i, p in enumerate(parts))


def _lenient_field(block, name, prefix=""):
    """(attributes, raw content) of the first <name> element of `block`, or (None, None).
    `prefix`: "" for no namespace prefix, "any" for a required one (content:encoded)."""
    pre = r"[\w.-]+:" if prefix == "any" else ""
    m = re.search(rf"<{pre}{name}\b([^>]*)>(.*?)</{pre}{name}\s*>", block, re.S)
    return (m.group(1), m.group(2)) if m else (None, None)


def parse_lenient(text):
    """A regex reader for feeds ElementTree refuses (undefined entities, stray bytes)."""
    items = []
    for tag, block in re.findall(r"<(item|entry)\b[^>]*>(.*?)</\1\s*>", text, re.S):
        f = {"title": None, "guid": None, "link": None, "bodies": {}}
        _, t = _lenient_field(block, "title")
        f["title"] = _xml_value(t) if t is not None else None
        _, g = _lenient_field(block, "guid" if tag == "item" else "id")
        f["guid"] = _xml_value(g).strip() if g is not None else None
        href = re.search(r"<link\b[^>]*href=[\"']([^\"']+)", block)
        _, link = _lenient_field(block, "link")
        if tag == "entry" and href:
            f["link"] = html.unescape(href.group(1))
        elif link:
            f["link"] = _xml_value(link).strip()
        _, enc = _lenient_field(block, "encoded", prefix="any")
        if enc is not None:
            f["bodies"]["encoded"] = ("html", _xml_value(enc))
        for name in ("content", "description", "summary"):
            attrs, v = _lenient_field(block, name)
            if v is None:
                continue
            if "xhtml" in attrs:
                f["bodies"][name] = ("html", v)
            else:
                v = _xml_value(v)
                f["bodies"][name] = ("html" if name == "description" or _looks_html(v) else "text", v)
        items.append(_finish(f))
    return items


def parse_source(path):
    """The items of a feed file in document order: {title, guid, link, orig_link, body}."""
    data = Path(path).read_bytes()
    head = data.lstrip()[:1]
    if head in (b"{", b"["):
        return parse_json_feed(json.loads(decode_bytes(data))), "json"
    try:
        return parse_xml_feed(data), "xml"
    except ET.ParseError:
        return parse_lenient(decode_bytes(data)), "lenient"


def title_keys(title):
    """Normalized forms a title may take (as text, and as HTML made visible)."""
    t = (title or "").strip()
    if t.startswith(AD_MARK.strip()):
        t = t[len(AD_MARK.strip()):].strip()
    return {norm(t), norm_map(visible_text(t))[0]} - {""}


# ---------------------------------------------------------------------------------------------
# Running feedscrub
# ---------------------------------------------------------------------------------------------

def feeds_toml(path):
    return (
        "[settings]\n"
        'db = "store"\n'
        "retain_items = 1000000\n"
        "retain_days = 36500\n"
        'max_body = "256MiB"\n'
        "\n[[feed]]\n"
        'name = "src"\n'
        f"url = {json.dumps(str(path))}\n"
        'ads = "mark"\n'
    )


def _run(cmd, cwd):
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, errors="replace",
                          timeout=FETCH_TIMEOUT)


def run_feedscrub(binary, path, keep_tmp):
    """fetch + export of one source file. Returns (export items or None, error text, tmp dir)."""
    tmp = tempfile.mkdtemp(prefix="feedscrub-score-")
    try:
        cfg = os.path.join(tmp, "feeds.toml")
        with open(cfg, "w", encoding="utf-8") as fh:
            fh.write(feeds_toml(Path(path).resolve()))
        out = os.path.join(tmp, "export.json")
        steps = [[binary, "--config", cfg, "fetch"],
                 [binary, "--config", cfg, "export", "--feed", "src", "--format", "json", "--limit", "0", "-o", out]]
        for cmd in steps:
            try:
                r = _run(cmd, tmp)
            except subprocess.TimeoutExpired:
                return None, f"`{cmd[3]}` timed out after {FETCH_TIMEOUT}s", tmp
            if r.returncode != 0:
                output = [t.strip() for t in (r.stdout, r.stderr) if t.strip()]
                return None, "\n".join([f"`{cmd[3]}` exited {r.returncode}"] + output), tmp
        with open(out, encoding="utf-8") as fh:
            return json.load(fh).get("items", []), None, tmp
    except (OSError, ValueError) as e:
        return None, f"could not run or read the export: {e}", tmp
    finally:
        if not keep_tmp:
            shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Matching source items to export items
# ---------------------------------------------------------------------------------------------

TRACKING = re.compile(r"^(utm_|mc_|pk_|piwik_|ga_)|^(fbclid|gclid|dclid|msclkid|yclid|igshid|"
                      r"wt\.mc_id|wt_mc|ncid|cmpid|icid|ocid|xtor|_hsenc|_hsmi|mkt_tok)$", re.I)


def url_keys(u):
    """(full key, path key) of a link, for matching only: scheme, www., trailing slash and
    tracking parameters do not count; the path key also ignores host and fragment."""
    u = (u or "").strip()
    if not u:
        return None, None
    try:
        p = urllib.parse.urlsplit(u)
    except ValueError:
        return u, u
    host = (p.hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    path = urllib.parse.unquote(p.path).rstrip("/")
    query = "&".join(q for q in p.query.split("&") if q and not TRACKING.match(q.split("=")[0]))
    tail = path + ("?" + query if query else "")
    frag = "#" + p.fragment if p.fragment else ""
    return (host + tail + frag if host else None), tail


def is_marked(ex):
    ext = ex.get("_feedscrub") or {}
    return (ex.get("title") or "").startswith(AD_MARK) or bool(ext.get("ad") or ext.get("ad_item"))


def match_items(src_items, export):
    """For each source item (document order), the index of its export item or None."""
    by_id, by_url, by_path, by_title = {}, {}, {}, {}
    for j, ex in enumerate(export):
        by_id.setdefault((ex.get("id") or "").strip(), []).append(j)
        full, tail = url_keys(ex.get("url"))
        if full:
            by_url.setdefault(full, []).append(j)
        if tail:
            by_path.setdefault(tail, []).append(j)
        for k in title_keys(ex.get("title")):
            by_title.setdefault(k, []).append(j)
    used, result = set(), []
    for s in src_items:
        tkeys = title_keys(s["title"])
        cands = []
        if s["guid"]:
            cands = by_id.get(s["guid"], [])
        for link in (s["orig_link"], s["link"], s["guid"]):
            if cands:
                break
            full, tail = url_keys(link)
            cands = (by_url.get(full, []) if full else []) or (by_path.get(tail, []) if tail else [])
        if not cands:
            cands = [j for k in tkeys for j in by_title.get(k, [])]
        free = [j for j in cands if j not in used]
        same_title = [j for j in free if tkeys & title_keys(export[j].get("title"))]
        if not same_title:
            # a relative link ("?feed=RSS") may meet other items' links; the title decides
            same_title = [j for k in tkeys for j in by_title.get(k, []) if j not in used]
        pick = (same_title or free or [None])[0]
        if pick is not None:
            used.add(pick)
        result.append(pick)
    return result


# ---------------------------------------------------------------------------------------------
# Scoring one item
# ---------------------------------------------------------------------------------------------

SENTENCE_END = re.compile(r"[.!?]+[\"'\u201d\u2019\u00bb)\]]*\s+")
BLANK = "\x00"


def split_sentences(text):
    out = []
    for line in text.split("\n"):
        start = 0
        for m in SENTENCE_END.finditer(line):
            nxt = line[m.end():m.end() + 1]
            if nxt and (nxt.isupper() or nxt.isdigit()):
                out.append(line[start:m.end()].strip())
                start = m.end()
        out.append(line[start:].strip())
    return [s for s in out if s]


def _occurrences(padded, ns):
    """Start offsets (in the unpadded text) of the word-bounded occurrences of `ns`."""
    out, start = [], 0
    while True:
        i = padded.find(pad(ns), start)
        if i < 0:
            return out
        out.append(i)
        start = i + 1


def _line_rank(body, lo, hi):
    """0: the occurrence is a whole line; 1: it starts a line; 2: inside a line."""
    line_start = body.rfind("\n", 0, lo) + 1
    line_end = body.find("\n", hi)
    line_end = len(body) if line_end < 0 else line_end
    if not body[line_start:lo].strip():
        return 0 if not re.search(r"\w", body[hi:line_end]) else 1
    return 2


def blank_snippets(body, snippets):
    """The body with the drop/either snippets replaced by BLANK chars, and the snippets that
    were not found. A snippet of >= 4 words is blanked wherever it occurs. A shorter one (a bare
    label such as "Anzeige" that the article may use as a word) is blanked where it makes a
    whole line, and beyond that only as often as it is listed, preferring occurrences that
    start a line, so the article's own uses stay article text."""
    nb, idx = norm_map(body)
    padded = pad(nb)
    chars = list(body)
    listed = {}
    for snip in snippets:
        ns = norm(snip)
        if ns:
            listed.setdefault(ns, [snip, 0])[1] += 1
    unfound = []
    # long snippets first, so a label inside a longer junk block is taken with it
    for ns, (snip, times) in sorted(listed.items(), key=lambda kv: -len(kv[0].split())):
        spans = [(i, idx[i], idx[i + len(ns) - 1] + 1) for i in _occurrences(padded, ns)]
        if not spans:
            unfound.append(snip)
            continue
        if len(ns.split()) < 4:
            # occurrences inside a longer snippet already blanked count as listed ones
            free = [sp for sp in spans if BLANK not in chars[sp[1]:sp[2]]]
            times -= len(spans) - len(free)
            ranked = sorted(free, key=lambda sp: (_line_rank(body, sp[1], sp[2]), sp[0]))
            whole = [sp for sp in ranked if _line_rank(body, sp[1], sp[2]) == 0]
            spans = ranked[:max(times, len(whole), 0)]
        for _, lo, hi in spans:
            for k in range(lo, hi):
                chars[k] = BLANK
    return "".join(chars), unfound


def snippet_left(ns, out_padded, out_grams, article_segments, article_grams):
    """Is normalized snippet `ns` still standing in the output?"""
    words = ns.split()
    if len(words) >= 4:
        grams = [tuple(words[i:i + 3]) for i in range(len(words) - 2)]
        # 3-grams the article text itself has (a footer that quotes the title) say nothing
        own = [g for g in grams if g not in article_grams] or grams
        return sum(g in out_grams for g in own) * 2 >= len(own)
    in_article = sum(count_occurrences(pad(seg), ns) for seg in article_segments)
    return count_occurrences(out_padded, ns) > in_article


def score_content(label, body, out_html):
    """Scores a non-whole-ad item whose output body is `out_html` (None: item LOST)."""
    out_norm = norm_map(visible_text(out_html or ""))[0]
    out_padded, out_grams = pad(out_norm), trigrams(out_norm.split())
    blanked, unfound = blank_snippets(body, label["drop"] + label["either"])
    segments = [norm(s) for s in blanked.split(BLANK)]
    article_grams = set().union(*(trigrams(seg.split()) for seg in segments))
    sentences = [s for s in split_sentences(blanked.replace(BLANK, "\n")) if len(norm(s).split()) >= 3]

    def left(s):
        # a snippet not found whole in the body (glued to its neighbour) was not blanked: its
        # 3-grams are all the article's, and all count
        grams = frozenset() if s in unfound else article_grams
        return out_html is not None and snippet_left(norm(s), out_padded, out_grams, segments, grams)

    def present(s):
        return out_html is not None and count_occurrences(out_padded, norm(s)) > 0

    return {
        "drop": [{"text": s, "left": left(s)} for s in label["drop"] if norm(s)],
        "labels": [{"text": s, "left": left(s)} for s in label["labels"] if norm(s)],
        "sentences": [{"text": s, "kept": present(s)} for s in sentences],
        "keep": [{"text": s, "kept": present(s)} for s in label["keep"] if norm(s)],
        "unfound": unfound,
    }


def empty_counts():
    return dict(items=0, lost=0, junk=0, junk_left=0, labels=0, labels_left=0, sents=0,
                sents_kept=0, traps=0, traps_kept=0, ads=0, ads_caught=0, fp_ads=0, unfound=0)


def item_counts(rec):
    c = empty_counts()
    c["items"] = 1
    if rec["whole_ad"]:
        c["ads"] = 1
        c["ads_caught"] = int(rec["status"] in ("dropped", "marked"))
        return c
    c["lost"] = int(rec["status"] == "LOST")
    c["fp_ads"] = int(rec["status"] == "marked")
    c["junk"] = len(rec["drop"])
    c["junk_left"] = sum(d["left"] for d in rec["drop"])
    c["labels"] = len(rec["labels"])
    c["labels_left"] = sum(d["left"] for d in rec["labels"])
    c["sents"] = len(rec["sentences"])
    c["sents_kept"] = sum(s["kept"] for s in rec["sentences"])
    c["traps"] = len(rec["keep"])
    c["traps_kept"] = sum(s["kept"] for s in rec["keep"])
    c["unfound"] = len(rec["unfound"])
    return c


def score_item(label, src, export, ex_index):
    """The per-item record (see --per-item)."""
    ex = export[ex_index] if ex_index is not None else None
    if label["whole_ad"]:
        status = "dropped" if ex is None else ("marked" if is_marked(ex) else "kept")
    else:
        status = "LOST" if ex is None else ("marked" if is_marked(ex) else "ok")
    rec = {k: label[k] for k in ("_file", "_pos", "source", "site", "lang", "index", "title", "whole_ad")}
    rec.update(part=part_of(label["site"]), status=status, export_id=ex.get("id") if ex else None,
               export_title=ex.get("title") if ex else None)
    if not label["whole_ad"]:
        rec.update(score_content(label, src["body"], ex.get("content_html", "") if ex else None))
    rec["counts"] = item_counts(rec)
    return rec


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------

def add(a, b):
    for k, v in b.items():
        a[k] += v


def ratio(num, den):
    return f"{num / den:.3f} ({num}/{den})" if den else f"  -   ({num}/{den})"


def print_site_table(rows):
    head = ("site", "lang", "part", "items", "junk removed", "labels left", "sentences kept",
            "whole-ad", "fp ads", "lost", "traps kept")
    lines = [head]
    for (site, part), (langs, c) in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        lines.append((site, ",".join(sorted(langs)), part, str(c["items"]),
                      f"{c['junk'] - c['junk_left']}/{c['junk']}", str(c["labels_left"]),
                      f"{c['sents_kept']}/{c['sents']}", f"{c['ads_caught']}/{c['ads']}",
                      str(c["fp_ads"]), str(c["lost"]), f"{c['traps_kept']}/{c['traps']}"))
    widths = [max(len(r[i]) for r in lines) for i in range(len(head))]
    for n, r in enumerate(lines):
        print("  ".join(v.ljust(w) if i < 3 else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths))))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def print_totals(name, c, sites, langs):
    print(f"\n{name}: {c['items']} items, {len(sites)} sites, {len(langs)} languages "
          f"({', '.join(sorted(langs)) or '-'})")
    print(f"  junk removed           {ratio(c['junk'] - c['junk_left'], c['junk'])}")
    print(f"  labels left            {c['labels_left']} of {c['labels']}")
    print(f"  article sentences kept {ratio(c['sents_kept'], c['sents'])}")
    print(f"  traps kept             {ratio(c['traps_kept'], c['traps'])}")
    print(f"  whole-ad caught        {ratio(c['ads_caught'], c['ads'])}")
    print(f"  false-positive ads     {c['fp_ads']} of {c['items'] - c['ads']} non-ad items")
    print(f"  LOST items             {c['lost']}")
    print(f"  unfound drop/either    {c['unfound']} (label snippets not found in the source body)")


def print_misses(records, n):
    junk = [(r, d["text"]) for r in records for d in r.get("drop", []) if d["left"]]
    lost = [(r, s["text"]) for r in records for s in r.get("sentences", []) if not s["kept"]]
    ads = [(r, f"whole-ad item {r['status']}" if r["whole_ad"] else "non-ad item marked as ad")
           for r in records if (r["whole_ad"] and r["status"] == "kept") or
           (not r["whole_ad"] and r["status"] == "marked")]
    for title, rows in (("junk snippets left", junk), ("article sentences lost", lost),
                        ("ad mistakes", ads)):
        print(f"\n{title}: {len(rows)} (showing {min(n, len(rows))})")
        for r, text in rows[:n]:
            short = text if len(text) <= 300 else text[:297] + "..."
            print(f"  [{r['site']}] {r['title'][:70]!r} (#{r['index']}, {r['status']}): {short}")


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

def parse_args(argv):
    ap = argparse.ArgumentParser(description="Score feedscrub on the labeled real-feed corpus.",
                                 epilog="See the module docstring for the metrics.")
    ap.add_argument("--bin", default=str(REPO / "target" / "release" / "feedscrub"))
    ap.add_argument("--labels", default=str(REPO / "scripts" / "realcorpus" / "labels" / "*.json"),
                    help="glob of label files (quote it)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--per-item", metavar="FILE.jsonl")
    ap.add_argument("--part", choices=("tune", "test", "all"), default="all")
    ap.add_argument("--show-misses", type=int, default=0, metavar="N")
    ap.add_argument("--keep-tmp", action="store_true", help="keep each source's temp dir")
    args = ap.parse_args(argv)
    if args.jobs < 1 or args.show_misses < 0:
        ap.error("--jobs must be >= 1 and --show-misses >= 0")
    return args


def locate_binary(path):
    b = shutil.which(path) if os.sep not in path else path
    if not b or not os.path.isfile(b) or not os.access(b, os.X_OK):
        print(f"score.py: feedscrub binary not found or not executable: {path}\n"
              "  build it with `cargo build --release`, or pass --bin", file=sys.stderr)
        sys.exit(2)
    return os.path.abspath(b)


def group_by_source(labels, skipped, problems):
    """{path: [label, ...]} for the sources that exist; the others are counted in `skipped`."""
    groups, missing = {}, {}
    for it in labels:
        try:
            path = resolve_source(it["source"])
        except ValueError as e:
            problems.append(f"{it['_file']}: items[{it['_pos']}]: {e}; skipped")
            skipped["bad source"] += 1
            continue
        if not path.is_file():
            missing.setdefault(it["source"], [path, 0])[1] += 1
            skipped["source missing"] += 1
            continue
        groups.setdefault(path, []).append(it)
    for source, (path, n) in sorted(missing.items()):
        hint = " (run scripts/realcorpus/fill.sh)" if source.startswith("mirror:") else ""
        problems.append(f"source file missing: {path}{hint}; {n} item(s) skipped")
    return groups


def score_source(binary, path, labels, keep_tmp):
    """Runs one source and scores its labeled items: (records, problems, skip counts)."""
    problems, skipped, records = [], {}, []
    try:
        src_items, how = parse_source(path)
    except (OSError, ValueError) as e:
        return [], [f"{path}: cannot parse the source feed: {e}"], {"source unreadable": len(labels)}
    good = []
    for it in labels:
        where = f"{it['_file']}: items[{it['_pos']}] ({it['source']} #{it['index']})"
        if it["index"] >= len(src_items):
            problems.append(f"{where}: index out of range (the feed has {len(src_items)} items)")
            skipped["bad index/title"] = skipped.get("bad index/title", 0) + 1
        elif not title_keys(it["title"]) & title_keys(src_items[it["index"]]["title"]) and \
                (it["title"].strip() or src_items[it["index"]]["title"].strip()):
            problems.append(f"{where}: title {it['title']!r} does not match the feed's "
                            f"{src_items[it['index']]['title']!r}")
            skipped["bad index/title"] = skipped.get("bad index/title", 0) + 1
        else:
            good.append(it)
    if not good:
        return [], problems, skipped
    export, err, tmp = run_feedscrub(binary, path, keep_tmp)
    if export is None:
        problems.append(f"FETCH FAILED for {path}: {err}")
        return [], problems, {**skipped, "fetch failed": len(good)}
    if keep_tmp:
        problems.append(f"note: {path}: temp dir kept at {tmp}")
    matched = match_items(src_items, export)
    if len(export) < len(src_items):
        problems.append(f"note: feedscrub exported {len(export)} of the {len(src_items)} items of "
                        f"{path}" + (" (feed not understood?)" if not export else ""))
    for it in good:
        records.append(score_item(it, src_items[it["index"]], export, matched[it["index"]]))
    return records, problems, skipped


def main(argv=None):
    args = parse_args(argv)
    binary = locate_binary(args.bin)
    problems = []
    skipped = {"source missing": 0, "bad source": 0}
    malformed = []
    files, labels = load_labels(args.labels, problems, malformed)
    skipped["malformed label"] = len(malformed)
    if not files:
        print(f"score.py: no label files match {args.labels}", file=sys.stderr)
    if args.part != "all":
        labels = [it for it in labels if part_of(it["site"]) == args.part]
    seen = {}
    for it in labels:
        seen[(it["source"], it["index"])] = seen.get((it["source"], it["index"]), 0) + 1
    dups = sum(n - 1 for n in seen.values() if n > 1)
    if dups:
        problems.append(f"note: {dups} item(s) are labeled more than once (each label is scored)")
    groups = group_by_source(labels, skipped, problems)
    print(f"scoring {sum(map(len, groups.values()))} labeled items from {len(files)} label file(s), "
          f"{len(groups)} source feed(s), {args.jobs} job(s) ...", file=sys.stderr)

    records = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(score_source, binary, p, its, args.keep_tmp): p for p, its in groups.items()}
        for fut in concurrent.futures.as_completed(futures):
            recs, probs, skips = fut.result()
            records.extend(recs)
            problems.extend(probs)
            for k, v in skips.items():
                skipped[k] = skipped.get(k, 0) + v
    records.sort(key=lambda r: (r["part"], r["site"], r["source"], r["index"], r["_file"]))

    if problems:
        print("\nproblems:")
        for p in problems:
            print("  " + p.replace("\n", "\n    "))
    report(records, args.part)
    skipped = {k: v for k, v in skipped.items() if v}
    print(f"\nitems not scored: {sum(skipped.values())}"
          + (f" ({', '.join(f'{k}: {v}' for k, v in sorted(skipped.items()))})" if skipped else ""))
    if args.show_misses:
        print_misses(records, args.show_misses)
    if args.per_item:
        with open(args.per_item, "w", encoding="utf-8") as fh:
            for r in records:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(f"\nper-item records: {args.per_item}")
    return 0


def report(records, part):
    rows, totals = {}, {p: (empty_counts(), set(), set()) for p in ("tune", "test", "all")}
    for r in records:
        langs, c = rows.setdefault((r["site"], r["part"]), (set(), empty_counts()))
        langs.add(r["lang"])
        add(c, r["counts"])
        for p in (r["part"], "all"):
            add(totals[p][0], r["counts"])
            totals[p][1].add(r["site"])
            totals[p][2].add(r["lang"])
    print()
    print_site_table(rows)
    for p in ("tune", "test", "all"):
        if part in ("all", p) or p == "all":
            print_totals(p, *totals[p])


if __name__ == "__main__":
    sys.exit(main())
