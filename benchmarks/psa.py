"""Benchmark the Monte Carlo (``peervalue psa``) on the bundled evidence.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/psa.py``).

For each number of draws it measures, in a fresh subprocess so memory figures
do not mix, the wall time and peak resident memory of the whole analysis
(draws, model, summaries, curves), and in the same run two baselines:

* floor: drawing the same random numbers alone, chunk by chunk, with nothing
  else; the analysis cannot be faster than this;
* naive: a per-draw Python loop (one model evaluation per draw) over a few
  thousand draws, scaled up linearly to the same number of draws.

It prints the ratios analysis / floor and naive / analysis. Targets (issues 3 and 22):
1e6 draws under 1 s and within 3x of the floor; 1e7 draws under 512 MiB peak.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from typing import Any

TARGET_SECONDS_1E6 = 1.0
TARGET_FLOOR_RATIO = 3.0
TARGET_PEAK_MIB_1E7 = 512


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def measure(case: str, draws: int, repeats: int) -> dict[str, Any]:
    """Run one case in this process; return its best wall time and the peak memory."""
    import numpy as np

    from peervalue.model.evaluate import evaluate
    from peervalue.service.inputs import prepare
    from peervalue.service.requests import DEFAULT_CHUNK, RunRequest
    from peervalue.uncertainty.distributions import (
        draw_chunk,
        parameter_distributions,
        parameter_stream,
    )
    from peervalue.uncertainty.psa import run_psa
    from peervalue.uncertainty.summary import summarise

    spec = prepare(RunRequest()).spec
    dists = parameter_distributions(spec)
    base_mib = _peak_mib()

    def analysis() -> None:
        summarise(run_psa(spec, draws, seed=1))

    def floor() -> None:
        streams = {d.name: parameter_stream(1, d.name) for d in dists if not d.is_fixed}
        done = 0
        while done < draws:
            n = min(DEFAULT_CHUNK, draws - done)
            draw_chunk(dists, streams, n)
            done += n

    def naive() -> None:
        rng = np.random.default_rng(1)
        for _ in range(draws):
            values = {d.name: d.sample(rng, 1) for d in dists}
            evaluate(spec, values)

    run = {"analysis": analysis, "floor": floor, "naive": naive}[case]
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return {
        "case": case,
        "draws": draws,
        "seconds": best,
        "peak_mib": _peak_mib(),
        "baseline_mib": base_mib,
    }


def _in_subprocess(case: str, draws: int, repeats: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", case, str(draws), str(repeats)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--draws", type=float, nargs="+", default=[1e6, 1e7])
    parser.add_argument("--naive-draws", type=float, default=1e4)
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        case, draws, repeats = args.child
        print(json.dumps(measure(case, int(draws), int(repeats))))
        return

    naive = _in_subprocess("naive", int(args.naive_draws), 1)
    per_draw_naive = naive["seconds"] / naive["draws"]
    rows = []
    for d in args.draws:
        draws = int(d)
        repeats = args.repeats if draws <= 2_000_000 else 1
        full = _in_subprocess("analysis", draws, repeats)
        floor = _in_subprocess("floor", draws, repeats)
        naive_scaled = per_draw_naive * draws
        rows.append(
            {
                "draws": draws,
                "analysis_seconds": full["seconds"],
                "floor_seconds": floor["seconds"],
                "analysis_over_floor": full["seconds"] / floor["seconds"],
                "naive_seconds_scaled": naive_scaled,
                "naive_over_analysis": naive_scaled / full["seconds"],
                "peak_mib": full["peak_mib"],
                "peak_mib_after_imports": full["baseline_mib"],
                "floor_peak_mib": floor["peak_mib"],
            }
        )
    if args.json:
        print(json.dumps({"naive_draws": naive["draws"], "rows": rows}, indent=2))
        return
    print(
        f"naive baseline: {naive['draws']:,} draws in {naive['seconds']:.2f} s "
        f"({per_draw_naive * 1e6:.0f} us a draw), scaled linearly"
    )
    head = (
        f"{'draws':>12} {'analysis s':>11} {'floor s':>8} {'x floor':>8} "
        f"{'naive s':>9} {'naive/x':>8} {'peak MiB':>9} {'(imports)':>9}"
    )
    print(head)
    for r in rows:
        print(
            f"{r['draws']:>12,} {r['analysis_seconds']:>11.3f} {r['floor_seconds']:>8.3f} "
            f"{r['analysis_over_floor']:>8.2f} {r['naive_seconds_scaled']:>9.0f} "
            f"{r['naive_over_analysis']:>8.0f} {r['peak_mib']:>9.0f} "
            f"{r['peak_mib_after_imports']:>9.0f}"
        )
    print(
        f"targets: 1e6 draws < {TARGET_SECONDS_1E6:g} s and < {TARGET_FLOOR_RATIO:g}x floor; "
        f"1e7 draws < {TARGET_PEAK_MIB_1E7:g} MiB peak"
    )


if __name__ == "__main__":
    main()
