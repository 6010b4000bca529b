"""Benchmark the evidence synthesis (``peervalue synthesis``) on 50 synthetic studies.

Run: ``.venv/bin/python benchmarks/synthesis.py [--repeats N] [--json]`` (also in
``make bench``).

It measures, in one process and one run, the best wall time of

* model: the exact Bayesian random-effects model of 50 studies (integration over tau,
  posterior and predictive summaries, P(reduces)): the synthesis proper;
* full: everything ``peervalue synthesis`` computes from the studies (effect sizes,
  the model, bias and randomised-only rows, five tau priors, two meta-regressions,
  Egger, trim-and-fill, and 50 leave-one-out refits);
* baseline: the inverse-variance fixed-effect estimate of the same 50 effects
  (``peervalue.uncertainty.meta.meta_analyse``), the least a synthesis can cost;

and prints the ratios to the baseline. Target (issue 18): the synthesis of 50 studies
under 100 ms.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from timing import best_time

TARGET_SECONDS = 0.1
STUDIES = 50


def _studies(k: int) -> list[Any]:
    import numpy as np

    from peervalue.evidence.schema import Study

    rng = np.random.default_rng(1)
    src = {"citation": "synthetic"}

    def q(value: float, unit: str) -> dict[str, Any]:
        return {"value": value, "unit": unit, "status": "reported", "source": src}

    out = []
    for i in range(k):
        n = int(rng.integers(20, 400))
        control = float(rng.uniform(10, 40))
        ratio = float(np.exp(rng.normal(-0.3, 0.3)))
        outcome: dict[str, Any] = {
            "kind": "mean_bed_days",
            "intervention_mean": q(control * ratio, "bed-days/patient"),
            "control_mean": q(control, "bed-days/patient"),
        }
        if i % 3:  # a third report no SDs: imputed
            outcome["intervention_sd"] = q(control * ratio * 1.3, "bed-days/patient")
            outcome["control_sd"] = q(control * 1.2, "bed-days/patient")
        out.append(
            Study.model_validate(
                {
                    "id": f"s{i:02d}",
                    "citation": {"authors": ["Test A"], "year": 1995 + i % 30, "title": "x"},
                    "country": "England",
                    "design": "rct" if i % 2 else "controlled",
                    "peer_role": "additional",
                    "setting": "synthetic",
                    "follow_up": q(12, "months"),
                    "arms": {"intervention": q(n, "patients"), "control": q(n, "patients")},
                    "outcome": outcome,
                    "peer_input": {"fte_years": q(1, "FTE-years")},
                }
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from peervalue.synthesis.analysis import Options, summarise, synthesise
    from peervalue.synthesis.effects import effect_sizes
    from peervalue.synthesis.priors import DEFAULT_MU, DEFAULT_TAU
    from peervalue.uncertainty.meta import meta_analyse

    studies = _studies(STUDIES)
    opts = Options("relative", DEFAULT_TAU["relative"], DEFAULT_MU["relative"])
    effects, _, _ = effect_sizes(studies, "relative")
    y = [e.effect for e in effects]
    v = [e.se**2 for e in effects]
    times = {
        "baseline": best_time(lambda: meta_analyse(y, v, "fixed"), args.repeats),
        "model": best_time(lambda: summarise(effects, opts, "all"), args.repeats),
        "full": best_time(lambda: synthesise(studies, opts, "bench"), max(3, args.repeats // 4)),
    }
    result = {
        "studies": len(effects),
        "seconds": times,
        "ratio_to_baseline": {k: t / times["baseline"] for k, t in times.items()},
        "target_seconds": TARGET_SECONDS,
        "model_within_target": times["model"] < TARGET_SECONDS,
        "full_within_target": times["full"] < TARGET_SECONDS,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"Synthesis of {len(effects)} studies (best of {args.repeats})")
    for name, t in times.items():
        ratio = t / times["baseline"]
        print(f"  {name:9s} {1000 * t:8.2f} ms  {ratio:8.1f} x baseline")
    print(f"  target: under {1000 * TARGET_SECONDS:.0f} ms")


if __name__ == "__main__":
    main()
