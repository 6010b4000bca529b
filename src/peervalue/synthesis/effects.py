"""Every study on one scale: relative (log ratios) or absolute (bed-days saved per patient-year).

Pure functions: studies in, :class:`~peervalue.synthesis.results.EffectSize` out, and a
reason for each study that cannot enter. Relative effects are peer support over control,
so a value below 0 means fewer bed-days (or readmissions) with peer support:

``mean_bed_days``
    ``ln(m_i / m_c)``, with the delta-method variance ``sd_i^2 / (n_i m_i^2) + sd_c^2 /
    (n_c m_c^2)``; on the absolute scale ``(m_c - m_i) / T`` with variance
    ``(sd_c^2 / n_c + sd_i^2 / n_i) / T^2``.
``admissions_and_length_of_stay``
    bed-days per patient ``a x LOS`` in each arm, then as ``mean_bed_days`` (no SDs:
    imputed).
``readmission_counts``
    log risk ratio ``ln((a / n_i) / (c / n_c))`` with variance ``1/a - 1/n_i + 1/c - 1/n_c``
    (0.5 added to every cell when one is zero); absolute ``(p_c - p_i) LOS / T`` with the
    binomial variance of the risk difference times ``(LOS / T)^2``.
``readmission_odds_ratio``
    the risk ratio at the control risk ``p``: ``RR = OR / (1 - p + OR p)``; ``d ln RR /
    d ln OR = 1 - p_i`` so ``se(ln RR) = (1 - p_i) se(ln OR)``, with ``se(ln OR)`` from the
    odds ratio's range read as a 95% interval; absolute ``(p - p_i) LOS / T`` with
    ``se = p_i (1 - p_i) se(ln OR) LOS / T``.
``readmission_risk_ratio``
    ``ln RR`` with ``se`` from its range read as a 95% interval; absolute as above with
    ``d p_i / d ln RR = p_i``.
``length_of_stay_difference``, ``total_bed_days_saved``, ``bed_days_saved_per_patient``
    absolute only (they give no control-arm level to divide by): the saving per patient
    over ``T``; ``se`` from a normal distribution's sd in the study file, a range read
    as a 95% interval, else imputed.

``T`` is each patient's years of peer support (``Study.support_quantity``). A study
whose effect is an assumption (status ``assumed``) does not enter: a synthesis pools what
studies found. A spread that is missing is imputed from the other studies on the same
scale (see :class:`~peervalue.synthesis.results.Imputation`) and marked ``imputed``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from peervalue.evidence.schema import (
    AdmissionsAndLengthOfStay,
    BedDaysSavedPerPatient,
    Design,
    LengthOfStayDifference,
    MeanBedDays,
    ReadmissionCounts,
    ReadmissionOddsRatio,
    ReadmissionRiskRatio,
    RiskOfBias,
    Study,
    TotalBedDaysSaved,
)
from peervalue.provenance import Quantity
from peervalue.synthesis.results import EffectSize, Imputation, Scale, SeBasis
from peervalue.units import YEARS_PER

#: an imputed unit SD is ranged at least from the median over this factor to the median
#: times it (Cochrane Handbook 6.5.2.7 asks for a sensitivity analysis; one or two studies
#: to impute from give no range of their own)
IMPUTATION_FACTOR: Final = 2.0
#: the normal quantile of a 95% interval: a range read as one spans 2 x 1.96 sd
Z95: Final = 1.959963984540054

MEASURES: Final[dict[str, str]] = {
    "bed_days": "log ratio of mean bed-days",
    "risk": "log risk ratio of readmission",
    "absolute": "bed-days saved per patient-year",
}
UNITS: Final[dict[Scale, str]] = {
    "relative": "natural log of the ratio, peer support over control",
    "absolute": "bed-days saved per patient-year of peer support",
}
DIRECTIONS: Final[dict[Scale, str]] = {
    "relative": "below 0 (a ratio below 1): fewer bed-days or readmissions with peer support",
    "absolute": "above 0: bed-days saved by peer support",
}


@dataclass(frozen=True)
class _Raw:
    """A study's effect before imputation: ``se`` is ``None`` when it has no spread."""

    study: Study
    effect: float
    se: float | None
    basis: SeBasis
    family: str
    n_tilde: float
    unit_factor: float  # se x sqrt(n~) x unit_factor is the study's unit SD
    note: str | None = None


def support_years(study: Study) -> float:
    """Years of peer support per patient (``T``)."""
    q = study.support_quantity()
    return q.value * YEARS_PER[q.unit]


def _arms(study: Study) -> tuple[float, float | None]:
    control = study.arms.control
    return study.arms.intervention.value, None if control is None else control.value


def _n_tilde(n_i: float, n_c: float | None) -> float:
    """``1 / (1/n_i + 1/n_c)``, or ``n_i`` with no control arm."""
    return n_i if n_c is None else 1.0 / (1.0 / n_i + 1.0 / n_c)


def _is_assumed(q: Quantity) -> bool:
    return q.is_assumed


def _range_se(q: Quantity) -> float | None:
    """The sd of a quantity's range read as a 95% interval on the log scale (ratios)."""
    if q.range is None or q.range[0] <= 0 or q.range[0] >= q.range[1]:
        return None
    return (math.log(q.range[1]) - math.log(q.range[0])) / (2 * Z95)


def _spread(q: Quantity) -> tuple[float | None, SeBasis]:
    """The standard error of an absolute saving: a normal distribution's sd, else the
    range read as a 95% interval, else none."""
    dist = q.distribution
    if dist is not None and dist.kind == "normal" and dist.sd is not None and dist.sd > 0:
        return dist.sd, "study file"
    if q.range is not None and q.range[1] > q.range[0]:
        return (q.range[1] - q.range[0]) / (2 * Z95), "interval"
    return None, "imputed"


def _mean_bed_days(study: Study, o: MeanBedDays, scale: Scale) -> _Raw | str:
    n_i, n_c = _arms(study)
    note = None
    if n_c is None:
        # before-after: the same people; the correlation is unknown, so the arms are
        # treated as independent (a wider interval than a paired analysis would give)
        n_c = n_i
        note = "before-after: the before and after periods treated as independent samples"
    m_i, m_c = o.intervention_mean.value, o.control_mean.value
    sds = (o.intervention_sd, o.control_sd)
    reported = all(sd is not None for sd in sds)
    years = support_years(study)
    if scale == "relative":
        if m_i <= 0 or m_c <= 0:
            return "a mean of zero bed-days in an arm leaves no ratio of means"
        effect = math.log(m_i / m_c)
        se = None
        if reported and o.intervention_sd is not None and o.control_sd is not None:
            se = math.sqrt(
                o.intervention_sd.value**2 / (n_i * m_i**2) + o.control_sd.value**2 / (n_c * m_c**2)
            )
        return _Raw(
            study,
            effect,
            se,
            "reported" if se else "imputed",
            "bed_days",
            _n_tilde(n_i, n_c),
            1.0,
            note,
        )
    effect = (m_c - m_i) / years
    se = None
    if reported and o.intervention_sd is not None and o.control_sd is not None:
        se = math.sqrt(o.control_sd.value**2 / n_c + o.intervention_sd.value**2 / n_i) / years
    return _Raw(
        study,
        effect,
        se,
        "reported" if se else "imputed",
        "absolute",
        _n_tilde(n_i, n_c),
        years,
        note,
    )


def _admissions(study: Study, o: AdmissionsAndLengthOfStay, scale: Scale) -> _Raw | str:
    n_i, n_c = _arms(study)
    if n_c is None:
        n_c = n_i
    b_i = o.intervention_admissions.value * o.intervention_length_of_stay.value
    b_c = o.control_admissions.value * o.control_length_of_stay.value
    note = "bed-days per patient = admissions x length of stay in each arm; no SDs"
    if scale == "relative":
        if b_i <= 0 or b_c <= 0:
            return "zero bed-days per patient in an arm leaves no ratio of means"
        return _Raw(
            study, math.log(b_i / b_c), None, "imputed", "bed_days", _n_tilde(n_i, n_c), 1.0, note
        )
    years = support_years(study)
    return _Raw(
        study, (b_c - b_i) / years, None, "imputed", "absolute", _n_tilde(n_i, n_c), years, note
    )


def _counts(study: Study, o: ReadmissionCounts, scale: Scale) -> _Raw | str:
    n_i, n_c = _arms(study)
    if n_c is None:
        return "readmission counts without a control arm"
    a, c = o.intervention_readmitted.value, o.control_readmitted.value
    if scale == "absolute":
        p_i, p_c = a / n_i, c / n_c
        variance = p_c * (1 - p_c) / n_c + p_i * (1 - p_i) / n_i
        if variance == 0:
            return "every patient or none was readmitted in both arms: no variance"
        factor = o.length_of_stay.value / support_years(study)
        return _Raw(
            study,
            (p_c - p_i) * factor,
            math.sqrt(variance) * factor,
            "reported",
            "absolute",
            _n_tilde(n_i, n_c),
            support_years(study),
        )
    if a == 0 and c == 0:
        return "nobody was readmitted in either arm: no risk ratio"
    note = None
    if min(a, c, n_i - a, n_c - c) == 0:
        a, c, n_i, n_c = a + 0.5, c + 0.5, n_i + 1.0, n_c + 1.0
        note = "a zero cell: 0.5 added to every cell of the 2 x 2 table"
    effect = math.log((a / n_i) / (c / n_c))
    se = math.sqrt(1 / a - 1 / n_i + 1 / c - 1 / n_c)
    return _Raw(study, effect, se, "reported", "risk", _n_tilde(n_i, n_c), 1.0, note)


def _ratio(
    study: Study, o: ReadmissionOddsRatio | ReadmissionRiskRatio, scale: Scale
) -> _Raw | str:
    n_i, n_c = _arms(study)
    p = o.control_risk.value
    if isinstance(o, ReadmissionOddsRatio):
        ratio_q = o.odds_ratio
        odds = ratio_q.value
        p_i = odds * p / (1 - p + odds * p)
        rr = p_i / p
        log_se = _range_se(ratio_q)
        # d ln RR / d ln OR = 1 - p_i ; d p_i / d ln OR = p_i (1 - p_i)
        rel_factor, abs_factor = 1 - p_i, p_i * (1 - p_i)
        what = f"odds ratio {odds:g} at control risk {p:g}: risk ratio {rr:.3g}"
    else:
        ratio_q = o.risk_ratio
        rr = ratio_q.value
        p_i = rr * p
        log_se = _range_se(ratio_q)
        rel_factor, abs_factor = 1.0, p_i
        what = f"risk ratio {rr:g} at control risk {p:g}"
    basis: SeBasis = "imputed" if log_se is None else "interval"
    if ratio_q.range is not None and log_se is not None:
        what += (
            f"; se from its range {ratio_q.range[0]:g} to {ratio_q.range[1]:g} as a 95% interval"
        )
    n_t = _n_tilde(n_i, n_c if n_c is not None else n_i)
    if scale == "relative":
        se = None if log_se is None else rel_factor * log_se
        return _Raw(study, math.log(rr), se, basis, "risk", n_t, 1.0, what)
    years = support_years(study)
    factor = o.length_of_stay.value / years
    se = None if log_se is None else abs_factor * log_se * factor
    return _Raw(study, (p - p_i) * factor, se, basis, "absolute", n_t, years, what)


def _absolute_only(
    study: Study, o: TotalBedDaysSaved | BedDaysSavedPerPatient | LengthOfStayDifference
) -> _Raw | str:
    n_i, n_c = _arms(study)
    years = support_years(study)
    if isinstance(o, TotalBedDaysSaved):
        saved, (se, basis) = o.total.value / n_i, _spread(o.total)
        se = None if se is None else se / n_i
    elif isinstance(o, BedDaysSavedPerPatient):
        saved, (se, basis) = o.saved_per_patient.value, _spread(o.saved_per_patient)
    else:
        saved = o.length_of_stay_saved.value * o.admissions.value
        se, basis = _spread(o.length_of_stay_saved)
        se = None if se is None else se * o.admissions.value
    return _Raw(
        study,
        saved / years,
        None if se is None else se / years,
        basis,
        "absolute",
        _n_tilde(n_i, n_c),
        years,
    )


_RELATIVE_REFUSAL: Final[dict[str, str]] = {
    "total_bed_days_saved": (
        "reports a total saving without the control arm's bed-days, so no ratio "
        "(it enters the absolute scale)"
    ),
    "bed_days_saved_per_patient": (
        "reports a saving per patient without the control arm's bed-days, so no ratio "
        "(it enters the absolute scale)"
    ),
    "length_of_stay_difference": (
        "reports days saved per admission without the control arm's length of stay, so no "
        "ratio (it enters the absolute scale)"
    ),
}


def _effect_quantities(study: Study) -> list[Quantity]:
    """The quantities that carry a study's effect (not its sizes or lengths of stay)."""
    o = study.outcome
    if isinstance(o, MeanBedDays):
        return [o.intervention_mean, o.control_mean]
    if isinstance(o, AdmissionsAndLengthOfStay):
        return [o.intervention_admissions, o.control_admissions]
    if isinstance(o, ReadmissionCounts):
        return [o.intervention_readmitted, o.control_readmitted]
    if isinstance(o, ReadmissionOddsRatio):
        return [o.odds_ratio]
    if isinstance(o, ReadmissionRiskRatio):
        return [o.risk_ratio]
    if isinstance(o, TotalBedDaysSaved):
        return [o.total]
    if isinstance(o, BedDaysSavedPerPatient):
        return [o.saved_per_patient]
    if isinstance(o, LengthOfStayDifference):
        return [o.length_of_stay_saved]
    return []


def raw_effect(study: Study, scale: Scale) -> _Raw | str:
    """One study on ``scale`` before imputation, or why it cannot enter."""
    o = study.outcome
    if o.kind == "no_usable_outcome":
        return f"no usable outcome: {getattr(o, 'reason', '').strip()}"
    if o.kind == "bed_days_saved_per_fte_year":
        return "reported per FTE-year of peer work, not per patient: no effect size"
    if any(_is_assumed(q) for q in _effect_quantities(study)):
        return "its effect is an assumption (status assumed), not a finding: not pooled"
    if isinstance(o, MeanBedDays):
        return _mean_bed_days(study, o, scale)
    if isinstance(o, AdmissionsAndLengthOfStay):
        return _admissions(study, o, scale)
    if isinstance(o, ReadmissionCounts):
        return _counts(study, o, scale)
    if isinstance(o, ReadmissionOddsRatio | ReadmissionRiskRatio):
        return _ratio(study, o, scale)
    if scale == "relative":
        return _RELATIVE_REFUSAL[o.kind]
    if isinstance(o, TotalBedDaysSaved | BedDaysSavedPerPatient | LengthOfStayDifference):
        return _absolute_only(study, o)
    return f"outcome of kind {o.kind!r} has no effect size"  # pragma: no cover


def _randomised(study: Study) -> bool:
    return study.design is Design.RCT


def at_risk_of_bias(study: Study) -> bool:
    """Non-randomised, or judged at high risk of bias: the studies the bias terms adjust."""
    high = study.quality is not None and study.quality.risk_of_bias is RiskOfBias.HIGH
    return not _randomised(study) or high


def effect_sizes(
    studies: Sequence[Study], scale: Scale
) -> tuple[list[EffectSize], dict[str, str], Imputation]:
    """Every study on ``scale``, the reason each other study cannot enter, and the
    imputation of missing spreads (see the module notes)."""
    raws: list[_Raw] = []
    excluded: dict[str, str] = {}
    for study in studies:
        found = raw_effect(study, scale)
        if isinstance(found, str):
            excluded[study.id] = found
        elif not math.isfinite(found.effect):
            excluded[study.id] = "the effect is not a finite number"
        else:
            raws.append(found)
    imputation, unit_sds = _imputation(raws)
    effects: list[EffectSize] = []
    for r in raws:
        se, low, high, basis = r.se, None, None, r.basis
        if se is None:
            family_sd = unit_sds.get(r.family) or unit_sds.get("*")
            if family_sd is None:
                excluded[r.study.id] = (
                    "no spread reported, and no study on this scale reports one to impute from"
                )
                continue
            mid, lo, hi = family_sd
            scale_by = math.sqrt(r.n_tilde) * r.unit_factor
            se, low, high, basis = mid / scale_by, lo / scale_by, hi / scale_by, "imputed"
        if not se > 0:
            excluded[r.study.id] = "a standard error of zero cannot be weighted"
            continue
        n_i, n_c = _arms(r.study)
        effects.append(
            EffectSize(
                id=r.study.id,
                citation=r.study.citation.short(),
                year=r.study.citation.year,
                design=r.study.design.value,
                randomised=_randomised(r.study),
                risk_of_bias=None
                if r.study.quality is None
                else r.study.quality.risk_of_bias.value,
                at_risk_of_bias=at_risk_of_bias(r.study),
                outcome_kind=r.study.outcome.kind,
                measure=MEASURES[r.family],
                effect=r.effect,
                se=se,
                se_basis=basis,
                se_low=low,
                se_high=high,
                ratio=math.exp(r.effect) if scale == "relative" else None,
                n_intervention=n_i,
                n_control=n_c,
                note=r.note,
            )
        )
    imputed = [e.id for e in effects if e.se_basis == "imputed"]
    return effects, excluded, imputation.model_copy(update={"imputed_studies": imputed})


def _imputation(raws: Sequence[_Raw]) -> tuple[Imputation, dict[str, tuple[float, float, float]]]:
    """Unit SDs by family (median, lowest, highest) of the studies with a spread; ``*`` pools
    every family, for a family with none of its own."""
    by_family: dict[str, list[float]] = {}
    sources: list[str] = []
    for r in raws:
        if r.se is not None and r.se > 0:
            unit = r.se * math.sqrt(r.n_tilde) * r.unit_factor
            by_family.setdefault(r.family, []).append(unit)
            by_family.setdefault("*", []).append(unit)
            sources.append(r.study.id)
    summary = {}
    for f, v in by_family.items():
        mid = statistics.median(v)
        # the range is at least half to twice the median: with one or two studies to
        # impute from, their own spread says little about the missing ones
        summary[f] = (
            mid,
            min(min(v), mid / IMPUTATION_FACTOR),
            max(max(v), mid * IMPUTATION_FACTOR),
        )
    note = (
        "se = unit SD / sqrt(n~), n~ = 1 / (1/n_i + 1/n_c); the unit SD is the median of the "
        "studies with a spread (of the same measure where any has one), ranged from their "
        f"lowest to highest, and at least from 1/{IMPUTATION_FACTOR:g} to {IMPUTATION_FACTOR:g} "
        "times the median (Cochrane Handbook, chapter 6)"
    )
    return (
        Imputation(
            unit_sd={
                ("any measure" if f == "*" else MEASURES[f]): v
                for f, v in summary.items()
                if f != "*" or len(summary) > 2  # "any measure" only beside two or more
            },
            from_studies=sources,
            imputed_studies=[],
            note=note,
        ),
        summary,
    )
