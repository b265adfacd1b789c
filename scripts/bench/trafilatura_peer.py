#!/usr/bin/env python3
"""trafilatura over a benchmark's pages, as the peer of examples/extract_pages.rs.

    bench/trafilatura_peer.py DIR OUT_DIR [JOBS]      (run with a Python that has trafilatura installed)

DIR is either
- an AEB folder (html/<id>.html.gz): writes OUT_DIR/<id>.txt, for aeb_eval.py --outputs;
- a trafilatura benchmark folder (evaldata.json, pages in cache/ or eval/): writes
  OUT_DIR/<file>.txt for each `file` named in evaldata.json, for trafilatura_eval.py --outputs.

Each output is trafilatura.extract(page_bytes, include_comments=False, include_tables=True), an
empty file when it returns None; the page goes in as bytes (gunzipped for .gz), trafilatura
decodes it itself. JOBS worker processes (default 2) share the pages. Prints the page count, the
empty outputs, and pages/s of one process (pages / summed per-page extract time, information
only) beside the wall time. The pages are read in place, never copied.
"""
import gzip
import json
import multiprocessing as mp
import os
import sys
import time

import trafilatura

OUT = None


def pages(d):
    """The pages of DIR as (output name, path)."""
    evaldata = os.path.join(d, "evaldata.json")
    if os.path.isfile(evaldata):
        with open(evaldata, encoding="utf-8") as f:
            files = sorted({p["file"] for p in json.load(f).values() if p.get("file")})
        out = []
        for name in files:
            path = next((p for p in (os.path.join(d, s, name) for s in ("cache", "eval")) if os.path.isfile(p)), None)
            if path is None:
                print(f"trafilatura_peer: {name} is named in evaldata.json but in neither cache/ nor eval/",
                      file=sys.stderr)
                continue
            out.append((name, path))
        return out
    html = os.path.join(d, "html")
    return [(n[: -len(".html.gz")], os.path.join(html, n)) for n in sorted(os.listdir(html)) if n.endswith(".html.gz")]


def read(path):
    if path.endswith(".gz"):
        with gzip.open(path, "rb") as f:
            return f.read()
    with open(path, "rb") as f:
        return f.read()


def work(item):
    name, path = item
    page = read(path)
    t = time.perf_counter()
    text = trafilatura.extract(page, include_comments=False, include_tables=True)
    dt = time.perf_counter() - t
    with open(os.path.join(OUT, name + ".txt"), "w", encoding="utf-8") as f:
        f.write(text or "")
    return dt, not (text or "").strip()


def init(out):
    global OUT
    OUT = out


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    d, out = sys.argv[1], sys.argv[2]
    jobs = int(sys.argv[3]) if len(sys.argv) == 4 else 2
    os.makedirs(out, exist_ok=True)
    todo = pages(d)
    t0 = time.perf_counter()
    if jobs > 1:
        with mp.Pool(jobs, initializer=init, initargs=(out,)) as pool:
            results = list(pool.imap_unordered(work, todo, chunksize=4))
    else:
        init(out)
        results = [work(item) for item in todo]
    wall = time.perf_counter() - t0
    busy = sum(dt for dt, _ in results) or 1e-9
    n = len(results)
    if not n:
        sys.exit("trafilatura_peer: no pages in " + d)
    print(f"trafilatura {trafilatura.__version__}: pages={n} empty={sum(e for _, e in results)}  "
          f"{n / busy:.1f} pages/s in one process ({busy * 1000 / n:.2f} ms/page)  "
          f"wall {wall:.1f}s with {jobs} worker(s)")


if __name__ == "__main__":
    main()
