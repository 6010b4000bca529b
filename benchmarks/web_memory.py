"""Memory of one web request: how much a fresh ``peervalue serve`` process grows to answer the
largest request the web's caps allow, beside a small request measured the same way.

Run: ``.venv/bin/python benchmarks/web_memory.py [--only psa-studies ...] [--json]``.

For each case it starts ``peervalue serve`` (one worker, a temporary SQLite file) as a real
process on a free loopback port, sends one small warm-up request of the same kind (so the
libraries a route imports are loaded before the measure), reads the process's resident
memory (``VmRSS``), sends the case's request, and reads its peak resident memory
(``VmHWM``): the growth is the peak less the resident memory before. A fresh process per
case, so no case inherits another's peak. The budget is 512 MiB of growth per request
(issue 16, item 7); the baseline is a small request (the six bundled studies at 20,000
draws) measured in the same run.

The cases are the worst the caps in ``peervalue.web.requests`` allow, per endpoint:

* ``psa-studies``: the most small studies that fit a 1 MB body (1,800 of about 550 bytes
  each) at the most draws the studies x draws cap allows (4,000,000 // 1,800 = 2,222);
* ``psa-fewer-studies``: 20 full studies at 200,000 draws (the draw cap; 4,000,000);
* ``psa-bundled``: the bundled library's studies (``all-2026``) at 200,000 draws;
* ``analysis-leave-one-out``: 200 studies x 1,000 draws x 200 left out (40,000,000);
* ``sensitivity-studies``: 775 full studies (a 1 MB body), one-way sensitivity;
* ``thresholds-studies``: the same studies, break-even values;
* ``report-studies``: 50 studies at 10,000 draws (500,000), an HTML report;
* ``report-bundled``: the bundled evidence and a business case at 50,000 draws, as HTML;
* ``refused``: 1,000 small studies at 50,000 draws (the request of issue 16): refused (422)
  before any run, its growth the cost of reading and validating the body.

Measured on the project's 2-core machine (shared with other sessions), 2026-12-04; growth of
the serving process's peak resident memory over its resident memory before the request:

    baseline (6 studies x 20,000 draws)       20 MiB   0.1 s
    psa-studies (1,800 x 2,222)              175 MiB   5.0 s   (issue 16 saw 2.6 GiB)
    psa-fewer-studies (20 x 200,000)         120 MiB   1.9 s
    psa-bundled (all-2026 x 200,000)         146 MiB   1.6 s
    analysis-leave-one-out (200 x 1,000)      24 MiB   2.4 s
    sensitivity-studies (775)                181 MiB   4.8 s   (before the chunks: 780 MiB, 22 s)
    thresholds-studies (775)                  22 MiB   0.7 s
    report-studies (50 x 10,000)             228 MiB  14.4 s   (775 studies took 6.3 GiB, 247 s)
    report-bundled (all-2026, a case, 50,000) 98 MiB  11.3 s
    refused (1,000 x 50,000)                  10 MiB   0.4 s   422
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from web import HOST, server

ROOT = Path(__file__).resolve().parent.parent
BUDGET_MIB = 512
#: a body over this is refused before it is read (peervalue.web.app.MAX_BODY_BYTES)
BODY_LIMIT = 1_000_000


def small_study(i: int) -> dict[str, Any]:
    """A study of about 550 bytes of JSON: an outcome per FTE-year with a range, no arms."""
    return {
        "id": f"s{i}",
        "citation": {"authors": ["A"], "year": 2020, "title": "t"},
        "country": "x",
        "design": "controlled",
        "peer_role": "additional",
        "setting": "x",
        "follow_up": {
            "value": 12,
            "unit": "months",
            "status": "reported",
            "source": {"citation": "x"},
        },
        "arms": {
            "intervention": {
                "value": 40,
                "unit": "patients",
                "status": "reported",
                "source": {"citation": "x"},
            }
        },
        "outcome": {
            "kind": "bed_days_saved_per_fte_year",
            "saved_per_fte_year": {
                "value": 100,
                "unit": "bed-days/FTE-year",
                "status": "assumed",
                "range": [50, 150],
                "rationale": "x",
            },
        },
    }


def full_study(i: int) -> dict[str, Any]:
    """The synthetic study alpha (means and SDs of two arms, an FTE range): more inputs a
    study, about 1,290 bytes of JSON."""
    import yaml

    alpha: dict[str, Any] = yaml.safe_load((ROOT / "tests/data/synthetic/alpha.yaml").read_text())
    return {**alpha, "id": f"s{i}"}


def scenario() -> dict[str, Any]:
    from peervalue.scenario.schema import template_file

    document = tomllib.loads(template_file().read_text(encoding="utf-8"))
    document["scenario"]["start"] = document["scenario"]["start"].isoformat()
    document["evidence"]["set"] = "all-2026"
    return document


@dataclass(frozen=True)
class Case:
    name: str
    path: str
    body: dict[str, Any]
    warm: dict[str, Any]  #: a small request to the same route, sent first
    status: int = 200


def cases() -> list[Case]:
    small = {"evidence": [small_study(0)], "draws": 100}
    return [
        Case("baseline", "/api/v1/psa", {"draws": 20_000}, small),
        Case(
            "psa-studies",
            "/api/v1/psa",
            {"evidence": [small_study(i) for i in range(1800)], "draws": 2_222},
            small,
        ),
        Case(
            "psa-fewer-studies",
            "/api/v1/psa",
            {"evidence": [full_study(i) for i in range(20)], "draws": 200_000},
            small,
        ),
        Case("psa-bundled", "/api/v1/psa", {"evidence_set": "all-2026", "draws": 200_000}, small),
        Case(
            "analysis-leave-one-out",
            "/api/v1/analysis",
            {
                "evidence": [small_study(i) for i in range(200)],
                "draws": 1_000,
                "leave_one_out": True,
            },
            {**small, "leave_one_out": True},
        ),
        Case(
            "sensitivity-studies",
            "/api/v1/sensitivity",
            {"evidence": [full_study(i) for i in range(775)]},
            {"evidence": [small_study(0)]},
        ),
        Case(
            "thresholds-studies",
            "/api/v1/thresholds",
            {"evidence": [full_study(i) for i in range(775)]},
            {"evidence": [small_study(0)]},
        ),
        Case(
            "report-studies",
            "/api/v1/reports?format=html",
            {"evidence": [full_study(i) for i in range(50)], "draws": 10_000},
            small,
        ),
        Case(
            "report-bundled",
            "/api/v1/reports?format=html",
            {"scenario": scenario(), "evidence_set": "all-2026", "draws": 50_000},
            small,
        ),
        Case(
            "refused",
            "/api/v1/psa",
            {"evidence": [small_study(i) for i in range(1000)], "draws": 50_000},
            small,
            status=422,
        ),
    ]


def memory(pid: int) -> dict[str, int]:
    """``VmRSS`` and ``VmHWM`` of a process, in KiB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


def serving_pid(port: int) -> int:
    """The process listening on ``port`` (``peervalue serve`` with one worker serves in its
    own process)."""
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            parts = line.split()
            if int(parts[1].rsplit(":", 1)[1], 16) == port and parts[3] == "0A":  # LISTEN
                inode = parts[9]
    if inode is None:
        raise SystemExit(f"nothing listens on port {port}")
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                if fd.readlink().as_posix() == f"socket:[{inode}]":
                    return int(proc.name)
        except OSError:
            continue
    raise SystemExit(f"no process holds the socket of port {port}")


def post(port: int, path: str, body: dict[str, Any]) -> tuple[int, float, int]:
    data = json.dumps(body).encode()
    request = urllib.request.Request(
        f"http://{HOST}:{port}{path}",
        data=data,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=600) as answer:
            answer.read()
            status = answer.status
    except urllib.error.HTTPError as refused:
        refused.read()
        status = refused.code
    return status, time.perf_counter() - started, len(data)


def measure(case: Case, folder: Path) -> dict[str, Any]:
    with server(1, folder) as port:
        pid = serving_pid(port)
        post(port, case.path, case.warm)
        before = memory(pid)
        status, seconds, size = post(port, case.path, case.body)
        after = memory(pid)
    growth = (after["VmHWM"] - before["VmRSS"]) / 1024
    return {
        "case": case.name,
        "status": status,
        "expected": case.status,
        "body_bytes": size,
        "seconds": round(seconds, 2),
        "rss_before_mib": round(before["VmRSS"] / 1024, 1),
        "peak_mib": round(after["VmHWM"] / 1024, 1),
        "growth_mib": round(growth, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="run only these cases")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args()
    chosen = [c for c in cases() if not args.only or c.name in args.only or c.name == "baseline"]
    rows = []
    with tempfile.TemporaryDirectory(prefix="peervalue-bench-") as tmp:
        for case in chosen:
            size = len(json.dumps(case.body).encode())
            if size > BODY_LIMIT:
                raise SystemExit(f"{case.name}: the body is {size:,} bytes, over the body limit")
            rows.append(measure(case, Path(tmp)))
            print(json.dumps(rows[-1]) if args.json else _line(rows[-1], rows[0]), flush=True)
    failed = [r for r in rows if r["status"] != r["expected"] or r["growth_mib"] >= BUDGET_MIB]
    if failed:
        raise SystemExit(f"over the {BUDGET_MIB} MiB budget or an unexpected status: {failed}")


def _line(row: dict[str, Any], baseline: dict[str, Any]) -> str:
    ratio = (
        row["growth_mib"] / baseline["growth_mib"] if baseline["growth_mib"] > 0 else float("nan")
    )
    return (
        f"{row['case']:<24} {row['status']} {row['body_bytes']:>9,} B {row['seconds']:>7.2f} s  "
        f"RSS {row['rss_before_mib']:>6.1f} MiB -> peak {row['peak_mib']:>7.1f} MiB  "
        f"growth {row['growth_mib']:>6.1f} MiB ({ratio:4.1f}x baseline; budget {BUDGET_MIB})"
    )


if __name__ == "__main__":
    main()
