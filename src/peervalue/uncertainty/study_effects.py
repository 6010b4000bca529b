"""Study effects for the meta-analysis: each study's outcome on one scale, with a variance.

The studies report their outcomes in different forms, and only some of them carry a
measure of spread. :func:`study_effects` picks out those that do and puts them on one
scale, bed-days saved per patient-year of peer support (the support duration where a
study gives one, else its follow-up: the same definition the model and the caseload
results use), with a sampling variance; :func:`readmission_effects` does the same on a
readmission scale (:data:`READMISSION_MEASURES`). The estimators that pool them are in
:mod:`peervalue.uncertainty.meta`.

Everything here is pure: no files are read and nothing is printed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

from peervalue.evidence.schema import (
    BedDaysSavedPerPatient,
    MeanBedDays,
    ReadmissionCounts,
    ReadmissionOddsRatio,
    Study,
)
from peervalue.uncertainty.results import StudyEffect
from peervalue.units import YEARS_PER


def _mean_bed_days_effect(study: Study, outcome: MeanBedDays, years: float) -> StudyEffect | str:
    sd_i, sd_c = outcome.intervention_sd, outcome.control_sd
    if sd_i is None and sd_c is None:
        return "no standard deviations reported"
    if sd_i is None:
        return "standard deviation reported for the control arm only"
    if sd_c is None:
        return "standard deviation reported for the intervention arm only"
    n_i = study.arms.intervention.value
    if study.arms.control is None:
        return "no control arm size, so the variance of the difference cannot be computed"
    n_c = study.arms.control.value
    if sd_i.value == 0 and sd_c.value == 0:
        return "both standard deviations are zero, so the effect has no variance to weight by"
    saved = outcome.control_mean.value - outcome.intervention_mean.value
    variance = (sd_c.value**2 / n_c + sd_i.value**2 / n_i) / years**2
    return _effect(study.id, saved / years, variance, n_i, n_c, years)


def _effect(
    study_id: str,
    effect: float,
    variance: float,
    n_intervention: float,
    n_control: float | None,
    years: float,
) -> StudyEffect:
    return StudyEffect(
        id=study_id,
        effect=effect,
        variance=variance,
        n_intervention=n_intervention,
        n_control=n_control,
        support_years=years,
        se=math.sqrt(variance),
    )


def _saved_per_patient_effect(
    study: Study, outcome: BedDaysSavedPerPatient, years: float
) -> StudyEffect | str:
    saved = outcome.saved_per_patient
    dist = saved.distribution
    if dist is None:
        return "saving per patient given without a standard error (no normal distribution)"
    if dist.kind != "normal" or dist.sd is None:
        return f"saving per patient has a {dist.kind} distribution, not a normal one with an sd"
    if dist.sd == 0:
        return "saving per patient has a standard error of zero"
    control = study.arms.control
    return _effect(
        study.id,
        saved.value / years,
        (dist.sd / years) ** 2,
        study.arms.intervention.value,
        None if control is None else control.value,
        years,
    )


def _arm_risks(study: Study, outcome: ReadmissionCounts) -> tuple[float, float, float, float] | str:
    """(p_intervention, n_intervention, p_control, n_control), or why they are unusable."""
    if study.arms.control is None:
        return "no control arm"
    n_i, n_c = study.arms.intervention.value, study.arms.control.value
    return (
        outcome.intervention_readmitted.value / n_i,
        n_i,
        outcome.control_readmitted.value / n_c,
        n_c,
    )


def _readmission_counts_effect(
    study: Study, outcome: ReadmissionCounts, years: float
) -> StudyEffect | str:
    """Bed-days saved per patient-year from readmission counts: ``(p_c - p_i) LOS / T``,
    with the binomial variance of the risk difference times ``(LOS / T)^2`` (the length of
    stay taken as known: its own uncertainty is in the Monte Carlo, not here)."""
    risks = _arm_risks(study, outcome)
    if isinstance(risks, str):
        return risks
    p_i, n_i, p_c, n_c = risks
    variance_rd = p_c * (1 - p_c) / n_c + p_i * (1 - p_i) / n_i
    if variance_rd == 0:
        return "every patient or none was readmitted in both arms: no variance to weight by"
    scale = outcome.length_of_stay.value / years
    return _effect(study.id, (p_c - p_i) * scale, variance_rd * scale**2, n_i, n_c, years)


#: the effect measures of readmission outcomes (``meta_table(..., measure=...)``)
READMISSION_MEASURES: Final = {
    "log_odds_ratio": "log odds ratio of readmission, peer support over control (below 0: fewer)",
    "risk_difference": (
        "risk difference of readmission, control minus peer support (above 0: fewer)"
    ),
}


def readmission_effects(
    studies: Sequence[Study], measure: str
) -> tuple[list[StudyEffect], dict[str, str]]:
    """Each study with a readmission outcome on the ``measure`` scale
    (:data:`READMISSION_MEASURES`), with its sampling variance.

    * counts per arm: log OR ``ln(a d / (b c))`` with variance ``1/a + 1/b + 1/c + 1/d``
      (Woolf), or the risk difference ``p_c - p_i`` with variance
      ``p_c (1 - p_c) / n_c + p_i (1 - p_i) / n_i``;
    * an odds ratio with a range: log OR with variance ``((ln hi - ln lo) / 3.92)^2`` (the
      range read as a 95% interval); it gives no risk difference of its own.
    """
    included: list[StudyEffect] = []
    excluded: dict[str, str] = {}
    for study in studies:
        outcome = study.outcome
        support = study.support_quantity()
        years = support.value * YEARS_PER[support.unit]
        control = None if study.arms.control is None else study.arms.control.value
        n_i = study.arms.intervention.value
        if isinstance(outcome, ReadmissionCounts):
            risks = _arm_risks(study, outcome)
            if isinstance(risks, str):
                excluded[study.id] = risks
                continue
            p_i, n_i, p_c, n_c = risks
            if measure == "risk_difference":
                variance = p_c * (1 - p_c) / n_c + p_i * (1 - p_i) / n_i
                if variance == 0:
                    excluded[study.id] = "no variance (all or none readmitted in both arms)"
                    continue
                included.append(_effect(study.id, p_c - p_i, variance, n_i, n_c, years))
                continue
            a, c = outcome.intervention_readmitted.value, outcome.control_readmitted.value
            cells = [a, n_i - a, c, n_c - c]
            if min(cells) == 0:
                excluded[study.id] = "a cell of the 2 x 2 table is zero (no log odds ratio)"
                continue
            log_or = math.log(a / (n_i - a)) - math.log(c / (n_c - c))
            included.append(_effect(study.id, log_or, sum(1 / x for x in cells), n_i, n_c, years))
        elif isinstance(outcome, ReadmissionOddsRatio) and measure == "log_odds_ratio":
            odds = outcome.odds_ratio
            if odds.range is None or odds.range[0] <= 0 or odds.range[0] == odds.range[1]:
                excluded[study.id] = "odds ratio without a range to read as its 95% interval"
                continue
            se = (math.log(odds.range[1]) - math.log(odds.range[0])) / (2 * 1.959963984540054)
            included.append(_effect(study.id, math.log(odds.value), se**2, n_i, control, years))
        elif outcome.kind.startswith("readmission_"):
            excluded[study.id] = (
                f"no {measure.replace('_', ' ')} from an outcome of kind {outcome.kind!r}"
            )
    return included, excluded


_OTHER_OUTCOMES: Final[dict[str, str]] = {
    "total_bed_days_saved": "outcome reported as a total, without a standard error",
    "admissions_and_length_of_stay": (
        "outcome reported as admissions and length of stay, without a standard error"
    ),
    "bed_days_saved_per_fte_year": (
        "outcome reported per FTE-year of peer work, not per patient, without a standard error"
    ),
}


def study_effects(studies: Sequence[Study]) -> tuple[list[StudyEffect], dict[str, str]]:
    """Put every study with a usable spread on the bed-days-saved-per-patient-year scale.

    A study is included when

    * its outcome is ``mean_bed_days`` with both arms' standard deviations and
      a control arm: effect ``(control_mean - intervention_mean) / T`` and
      variance ``(sd_c^2 / n_c + sd_i^2 / n_i) / T^2``; or
    * its outcome is ``bed_days_saved_per_patient`` with a normal
      ``distribution`` whose ``sd`` is the standard error: effect ``saved / T``
      and variance ``(sd / T)^2``; or
    * its outcome is ``readmission_counts``: effect ``(p_c - p_i) LOS / T`` and the
      binomial variance of the risk difference times ``(LOS / T)^2``,

    where ``T`` is each patient's years of peer support (``Study.support_quantity``).
    Returns the included studies in evidence order, and a one-line reason for each
    excluded study id.
    """
    included: list[StudyEffect] = []
    excluded: dict[str, str] = {}
    for study in studies:
        support = study.support_quantity()
        years = support.value * YEARS_PER[support.unit]
        outcome = study.outcome
        found: StudyEffect | str
        if isinstance(outcome, MeanBedDays):
            found = _mean_bed_days_effect(study, outcome, years)
        elif isinstance(outcome, BedDaysSavedPerPatient):
            found = _saved_per_patient_effect(study, outcome, years)
        elif isinstance(outcome, ReadmissionCounts):
            found = _readmission_counts_effect(study, outcome, years)
        else:
            found = _OTHER_OUTCOMES.get(
                outcome.kind, f"outcome of kind {outcome.kind!r} carries no standard error"
            )
        if isinstance(found, str):
            excluded[study.id] = found
        else:
            included.append(found)
    return included, excluded
