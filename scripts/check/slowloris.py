#!/usr/bin/env python3
"""check/slowloris.py — N clients trickle request heads at a local server while curl asks normally.

Usage: check/slowloris.py PORT [--path PATH] [--connections N] [--duration S] [--interval S]
                         [--probe-every S] [--probe-timeout S]

Talks to 127.0.0.1:PORT only (there is no host option). For DURATION seconds:

- N tricklers (asyncio streams) each open a connection, send the start of a request head
  (`GET PATH HTTP/1.1`, `Host`, `User-Agent`), and then one more header byte every INTERVAL
  seconds (of `X-Slow-K: K` lines, so the head stays well-formed and is never finished). When
  the server answers or closes the connection, the trickler reconnects at once (after 0.5 s
  when the connection itself fails);
- a normal client, curl on a new connection with `--max-time PROBE_TIMEOUT`, asks for PATH
  every PROBE_EVERY seconds (at PROBE_EVERY, 2 x PROBE_EVERY, ... below DURATION), each probe
  on its own, so a slow one does not delay the next.

Prints what happened to the tricklers' connections (answered with which status, closed by the
server without an answer, reset, still open at the end; how long the closed ones lasted) and
every probe's status and time. Exit status: 0 when every probe got a 200, 1 when one did
not, 2 on a usage error.

Used by scripts/check/slowloris.sh (RELIABILITY row 46), which starts the server and watches
its memory and file descriptors; the open file limit (ulimit -n) must allow N connections.
"""

import argparse
import asyncio
import collections
import statistics
import sys

HOST = "127.0.0.1"  # never anything else: this is a load generator


class Tally:
    """What happened to the tricklers' connections, summed over all tricklers."""

    def __init__(self):
        self.connects = 0
        self.connect_errors = 0
        self.outcomes = collections.Counter()  # "503", "closed", "reset", "open"
        self.lasted = []  # seconds, of the connections that ended before the deadline


def filler(k):
    """The bytes a trickler sends, one at a time: endless `X-Slow-K: K` header lines."""
    while True:
        yield from f"X-Slow-{k}: {k}\r\n".encode()
        k += 1


async def trickle(reader, writer, head, deadline, interval, k):
    """Sends `head`, then a byte every `interval` s until the server answers or closes, or the
    deadline passes. Returns the outcome: the status code of an answer, "closed", "reset" or
    "open"."""
    loop = asyncio.get_running_loop()
    more = filler(k)
    try:
        writer.write(head)
        await writer.drain()
        while (left := deadline - loop.time()) > 0:
            try:
                data = await asyncio.wait_for(reader.read(4096), timeout=min(interval, left))
            except asyncio.TimeoutError:
                if loop.time() >= deadline:
                    break
                writer.write(bytes([next(more)]))
                await writer.drain()
                continue
            if not data:
                return "closed"
            if data.startswith(b"HTTP/") and len(data.split(b" ", 2)) > 1:
                return data.split(b" ", 2)[1].decode("ascii", "replace")
            return "other"
    except OSError:  # reset by the server, or another socket error
        return "reset"
    return "open"


async def trickler(i, args, deadline, tally):
    """One slow client, reconnecting until the deadline."""
    loop = asyncio.get_running_loop()
    head = (
        f"GET {args.path} HTTP/1.1\r\nHost: {HOST}:{args.port}\r\n" f"User-Agent: check/slowloris.py/{i}\r\n"
    ).encode()
    k = 0
    while (left := deadline - loop.time()) > 0:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, args.port), timeout=left)
        except asyncio.TimeoutError:
            break
        except OSError:
            tally.connect_errors += 1
            await asyncio.sleep(0.5)
            continue
        tally.connects += 1
        started = loop.time()
        outcome = await trickle(reader, writer, head, deadline, args.interval, k)
        k += 1000
        tally.outcomes[outcome] += 1
        if outcome != "open":
            tally.lasted.append(loop.time() - started)
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass


async def probe(at, args, t0):
    """curl on a new connection at `at` s after t0: (at, status code, seconds)."""
    loop = asyncio.get_running_loop()
    await asyncio.sleep(max(0.0, t0 + at - loop.time()))
    url = f"http://{HOST}:{args.port}{args.path}"
    proc = await asyncio.create_subprocess_exec(
        "curl", "-s", "-o", "/dev/null", "--noproxy", "*", "-w", "%{http_code} %{time_total}",
        "--max-time", str(args.probe_timeout), url,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await proc.communicate()
    fields = out.decode().split()
    code = fields[0] if fields else "000"
    secs = float(fields[1]) if len(fields) > 1 else float(args.probe_timeout)
    return at, code, secs


def ms(x):
    """A latency for the report, in milliseconds: 0.4 ms, 12 ms, 940 ms."""
    return f"{x * 1000:.1f} ms" if x < 0.01 else f"{x * 1000:.0f} ms"


def seconds(x):
    """A time for the report: 30, 0.151, 2.35."""
    return f"{x:g}" if x == int(x) else f"{x:.3f}" if x < 1 else f"{x:.2f}"


async def run(args):
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    deadline = t0 + args.duration
    tally = Tally()
    tricklers = [asyncio.create_task(trickler(i, args, deadline, tally)) for i in range(args.connections)]
    times = []
    at = args.probe_every
    while at < args.duration:
        times.append(at)
        at += args.probe_every
    probes = await asyncio.gather(*(probe(t, args, t0) for t in times))
    await asyncio.gather(*tricklers)

    o = tally.outcomes
    answers = ", ".join(f"{n:,} x {code}" for code, n in sorted(o.items()) if code not in ("closed", "reset", "open"))
    lasted = sorted(tally.lasted)
    print(
        f"tricklers: {args.connections:,} for {seconds(args.duration)} s, one header byte every "
        f"{seconds(args.interval)} s: {tally.connects:,} connections, {tally.connect_errors:,} connect errors; "
        f"answered: {answers or 'none'}; closed by the server unanswered: {o['closed']:,}; "
        f"reset: {o['reset']:,}; still open at the end: {o['open']:,}"
    )
    if lasted:
        print(
            f"tricklers' connections that ended: lasted median {seconds(statistics.median(lasted))} s, "
            f"max {seconds(lasted[-1])} s"
        )
    good = [secs for _, code, secs in probes if code == "200"]
    span = f" in {ms(min(good))} – {ms(max(good))} (median {ms(statistics.median(good))})" if good else ""
    print(
        f"normal client (curl, new connection, --max-time {seconds(args.probe_timeout)} s, every "
        f"{seconds(args.probe_every)} s): {len(good)}/{len(probes)} answered 200{span}"
    )
    print("  " + "; ".join(f"t={seconds(t)}s: {code} in {ms(secs)}" for t, code, secs in probes))
    return 0 if len(good) == len(probes) else 1


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("port", type=int, help="the server's port on 127.0.0.1")
    ap.add_argument("--path", default="/feeds/bench-0001.atom", help="the path asked for (default %(default)s)")
    ap.add_argument("--connections", "-n", type=int, default=1000, help="tricklers (default %(default)s)")
    ap.add_argument("--duration", type=float, default=30, help="seconds (default %(default)s)")
    ap.add_argument("--interval", type=float, default=10, help="seconds between header bytes (default %(default)s)")
    ap.add_argument("--probe-every", type=float, default=2, help="seconds between curls (default %(default)s)")
    ap.add_argument("--probe-timeout", type=float, default=10, help="curl --max-time (default %(default)s)")
    args = ap.parse_args()
    if not 0 < args.port < 65536 or not args.path.startswith("/"):
        ap.error("PORT must be 1-65535 and --path must start with /")
    if args.connections < 0 or min(args.duration, args.interval, args.probe_every, args.probe_timeout) <= 0:
        ap.error("--connections must be >= 0 and the times positive")
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
