#!/usr/bin/env python3
"""Helpers for scripts/check/seed.sh (stdlib only).

  check/seed_forms.py html  TEXTFILE        -> the article as an HTML fragment: a <p> per paragraph,
                                         headings (short lines without final punctuation) as <h2>,
                                         an ad label as <p><strong>…</strong></p>, line breaks as <br>
  check/seed_forms.py feed  TEXTFILE OUT    -> an RSS 2.0 feed with the article twice: as plain text in
                                         <description> and as HTML in <content:encoded>
  check/seed_forms.py text  JSONFEED URL    -> the content_html of the item with this url in a JSON Feed, as plain text
                                         (paragraphs separated by blank lines)
"""
import html
import json
import sys
from html.parser import HTMLParser

LABELS = {"anzeige", "werbung", "advertisement", "sponsored"}
BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote", "figure", "section", "article", "table", "tr"}


def paragraphs(text):
    return [p.strip("\n") for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def is_heading(p):
    return "\n" not in p and len(p) <= 120 and not p.rstrip("“”\"' ").endswith((".", "!", "?", ":", "…"))


def to_html(text):
    out = []
    for p in paragraphs(text):
        if p.strip().lower() in LABELS:
            out.append(f"<p><strong>{html.escape(p.strip())}</strong></p>")
        elif is_heading(p) and out:  # the first line is the kicker, not a heading
            out.append(f"<h2>{html.escape(p)}</h2>")
        else:
            out.append("<p>" + "<br>".join(html.escape(line) for line in p.split("\n")) + "</p>")
    return "\n".join(out)


def to_feed(text, out_path):
    items = [
        ("seed-text", "Seed article (plain text)", f"<description>{html.escape(text)}</description>"),
        ("seed-html", "Seed article (HTML)", f"<content:encoded><![CDATA[{to_html(text)}]]></content:encoded>"),
    ]
    body = "".join(
        f"<item><title>{t}</title><guid isPermaLink=\"false\">{g}</guid>"
        f"<link>https://seed.example/{g}?utm_source=rss</link>"
        f"<pubDate>Fri, 20 Feb 2026 02:30:12 +0000</pubDate>{c}</item>\n"
        for g, t, c in items
    )
    with open(out_path, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
                '<title>seed</title><link>https://seed.example/</link><description>seed</description>\n'
                f"{body}</channel></rss>\n")


class Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.paras, self.cur = [], ""

    def flush(self):
        lines = [" ".join(l.split()) for l in self.cur.split("\n")]
        lines = [l for l in lines if l]
        if lines:
            self.paras.append("\n".join(lines))
        self.cur = ""

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.cur += "\n"
        elif tag in BLOCKS:
            self.flush()

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self.flush()

    def handle_data(self, data):
        self.cur += data


def to_text(fragment):
    t = Text()
    t.feed(fragment)
    t.close()
    t.flush()
    return "\n\n".join(t.paras)


def main():
    cmd = sys.argv[1]
    if cmd == "html":
        print(to_html(open(sys.argv[2], encoding="utf-8").read()))
    elif cmd == "feed":
        to_feed(open(sys.argv[2], encoding="utf-8").read(), sys.argv[3])
    elif cmd == "text":
        feed = json.load(open(sys.argv[2], encoding="utf-8"))
        matches = [i for i in feed["items"] if i.get("url") == sys.argv[3]]
        if len(matches) != 1:
            sys.exit(f"item {sys.argv[3]!r} not found in {sys.argv[2]}")
        print(to_text(matches[0]["content_html"]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
