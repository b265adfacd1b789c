#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ (git-ignored) with seeds, read at run time: the shared corpus stays
# outside the repository (its README asks for that). Safe to re-run: files are named by content.
#
#   parse_feed  real feeds (shared/corpus/feeds), feedparser's wellformed + illformed XML,
#               the project's own feed fixtures
#   clean       item HTML pulled out of those feeds (content, description, summary), the
#               project's clean fixtures, and a few hand-written hostile fragments
#   config      feeds.toml, and a few config texts written here
#   dates       date strings written here (RELIABILITY row 22 shapes)
#
# Usage: fuzz/seed.sh [SHARED_CORPUS_DIR]   (default: ../shared/corpus beside the work tree,
# else /work/shared/corpus)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
shared="${1:-}"
if [[ -z "$shared" ]]; then
    for d in "$root/../shared/corpus" /work/shared/corpus; do
        if [[ -d "$d" ]]; then shared="$d"; break; fi
    done
fi
[[ -d "$shared" ]] || { echo "seed.sh: no shared corpus found (pass its path)" >&2; exit 1; }
corpus="$here/corpus"
mkdir -p "$corpus"/{parse_feed,clean,config,dates}

# One seed file per input, named by its SHA-1 like libFuzzer names its own finds.
put() { # target, file
    local sum
    sum=$(sha1sum "$2" | cut -c1-40)
    cp "$2" "$corpus/$1/$sum"
}
put_text() { # target, text
    local tmp
    tmp=$(mktemp)
    printf '%s' "$2" >"$tmp"
    put "$1" "$tmp"
    rm -f "$tmp"
}

feeds=()
while IFS= read -r -d '' f; do feeds+=("$f"); done < <(
    find "$shared/feeds" "$shared/feedparser/wellformed" "$shared/feedparser/illformed" \
        "$root/tests/fixtures/feeds" -type f \( -name '*.xml' -o -name '*.rss' -o -name '*.atom' \
        -o -name '*.rdf' -o -name '*.json' \) -size -512k -print0)
for f in "${feeds[@]}"; do put parse_feed "$f"; done

# Item HTML: the text of every content/description/summary element, CDATA and entities undone
# (feeds carry escaped HTML), one seed per distinct fragment.
python3 - "$corpus/clean" "${feeds[@]}" <<'PY'
import hashlib, html, re, sys
out, files = sys.argv[1], sys.argv[2:]
tag = re.compile(r"<((?:content:encoded|content|description|summary|body|xhtml:body)\b)[^>]*>(.*?)</\1>", re.S | re.I)
seen = 0
for path in files:
    try:
        text = open(path, encoding="utf-8", errors="replace").read()
    except OSError:
        continue
    for m in tag.finditer(text):
        body = m.group(2).strip()
        cdata = re.fullmatch(r"<!\[CDATA\[(.*)\]\]>", body, re.S)
        body = cdata.group(1) if cdata else html.unescape(body)
        if not body or len(body) > 64 * 1024:
            continue
        data = body.encode("utf-8")
        with open(f"{out}/{hashlib.sha1(data).hexdigest()}", "wb") as f:
            f.write(data)
        seen += 1
print(f"clean: {seen} fragments extracted", file=sys.stderr)
PY
for f in "$root"/tests/fixtures/clean/*.html "$root"/tests/fixtures/article-en.html; do
    [[ -f "$f" ]] && put clean "$f"
done
hostile=(
    '<script>alert(1)</script><p>kept</p>'
    '<img src=x onerror=alert(1)><a href="JaVaScRiPt:alert(1)">x</a>'
    '<a href="jav&#x09;ascript:alert(1)">tab</a><a href=" &#1;javascript:alert(1)">ctl</a>'
    '<img srcset="javascript:alert(1) 1x, data:text/plain;base64,QQ== 2x, /a.png 3x">'
    '<iframe src="https://evil.example/" srcdoc="<script>alert(1)</script>"><p>child</p></iframe>'
    '<svg><a><set attributeName=href to=javascript:alert(1) /><text>x</text></a></svg>'
    '<svg><iframe><a title="</iframe><img src onerror=alert(1)>"></a></iframe></svg>'
    '<math><annotation-xml encoding="text/html"><style><img src=x onerror=alert(1)></style></annotation-xml></math>'
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>'
    '<!-- a --!><img src=x onerror=alert(1)> --><template><script>alert(1)</script></template>'
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">go</button></form>'
    '<div><div><blockquote cite="javascript:alert(1)"><div><p>deep</p></div></blockquote></div></div>'
    '<a href="https://example.com/" target="_blank">out</a><a href="/rel">rel</a><img src="//cdn.example/x.png">'
    '<p style="x:expression(alert(1))">s</p><meta http-equiv=refresh content="0;url=javascript:alert(1)"><base href="javascript:/">'
    '<video poster="javascript:alert(1)" src="/v.mp4"></video><object data="x"></object><embed src="x">'
    '<table><tr><td><p>cell<td>unclosed'
    '<iframe src="https://www.youtube.com/embed/x"><script>alert(1)</script></iframe>'
    '<b><p>misnested<script></script><script></script>text</b>'
    '<img src="http://bücher.example/x.png"><a href="https://www.facebook.com/sharer/sharer.php?u=x">share</a>'
)
for h in "${hostile[@]}"; do put_text clean "$h"; done

[[ -f "$root/feeds.toml" ]] && put config "$root/feeds.toml"
configs=(
    $'[settings]\ndb = "data/x.db"\ntimeout = "30s"\nmax_body = "10MiB"\nconcurrency = 16\n\n[[feed]]\nname = "a"\nurl = "https://example.com/feed.xml"\n'
    $'[settings]\ninterval = "59s"\nper_host = 0\noutput_items = -1\nretain_items = 0\nretain_days = 99999999999\nlisten = "nope"\npublic_url = "not a url"\n'
    $'[[feed]]\nname = "Bad Name"\nurl = "ftp://x"\ndrop_items = ["(unclosed"]\nremove = ["div[["]\nremove_text = ["a{99999}"]\nads = "maybe"\n'
    $'[[feed]]\nname = "a"\nurl = "local.xml"\ninterval = "1h"\nretain_items = 5\n[[feed]]\nname = "a"\nurl = "https://example.com/"\n'
    $'[settings]\nunknown = 1\n[[feed]]\nname = 3\n'
    $'settings = 5\nfeed = "x"\n'
    $'[settings]\ntimeout = "18446744073709551615s"\nmax_body = "99999999999999TiB"\nconcurrency = 9223372036854775807\n'
)
for c in "${configs[@]}"; do put_text config "$c"; done

dates=(
    'Tue, 21 Aug 2018 09:00:00 GMT' 'Tue, 21 Aug 2018 09:00:00 EST' 'Tue, 21 Aug 2018 09:00:00 CEST'
    'Tue, 21 Aug 2018 09:00:00 +0200' '21 Aug 2018 09:00 -0000' 'Mon, 31 Feb 2018 25:61:61 +9999'
    '8/21/2018 9:00:00 AM' '2018-08-21T09:00:00Z' '2018-08-21T09:00:00.123456789+02:00' '2018-08-21'
    '2099-12-31T23:59:59Z' '1900-01-01T00:00:00Z' '0000-00-00T00:00:00Z' '+275760-09-13T00:00:00Z'
    '20180821T090000Z' 'Tue, 21 Aug 18 09:00:00 PDT' 'yesterday' '' ' ' 'Di, 21 Aug 2018 09:00:00 MESZ'
    '9999999999999999999' '2018-08-21T09:00:00+24:00' '2018-W34-2'
)
for d in "${dates[@]}"; do put_text dates "$d"; done

for t in parse_feed clean config dates; do
    echo "$t: $(find "$corpus/$t" -type f | wc -l) seeds"
done
