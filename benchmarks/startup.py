"""Start-up benchmark: how long whole ``peervalue`` commands take, beside bare Python.

Each command runs as a fresh process (as a user would run it) several times; the
report gives the median wall time, the ratio to ``python -c pass`` measured in the
same run (the floor no command can beat), and the target from the project's issue.
Run with ``make bench`` or ``python benchmarks/startup.py [--repeats N] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

#: (label, arguments after ``peervalue``, target in seconds on the project's 2-core machine)
COMMANDS: list[tuple[str, list[str], float]] = [
    ("peervalue --version", ["--version"], 0.3),
    ("peervalue --help", ["--help"], 0.6),
    ("peervalue evidence list", ["evidence", "list"], 0.6),
    ("peervalue evidence show sledge2011", ["evidence", "show", "sledge2011"], 0.6),
    ("peervalue reproduce", ["reproduce"], 0.8),
    ("peervalue reproduce --format json", ["reproduce", "--format", "json"], 0.8),
    ("peervalue reproduce --format csv", ["reproduce", "--format", "csv"], 0.8),
    ("peervalue threshold", ["threshold"], 1.5),
    ("peervalue psa -n 1000", ["psa", "-n", "1000"], 2.0),
]


def peervalue_command() -> list[str]:
    """The installed console script next to this Python, else ``python -m``-style entry."""
    script = Path(sys.executable).with_name("peervalue")
    if script.exists():
        return [str(script)]
    found = shutil.which("peervalue")
    if found:
        return [found]
    return [sys.executable, "-c", "from peervalue.cli import main; main()"]


def wall_time(argv: list[str], repeats: int) -> float:
    """Median wall time of ``argv`` over ``repeats`` runs (one unmeasured warm-up first)."""
    env = {**os.environ, "COLUMNS": "120"}
    subprocess.run(argv, capture_output=True, check=True, env=env)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="runs per command (median)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()

    floor = wall_time([sys.executable, "-c", "pass"], args.repeats)
    rows: list[dict[str, Any]] = []
    for label, extra, target in COMMANDS:
        seconds = wall_time([*peervalue_command(), *extra], args.repeats)
        rows.append(
            {
                "command": label,
                "median_s": round(seconds, 3),
                "vs_python_pass": round(seconds / floor, 1),
                "target_s": target,
                "meets_target": seconds < target,
            }
        )
    if args.json:
        print(json.dumps({"python_pass_s": round(floor, 3), "commands": rows}, indent=2))
        return
    print(f"python -c pass: {floor:.3f} s (median of {args.repeats})")
    print(f"{'command':<40} {'median':>8} {'x pass':>7} {'target':>7}  ok")
    for r in rows:
        ok = "yes" if r["meets_target"] else "NO"
        print(
            f"{r['command']:<40} {r['median_s']:>7.3f}s {r['vs_python_pass']:>6.1f}x "
            f"{r['target_s']:>6.1f}s  {ok}"
        )


if __name__ == "__main__":
    main()
