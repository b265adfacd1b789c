#!/usr/bin/env python3
"""Sample a running `feedscrub serve` for scripts/bench/daemon.sh.

For DURATION seconds it measures the daemon (PID) and its HTTP server (BASE):
  - CPU: utime+stime of /proc/PID/stat at the window's start and end (ticks / CLK_TCK);
  - polls: feedscrub_polls_total and feedscrub_not_modified_total from BASE/metrics, scraped
    once just before the CPU reading at the start and once just after the one at the end
    (/metrics may read every feed's state, so its own cost stays out of the window);
  - RSS: VmRSS of /proc/PID/status once a second;
  - latency (optional, one --path NAME=PATH each): one thread per path sends GET PATH every
    PERIOD seconds on a fresh TCP connection (http.client, `Connection: close`) and times
    connect to last body byte. A request still running at its next tick makes that tick skipped
    (counted), so a slow URL does not pile up requests.

Prints `key value` lines on stdout (read by the bench script):
  wall_s cpu_s polls_start polls_end nm_start nm_end metrics_start_ms metrics_end_ms
  rss_max_kb rss_mean_kb rss_samples alive
  and per path NAME: NAME_n NAME_p50_ms NAME_p99_ms NAME_max_ms NAME_non200 NAME_errors
  NAME_skipped NAME_bytes

Standard library only.
"""

import argparse
import http.client
import sys
import threading
import time
import urllib.parse


def cpu_ticks(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    # after "pid (comm)": state is field 3, utime field 14, stime field 15
    return int(fields[11]) + int(fields[12])


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def get(host: str, port: int, path: str, timeout: float):
    """GET path on a new connection: (status, body bytes, seconds)."""
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, len(body), time.perf_counter() - t0, body
    finally:
        conn.close()


def metrics(host: str, port: int, timeout: float):
    """(polls_total, not_modified_total, milliseconds the scrape took)."""
    status, _, secs, body = get(host, port, "/metrics", timeout)
    if status != 200:
        raise RuntimeError(f"/metrics answered {status}")
    vals = {}
    for line in body.decode("utf-8", "replace").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in ("feedscrub_polls_total", "feedscrub_not_modified_total"):
            vals[parts[0]] = int(float(parts[1]))
    return vals.get("feedscrub_polls_total", 0), vals.get("feedscrub_not_modified_total", 0), secs * 1000


def percentile(sorted_vals, p):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_vals:
        return float("nan")
    k = max(0, min(len(sorted_vals) - 1, int(-(-p * len(sorted_vals) // 100)) - 1))
    return sorted_vals[k]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--base", required=True, help="e.g. http://127.0.0.1:8080")
    ap.add_argument("--duration", type=float, required=True)
    ap.add_argument("--clk-tck", type=int, required=True)
    ap.add_argument("--period", type=float, default=0.1, help="seconds between requests of one path")
    ap.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    ap.add_argument("--metrics-timeout", type=float, default=300.0, help="for /metrics, seconds")
    ap.add_argument("--path", action="append", default=[], metavar="NAME=PATH")
    args = ap.parse_args()

    u = urllib.parse.urlsplit(args.base)
    host, port = u.hostname, u.port or 80
    paths = [p.split("=", 1) for p in args.path]

    polls0, nm0, m0_ms = metrics(host, port, args.metrics_timeout)
    ticks0 = cpu_ticks(args.pid)
    t0 = time.monotonic()
    end = t0 + args.duration
    stop = threading.Event()

    rss = []

    def rss_loop():
        k = 0
        while not stop.is_set():
            try:
                rss.append(rss_kb(args.pid))
            except OSError:
                return
            k += 1
            stop.wait(max(0.0, t0 + k - time.monotonic()))

    results = {name: {"lat": [], "non200": 0, "errors": 0, "skipped": 0, "bytes": 0} for name, _ in paths}

    def http_loop(name, path):
        r = results[name]
        k = 0
        while True:
            tick = t0 + k * args.period
            if tick >= end:
                return
            wait = tick - time.monotonic()
            if wait > 0:
                if stop.wait(wait):
                    return
            try:
                status, size, secs, _ = get(host, port, path, args.timeout)
                r["lat"].append(secs * 1000)
                r["bytes"] = size
                if status != 200:
                    r["non200"] += 1
            except (OSError, http.client.HTTPException):
                r["errors"] += 1
            # ticks that passed while this request ran are skipped, not sent late
            nxt = int((time.monotonic() - t0) / args.period) + 1
            r["skipped"] += max(0, nxt - k - 1)
            k = max(k + 1, nxt)

    threads = [threading.Thread(target=rss_loop, daemon=True)]
    threads += [threading.Thread(target=http_loop, args=(n, p), daemon=True) for n, p in paths]
    for t in threads:
        t.start()
    time.sleep(max(0.0, end - time.monotonic()))
    stop.set()
    for t in threads[1:]:
        t.join(args.timeout + 1)
    ticks1 = cpu_ticks(args.pid)
    t1 = time.monotonic()
    threads[0].join(2)
    polls1, nm1, m1_ms = metrics(host, port, args.metrics_timeout)

    out = {
        "wall_s": f"{t1 - t0:.3f}",
        "cpu_s": f"{(ticks1 - ticks0) / args.clk_tck:.3f}",
        "polls_start": polls0,
        "polls_end": polls1,
        "nm_start": nm0,
        "nm_end": nm1,
        "metrics_start_ms": f"{m0_ms:.1f}",
        "metrics_end_ms": f"{m1_ms:.1f}",
        "rss_max_kb": max(rss) if rss else 0,
        "rss_mean_kb": sum(rss) // len(rss) if rss else 0,
        "rss_samples": len(rss),
    }
    for name, _ in paths:
        r = results[name]
        lat = sorted(r["lat"])
        out[f"{name}_n"] = len(lat)
        out[f"{name}_p50_ms"] = f"{percentile(lat, 50):.2f}"
        out[f"{name}_p99_ms"] = f"{percentile(lat, 99):.2f}"
        out[f"{name}_max_ms"] = f"{lat[-1]:.2f}" if lat else "nan"
        out[f"{name}_non200"] = r["non200"]
        out[f"{name}_errors"] = r["errors"]
        out[f"{name}_skipped"] = r["skipped"]
        out[f"{name}_bytes"] = r["bytes"]
    for k, v in out.items():
        print(k, v)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
