"""Load benchmark of the JSON API: ``peervalue serve`` under a bounded load on loopback.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/web.py [--workers 1 2] [--json]``).

For each number of uvicorn workers (1, then 2) it starts ``peervalue serve`` as a real
process on a free loopback port, with a temporary SQLite database, waits until it answers,
and drives it from ``--clients`` concurrent clients (threads of keep-alive connections,
4 by default). Each case stops by itself after ``--requests`` requests or ``--seconds``
seconds, whichever comes first, and reports throughput, p50 and p99 latency and errors
(an unexpected status or a failed connection):

* scenario: ``POST /api/v1/scenarios/run`` with the scenario template at 10,000 draws;
* evidence: ``GET /api/v1/evidence`` (the bundled studies, read once per process);
* study: ``GET /api/v1/evidence/sledge2011``;
* floor: ``GET`` of an unknown path, a 404 problem that does no work: what HTTP,
  the middleware and the client cost alone.

Baselines measured in the same run: the same scenario run called in this process with no
HTTP (its median time and the throughput of one caller), and the floor above. The table
gives the ratios of each case to its baseline. Targets on the project's 2-core machine,
at 4 concurrent clients: p99 under 150 ms for the scenario run, under 20 ms for an
evidence read, no errors. The server's output goes to a file, never to an unread pipe;
the server is stopped (its whole process group) when the run ends or is interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from startup import peervalue_command

HOST = "127.0.0.1"
TARGET_P99_MS = {"scenario": 150.0, "evidence": 20.0, "study": 20.0}
DRAWS = 10_000


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    body: bytes | None
    status: int  #: the expected status; any other counts as an error
    requests: int


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""


def scenario_body() -> dict[str, Any]:
    """The scenario template (``peervalue scenario new``) as a JSON request at 10,000 draws."""
    from peervalue.scenario.schema import template_file

    document = tomllib.loads(template_file().read_text(encoding="utf-8"))
    document["scenario"]["start"] = document["scenario"]["start"].isoformat()
    return {"scenario": document, "draws": DRAWS, "seed": 1}


def in_process_baseline(body: dict[str, Any], repeats: int) -> float:
    """Median seconds of the same scenario run called in this process, with no HTTP."""
    from peervalue.service.scenario import run_scenario
    from peervalue.web.requests import WebScenarioRequest

    run_scenario(WebScenarioRequest.model_validate(body))  # the first run reads the files
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run_scenario(WebScenarioRequest.model_validate(body))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server and every worker it started (its own process group)."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@contextlib.contextmanager
def server(workers: int, folder: Path, *, rate_limited: bool = False) -> Iterator[int]:
    """``peervalue serve`` on a free loopback port until the block ends; yields the port.

    Its database and log are in ``folder``. Unless ``rate_limited``, runs are not limited
    per client (one loopback client sends hundreds of runs a minute in the load test)."""
    port = free_port()
    log_path = folder / f"serve-{workers}.log"
    env = {**os.environ, "PEERVALUE_DATABASE_URL": f"sqlite:///{folder / f'bench-{workers}.db'}"}
    if not rate_limited:
        env["PEERVALUE_RUNS_PER_MINUTE"] = "0"
    env.pop("PEERVALUE_API_TOKEN", None)
    command = [*peervalue_command(), "serve", "--host", HOST, "--port", str(port)]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [*command, "--workers", str(workers)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # its own process group, so stop() reaches the workers
        )
    try:
        wait_until_up(proc, port, log_path)
        yield port
    finally:
        stop(proc)


def wait_until_up(proc: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(
                f"peervalue serve stopped (exit {proc.returncode}):\n{log_path.read_text()}"
            )
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/api/v1/evidence")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"peervalue serve did not answer within 60 s:\n{log_path.read_text()}")


def send(conn: http.client.HTTPConnection, case: Case) -> int:
    headers = {"content-type": "application/json"} if case.body is not None else {}
    conn.request(case.method, case.path, body=case.body, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def drive(port: int, case: Case, clients: int, seconds: float) -> tuple[Tally, float]:
    """``case.requests`` requests from ``clients`` threads (or ``seconds``, if sooner)."""
    tally = Tally()
    lock = threading.Lock()
    left = [case.requests]
    deadline = time.monotonic() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        try:
            for _ in range(2):  # warm the connection and the worker behind it
                send(conn, case)
            while time.monotonic() < deadline:
                with lock:
                    if left[0] <= 0:
                        return
                    left[0] -= 1
                start = time.perf_counter()
                try:
                    status = send(conn, case)
                    error = "" if status == case.status else f"status {status}"
                except (OSError, http.client.HTTPException) as exc:
                    error = f"{type(exc).__name__}: {exc}"
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=60)
                elapsed = time.perf_counter() - start
                with lock:
                    if error:
                        tally.errors += 1
                        tally.first_error = tally.first_error or error
                    else:
                        tally.latencies.append(elapsed)
        finally:
            conn.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally, time.perf_counter() - start


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument("--requests", type=int, default=400, help="scenario runs per case")
    parser.add_argument("--reads", type=int, default=2000, help="GET requests per case")
    parser.add_argument("--seconds", type=float, default=30.0, help="time cap per case")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    body = scenario_body()
    direct = in_process_baseline(body, repeats=30)
    cases = [
        Case("scenario", "POST", "/api/v1/scenarios/run", json.dumps(body).encode(), 200, 0),
        Case("evidence", "GET", "/api/v1/evidence", None, 200, 0),
        Case("study", "GET", "/api/v1/evidence/sledge2011", None, 200, 0),
        Case("floor", "GET", "/api/v1/no-such-path", None, 404, 0),
    ]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="peervalue-bench-web-") as tmp:
        for workers in args.workers:
            with server(workers, Path(tmp)) as port:
                results = {}
                for case in cases:
                    n = args.requests if case.name == "scenario" else args.reads
                    sized = Case(case.name, case.method, case.path, case.body, case.status, n)
                    results[case.name] = drive(port, sized, args.clients, args.seconds)
            floor_tally, floor_wall = results["floor"]
            floor_p50 = percentile(floor_tally.latencies, 50)
            floor_rate = len(floor_tally.latencies) / floor_wall
            for name, (tally, wall) in results.items():
                done = len(tally.latencies)
                p50 = percentile(tally.latencies, 50)
                p99 = percentile(tally.latencies, 99)
                base_p50, base_rate = (
                    (direct, 1 / direct) if name == "scenario" else (floor_p50, floor_rate)
                )
                target = TARGET_P99_MS.get(name)
                rows.append(
                    {
                        "workers": workers,
                        "case": name,
                        "requests": done,
                        "errors": tally.errors,
                        "first_error": tally.first_error,
                        "per_second": done / wall,
                        "p50_ms": p50 * 1000,
                        "p99_ms": p99 * 1000,
                        "p50_over_baseline": p50 / base_p50,
                        "per_second_over_baseline": done / wall / base_rate,
                        "target_p99_ms": target,
                        "meets_target": None
                        if target is None
                        else (p99 * 1000 < target and tally.errors == 0),
                    }
                )
    if args.json:
        summary = {"clients": args.clients, "in_process_scenario_ms": direct * 1000, "rows": rows}
        print(json.dumps(summary, indent=2))
        return
    print(
        f"baseline (same run): the scenario run in this process, no HTTP: "
        f"{direct * 1000:.1f} ms median ({1 / direct:.1f}/s for one caller); "
        f"floor: GET of an unknown path (404) on the same server"
    )
    print(
        f"{args.clients} concurrent clients; scenario = POST /api/v1/scenarios/run at "
        f"{DRAWS:,} draws; evidence = GET /api/v1/evidence; study = GET "
        f"/api/v1/evidence/sledge2011"
    )
    print(
        f"{'workers':>7} {'case':<9} {'requests':>8} {'errors':>6} {'req/s':>8} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'p50/base':>8} {'rate/base':>9} {'p99 target':>10}  ok"
    )
    for r in rows:
        goal = f"{r['target_p99_ms']:.0f} ms" if r["target_p99_ms"] else "-"
        ok = {None: "", True: "yes", False: "NO"}[r["meets_target"]]
        print(
            f"{r['workers']:>7} {r['case']:<9} {r['requests']:>8} {r['errors']:>6} "
            f"{r['per_second']:>8.1f} {r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} "
            f"{r['p50_over_baseline']:>7.2f}x {r['per_second_over_baseline']:>8.2f}x "
            f"{goal:>10}  {ok}"
        )
        if r["first_error"]:
            print(f"        first error: {r['first_error']}")
    print(
        "base: the in-process run for the scenario (its median time; one caller's rate), "
        "the floor for a GET (its p50; its requests a second)"
    )


if __name__ == "__main__":
    for stop_signal in (signal.SIGINT, signal.SIGTERM):  # Ctrl-C or TERM: stop the servers
        signal.signal(stop_signal, signal.default_int_handler)
    try:
        main()
    except KeyboardInterrupt:
        print("interrupted; the servers are stopped", file=sys.stderr)
        sys.exit(130)
