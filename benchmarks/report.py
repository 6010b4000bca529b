"""Report benchmark: ``peervalue report`` as HTML, PDF and workbook at 100,000 draws (every
figure), beside the Monte Carlo alone (``peervalue psa``) at the same draws, measured in
the same run. Targets from the report issue: HTML under 5 s, PDF under 10 s on the
project's 2-core machine. Run with ``make bench`` or ``python benchmarks/report.py``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from startup import peervalue_command, wall_time

DRAWS = "100000"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per command (median)")
    args = parser.parse_args()
    pv = peervalue_command()
    with tempfile.TemporaryDirectory() as tmp:
        baseline = wall_time([*pv, "psa", "-n", DRAWS, "-q", "-f", "json"], args.repeats)
        print(f"baseline: peervalue psa -n {DRAWS}: {baseline:.2f} s (median of {args.repeats})")
        print(f"{'report':<10} {'median':>8} {'x psa':>7} {'target':>7}  ok")
        for suffix, target in ((".html", 5.0), (".pdf", 10.0), (".xlsx", 5.0)):
            out = str(Path(tmp) / f"report{suffix}")
            argv = [*pv, "report", "-n", DRAWS, "-q", "--force", "--out", out]
            seconds = wall_time(argv, args.repeats)
            ok = "yes" if seconds < target else "NO"
            print(
                f"{suffix:<10} {seconds:>7.2f}s {seconds / baseline:>6.1f}x {target:>6.1f}s  {ok}"
            )


if __name__ == "__main__":
    main()
