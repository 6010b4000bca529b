"""The reference analysis as live spreadsheet formulas (the ``Studies`` and ``Pooled`` sheets).

Each study's weight ``w``, total bed-days saved ``D`` and FTE-years ``F`` are formulas over
the study's own Inputs names where its forms are simple (:func:`live_study`: the arms;
mean bed-days, bed-days saved per patient or a total; FTE x years employed, patients x
years supported / caseload, or FTE-years as given; durations turned into years), and the
analysis's cost per bed-day and per FTE-year formulas over the cost set's Inputs names
(:func:`live_costs`) when no rebasing is needed. A formula is used only when, evaluated on
the Inputs values, it gives the engine's figure; otherwise (a readmission or
length-of-stay outcome, other resources counted, a cost at another price year, a pay index,
a share of overheads) the figure is one of the engine's, put on the Inputs sheet as a
``derived`` input with its formula in words (:func:`study_inputs`):

- ``analysis_<study>_total_bed_days_saved``: ``D = d x n``, the bed-days saved per patient
  (from the study's reported outcome form, converted by :mod:`peervalue.model.conversions`)
  times the patients who had peer support;
- ``analysis_<study>_fte_years``: ``F``, the FTE-years of peer work;
- ``analysis_<study>_pooling_weight``: ``w``, all patients or those who had peer support;
- ``analysis_cost_per_bed_day``, ``analysis_cost_per_fte_year``: ``c_bed`` and ``c_psw``
  at the analysis's price year (when live, these names are the Pooled sheet's cells F2, G2).

From these the Studies sheet computes ``b = D / F``, the benefit ``b x c_bed``, the cost
``c_psw``, the net benefit and the ratio ``r = b x c_bed / c_psw`` (named
``study_<study>_ratio``; ``b`` is ``study_<study>_bed_days_per_fte_year``) and the class,
and the Pooled sheet the 2013 weighted mean of ratios ``SUMPRODUCT(w, r) / SUM(w)``
(``pooled_weighted_mean_ratio``), the ratio of sums ``SUM(D) / SUM(F) x c_bed / c_psw``
(``pooled_ratio_of_sums``) and the break-even bed-days ``c_psw / c_bed``
(``pooled_break_even_bed_days``), as :mod:`peervalue.model.core`. Each named figure is
compared with the engine by tests/test_workbook_libreoffice.py.

A study whose ``D`` or ``F`` is not a finite number (bed-days per FTE-year reported without
the peer input) starts from its bed-days per FTE-year instead
(``analysis_<study>_bed_days_per_fte_year``) and the ratio of sums is empty (the engine's
NaN).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from peervalue.costs.schema import PAY_COMPONENTS
from peervalue.report.workbook_live import defined_name

if TYPE_CHECKING:
    from peervalue.model.results import AnalysisResult, StudyResult

#: the Inputs "where" of the analysis's derived figures
ANALYSIS = "analysis"
COST_PER_BED_DAY = "analysis_cost_per_bed_day"
COST_PER_FTE_YEAR = "analysis_cost_per_fte_year"
WEIGHTED = "pooled_weighted_mean_ratio"
SUMS = "pooled_ratio_of_sums"
BREAK_EVEN = "pooled_break_even_bed_days"


def study_name(study_id: str, what: str) -> str:
    """The defined name of a study's figure (``sledge2011``, ``ratio`` ->
    ``study_sledge2011_ratio``)."""
    return defined_name(f"study.{study_id}.{what}")


def input_name(study_id: str, what: str) -> str:
    """The Inputs name of a study's derived figure (``analysis_sledge2011_fte_years``)."""
    return defined_name(f"{ANALYSIS}.{study_id}.{what}")


def has_sums(s: StudyResult) -> bool:
    """Whether the study's ``D`` and ``F`` are finite (else it starts from ``b``)."""
    return math.isfinite(s.total_bed_days_saved) and math.isfinite(s.fte_years)


@dataclass(frozen=True)
class DerivedInput:
    """One derived figure of the analysis for the Inputs sheet."""

    field: str
    value: float
    unit: str
    price_year: str | None
    source: str


#: a duration in the Inputs sheet's unit, as years: the formula's tail and its factor
_YEARS: dict[str, tuple[str, float]] = {
    "years": ("", 1.0),
    "months": ("/12", 1.0 / 12.0),
    "weeks": ("*7/365.25", 7.0 / 365.25),
    "days": ("/365.25", 1.0 / 365.25),
}
#: agreement a live formula, evaluated here, must have with the engine's figure to be used
#: (else the study starts from the engine's derived figure)
_AGREE = 1e-12


@dataclass(frozen=True)
class LiveStudy:
    """Formulas (without ``=``) over a study's own Inputs names for its weight ``w``,
    total bed-days saved ``D`` and FTE-years ``F``; ``None``: from a derived input."""

    weight: str | None = None
    total_saved: str | None = None
    fte_years: str | None = None


def _agrees(got: float, expected: float) -> bool:
    return math.isfinite(got) and math.isclose(got, expected, rel_tol=_AGREE, abs_tol=_AGREE)


def live_study(
    s: StudyResult, weighting: str, bed_days_only: bool, values: Mapping[str, tuple[float, str]]
) -> LiveStudy:
    """The formulas of ``s``'s ``w``, ``D`` and ``F`` over its Inputs names, where its forms
    are simple (``values``: each Inputs name's value and unit).

    Live forms: the weight from the arms; ``F`` from FTE x years employed, patients x years
    supported / caseload, or FTE-years as given; ``D`` (bed-days only) from mean bed-days
    (control - peer support) x patients, bed-days saved per patient x patients, a total,
    bed-days per FTE-year x a live ``F``, or the converted forms of :func:`_converted`.
    Each formula is evaluated here on the Inputs values and used only when it gives the
    engine's figure (to 1e-12), so a form read wrongly falls back to the derived figure.
    """

    def name(field: str) -> str:
        return defined_name(f"{s.id}.{field}")

    def has(*fields: str) -> bool:
        return all(name(f) in values for f in fields)

    def v(field: str) -> float:
        return values[name(field)][0]

    def years(field: str) -> tuple[str, float] | None:
        return _YEARS.get(values[name(field)][1])

    n = name("arms.intervention")
    weight = None
    if has("arms.intervention"):
        both = weighting == "all" and has("arms.control")
        w = v("arms.intervention") + (v("arms.control") if both else 0.0)
        if _agrees(w, s.pooling_weight):
            weight = f"{n}+{name('arms.control')}" if both else n

    fte: tuple[str, float] | None = None
    if has("peer_input.fte", "peer_input.employment_duration"):
        unit = years("peer_input.employment_duration")
        if unit is not None:
            fte = (
                f"{name('peer_input.fte')}*{name('peer_input.employment_duration')}{unit[0]}",
                v("peer_input.fte") * (v("peer_input.employment_duration") * unit[1]),
            )
    elif has("peer_input.caseload", "peer_input.support_duration", "arms.intervention"):
        unit = years("peer_input.support_duration")
        if unit is not None:
            fte = (
                f"{n}*{name('peer_input.support_duration')}{unit[0]}/{name('peer_input.caseload')}",
                v("arms.intervention")
                * (v("peer_input.support_duration") * unit[1])
                / v("peer_input.caseload"),
            )
    elif has("peer_input.fte_years"):
        fte = (name("peer_input.fte_years"), v("peer_input.fte_years"))
    fte_years = fte[0] if fte is not None and _agrees(fte[1], s.fte_years) else None

    total: tuple[str, float] | None = None
    if not bed_days_only or not has("arms.intervention"):
        pass
    elif has("outcome.control_mean", "outcome.intervention_mean"):
        c, i = name("outcome.control_mean"), name("outcome.intervention_mean")
        total = (
            f"({c}-{i})*{n}",
            (v("outcome.control_mean") - v("outcome.intervention_mean")) * v("arms.intervention"),
        )
    elif has("outcome.saved_per_patient"):
        total = (
            f"{name('outcome.saved_per_patient')}*{n}",
            v("outcome.saved_per_patient") * v("arms.intervention"),
        )
    elif has("outcome.total"):
        total = (name("outcome.total"), v("outcome.total"))
    elif has("outcome.saved_per_fte_year"):
        # reported per FTE-year: D = b x F, where F is live
        if fte_years is not None and fte is not None:
            per_fte = name("outcome.saved_per_fte_year")
            total = (f"{per_fte}*({fte[0]})", v("outcome.saved_per_fte_year") * fte[1])
    else:
        total = _converted(has, name, v, values)
    total_saved = (
        total[0] if total is not None and _agrees(total[1], s.total_bed_days_saved) else None
    )
    return LiveStudy(weight, total_saved, fte_years)


def _converted(
    has: Callable[..., bool],
    name: Callable[[str], str],
    v: Callable[[str], float],
    values: Mapping[str, tuple[float, str]],
) -> tuple[str, float] | None:
    """``D`` for the converted outcome forms (:mod:`peervalue.model.conversions`): admissions
    x length of stay by arm, readmitted counts (as proportions of their arms), a control
    risk with an odds or risk ratio (each times the mean length of a readmission), or days
    saved per admission x admissions; each times the patients who had peer support."""
    n, n_v = name("arms.intervention"), v("arms.intervention")
    if has(
        "outcome.control_admissions",
        "outcome.control_length_of_stay",
        "outcome.intervention_admissions",
        "outcome.intervention_length_of_stay",
    ):
        ca, cl = name("outcome.control_admissions"), name("outcome.control_length_of_stay")
        ia, il = (
            name("outcome.intervention_admissions"),
            name("outcome.intervention_length_of_stay"),
        )
        value = (
            v("outcome.control_admissions") * v("outcome.control_length_of_stay")
            - v("outcome.intervention_admissions") * v("outcome.intervention_length_of_stay")
        ) * n_v
        return f"({ca}*{cl}-{ia}*{il})*{n}", value
    if has("outcome.length_of_stay_saved", "outcome.admissions"):
        saved, adm = name("outcome.length_of_stay_saved"), name("outcome.admissions")
        value = v("outcome.length_of_stay_saved") * v("outcome.admissions") * n_v
        return f"{saved}*{adm}*{n}", value
    if not has("outcome.length_of_stay"):
        return None
    los, los_v = name("outcome.length_of_stay"), v("outcome.length_of_stay")

    def risk(field: str, arm: str) -> tuple[str, float] | None:
        """A readmitted count as a proportion of its arm (as the spec gives it)."""
        if not has(field):
            return None
        if values[name(field)][1] == "proportion":
            return name(field), v(field)
        if not has(arm):
            return None
        return f"{name(field)}/{name(arm)}", v(field) / v(arm)

    if has("outcome.control_readmitted", "outcome.intervention_readmitted"):
        pc = risk("outcome.control_readmitted", "arms.control")
        pi = risk("outcome.intervention_readmitted", "arms.intervention")
        if pc is None or pi is None:
            return None
        return f"({pc[0]}-{pi[0]})*{los}*{n}", (pc[1] - pi[1]) * los_v * n_v
    if not has("outcome.control_risk"):
        return None
    p, p_v = name("outcome.control_risk"), v("outcome.control_risk")
    if has("outcome.odds_ratio"):
        odds, odds_v = name("outcome.odds_ratio"), v("outcome.odds_ratio")
        peer = f"{odds}*{p}/(1-{p}+{odds}*{p})"
        peer_v = odds_v * p_v / (1.0 - p_v + odds_v * p_v)
    elif has("outcome.risk_ratio"):
        rr, rr_v = name("outcome.risk_ratio"), v("outcome.risk_ratio")
        peer = f"IF({rr}*{p}>1,1,{rr}*{p})"
        peer_v = min(rr_v * p_v, 1.0)
    else:
        return None
    return f"({p}-{peer})*{los}*{n}", (p_v - peer_v) * los_v * n_v


def live_studies(
    analysis: AnalysisResult, values: Mapping[str, tuple[float, str]]
) -> dict[str, LiveStudy]:
    """:func:`live_study` for every study of ``analysis``, by id."""
    bed_days_only = analysis.counted_resources is None
    weighting = analysis.pooled.weighting
    return {s.id: live_study(s, weighting, bed_days_only, values) for s in analysis.studies}


@dataclass(frozen=True)
class LiveCosts:
    """Formulas (without ``=``) of the analysis's cost per bed-day and per FTE-year over the
    cost set's Inputs names (``costs_...``); ``None``: a derived input."""

    bed_day: str | None = None
    fte_year: str | None = None


#: an Inputs name's value, unit and price year
Values = Mapping[str, tuple[float, str, str | None]]


def live_costs(analysis: AnalysisResult, values: Values) -> LiveCosts:
    """The analysis's unit costs as formulas over the cost set's Inputs, where every money
    figure is at the analysis's price year (no rebasing needed): the bed-day cost as given,
    the peer worker cost as its total or ``salary x (1 + sum of rates) + sum of amounts``
    (pay basis: salary and on-costs only), as :func:`peervalue.model.core.peer_worker_cost`.
    Used only when the formula, evaluated here, gives the engine's figure (to 1e-12):
    rebased figures, a pay index or a share of the overheads fall back to derived inputs."""
    year = analysis.price_year

    def at_year(name: str) -> bool:
        _, unit, price_year = values[name]
        return unit == "proportion" or price_year in (None, year)

    bed_day = None
    name = "costs_bed_day"
    if (
        name in values
        and at_year(name)
        and _agrees(values[name][0], analysis.costs.cost_per_bed_day)
    ):
        bed_day = name
    fte_year = None
    expected = analysis.costs.cost_per_fte_year
    total = "costs_peer_worker_total"
    prefix = "costs_peer_worker_components_"
    salary = f"{prefix}salary"
    if total in values:
        if at_year(total) and _agrees(values[total][0], expected):
            fte_year = total
    elif salary in values:
        parts = [
            n
            for n in values
            if n.startswith(prefix)
            and n != salary
            and (analysis.costs.basis == "full" or n.removeprefix(prefix) in PAY_COMPONENTS)
        ]
        rates = [n for n in parts if values[n][1] == "proportion"]
        amounts = [n for n in parts if values[n][1] != "proportion"]
        if all(at_year(n) for n in [salary, *amounts]):
            rate_sum = 0.0
            for n in rates:
                rate_sum += values[n][0]
            cost = values[salary][0] * (1.0 + rate_sum) if rates else values[salary][0]
            for n in amounts:
                cost += values[n][0]
            if _agrees(cost, expected):
                fte_year = (f"{salary}*(1+({'+'.join(rates)}))" if rates else salary) + "".join(
                    f"+{n}" for n in amounts
                )
    return LiveCosts(bed_day, fte_year)


def study_inputs(
    analysis: AnalysisResult,
    live: Mapping[str, LiveStudy] | None = None,
    costs: LiveCosts | None = None,
) -> list[DerivedInput]:
    """The analysis's derived figures the Studies and Pooled sheets start from (none for
    a figure ``live`` or ``costs`` computes from the study's or the cost set's inputs)."""
    live = live or {}
    costs = costs or LiveCosts()
    weighting = (
        "all patients (peer support + control)"
        if analysis.pooled.weighting == "all"
        else "patients who had peer support"
    )
    out = [
        DerivedInput(
            "cost_per_bed_day",
            analysis.costs.cost_per_bed_day,
            "GBP/bed-day",
            analysis.price_year,
            f"derived: the cost set's bed-day cost rebased to {analysis.price_year} prices "
            "(value x index(price year) / index(its year))",
        ),
        DerivedInput(
            "cost_per_fte_year",
            analysis.costs.cost_per_fte_year,
            "GBP/FTE-year",
            analysis.price_year,
            f"derived: the cost set's peer worker cost at {analysis.price_year} prices, "
            f"{analysis.costs.basis} basis (total, or salary x (1 + rates) + amounts)",
        ),
    ]
    out = [
        d
        for d in out
        if not (d.field == "cost_per_bed_day" and costs.bed_day)
        and not (d.field == "cost_per_fte_year" and costs.fte_year)
    ]
    for s in analysis.studies:
        own = live.get(s.id, LiveStudy())
        out += (
            []
            if own.weight is not None
            else [
                DerivedInput(
                    f"{s.id}.pooling_weight",
                    s.pooling_weight,
                    "patients",
                    None,
                    f"derived: the study's weight in the weighted mean, {weighting}",
                )
            ]
        )
        if has_sums(s):
            out += (
                []
                if own.total_saved is not None
                else [
                    DerivedInput(
                        f"{s.id}.total_bed_days_saved",
                        s.total_bed_days_saved,
                        "bed-days",
                        None,
                        "derived: D = d x n, bed-days saved per patient (the study's outcome "
                        "converted to bed-days) x patients who had peer support",
                    )
                ]
            )
            out += (
                []
                if own.fte_years is not None
                else [
                    DerivedInput(
                        f"{s.id}.fte_years",
                        s.fte_years,
                        "FTE-years",
                        None,
                        "derived: F, FTE-years of peer work from the study's peer input "
                        "(FTE x years employed, or patients x years supported / caseload, "
                        "or as given)",
                    ),
                ]
            )
        else:
            out.append(
                DerivedInput(
                    f"{s.id}.bed_days_per_fte_year",
                    s.bed_days_saved_per_fte_year,
                    "bed-days/FTE-year",
                    None,
                    "derived: b, bed-days saved per FTE-year as the study reports it",
                )
            )
    return out


@dataclass(frozen=True)
class StudyFormulas:
    """The formulas (without ``=``) of one study's live columns on the Studies sheet;
    ``row`` is its row, so ``b`` can refer to the cells of ``D`` and ``F``."""

    weight: str
    total_saved: str
    fte_years: str
    per_fte_year: str
    benefit: str
    cost: str
    net_benefit: str
    ratio: str
    classification: str


def study_formulas(
    s: StudyResult, cells: dict[str, str], live: LiveStudy | None = None
) -> StudyFormulas:
    """``cells``: the cell reference of this study's ``total_saved``, ``fte_years``,
    ``per_fte_year``, ``benefit`` and ``ratio`` columns; ``live``: its own-input formulas."""
    own = live or LiveStudy()
    sums = has_sums(s)

    def pick(formula: str | None, what: str) -> str:
        return formula or input_name(s.id, what)

    b = (
        f"{cells['total_saved']}/{cells['fte_years']}"
        if sums
        else input_name(s.id, "bed_days_per_fte_year")
    )
    r = cells["ratio"]
    return StudyFormulas(
        weight=pick(own.weight, "pooling_weight"),
        total_saved=pick(own.total_saved, "total_bed_days_saved") if sums else "",
        fte_years=pick(own.fte_years, "fte_years") if sums else "",
        per_fte_year=b,
        benefit=f"{cells['per_fte_year']}*{COST_PER_BED_DAY}",
        cost=COST_PER_FTE_YEAR,
        net_benefit=f"{cells['benefit']}-{COST_PER_FTE_YEAR}",
        ratio=f"{cells['benefit']}/{COST_PER_FTE_YEAR}",
        classification=f'IF({r}<0,"< 0",IF({r}=0,"0",IF({r}>1,"> 1","0 to 1")))',
    )


def pooled_formulas(
    weights: str, ratios: str, totals: str, ftes: str, complete: bool
) -> dict[str, str]:
    """The pooled formulas over the Studies sheet's ranges, by defined name (``complete``:
    every study has ``D`` and ``F``; else the ratio of sums is empty, as the engine's NaN)."""
    return {
        WEIGHTED: f"SUMPRODUCT({weights},{ratios})/SUM({weights})",
        SUMS: (
            f"SUM({totals})/SUM({ftes})*{COST_PER_BED_DAY}/{COST_PER_FTE_YEAR}"
            if complete
            else '""'
        ),
        BREAK_EVEN: f"{COST_PER_FTE_YEAR}/{COST_PER_BED_DAY}",
    }
