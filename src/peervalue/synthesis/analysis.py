"""The whole synthesis of ``peervalue synthesis``: effect sizes, the Bayesian model, bias
adjustment, randomised-only and imputation variants, prior sensitivity, meta-regression
and the small-study checks, as one :class:`~peervalue.synthesis.results.SynthesisResult`.

Pure: studies and options in, a result out (no files, no printing).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np

from peervalue.evidence.schema import Study
from peervalue.synthesis import bayes, small_study
from peervalue.synthesis.effects import DIRECTIONS, UNITS, effect_sizes
from peervalue.synthesis.priors import (
    BIAS_SD_RANGE,
    BIAS_SOURCE,
    DEFAULT_BIAS_RELATIVE,
    SENSITIVITY_TAU,
    MuPrior,
    NormalPrior,
    TauPrior,
)
from peervalue.synthesis.results import (
    BayesSummary,
    BiasPrior,
    EffectSize,
    FunnelPoint,
    Heterogeneity,
    Influence,
    MetaRegression,
    RegressionTerm,
    Scale,
    Shrunken,
    SmallStudyChecks,
    SynthesisResult,
    TrimFill,
)

#: publication years are centred and counted in decades in the meta-regression
YEAR_UNIT: Final = 10.0


@dataclass(frozen=True)
class Options:
    scale: Scale
    tau_prior: TauPrior
    mu_prior: MuPrior
    level: float = 0.95
    #: ``None``: the default on the relative scale, no adjustment on the absolute one
    bias_prior: NormalPrior | None = None
    #: ``False``: the bias adjustment is switched off
    bias: bool = True


def _reduces_below(scale: Scale) -> bool:
    """A reduction is a value below 0 on the relative scale, above 0 on the absolute one."""
    return scale == "relative"


def summarise(
    effects: Sequence[EffectSize],
    opts: Options,
    label: str,
    tau_prior: TauPrior | None = None,
    shift: Sequence[float] | None = None,
    extra_var: Sequence[float] | None = None,
    ses: Sequence[float] | None = None,
    note: str | None = None,
) -> tuple[BayesSummary, bayes.Fit]:
    """Fit the model to ``effects`` (optionally shifted by ``-shift`` with ``extra_var``
    added to each variance, or with other ``ses``) and summarise it."""
    prior = tau_prior or opts.tau_prior
    y = np.array([e.effect for e in effects])
    s = np.array(ses if ses is not None else [e.se for e in effects])
    if shift is not None:
        y = y - np.asarray(shift)
    if extra_var is not None:
        s = np.sqrt(s**2 + np.asarray(extra_var))
    f = bayes.fit(y, s, prior, opts.mu_prior)
    below_mu = bayes.coefficient_below(f, 0)
    below_new = bayes.predictive_below(f)
    below = _reduces_below(opts.scale)
    summary = BayesSummary(
        label=label,
        k=len(effects),
        studies=[e.id for e in effects],
        mu=bayes.coefficient(f, 0, opts.level),
        tau=bayes.tau_summary(f, opts.level),
        predictive=bayes.predictive(f, opts.level),
        p_reduces=below_mu if below else 1.0 - below_mu,
        p_reduces_new=below_new if below else 1.0 - below_new,
        tau_prior=prior.text(),
        mu_prior=opts.mu_prior.text(),
        note=note,
    )
    return summary, f


def _heterogeneity(effects: Sequence[EffectSize]) -> Heterogeneity | None:
    if len(effects) < 2:
        return None
    from peervalue.uncertainty.meta import meta_analyse

    y = [e.effect for e in effects]
    v = [e.se**2 for e in effects]
    reml = meta_analyse(y, v, "reml")
    fixed = meta_analyse(y, v, "fixed")
    return Heterogeneity(
        q=reml.q,
        q_df=reml.q_df,
        q_p_value=reml.q_p_value,
        i2=reml.i2,
        tau_reml=math.sqrt(reml.tau2),
        fixed_effect=fixed.estimate,
        fixed_effect_se=fixed.se,
    )


def _bias_variants(
    effects: Sequence[EffectSize], opts: Options, bias: NormalPrior | None
) -> tuple[list[BayesSummary], BiasPrior | None]:
    if bias is None:
        return [], None
    at_risk = [e.at_risk_of_bias for e in effects]
    n_risk = sum(at_risk)
    rows: list[BayesSummary] = []
    for sd in (bias.sd, *BIAS_SD_RANGE):
        shift = [bias.mean if r else 0.0 for r in at_risk]
        extra = [sd**2 if r else 0.0 for r in at_risk]
        label = "bias-adjusted" if sd == bias.sd else f"bias-adjusted, bias sd {sd:g}"
        if sd == bias.sd and label in {r.label for r in rows}:
            continue
        summary, _ = summarise(
            effects,
            opts,
            label,
            shift=shift,
            extra_var=extra,
            note=(
                f"{n_risk} of {len(effects)} studies non-randomised or at high risk of bias: "
                f"shifted by {-bias.mean:+.3g}, variance + {sd:g}^2"
            ),
        )
        rows.append(summary)
    source = BIAS_SOURCE if bias == DEFAULT_BIAS_RELATIVE else "set by the user (--bias-prior)"
    return rows, BiasPrior(mean=bias.mean, sd=bias.sd, source=source, sd_range=BIAS_SD_RANGE)


def _regression(effects: Sequence[EffectSize], opts: Options, covariate: str) -> MetaRegression:
    k = len(effects)
    if covariate == "randomised":
        values = np.array([1.0 if e.randomised else 0.0 for e in effects])
        meaning = "randomised minus non-randomised studies' mean effect"
    else:
        years = np.array([float(e.year) for e in effects])
        values = (years - years.mean()) / YEAR_UNIT if k else years
        meaning = "change in the mean effect per decade of publication year"
    if k < 3:
        return MetaRegression(
            covariate=covariate, k=k, terms=[], not_estimable="fewer than 3 studies"
        )
    if np.all(values == values[0]):
        return MetaRegression(
            covariate=covariate,
            k=k,
            terms=[],
            not_estimable=f"every study has the same {covariate} value",
        )
    sd = opts.mu_prior.sd
    f = bayes.fit(
        [e.effect for e in effects],
        [e.se for e in effects],
        opts.tau_prior,
        opts.mu_prior,
        covariates=values[:, np.newaxis],
        coefficient_sd=sd,
    )
    intercept_meaning = (
        "mean effect of non-randomised studies"
        if covariate == "randomised"
        else "mean effect at the studies' mean publication year"
    )
    return MetaRegression(
        covariate=covariate,
        k=k,
        terms=[
            RegressionTerm(
                covariate="intercept",
                meaning=intercept_meaning,
                estimate=bayes.coefficient(f, 0, opts.level),
                p_negative=bayes.coefficient_below(f, 0),
            ),
            RegressionTerm(
                covariate=covariate,
                meaning=meaning,
                estimate=bayes.coefficient(f, 1, opts.level),
                p_negative=bayes.coefficient_below(f, 1),
            ),
        ],
        tau=bayes.tau_summary(f, opts.level),
    )


def _small_study(effects: Sequence[EffectSize], opts: Options) -> SmallStudyChecks:
    k = len(effects)
    y = np.array([e.effect for e in effects])
    s = np.array([e.se for e in effects])
    funnel = [
        FunnelPoint(id=e.id, effect=e.effect, se=e.se, imputed=e.se_basis == "imputed")
        for e in effects
    ]
    warnings = []
    if k < small_study.FEW_STUDIES:
        warnings.append(
            f"only {k} studies: Egger's test, trim-and-fill and the funnel plot have little "
            f"power below {small_study.FEW_STUDIES} (Sterne et al. 2011); read them as "
            "descriptions, not tests"
        )
    egger = small_study.egger(y, s)
    trim = None
    if egger is not None:
        # a positive intercept: the small studies' effects are larger, so the funnel's
        # excess is on the right and the missing studies on the left (and vice versa)
        side: Literal["left", "right"] = "left" if egger.intercept > 0 else "right"
        missing, fy, fs, est, se = small_study.trim_fill(y, s, side)
        z = float(_z(opts.level))
        trim = TrimFill(
            missing=missing,
            side=side,
            filled_estimate=est,
            filled_ci_low=est - z * se,
            filled_ci_high=est + z * se,
            filled=[
                FunnelPoint(id=f"filled-{i + 1}", effect=float(a), se=float(b), imputed=False)
                for i, (a, b) in enumerate(zip(fy, fs, strict=True))
            ],
        )
    influence = []
    if k >= 2:
        contribution, infl = small_study.baujat(y, s)
        omitted = bayes.leave_one_out(y, s, opts.tau_prior, opts.mu_prior, opts.level)
        below = _reduces_below(opts.scale)
        for i, (e, o) in enumerate(zip(effects, omitted, strict=True)):
            without = BayesSummary(
                label=f"without {e.id}",
                k=k - 1,
                studies=[x.id for j, x in enumerate(effects) if j != i],
                mu=o.mu,
                tau=o.tau,
                predictive=o.predictive,
                p_reduces=o.mu_below_zero if below else 1.0 - o.mu_below_zero,
                p_reduces_new=o.new_below_zero if below else 1.0 - o.new_below_zero,
                tau_prior=opts.tau_prior.text(),
                mu_prior=opts.mu_prior.text(),
            )
            influence.append(
                Influence(
                    id=e.id,
                    without=without,
                    baujat_q=float(contribution[i]),
                    baujat_influence=float(infl[i]),
                )
            )
    return SmallStudyChecks(
        k=k, funnel=funnel, egger=egger, trim_fill=trim, influence=influence, warnings=warnings
    )


def _z(level: float) -> float:
    from scipy import special

    return float(special.ndtri(0.5 + level / 2))


class NothingToPool(ValueError):
    """No study can enter the synthesis on the scale asked for."""


def synthesise(studies: Sequence[Study], opts: Options, origin: str) -> SynthesisResult:
    """The evidence synthesis of ``studies`` (see the module notes).

    Raises :class:`NothingToPool` when no study can enter; its message lists each
    study's reason.
    """
    effects, excluded, imputation = effect_sizes(studies, opts.scale)
    if not effects:
        reasons = "; ".join(f"{k}: {v}" for k, v in excluded.items())
        raise NothingToPool(f"no study can enter the {opts.scale} scale ({reasons})")
    main, f = summarise(effects, opts, "all studies")
    shrunk = [
        Shrunken(id=e.id, observed=e.effect, se=e.se, shrunken=iv)
        for e, iv in zip(effects, bayes.shrunken(f, opts.level), strict=True)
    ]
    bias = opts.bias_prior
    if bias is None and opts.scale == "relative":
        bias = DEFAULT_BIAS_RELATIVE
    notes = []
    if not opts.bias:
        bias = None
        notes.append("bias adjustment switched off: no bias-adjusted rows")
    variants, bias_info = _bias_variants(effects, opts, bias)
    if bias is None and opts.bias:
        notes.append(
            "no bias adjustment on the absolute scale by default (no published prior is on "
            "bed-days per patient-year): give --bias-prior normal:MEAN,SD to add one"
        )
    randomised = [e for e in effects if e.randomised]
    if randomised:
        row, _ = summarise(randomised, opts, "randomised only")
        variants.append(row)
    else:
        notes.append("no randomised study enters this scale: no randomised-only row")
    imputed = [e for e in effects if e.se_basis == "imputed"]
    if imputed:
        for end, attr in (("lowest", "se_low"), ("highest", "se_high")):
            ses = [getattr(e, attr) if e.se_basis == "imputed" else e.se for e in effects]
            row, _ = summarise(effects, opts, f"imputed SEs at their {end}", ses=ses)
            variants.append(row)
    sensitivity = []
    priors = list(SENSITIVITY_TAU[opts.scale])
    if opts.tau_prior not in priors:
        priors.insert(0, opts.tau_prior)
    for prior in priors:
        row, _ = summarise(effects, opts, f"tau ~ {prior.text()}", tau_prior=prior)
        sensitivity.append(row)
    return SynthesisResult(
        evidence=origin,
        scale=opts.scale,
        unit=UNITS[opts.scale],
        direction=DIRECTIONS[opts.scale],
        level=opts.level,
        effects=effects,
        excluded=excluded,
        imputation=imputation,
        main=main,
        shrunken=shrunk,
        heterogeneity=_heterogeneity(effects),
        variants=variants,
        bias_prior=bias_info,
        prior_sensitivity=sensitivity,
        meta_regression=[
            _regression(effects, opts, "randomised"),
            _regression(effects, opts, "year"),
        ],
        small_study=_small_study(effects, opts),
        notes=notes,
    )
