"""Summaries of a Monte Carlo run: per study, pooled, curves and value of information.

Pure computation on a :class:`~peervalue.uncertainty.psa.PsaRun`, returning the
typed :class:`~peervalue.uncertainty.results.PsaResult`.
"""

from __future__ import annotations

import math

import numpy as np

from peervalue._version import package_version
from peervalue.model.core import Array
from peervalue.model.evaluate import evaluate, patient_year_effect_known, point_value
from peervalue.model.methods import METHOD_LABELS, POOLING_METHODS
from peervalue.uncertainty.distributions import ParameterDistribution
from peervalue.uncertainty.psa import CASELOAD_GRID, PsaRun, counts_below
from peervalue.uncertainty.results import (
    BedDayCostCurve,
    CaseloadCurve,
    Curves,
    DistributionRow,
    Interval,
    PointAndMean,
    PooledSummary,
    PsaResult,
    SamplerError,
    StudySummary,
    ValueOfInformation,
)

PERCENTILES = (2.5, 50.0, 97.5)
#: the pooled probabilities a conditional run replaces by its conditional average (they
#: are the same event when the peer worker cost is positive, as a warning checks)
CONDITIONAL_KEYS = frozenset({"ratio_above_one", "net_benefit_positive"})
#: warn when a peer worker cost draw falls below this share of its point value
LOW_COST_SHARE = 0.1


def discounted_years(horizon_years: int, discount_rate: float) -> float:
    """The discounted number of years ``sum_{t<H} (1 + r)^-t`` (year 0 undiscounted)."""
    return sum((1.0 + discount_rate) ** -t for t in range(horizon_years))


def value_of_information(
    fte: float, horizon_years: int, discount_rate: float
) -> ValueOfInformation:
    """The population the EVPI is scaled to: FTE x discounted years."""
    return ValueOfInformation(
        fte=fte,
        horizon_years=horizon_years,
        discount_rate=discount_rate,
        multiplier=fte * discounted_years(horizon_years, discount_rate),
    )


def distribution_row(d: ParameterDistribution) -> DistributionRow:
    return DistributionRow(
        parameter=d.name,
        distribution=d.kind,
        description=d.describe(),
        point_value=d.value,
        mean=d.mean(),
        why=d.origin,
    )


#: arrays shorter than this are partitioned whole (the bracketing below does not pay)
BRACKET_MIN_SIZE = 1 << 16
#: draws compared with a bracket at a time (bounds the masks' memory: 1 MiB)
BRACKET_SLICE = 1 << 20
#: every this-many-th draw forms the sample that brackets each order statistic (odd, so
#: a stride through Sobol points, whose structure runs in powers of two, stays a fair sample)
BRACKET_STRIDE = 61
#: the bracket reaches this many standard deviations of an order statistic's place in the
#: sample either side of it (a place's standard deviation is at most sqrt(m) / 2 in a
#: sample of m: the bracket then holds about 2 x 6 x sqrt(m) / 2 x 61 draws)
BRACKET_SDS = 6


def percentiles(draws: np.ndarray, qs: tuple[float, ...] = PERCENTILES) -> list[float]:
    """``np.percentile(draws, qs)`` (linear interpolation), from the order statistics alone.

    Only the handful of order statistics the percentiles need are found (the same
    numbers a full sort gives). For a long array, each is first bracketed by a sorted
    sample of every BRACKET_STRIDE-th draw: one pass counts the draws below the bracket,
    one picks out those inside it, and a partition of those few puts the order statistic
    in place. A bracket that misses (its count says the rank lies outside) falls back to
    one ``np.partition`` of the whole array, so the result is exact either way.
    """
    position = np.asarray(qs) / 100.0 * (draws.size - 1)
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, draws.size - 1)
    ranks = np.unique(np.concatenate([below, above]))
    found = _order_statistics(draws, ranks)
    value = dict(zip(ranks.tolist(), found, strict=True))
    low = np.array([value[int(k)] for k in below], dtype=np.float64)
    high = np.array([value[int(k)] for k in above], dtype=np.float64)
    return [float(x) for x in low + (position - below) * (high - low)]


def _order_statistics(draws: np.ndarray, ranks: np.ndarray) -> list[float]:
    """The values at 0-based ``ranks`` (sorted, unique) of ``draws`` sorted ascending
    (NaN last, as numpy sorts)."""
    n = draws.size
    if n < BRACKET_MIN_SIZE:
        return _partitioned(draws, ranks)
    sample = np.sort(draws[::BRACKET_STRIDE])
    m = sample.size
    slack = math.ceil(BRACKET_SDS * math.sqrt(m) / 2) + 1
    out: list[float] = []
    # ranks next to each other (a percentile's two neighbours) share one bracket
    groups: list[list[int]] = []
    for k in ranks.tolist():
        if groups and k - groups[-1][-1] <= 1:
            groups[-1].append(k)
        else:
            groups.append([k])
    for group in groups:
        at_low = group[0] * m // n - slack
        at_high = group[-1] * m // n + slack
        lo = sample[at_low] if at_low >= 0 else None
        hi = sample[at_high] if at_high < m else None
        if lo is None and hi is None:
            return _partitioned(draws, ranks)
        before = 0
        pieces = []
        # slice by slice, so the masks stay small whatever the number of draws (NaN
        # compares false: never below, never inside; a rank among them misses below)
        for start in range(0, n, BRACKET_SLICE):
            part = draws[start : start + BRACKET_SLICE]
            if lo is None:
                inside = part <= hi
            else:
                before += int(np.count_nonzero(part < lo))
                inside = part >= lo
                if hi is not None:
                    inside &= part <= hi
            pieces.append(part[inside])
        kept = np.concatenate(pieces)
        local = [k - before for k in group]
        if local[0] < 0 or local[-1] >= kept.size:
            return _partitioned(draws, ranks)  # the bracket missed: the whole array
        placed = np.partition(kept, local)
        out.extend(float(placed[k]) for k in local)
    return out


def _partitioned(draws: np.ndarray, ranks: np.ndarray) -> list[float]:
    ordered = np.partition(draws, ranks)
    return [float(ordered[k]) for k in ranks]


def _interval(deterministic: float, mean: float, draws: np.ndarray) -> Interval:
    if not np.isfinite(deterministic) or not np.isfinite(mean):
        nan = float("nan")
        return Interval(deterministic=deterministic, mean=nan, median=nan, p2_5=nan, p97_5=nan)
    low, median, high = percentiles(draws)
    return Interval(deterministic=deterministic, mean=mean, median=median, p2_5=low, p97_5=high)


def probability_below(thresholds: np.ndarray, grid: Array) -> Array:
    """Share of draws whose break-even lies strictly below each grid value (NaN never does);
    see :func:`~peervalue.uncertainty.psa.counts_below`."""
    shares: Array = counts_below(thresholds, grid) / thresholds.size
    return shares


#: fewer draws than this give intervals and probabilities too rough to report unremarked
FEW_DRAWS = 1000


def _warnings(run: PsaRun) -> list[str]:
    out: list[str] = []
    if run.draws < FEW_DRAWS:
        out.append(
            f"Only {run.draws:,} draw{'s' if run.draws != 1 else ''}: the intervals and "
            "probabilities rest on too few draws to be relied on; use 10,000 or more."
        )
    not_finite = run.sums.counts.get("study_ratio_not_finite", np.zeros(len(run.spec.studies)))
    for spec, count in zip(run.spec.studies, np.atleast_1d(not_finite), strict=True):
        if count:
            out.append(
                f"{spec.id}: {int(count):,} of {run.draws:,} draws of the ratio cannot be "
                "computed (an input it divides by, such as its FTE-years, was drawn as zero): "
                "its Monte Carlo mean and interval, and the pooled ones, are not available. "
                "Check the distributions of that study's peer input."
            )
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


def sampler_error(run: PsaRun) -> SamplerError | None:
    """Standard errors from the spread of a Sobol run's scramblings (None for random)."""
    if len(run.scrambling_sizes) < 2:
        return None
    from scipy import stats

    sizes = np.asarray(run.scrambling_sizes, dtype=np.float64)
    r = sizes.size

    def se(estimates: Array) -> float:
        return float(np.std(estimates, ddof=1) / np.sqrt(r))

    s = run.sums
    conditional = run.probability == "conditional"

    def replicate(i: int, m: str) -> float:
        if conditional:
            return float(s.totals[f"rep:{i}:{m}:conditional"])
        return float(s.counts[f"rep:{i}:{m}:ratio_above_one"])

    return SamplerError(
        sampler=run.sampler,
        scramblings=r,
        t_95=float(stats.t.ppf(0.975, r - 1)),
        prob_ratio_above_one_se={
            m: se(np.array([replicate(i, m) for i in range(r)]) / sizes) for m in POOLING_METHODS
        },
        net_benefit_mean_se={
            m: se(np.array([float(s.totals[f"rep:{i}:{m}:net_benefit"]) for i in range(r)]) / sizes)
            for m in POOLING_METHODS
        },
        probability="conditional" if conditional else None,
        conditioned_on={m: run.conditioned_on.get(m) for m in POOLING_METHODS}
        if conditional
        else None,
    )


def summarise(
    run: PsaRun,
    vpi: ValueOfInformation | None = None,
    *,
    evidence: str = "",
    costs: str = "",
    keep_draws: bool = False,
) -> PsaResult:
    """Per-study and pooled summaries, curves and EVPI from one Monte Carlo run.

    ``vpi`` is the population the EVPI is scaled to (default 100 FTE over 5 years
    at 3.5%); ``evidence`` and ``costs`` label where the inputs came from;
    ``keep_draws`` attaches the run's kept draws to the result.
    """
    vpi = vpi or value_of_information(100.0, 5, 0.035)
    n, s = run.draws, run.sums
    point = run.point
    at_means = evaluate(run.spec, {d.name: np.array([d.mean()]) for d in run.distributions})
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
                deterministic=float(point.net_benefit_per_fte_year[0, i]),
                mean=float(s.mean("study_net_benefit", n)[i]),
            ),
        )
        for i, spec in enumerate(run.spec.studies)
    ]
    pooled = {}
    for m in POOLING_METHODS:

        def mean(key: str, m: str = m) -> float:
            return float(s.mean(f"{m}:{key}", n))

        def share(key: str, m: str = m) -> float:
            if run.probability == "conditional" and key in CONDITIONAL_KEYS:
                # P(ratio > 1) = P(net benefit > 0) for a positive cost (module docstring)
                return float(s.mean(f"{m}:conditional", n))
            return float(s.share(f"{m}:{key}", n))

        det_nb = point_value(point.pooled_net_benefit(m))
        mean_nb = mean("net_benefit")
        evpi = mean("max_net_benefit_0") - max(mean_nb, 0.0)
        det_ratio = point_value(point.pooled_ratio(m))
        available = 1.0 if np.isfinite(det_nb) else float("nan")  # NaN: method unavailable
        pooled[m] = PooledSummary(
            method=m,
            label=METHOD_LABELS[m],
            ratio=_interval(det_ratio, mean("ratio"), run.stored.pooled_ratio[m]),
            ratio_at_input_means=point_value(at_means.pooled_ratio(m)),
            net_benefit_at_input_means=point_value(at_means.pooled_net_benefit(m)),
            prob_ratio_above_one=available * share("ratio_above_one"),
            net_benefit_per_fte_year=_interval(det_nb, mean_nb, run.stored.pooled_net_benefit[m]),
            prob_net_benefit_positive=available * share("net_benefit_positive"),
            evpi_per_fte_year=available * evpi,
            evpi_population=available * evpi * vpi.multiplier,
        )
    bed_curve = BedDayCostCurve(
        cost_per_bed_day=run.cost_grid.tolist(),
        prob_net_benefit_positive_weighted=s.share("curve:bed_day_cost:weighted", n).tolist(),
        prob_net_benefit_positive_sums=s.share("curve:bed_day_cost:sums", n).tolist(),
    )
    # with no per-patient effect the break-even caseload is undefined, not never reached
    by_caseload: list[float | None] = (
        s.share("curve:caseload", n).tolist()
        if patient_year_effect_known(run.spec)
        else [None] * len(CASELOAD_GRID)
    )
    caseload_curve = CaseloadCurve(
        caseload=list(CASELOAD_GRID), prob_net_benefit_positive=by_caseload
    )
    lopsided = [
        f"{d.name}: point {d.value:.6g}, distribution mean {d.mean():.6g}"
        for d in run.distributions
        if abs(d.mean() - d.value) > 0.01 * max(abs(d.value), 1e-12)
    ]
    return PsaResult(
        peervalue_version=package_version(),
        evidence=evidence,
        costs=costs,
        cost_basis=run.spec.cost_basis,
        draws=n,
        seed=run.seed,
        price_year=run.spec.price_year,
        currency=run.spec.currency,
        studies=studies,
        pooled=pooled,
        curves=Curves(bed_day_cost=bed_curve, caseload=caseload_curve),
        value_of_information=vpi,
        distributions=[distribution_row(d) for d in run.distributions],
        fixed_inputs=[d.name for d in run.distributions if d.is_fixed],
        lopsided_inputs=lopsided,
        warnings=_warnings(run),
        kept_draws=run.stored if keep_draws else None,
        sampler_error=sampler_error(run),
    )
