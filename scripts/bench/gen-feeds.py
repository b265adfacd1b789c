#!/usr/bin/env python3
"""Generate a deterministic set of RSS 2.0 feeds for scripts/bench/refresh.sh.

Writes into OUTDIR:
  www/feeds/NNNN.xml   FEEDS feeds with ITEMS items each (RSS 2.0 + content:encoded)
  feeds.toml           feedscrub config listing every feed at http://127.0.0.1:PORT/
  urls.txt             the feed URLs, one per line

Each item carries ~2.3 KB of HTML: filler paragraphs in German and English
(words vary so no two items are equal), one <h2>, exactly ONE ad block
("<p><strong>Anzeige</strong></p><p>... Jetzt gratis herunterladen</a></p>"),
a link with utm_* tracking parameters and an <img src="/img/N.jpg">.

The output depends only on the arguments (fixed seed), never on the clock.
Prints the total size of the feed files in bytes on stdout (last line).

Standard library only.
"""

import argparse
import datetime as dt
import email.utils
import os
import random
from xml.sax.saxutils import escape

SEED = 20240617

DE_WORDS = (
    "die der das und nicht mit sich auf für ist im dem den von zu eine "
    "Stadt Regierung Bericht Woche Jahr Menschen Unternehmen Land Zeit "
    "neue erste große deutsche weitere soll hatte wurde werden sagte "
    "Bürgermeister Verkehr Schule Energie Preise Markt Forschung Klima "
    "Bahnhof Gemeinderat Haushalt Entwicklung Wasser Straße Polizei "
    "Feuerwehr Landkreis Verein Projekt Ergebnis Mitglieder Gespräch "
    "allerdings zunächst bereits bisher künftig deutlich offenbar"
).split()

EN_WORDS = (
    "the of and to in a is that for on with as was by at from it "
    "council report week year people company country time city "
    "new first major local further would had were said announced "
    "mayor traffic school energy prices market research climate "
    "station budget development water street police district club "
    "project result members interview however initially already "
    "previously soon significantly apparently spokesperson residents"
).split()

TOPICS = (
    "Haushalt 2025", "Neue Radwege", "Streit um Windpark", "Schulsanierung",
    "Stadtfest", "Hochwasserschutz", "Bahnstrecke", "Wohnungsbau",
    "Council budget", "Bike lanes", "Wind farm dispute", "School repairs",
    "Summer festival", "Flood defences", "Rail line", "Housing plan",
)

PROMOS = (
    "Sichern Sie sich jetzt unser exklusives Angebot für Leserinnen und Leser.",
    "Nur für kurze Zeit: das Premium-Paket zum halben Preis testen.",
    "Unser Partner schenkt Ihnen den Ratgeber als PDF, ganz ohne Abo.",
    "Limited offer: get the full e-book for free when you sign up today.",
)


def sentence(rng: random.Random, words, lo=8, hi=16) -> str:
    n = rng.randint(lo, hi)
    s = " ".join(rng.choice(words) for _ in range(n))
    return s[0].upper() + s[1:] + rng.choice(".!.?.")


def paragraph(rng: random.Random, lo=2, hi=4) -> str:
    words = DE_WORDS if rng.random() < 0.6 else EN_WORDS
    return "<p>" + " ".join(sentence(rng, words) for _ in range(rng.randint(lo, hi))) + "</p>"


def item_html(rng: random.Random, feed: int, item: int, img: int) -> str:
    paras = [paragraph(rng) for _ in range(rng.randint(4, 7))]
    h2 = f"<h2>{rng.choice(TOPICS)}: {sentence(rng, DE_WORDS, 3, 6)}</h2>"
    ad = (
        "<p><strong>Anzeige</strong></p>"
        f"<p>{rng.choice(PROMOS)} "
        f'<a href="https://promo.example.com/x?utm_source=feed&amp;utm_medium=rss&amp;id={feed}-{item}">'
        "Jetzt gratis herunterladen</a></p>"
    )
    tracked = (
        f'<p>Mehr dazu: <a href="https://news.example.org/{feed}/{item}/more'
        "?utm_source=rss&amp;utm_medium=feed&amp;utm_campaign=bench"
        f'">{sentence(rng, EN_WORDS, 3, 6)}</a></p>'
    )
    image = f'<p><img src="/img/{img}.jpg" alt="Bild {img}" width="640" height="360"></p>'
    # h2 after the first paragraph, ad block in the middle, image + tracked link near the end
    mid = len(paras) // 2
    parts = paras[:1] + [h2] + paras[1:mid] + [ad] + paras[mid:] + [image, tracked]
    return "\n".join(parts)


def feed_xml(rng: random.Random, feed: int, items: int, base: dt.datetime) -> str:
    name = f"Bench Feed {feed}"
    site = f"https://news.example.org/{feed}/"
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        "<channel>",
        f"<title>{escape(name)}</title>",
        f"<link>{site}</link>",
        f"<description>Synthetic benchmark feed {feed}</description>",
        "<language>de-de</language>",
        f"<lastBuildDate>{email.utils.format_datetime(base)}</lastBuildDate>",
    ]
    for i in range(items):
        when = base - dt.timedelta(minutes=37 * i + rng.randint(0, 30))
        title = sentence(rng, DE_WORDS, 4, 9).rstrip(".!?")
        link = f"{site}{i}/article.html?utm_source=rss&utm_medium=feed"
        html = item_html(rng, feed, i, feed * 100 + i)
        summary = sentence(rng, DE_WORDS, 12, 20)
        out += [
            "<item>",
            f"<title>{escape(title)}</title>",
            f"<link>{escape(link)}</link>",
            f'<guid isPermaLink="false">bench-{feed:05d}-{i:03d}</guid>',
            f"<pubDate>{email.utils.format_datetime(when)}</pubDate>",
            f"<description>{escape(summary)}</description>",
            f"<content:encoded><![CDATA[{html}]]></content:encoded>",
            "</item>",
        ]
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--items", type=int, default=20)
    ap.add_argument("--port", type=int, default=18089)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--store", choices=["sled", "redb"], help="[settings] store (default: feedscrub's)")
    args = ap.parse_args()

    rng = random.Random(SEED)
    base = dt.datetime(2024, 6, 17, 12, 0, tzinfo=dt.timezone.utc)
    feeds_dir = os.path.join(args.outdir, "www", "feeds")
    os.makedirs(feeds_dir, exist_ok=True)
    width = max(4, len(str(args.feeds)))

    total = 0
    urls = []
    toml = [
        "[settings]",
        'db = "data/feedscrub.db"',
        'timeout = "30s"',
        f"concurrency = {args.concurrency}",
    ] + ([f'store = "{args.store}"'] if args.store else []) + [
        "",
    ]
    for f in range(1, args.feeds + 1):
        num = f"{f:0{width}d}"
        data = feed_xml(rng, f, args.items, base - dt.timedelta(hours=f % 48)).encode()
        with open(os.path.join(feeds_dir, f"{num}.xml"), "wb") as fh:
            fh.write(data)
        total += len(data)
        url = f"http://127.0.0.1:{args.port}/feeds/{num}.xml"
        urls.append(url)
        toml += ["[[feed]]", f'name = "bench-{num}"', f'url = "{url}"', ""]

    with open(os.path.join(args.outdir, "feeds.toml"), "w") as fh:
        fh.write("\n".join(toml))
    with open(os.path.join(args.outdir, "urls.txt"), "w") as fh:
        fh.write("\n".join(urls) + "\n")
    print(total)


if __name__ == "__main__":
    main()
