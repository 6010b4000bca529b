"""Typed results of the uncertainty analyses (pydantic; no numpy, no pandas at import).

Monte Carlo (:class:`PsaResult`), one-way sensitivity (:class:`SensitivityResult`),
thresholds (:class:`ThresholdResult`), leave-one-out and subgroups
(:class:`InfluenceResult`) and the meta-analysis (:class:`MetaTable`,
:class:`MetaRunResult`). The computations live beside them
(``psa``/``summary``, ``sensitivity``, ``threshold``, ``influence``, ``meta``);
these classes only hold and convert what they found. JSON follows the one policy
of :class:`~peervalue.results.ResultModel`: NaN and infinity become ``null``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field

from peervalue.model.methods import CostBasis, PoolingMethod

# leave-one-out and subgroups are part of the reference analysis's result (model/):
# re-exported here, where they were first defined
from peervalue.model.results import GroupResult as GroupResult
from peervalue.model.results import InfluenceResult as InfluenceResult
from peervalue.results import ResultModel, columns_frame, frame

if TYPE_CHECKING:
    import pandas as pd

MetaMethod = Literal["fixed", "dersimonian-laird", "reml", "paule-mandel"]
#: the confidence interval: normal quantile with the usual standard error, or the
#: Hartung-Knapp-Sidik-Jonkman interval (t with k - 1 degrees of freedom, rescaled se)
MetaInterval = Literal["normal", "hksj"]
#: the prediction interval: t with k - 2 degrees of freedom (Higgins, Thompson &
#: Spiegelhalter 2009) or the normal quantile (metafor's default)
MetaPrediction = Literal["t", "normal"]
#: I^2 from Cochran's Q (Higgins & Thompson 2002) or from each method's tau^2 (metafor)
MetaI2 = Literal["q", "tau2"]

MEAN_VERSUS_POINT = (
    "The Monte Carlo mean need not equal the deterministic value, for two reasons. Inputs "
    "whose distribution is skewed or lopsided around their point value (an assumed value near "
    "one end of its range; a gamma-distributed cost) have a mean away from that value: the "
    "model at every input's mean ('at input means') shows how much this moves the result. "
    "The rest of the gap comes from the model's non-linearity: a ratio divides by a drawn "
    "cost, and the mean of a quotient is not the quotient of means."
)
EVPI_NOTE = (
    "EVPI = E[max(net benefit, 0)] - max(E[net benefit], 0), per FTE-year; "
    "the population figure multiplies it by FTE x discounted years."
)


# --- Monte Carlo -------------------------------------------------------------------


def _prefixed(prefix: str, summary: ResultModel) -> dict[str, Any]:
    return {f"{prefix}_{k}": v for k, v in summary.model_dump().items()}


class Interval(ResultModel):
    """A Monte Carlo summary of one output."""

    deterministic: float
    mean: float
    median: float
    p2_5: float
    p97_5: float


class PointAndMean(ResultModel):
    """A deterministic value and its Monte Carlo mean (no draws kept for percentiles)."""

    deterministic: float
    mean: float


class StudySummary(ResultModel):
    id: str
    ratio: Interval
    prob_ratio_above_one: float
    prob_net_benefit_positive: float
    net_benefit_per_fte_year: PointAndMean


class PooledSummary(ResultModel):
    """A pooled result over the draws.

    ``ratio_at_input_means`` and ``net_benefit_at_input_means`` are the model at every
    input's distribution mean: the gap between the deterministic value and them comes
    from inputs whose distribution is skewed or lopsided around their point value; the
    rest of the gap to the Monte Carlo mean comes from the model's non-linearity (a
    ratio divides by a drawn cost).
    """

    method: PoolingMethod
    label: str
    ratio: Interval
    ratio_at_input_means: float
    net_benefit_at_input_means: float
    prob_ratio_above_one: float
    net_benefit_per_fte_year: Interval
    prob_net_benefit_positive: float
    evpi_per_fte_year: float
    evpi_population: float


class BedDayCostCurve(ResultModel):
    """P(pooled net benefit > 0) against the cost per bed-day, for each pooling method."""

    cost_per_bed_day: list[float]
    prob_net_benefit_positive_weighted: list[float]
    prob_net_benefit_positive_sums: list[float]

    def to_pandas(self) -> pd.DataFrame:
        return columns_frame(self.model_dump())


class CaseloadCurve(ResultModel):
    """P(pooled net benefit > 0) against a common caseload (patients at a time per FTE);
    null (None) throughout when no study gives bed-days saved per patient-year, the effect
    a caseload multiplies (every study gives bed-days per FTE-year only)."""

    caseload: list[float]
    prob_net_benefit_positive: list[float | None]

    def to_pandas(self) -> pd.DataFrame:
        return columns_frame(self.model_dump())


class Curves(ResultModel):
    bed_day_cost: BedDayCostCurve
    caseload: CaseloadCurve


class ValueOfInformation(ResultModel):
    """Whom the expected value of perfect information is scaled to."""

    fte: float
    horizon_years: int
    discount_rate: float
    multiplier: float  #: FTE x the discounted number of years, sum over t < H of (1 + r)^-t
    note: str = EVPI_NOTE


class DistributionRow(ResultModel):
    """How one input was drawn."""

    parameter: str
    distribution: str
    description: str
    point_value: float
    mean: float
    why: str


class SamplerError(ResultModel):
    """The Monte Carlo error of a quasi-random (Sobol) run, from the spread between its
    independent scramblings: for each pooling method, the standard deviation of the
    scramblings' own estimates over sqrt(scramblings). A 95% interval is the estimate
    +/- t(0.975, scramblings - 1) standard errors (``t_95``)."""

    sampler: str
    scramblings: int
    t_95: float
    prob_ratio_above_one_se: dict[PoolingMethod, float]
    net_benefit_mean_se: dict[PoolingMethod, float]
    #: "conditional": the pooled probabilities (and their errors) are averages of the
    #: probability given every input but the one named here per method (None: that
    #: method's own share); with pseudo-random draws, ``scramblings`` counts consecutive
    #: batches of draws instead
    probability: str | None = None
    conditioned_on: dict[PoolingMethod, str | None] | None = None
    omit_when_none: ClassVar[frozenset[str]] = frozenset({"probability", "conditioned_on"})


class PsaResult(ResultModel):
    """What ``peervalue psa`` reports: per study, pooled, curves, value of information."""

    peervalue_version: str
    evidence: str  #: where the studies came from
    costs: str  #: name of the cost set
    cost_basis: CostBasis
    draws: int
    seed: int
    price_year: str
    currency: str
    studies: list[StudySummary]
    pooled: dict[PoolingMethod, PooledSummary]
    curves: Curves
    value_of_information: ValueOfInformation
    distributions: list[DistributionRow]
    fixed_inputs: list[str]
    mean_versus_deterministic: str = MEAN_VERSUS_POINT
    lopsided_inputs: list[str]
    warnings: list[str]
    #: the run's draws (``peervalue.uncertainty.psa.KeptDraws``) when the request asked
    #: to keep them (``keep_draws``), for figures drawn later; never serialised
    kept_draws: Any = Field(default=None, exclude=True)
    #: what the benefits count, when more than bed-days (``--resources all``)
    counted_resources: list[str] | None = None
    #: standard errors from the scramblings, when the draws are Sobol points
    sampler_error: SamplerError | None = None
    #: priced at a forecast year of the index: says so, with the index's assumed growth
    price_index_note: str | None = None
    omit_when_none: ClassVar[frozenset[str]] = frozenset(
        {"counted_resources", "sampler_error", "price_index_note"}
    )

    def study_rows(self) -> list[dict[str, Any]]:
        """One flat row per study (intervals spread over ``ratio_*`` and ``net_benefit_*``)."""
        return [
            {
                "id": s.id,
                **_prefixed("ratio", s.ratio),
                "prob_ratio_above_one": s.prob_ratio_above_one,
                "prob_net_benefit_positive": s.prob_net_benefit_positive,
                **_prefixed("net_benefit", s.net_benefit_per_fte_year),
            }
            for s in self.studies
        ]

    def pooled_rows(self) -> list[dict[str, Any]]:
        """One flat row per pooling method."""
        return [
            {
                "method": p.method,
                **_prefixed("ratio", p.ratio),
                "prob_ratio_above_one": p.prob_ratio_above_one,
                **_prefixed("net_benefit", p.net_benefit_per_fte_year),
                "prob_net_benefit_positive": p.prob_net_benefit_positive,
                "evpi_per_fte_year": p.evpi_per_fte_year,
                "evpi_population": p.evpi_population,
            }
            for p in self.pooled.values()
        ]

    def studies_frame(self) -> pd.DataFrame:
        return frame(self.study_rows())

    def pooled_frame(self) -> pd.DataFrame:
        return frame(self.pooled_rows())

    def distributions_frame(self) -> pd.DataFrame:
        return frame([d.model_dump() for d in self.distributions])


# --- one-way sensitivity -------------------------------------------------------------


class SensitivityRow(ResultModel):
    parameter: str
    distribution: str
    base_value: float
    low_value: float
    high_value: float
    net_benefit_at_low: float
    net_benefit_at_high: float
    swing: float  #: |net benefit at high - net benefit at low|
    ratio_at_low: float
    ratio_at_high: float


class SensitivityResult(ResultModel):
    """Tornado data: pooled net benefit per FTE-year at each input's low and high."""

    method: PoolingMethod
    price_year: str
    currency: str
    cost_basis: CostBasis
    outcome: str = "pooled net benefit per FTE-year"
    base_net_benefit_per_fte_year: float
    base_ratio: float
    inputs: list[SensitivityRow]  #: sorted by swing, largest first
    fixed_inputs: list[str]  #: inputs with no stated uncertainty, not varied

    def to_pandas(self) -> pd.DataFrame:
        return frame([r.model_dump() for r in self.inputs], list(SensitivityRow.model_fields))


# --- two-way sensitivity -------------------------------------------------------------


class TwoWayResult(ResultModel):
    """Net benefit (point values) and the probability that it is positive (Monte Carlo)
    over a grid of two inputs: ``net_benefit[i][j]`` is at ``x_values[i]``, ``y_values[j]``."""

    outcome: str
    subject: str  #: the evidence, or the business case
    price_year: str
    currency: str
    x: str
    x_label: str
    x_base: float
    x_values: list[float]
    y: str
    y_label: str
    y_base: float
    y_values: list[float]
    draws: int
    seed: int
    net_benefit: list[list[float]]
    prob_positive: list[list[float]]

    def rows(self) -> list[dict[str, Any]]:
        """One row per grid cell (long format, for plotting)."""
        return [
            {
                self.x: x,
                self.y: y,
                "net_benefit": self.net_benefit[i][j],
                "prob_positive": self.prob_positive[i][j],
            }
            for i, x in enumerate(self.x_values)
            for j, y in enumerate(self.y_values)
        ]


# --- thresholds ----------------------------------------------------------------------


class Threshold(ResultModel):
    quantity: str
    unit: str
    current: float
    break_even: float
    pays_when: Literal["above", "below"]  #: on which side of break-even net benefit is positive
    formula: str
    pays_now: bool | None  #: None when either value is not finite


class ThresholdResult(ResultModel):
    method: PoolingMethod
    price_year: str
    currency: str
    cost_basis: CostBasis
    net_benefit_per_fte_year: float
    thresholds: list[Threshold]
    notes: list[str]

    def to_pandas(self) -> pd.DataFrame:
        return frame([t.model_dump() for t in self.thresholds], list(Threshold.model_fields))


# --- meta-analysis -------------------------------------------------------------------


class MetaResult(ResultModel):
    """A pooled estimate with its heterogeneity statistics.

    ``pi_low`` and ``pi_high`` bound the prediction interval for the true
    effect in a new study; they are NaN for the fixed-effect method and when
    fewer than three studies are pooled. ``q_p_value`` is NaN when there is a
    single study (Q has no degrees of freedom). ``i2`` is a proportion (0..1)
    and ``weights`` are the normalised weights (summing to 1) of this method,
    in the order the studies were given.
    """

    method: MetaMethod
    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    pi_low: float
    pi_high: float
    tau2: float
    q: float
    q_df: int
    q_p_value: float
    i2: float
    weights: tuple[float, ...]
    level: float
    interval: MetaInterval = "normal"
    prediction: MetaPrediction = "t"
    i2_from: MetaI2 = "q"


class StudyEffect(ResultModel):
    """One study's effect on the common scale.

    ``effect`` is bed-days saved per patient-year of peer support (positive when
    peer support reduced bed use; see ``Study.support_quantity``), ``variance``
    its sampling variance and ``se`` its standard error. ``n_control`` is
    ``None`` when the study reports no control arm.
    """

    id: str
    effect: float
    variance: float
    n_intervention: float
    n_control: float | None
    support_years: float
    se: float


class MetaTable(ResultModel):
    """Every meta-analysis method run on the qualifying studies of one evidence base.

    ``results`` maps each method to its result, and is empty when no study
    qualified; ``message`` then says so.
    """

    unit: str
    level: float
    message: str | None = None
    studies: list[StudyEffect]
    excluded: dict[str, str]
    results: dict[MetaMethod, MetaResult] = Field(default_factory=dict)


class PoolingRow(ResultModel):
    """The pooled bed-days saved per FTE-year and ratio by one pooling method."""

    method: str
    bed_days_saved_per_fte_year: float
    ratio: float
    ratio_ci_low: float = float("nan")
    ratio_ci_high: float = float("nan")
    ratio_pi_low: float = float("nan")
    ratio_pi_high: float = float("nan")
    studies: int = 0


class PoolingComparison(ResultModel):
    caseload: float
    caseload_unit: str = "patients supported at once per FTE"
    rows: list[PoolingRow]


class MetaRunResult(ResultModel):
    """What ``peervalue meta`` reports: the meta-analysis and the pooled ratio by method."""

    price_year: str
    currency: str
    cost_basis: CostBasis
    meta_analysis: MetaTable
    pooling_comparison: PoolingComparison
    #: readmission outcomes on their own scales (log odds ratio, risk difference), when
    #: any study reports readmissions; left out of outputs otherwise
    readmission: dict[str, MetaTable] | None = None
    omit_when_none: ClassVar[frozenset[str]] = frozenset({"readmission"})
