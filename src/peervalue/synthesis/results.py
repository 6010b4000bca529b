"""The typed results of the evidence synthesis (``peervalue synthesis``).

Light pydantic models only (no numpy), so that renderers can import them quickly. Every
figure is on the scale named by ``SynthesisResult.scale``:

* ``relative``: the natural log of a ratio, peer support over control (log ratio of mean
  bed-days, log risk ratio of readmission, log ratio of length of stay); below 0 means
  fewer bed-days with peer support; ``exp`` of it is the ratio;
* ``absolute``: bed-days saved per patient-year of peer support; above 0 means fewer.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import ConfigDict, Field

from peervalue.results import ResultModel as _ResultModel


class ResultModel(_ResultModel):
    """:class:`peervalue.results.ResultModel` whose validators are built on first use, not
    at import: the table renderers import these types for every table (``evidence list``
    among them), and most runs never build a synthesis result."""

    model_config = ConfigDict(defer_build=True)


Scale = Literal["relative", "absolute"]
#: how a study's standard error was obtained
SeBasis = Literal["reported", "study file", "interval", "imputed"]


class EffectSize(ResultModel):
    """One study on the synthesis scale.

    ``se_basis`` says where its standard error comes from: ``reported`` (SDs or counts in
    the study), ``study file`` (a distribution the study file assumes), ``interval`` (a
    reported or assumed range read as a 95% interval), or ``imputed`` (from the other
    studies, see :class:`Imputation`; ``se_low``/``se_high`` are its range).
    """

    id: str
    citation: str
    year: int
    design: str
    randomised: bool
    #: the study's risk of bias (``None`` when its file has no quality block)
    risk_of_bias: str | None = None
    #: a non-randomised or high-risk-of-bias study: the bias adjustment applies to it
    at_risk_of_bias: bool
    outcome_kind: str
    measure: str
    effect: float
    se: float
    se_basis: SeBasis
    se_low: float | None = None
    se_high: float | None = None
    #: the ratio, ``exp(effect)``, on the relative scale (``None`` on the absolute one)
    ratio: float | None = None
    n_intervention: float
    n_control: float | None = None
    note: str | None = None

    @property
    def imputed(self) -> bool:
        return self.se_basis == "imputed"


class Imputation(ResultModel):
    """How missing spreads were imputed (Cochrane Handbook, chapter 6).

    The *unit SD* of a study is ``se x sqrt(n~)`` with ``n~ = 1 / (1/n_i + 1/n_c)`` (the
    intervention arm alone when there is no control arm), times the years of support on
    the absolute scale: for a log ratio of mean bed-days it is the coefficient of
    variation. A study without a spread gets ``se = unit SD / sqrt(n~)`` at the median of
    the unit SDs of the studies that report one, ranged from their lowest to highest and
    at least from half to twice the median.
    """

    #: by measure (e.g. "log ratio of mean bed-days"): the median, lowest and highest
    #: unit SD of the studies with a spread; "any measure" pools them all, for a measure
    #: with none of its own
    unit_sd: dict[str, tuple[float, float, float]]
    #: the studies whose spread the imputation uses
    from_studies: list[str]
    imputed_studies: list[str]
    note: str


class Interval(ResultModel):
    """A posterior (or predictive) summary: mean, median and central interval."""

    mean: float
    median: float
    low: float
    high: float


class BayesSummary(ResultModel):
    """The normal-normal random-effects model's answer for one set of studies and priors.

    ``p_reduces`` is the posterior probability that the mean effect reduces bed-days,
    ``p_reduces_new`` the same for the true effect in a new setting (the predictive).
    """

    label: str
    k: int
    studies: list[str]
    mu: Interval
    tau: Interval
    predictive: Interval
    p_reduces: float
    p_reduces_new: float
    tau_prior: str
    mu_prior: str
    note: str | None = None
    omit_when_none: ClassVar[frozenset[str]] = frozenset({"note"})


class Shrunken(ResultModel):
    """A study's true effect after borrowing strength from the others (posterior)."""

    id: str
    observed: float
    se: float
    shrunken: Interval


class Heterogeneity(ResultModel):
    """Frequentist heterogeneity beside the Bayesian tau: Cochran's Q, I^2, REML tau."""

    q: float
    q_df: int
    q_p_value: float
    i2: float
    tau_reml: float
    fixed_effect: float
    fixed_effect_se: float


class RegressionTerm(ResultModel):
    """One coefficient of a Bayesian meta-regression (posterior)."""

    covariate: str
    meaning: str
    estimate: Interval
    #: posterior probability that the coefficient is below zero
    p_negative: float


class MetaRegression(ResultModel):
    """A meta-regression on one study-level covariate (with an intercept)."""

    covariate: str
    k: int
    terms: list[RegressionTerm]
    tau: Interval | None = None
    #: why it could not be fitted (e.g. every study is randomised)
    not_estimable: str | None = None


class BiasPrior(ResultModel):
    """The additive bias of a study at risk: ``y = theta + beta``, ``beta ~ N(mean, sd^2)``."""

    mean: float
    sd: float
    source: str
    #: the lowest and highest bias SD shown in the ranged rows
    sd_range: tuple[float, float]


class FunnelPoint(ResultModel):
    id: str
    effect: float
    se: float
    imputed: bool


class Egger(ResultModel):
    """Egger's regression test: standardised effect on precision; the intercept tests
    funnel asymmetry (``t`` on ``k - 2`` degrees of freedom)."""

    intercept: float
    intercept_se: float
    t: float
    df: int
    p_value: float
    slope: float


class TrimFill(ResultModel):
    """Duval & Tweedie's trim-and-fill (L0 estimator, fixed-effect model)."""

    missing: int
    side: Literal["left", "right"]
    filled_estimate: float
    filled_ci_low: float
    filled_ci_high: float
    filled: list[FunnelPoint]


class Influence(ResultModel):
    """Leave-one-out of the Bayesian synthesis and Baujat's two coordinates for one study."""

    id: str
    without: BayesSummary
    #: contribution to Cochran's Q: ``w_i (y_i - mu_FE)^2``
    baujat_q: float
    #: influence on the fixed-effect mean: ``(mu_FE - mu_FE(-i))^2 / var(mu_FE(-i))``
    baujat_influence: float


class SmallStudyChecks(ResultModel):
    k: int
    funnel: list[FunnelPoint]
    egger: Egger | None = None
    trim_fill: TrimFill | None = None
    influence: list[Influence] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


class SynthesisResult(ResultModel):
    """The evidence synthesis of ``peervalue synthesis``."""

    evidence: str
    scale: Scale
    unit: str
    direction: str
    level: float
    effects: list[EffectSize]
    excluded: dict[str, str]
    imputation: Imputation
    main: BayesSummary
    shrunken: list[Shrunken]
    heterogeneity: Heterogeneity | None = None
    #: the synthesis again: bias-adjusted, randomised only, imputed SEs at their range
    variants: list[BayesSummary]
    bias_prior: BiasPrior | None = None
    prior_sensitivity: list[BayesSummary]
    meta_regression: list[MetaRegression]
    small_study: SmallStudyChecks
    notes: list[str] = Field(default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        """One row per study, then one per summary (main, variants, prior sensitivity)."""
        out: list[dict[str, Any]] = []
        for e in self.effects:
            out.append(
                {
                    "section": "study",
                    "label": e.id,
                    "measure": e.measure,
                    "effect": e.effect,
                    "se": e.se,
                    "se_basis": e.se_basis,
                    "low": None,
                    "high": None,
                    "p_reduces": None,
                }
            )
        summaries = [("synthesis", self.main)]
        summaries += [("variant", v) for v in self.variants]
        summaries += [("prior sensitivity", v) for v in self.prior_sensitivity]
        for section, s in summaries:
            out.append(
                {
                    "section": section,
                    "label": s.label,
                    "measure": "mean effect",
                    "effect": s.mu.mean,
                    "se": None,
                    "se_basis": None,
                    "low": s.mu.low,
                    "high": s.mu.high,
                    "p_reduces": s.p_reduces,
                }
            )
            out.append(
                {
                    "section": section,
                    "label": s.label,
                    "measure": "new setting (predictive)",
                    "effect": s.predictive.mean,
                    "se": None,
                    "se_basis": None,
                    "low": s.predictive.low,
                    "high": s.predictive.high,
                    "p_reduces": s.p_reduces_new,
                }
            )
        return out
