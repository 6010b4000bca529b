"""Summaries of a Monte Carlo run: per study, pooled, curves and value of information.

Pure computation on a :class:`~peervalue.uncertainty.psa.PsaRun`; the result
converts to JSON-ready dicts and pandas frames for the CLI and the API.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from peervalue._version import package_version
from peervalue.model.core import Array
from peervalue.model.evaluate import point_value
from peervalue.model.results import clean_json
from peervalue.uncertainty.distributions import ParameterDistribution
from peervalue.uncertainty.psa import METHODS, PsaRun

PERCENTILES = (2.5, 50.0, 97.5)
#: warn when a peer worker cost draw falls below this share of its point value
LOW_COST_SHARE = 0.1
METHOD_LABELS = {
    "weighted": "weighted mean of ratios (the 2013 report's method)",
    "sums": "ratio of sums (total benefit / total cost)",
}
MEAN_VERSUS_POINT = (
    "The Monte Carlo mean need not equal the deterministic value: a ratio divides by a drawn "
    "cost, and the mean of a quotient is not the quotient of means (it is larger when the "
    "divisor varies); assumed inputs whose range is lopsided around the point value have a "
    "mean away from that value; and gamma-distributed costs are skewed. The median is "
    "usually closer to the deterministic value."
)


@dataclass(frozen=True)
class Interval:
    """A Monte Carlo summary of one output."""

    deterministic: float
    mean: float
    median: float
    p2_5: float
    p97_5: float


@dataclass(frozen=True)
class PointAndMean:
    """A deterministic value and its Monte Carlo mean (no draws kept for percentiles)."""

    deterministic: float
    mean: float


@dataclass(frozen=True)
class StudySummary:
    id: str
    ratio: Interval
    prob_ratio_above_one: float
    prob_net_benefit_positive: float
    net_benefit_per_fte_year: PointAndMean


@dataclass(frozen=True)
class PooledSummary:
    method: str
    label: str
    ratio: Interval
    prob_ratio_above_one: float
    net_benefit_per_fte_year: Interval
    prob_net_benefit_positive: float
    evpi_per_fte_year: float
    evpi_population: float


@dataclass(frozen=True)
class Population:
    """Whom the value of information is scaled to."""

    fte: float = 100.0
    horizon_years: int = 5
    discount_rate: float = 0.035

    def multiplier(self) -> float:
        """FTE x the discounted number of years: ``sum_{t<H} (1 + r)^-t``."""
        years = np.arange(self.horizon_years)
        return float(self.fte * np.sum((1 + self.discount_rate) ** -years))


@dataclass(frozen=True)
class PsaResult:
    """What ``peervalue psa`` reports."""

    draws: int
    seed: int
    price_year: str
    currency: str
    studies: list[StudySummary]
    pooled: list[PooledSummary]
    bed_day_cost_curve: pd.DataFrame
    caseload_curve: pd.DataFrame
    distributions: list[ParameterDistribution]
    lopsided: list[str]
    warnings: list[str]
    population: Population
    evidence: str = ""  #: where the studies came from
    costs: str = ""  #: name of the cost file

    def studies_frame(self) -> pd.DataFrame:
        rows = []
        for s in self.studies:
            rows.append(
                {
                    "id": s.id,
                    **{f"ratio_{k}": v for k, v in asdict(s.ratio).items()},
                    "prob_ratio_above_one": s.prob_ratio_above_one,
                    "prob_net_benefit_positive": s.prob_net_benefit_positive,
                    **{
                        f"net_benefit_{k}": v for k, v in asdict(s.net_benefit_per_fte_year).items()
                    },
                }
            )
        return pd.DataFrame(rows)

    def pooled_frame(self) -> pd.DataFrame:
        rows = []
        for p in self.pooled:
            rows.append(
                {
                    "method": p.method,
                    **{f"ratio_{k}": v for k, v in asdict(p.ratio).items()},
                    "prob_ratio_above_one": p.prob_ratio_above_one,
                    **{
                        f"net_benefit_{k}": v for k, v in asdict(p.net_benefit_per_fte_year).items()
                    },
                    "prob_net_benefit_positive": p.prob_net_benefit_positive,
                    "evpi_per_fte_year": p.evpi_per_fte_year,
                    "evpi_population": p.evpi_population,
                }
            )
        return pd.DataFrame(rows)

    def distributions_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "parameter": d.name,
                    "distribution": d.kind,
                    "description": d.describe(),
                    "point_value": d.value,
                    "mean": d.mean(),
                    "why": d.origin,
                }
                for d in self.distributions
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        return clean_json(  # type: ignore[no-any-return]
            {
                "peervalue_version": package_version(),
                "evidence": self.evidence,
                "costs": self.costs,
                "draws": self.draws,
                "seed": self.seed,
                "price_year": self.price_year,
                "currency": self.currency,
                "studies": [asdict(s) for s in self.studies],
                "pooled": {p.method: asdict(p) for p in self.pooled},
                "curves": {
                    "bed_day_cost": self.bed_day_cost_curve.to_dict(orient="list"),
                    "caseload": self.caseload_curve.to_dict(orient="list"),
                },
                "value_of_information": {
                    **asdict(self.population),
                    "multiplier": self.population.multiplier(),
                    "note": "EVPI = E[max(net benefit, 0)] - max(E[net benefit], 0), per FTE-year; "
                    "the population figure multiplies it by FTE x discounted years.",
                },
                "distributions": self.distributions_frame().to_dict(orient="records"),
                "fixed_inputs": [d.name for d in self.distributions if d.is_fixed],
                "mean_versus_deterministic": MEAN_VERSUS_POINT,
                "lopsided_inputs": self.lopsided,
                "warnings": self.warnings,
            }
        )


def percentiles(draws: np.ndarray, qs: tuple[float, ...] = PERCENTILES) -> list[float]:
    """``np.percentile(draws, qs)`` (linear interpolation), from one sort.

    Sorting float32 draws is several times faster than the partitions
    ``np.percentile`` does, and gives the same numbers.
    """
    ordered = np.sort(draws)
    position = np.asarray(qs) / 100.0 * (ordered.size - 1)
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, ordered.size - 1)
    low, high = ordered[below].astype(np.float64), ordered[above].astype(np.float64)
    return [float(x) for x in low + (position - below) * (high - low)]


def _interval(deterministic: float, mean: float, draws: np.ndarray) -> Interval:
    if not np.isfinite(deterministic) or not np.isfinite(mean):
        nan = float("nan")
        return Interval(deterministic, nan, nan, nan, nan)
    low, median, high = percentiles(draws)
    return Interval(deterministic, mean, median, low, high)


def probability_below(thresholds: np.ndarray, grid: Array) -> Array:
    """Share of draws whose break-even lies strictly below each grid value (NaN never does).

    Both are float64, so the comparison is exact: a draw counts at a grid value
    exactly when ``threshold < value``.
    """
    ordered = np.sort(np.asarray(thresholds, dtype=np.float64))  # NaN sorts last
    counts = np.searchsorted(ordered, np.asarray(grid, dtype=np.float64), side="left")
    return np.asarray(counts, dtype=np.float64) / thresholds.size


def _warnings(run: PsaRun) -> list[str]:
    out: list[str] = []
    point_cost = point_value(run.point.cost_per_fte_year)
    lowest = run.sums.min_cost_per_fte_year
    if run.sums.nonpositive_costs:
        out.append(
            f"{run.sums.nonpositive_costs:,} draws of the peer worker cost were zero or negative: "
            "their ratios are meaningless. Use a gamma or log-normal distribution for costs."
        )
    elif lowest < LOW_COST_SHARE * point_cost:
        out.append(
            f"Some peer worker cost draws come close to zero (lowest {lowest:,.0f} against a point "
            f"value of {point_cost:,.0f}): ratios, and their mean, are unstable; rely on the "
            "net benefit and the median."
        )
    return out


def summarise(
    run: PsaRun, population: Population | None = None, *, evidence: str = "", costs: str = ""
) -> PsaResult:
    """Per-study and pooled summaries, curves and EVPI from one Monte Carlo run.

    ``evidence`` and ``costs`` label where the inputs came from, for the output.
    """
    population = population or Population()
    n, s = run.draws, run.sums
    point = run.point
    studies = [
        StudySummary(
            id=spec.id,
            ratio=_interval(
                float(point.ratio[0, i]),
                float(s.mean("study_ratio", n)[i]),
                run.stored.study_ratio[i],
            ),
            prob_ratio_above_one=float(s.share("study_ratio_above_one", n)[i]),
            prob_net_benefit_positive=float(s.share("study_net_benefit_positive", n)[i]),
            net_benefit_per_fte_year=PointAndMean(
                float(point.net_benefit_per_fte_year[0, i]),
                float(s.mean("study_net_benefit", n)[i]),
            ),
        )
        for i, spec in enumerate(run.spec.studies)
    ]
    pooled = []
    for m in METHODS:

        def mean(key: str, m: str = m) -> float:
            return float(s.mean(f"{m}:{key}", n))

        def share(key: str, m: str = m) -> float:
            return float(s.share(f"{m}:{key}", n))

        det_nb = point_value(point.pooled_net_benefit(m))
        mean_nb = mean("net_benefit")
        evpi = mean("max_net_benefit_0") - max(mean_nb, 0.0)
        det_ratio = point_value(point.pooled_ratio(m))
        available = 1.0 if np.isfinite(det_nb) else float("nan")  # NaN: method unavailable
        pooled.append(
            PooledSummary(
                method=m,
                label=METHOD_LABELS[m],
                ratio=_interval(det_ratio, mean("ratio"), run.stored.pooled_ratio[m]),
                prob_ratio_above_one=available * share("ratio_above_one"),
                net_benefit_per_fte_year=_interval(
                    det_nb, mean_nb, run.stored.pooled_net_benefit[m]
                ),
                prob_net_benefit_positive=available * share("net_benefit_positive"),
                evpi_per_fte_year=available * evpi,
                evpi_population=available * evpi * population.multiplier(),
            )
        )
    c_bed = point_value(point.cost_per_bed_day)
    cost_grid = np.linspace(0.0, 2.0 * c_bed, 41)
    bed_curve = pd.DataFrame(
        {
            "cost_per_bed_day": cost_grid,
            **{
                f"prob_net_benefit_positive_{m}": probability_below(
                    run.stored.break_even_bed_day_cost[m], cost_grid
                )
                for m in METHODS
            },
        }
    )
    caseload_grid = np.arange(1.0, 41.0)
    caseload_curve = pd.DataFrame(
        {
            "caseload": caseload_grid,
            "prob_net_benefit_positive": probability_below(
                run.stored.break_even_caseload, caseload_grid
            ),
        }
    )
    lopsided = [
        f"{d.name}: point {d.value:.6g}, distribution mean {d.mean():.6g}"
        for d in run.distributions
        if abs(d.mean() - d.value) > 0.01 * max(abs(d.value), 1e-12)
    ]
    return PsaResult(
        draws=n,
        seed=run.seed,
        price_year=run.spec.price_year,
        currency=run.spec.currency,
        studies=studies,
        pooled=pooled,
        bed_day_cost_curve=bed_curve,
        caseload_curve=caseload_curve,
        distributions=list(run.distributions),
        lopsided=lopsided,
        warnings=_warnings(run),
        population=population,
        evidence=evidence,
        costs=costs,
    )
