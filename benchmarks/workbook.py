"""Live workbook benchmark: the template business case's workbook (``peervalue report
--scenario template.toml --out case.xlsx`` at the template's 10,000 draws), beside
``peervalue scenario run`` on the same file and draws, measured in the same run; then,
in-process, building the workbook from results already computed against building the
values-only sheets alone (the same workbook without its Costs and Business case sheets).
Target from issue 20: the template case's workbook in under 3 s. Run with ``make bench``
or ``python benchmarks/workbook.py``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from startup import peervalue_command, wall_time
from timing import best_time

DRAWS = "10000"  # the template's own Monte Carlo draws
TARGET = 3.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per command (median)")
    args = parser.parse_args()
    pv = peervalue_command()
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template.toml"
        wall_time([*pv, "scenario", "new", str(template), "--force"], 1)
        run = [*pv, "scenario", "run", str(template), "-n", DRAWS, "-f", "json"]
        baseline = wall_time(run, args.repeats)
        out = str(Path(tmp) / "case.xlsx")
        report = [*pv, "report", "--scenario", str(template), "-n", DRAWS, "-q", "--force"]
        seconds = wall_time([*report, "--out", out], args.repeats)
    ok = "yes" if seconds < TARGET else "NO"
    print(f"baseline: peervalue scenario run -n {DRAWS}: {baseline:.2f} s")
    print(
        f"report --out case.xlsx: {seconds:.2f} s ({seconds / baseline:.1f}x scenario run; "
        f"target {TARGET:.1f} s: {ok})"
    )

    from peervalue.report import workbook
    from peervalue.scenario.schema import template_file
    from peervalue.service.api import analyse
    from peervalue.service.requests import ScenarioRequest
    from peervalue.service.scenario import run_scenario

    analysis = analyse()
    scenario = run_scenario(ScenarioRequest(scenario=template_file(), draws=int(DRAWS)))
    live = best_time(lambda: workbook.workbook_bytes(analysis=analysis, scenario=scenario), 5)
    values = best_time(
        lambda: workbook.workbook_bytes(
            analysis=analysis, inputs=workbook.scenario_input_rows(scenario)
        ),
        5,
    )
    print(
        f"in-process: live workbook {live * 1000:.0f} ms, values-only sheets "
        f"{values * 1000:.0f} ms ({live / values:.2f}x)"
    )


if __name__ == "__main__":
    main()
