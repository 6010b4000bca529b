"""Slow clients against ``peervalue serve``: can 3,000 connections that send their request
bodies a byte every 5 seconds starve everyone else?

Run: ``make bench`` (or ``.venv/bin/python benchmarks/slow_clients.py [--slow 3000]
[--seconds 60] [--workers 1] [--json]``).

It starts ``peervalue serve`` with its default limits on a free loopback port (temporary
SQLite file, output to a log file), then:

1. baseline: ``GET /api/v1/evidence`` on a new connection each time, ``--reads`` times, with
   no slow client (p50 and p99);
2. load: a separate process opens ``--slow`` connections, each sending the headers of
   ``POST /api/v1/scenarios/run`` with a Content-Length of 100,000 and then one byte of
   body every 5 seconds; whenever the server closes one (it answers 408 when a body takes
   longer than PEERVALUE_BODY_TIMEOUT, 503 beyond PEERVALUE_MAX_CONNECTIONS), it opens
   another, so that ``--slow`` stay open. Once they are all open, the same reads as in the
   baseline run for ``--seconds`` seconds.

It prints both p99s, their ratio, the target (p99 under 0.5 s with the slow clients), and
what the server did to the slow clients (the statuses it answered them with). The file
descriptor limit is raised to its hard limit here (the server raises its own).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import multiprocessing
import os
import resource
import signal
import sys
import tempfile
import time
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from web import HOST, percentile, server

TARGET_P99_S = 0.5
#: seconds between two bytes of a slow body
TRICKLE_EVERY = 5.0
SLOW_HEAD = (
    "POST /api/v1/scenarios/run HTTP/1.1\r\nHost: {host}\r\n"
    "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
)


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else 65536
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def read_once(port: int) -> float:
    """Seconds for ``GET /api/v1/evidence`` on a new connection (raises on a failure)."""
    start = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", "/api/v1/evidence")
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise OSError(f"status {response.status}")
    finally:
        conn.close()
    return time.perf_counter() - start


def reads(port: int, seconds: float, count: int) -> tuple[list[float], Counter[str]]:
    """Up to ``count`` reads spread over ``seconds`` (or as many as fit)."""
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    pause = seconds / count
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and len(latencies) + sum(errors.values()) < count:
        started = time.monotonic()
        try:
            latencies.append(read_once(port))
        except (OSError, http.client.HTTPException) as exc:
            errors[str(exc) or type(exc).__name__] += 1
        time.sleep(max(0.0, pause - (time.monotonic() - started)))
    return latencies, errors


# --- the slow clients, in their own process ---------------------------------------------


async def _slow_client(port: int, stats: Counter[str], stopping: asyncio.Event) -> None:
    """One slow connection after another until ``stopping``: headers, then a byte every
    TRICKLE_EVERY seconds; what ends each connection is counted."""
    head = SLOW_HEAD.format(host=f"{HOST}:{port}").encode()
    while not stopping.is_set():
        try:
            reader, writer = await asyncio.open_connection(HOST, port)
        except OSError as exc:
            stats[f"connect failed: {exc.strerror or exc}"] += 1
            await asyncio.sleep(1)
            continue
        stats["opened"] += 1
        stats["open"] += 1
        try:
            writer.write(head)
            await writer.drain()
            while not stopping.is_set():
                line = await _wait_for_answer(reader, TRICKLE_EVERY)
                if line is not None:
                    status = line.split(b" ")[1].decode() if line.count(b" ") >= 1 else "?"
                    stats[f"answered {status}" if line else "closed by the server"] += 1
                    break
                writer.write(b" ")
                await writer.drain()
        except OSError:
            stats["reset by the server"] += 1
        finally:
            stats["open"] -= 1
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


async def _wait_for_answer(reader: asyncio.StreamReader, seconds: float) -> bytes | None:
    """The server's status line (or b'' when it closed), or None when it said nothing."""
    try:
        return await asyncio.wait_for(reader.readline(), seconds)
    except TimeoutError:
        return None


async def _slow_clients(port: int, count: int, report: Connection) -> None:
    stats: Counter[str] = Counter()
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stopping.set)
    tasks = []
    for i in range(count):
        tasks.append(asyncio.create_task(_slow_client(port, stats, stopping)))
        if i % 100 == 99:
            await asyncio.sleep(0.05)
    while not stopping.is_set():
        report.send(dict(stats))
        await asyncio.sleep(1)
    await asyncio.gather(*tasks, return_exceptions=True)
    report.send(dict(stats))


def slow_clients_process(port: int, count: int, report: Connection) -> None:
    raise_fd_limit()
    asyncio.run(_slow_clients(port, count, report))


# --- the run ----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=3000, help="slow connections held open")
    parser.add_argument("--seconds", type=float, default=60.0, help="reads under load (s)")
    parser.add_argument("--reads", type=int, default=600, help="reads per phase")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    limit = raise_fd_limit()
    with (
        tempfile.TemporaryDirectory(prefix="peervalue-bench-slow-") as tmp,
        # the server as deployed: the per-client run limit stays on
        server(args.workers, Path(tmp), rate_limited=True) as port,
    ):
        base, base_errors = reads(port, seconds=args.reads * 0.02, count=args.reads)
        receiver, sender = multiprocessing.Pipe(duplex=False)
        attacker = multiprocessing.Process(
            target=slow_clients_process, args=(port, args.slow, sender), daemon=True
        )
        attacker.start()
        stats: dict[str, int] = {}
        ramp_deadline = time.monotonic() + 120
        while stats.get("open", 0) < args.slow and time.monotonic() < ramp_deadline:
            while receiver.poll(1):
                stats = receiver.recv()
        opened_before = dict(stats)
        loaded, load_errors = reads(port, seconds=args.seconds, count=args.reads)
        while receiver.poll(0):
            stats = receiver.recv()
        during = dict(stats)
        assert attacker.pid is not None
        os.kill(attacker.pid, signal.SIGTERM)
        attacker.join(30)
        if attacker.is_alive():
            attacker.kill()
    base_p99 = percentile(base, 99)
    load_p99 = percentile(loaded, 99)
    summary: dict[str, Any] = {
        "fd_limit": limit,
        "workers": args.workers,
        "slow_connections": args.slow,
        "open_when_reads_began": opened_before.get("open", 0),
        "baseline": {
            "reads": len(base),
            "errors": dict(base_errors),
            "p50_ms": percentile(base, 50) * 1000,
            "p99_ms": base_p99 * 1000,
        },
        "with_slow_clients": {
            "reads": len(loaded),
            "errors": dict(load_errors),
            "p50_ms": percentile(loaded, 50) * 1000,
            "p99_ms": load_p99 * 1000,
        },
        "p99_ratio": load_p99 / base_p99,
        "target_p99_ms": TARGET_P99_S * 1000,
        "meets_target": load_p99 < TARGET_P99_S and not load_errors,
        "slow_clients": {k: v for k, v in during.items() if k != "open"},
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    b, w = summary["baseline"], summary["with_slow_clients"]
    print(
        f"GET /api/v1/evidence, a new connection each time, {args.workers} worker(s); "
        f"fd limit {limit}"
    )
    print(
        f"baseline (no slow client, same run): {b['reads']} reads, p50 {b['p50_ms']:.1f} ms, "
        f"p99 {b['p99_ms']:.1f} ms, errors {b['errors'] or 0}"
    )
    print(
        f"with {summary['open_when_reads_began']:,} slow-body connections open "
        f"(a byte every {TRICKLE_EVERY:g} s): {w['reads']} reads over {args.seconds:g} s, "
        f"p50 {w['p50_ms']:.1f} ms, p99 {w['p99_ms']:.1f} ms, errors {w['errors'] or 0}"
    )
    print(
        f"p99 ratio {summary['p99_ratio']:.2f}x; target p99 < {TARGET_P99_S * 1000:.0f} ms "
        f"and no error: {'yes' if summary['meets_target'] else 'NO'}"
    )
    print("the slow clients: " + ", ".join(f"{k} {v}" for k, v in summary["slow_clients"].items()))


if __name__ == "__main__":
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, signal.default_int_handler)
    try:
        main()
    except KeyboardInterrupt:
        print("interrupted; the server is stopped", file=sys.stderr)
        sys.exit(130)
