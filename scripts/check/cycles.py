#!/usr/bin/env python3
"""check/cycles.py — no module of the crate imports one that imports it back.

Reads every `src/**/*.rs` (comments and `#[cfg(test)] mod tests { … }` blocks left out), takes
each top-level module's `crate::NAME` references as its imports, and looks for cycles between
top-level modules (up to six long). Prints each cycle found; exit 1 when there is one, else 0.
CI runs it (`.ci/run`). Python 3 standard library only.

    python3 scripts/check/cycles.py
"""

import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def imports():
    graph = {}
    for path in glob.glob(os.path.join(ROOT, "src", "**", "*.rs"), recursive=True):
        rel = os.path.relpath(path, os.path.join(ROOT, "src"))
        top = rel.split(os.sep)[0].removesuffix(".rs")
        if top in ("main", "lib"):
            continue
        text = open(path, encoding="utf-8").read()
        text = re.split(r"#\[cfg\(test\)\]\s*mod tests \{", text)[0]
        text = "\n".join(line for line in text.split("\n") if not line.strip().startswith("//"))
        graph.setdefault(top, set()).update(re.findall(r"crate::([a-z_]+)", text))
    return {m: {d for d in deps if d in graph and d != m} for m, deps in graph.items()}


def cycles(graph):
    found = set()

    def walk(start, node, path):
        for nxt in sorted(graph.get(node, ())):
            if nxt == start:
                # one rotation per cycle: starting at its smallest module
                i = path.index(min(path))
                found.add(tuple(path[i:] + path[:i]))
            elif nxt not in path and len(path) < 6:
                walk(start, nxt, path + [nxt])

    for m in sorted(graph):
        walk(m, m, [m])
    return sorted(found)


def main():
    graph = imports()
    found = cycles(graph)
    for c in found:
        print("cycle: " + " -> ".join(c + (c[0],)))
    print(f"check/cycles.py: {len(graph)} modules, {len(found)} import cycles")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
