"""Benchmark a 10-point EVSI curve (``peervalue evsi``) against floors measured in the same run.

Run: ``.venv/bin/python benchmarks/evsi.py [--repeats N] [--json]`` (also in ``make bench``).

It measures the best wall time of

* curve: ``run_evsi`` at its defaults (the readmission trial, 10 sizes per arm, 50,000
  draws, 200 bootstrap resamples): the synthesis, the cost draws, 10 simulated trials, 10
  regressions and the bootstrap intervals of EVSI, ENBS and the best size;
* curve, no bootstrap: the same with ``bootstrap=0``;
* curve, bed-days: the bed-days design (a normal statistic, not binomial counts);
* floor, draws: 50,000 draws of the predictive effect and of a binomial pair (what any
  simulation of the trial costs, once);
* floor, one regression: one spline regression of 50,000 net benefits on one statistic;

and prints each as a ratio to the floors. Target (issue 22): a 10-point EVSI curve under 10 s.
"""

from __future__ import annotations

import argparse
import json

from timing import best_time

TARGET_SECONDS = 10.0
DRAWS = 50_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import numpy as np

    from peervalue.service.evsi import run_evsi
    from peervalue.service.requests import EvsiRequest
    from peervalue.uncertainty import evsi as ev

    rng = np.random.default_rng(1)
    theta = rng.normal(-0.4, 0.5, DRAWS)
    nb = 15 * (1 - np.exp(theta)) * 48 * 719.1 - 64_000 + rng.normal(0, 5_000, DRAWS)

    def draws() -> object:
        r = np.random.default_rng(2)
        t = r.normal(-0.4, 0.5, DRAWS)
        return r.binomial(400, 0.38, DRAWS), r.binomial(400, np.clip(0.38 * np.exp(t), 0, 1))

    default = EvsiRequest()
    times = {
        "floor, draws": best_time(draws, args.repeats),
        "floor, one regression": best_time(lambda: ev.evsi_regression(theta, nb), args.repeats),
        "curve": best_time(lambda: run_evsi(default), args.repeats),
        "curve, no bootstrap": best_time(lambda: run_evsi(EvsiRequest(bootstrap=0)), args.repeats),
        "curve, bed-days": best_time(
            lambda: run_evsi(EvsiRequest(design="rct-bed-days")), args.repeats
        ),
    }
    floor = times["floor, one regression"]
    result = {
        "sizes": len(default.n),
        "draws": default.draws,
        "bootstrap": default.bootstrap,
        "seconds": times,
        "ratio_to_one_regression": {k: t / floor for k, t in times.items()},
        "target_seconds": TARGET_SECONDS,
        "curve_within_target": times["curve"] < TARGET_SECONDS,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"EVSI curve: {len(default.n)} sizes, {default.draws:,} draws, "
        f"{default.bootstrap} bootstrap resamples (best of {args.repeats})"
    )
    for name, t in times.items():
        print(f"  {name:22s} {t:8.3f} s  {t / floor:8.1f} x one regression")
    verdict = "met" if times["curve"] < TARGET_SECONDS else "MISSED"
    print(f"  target: a 10-point curve under {TARGET_SECONDS:.0f} s ({verdict})")


if __name__ == "__main__":
    main()
