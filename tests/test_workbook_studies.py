"""Which study figures the workbook writes as formulas over the study's own inputs, and
when it falls back to the engine's derived figure (peervalue.report.workbook_studies)."""

from __future__ import annotations

import pytest

from peervalue.model.results import StudyResult
from peervalue.report.workbook_studies import LiveStudy, live_study, study_inputs
from peervalue.service.api import analyse


@pytest.fixture(scope="module")
def sledge() -> StudyResult:
    return next(s for s in analyse().studies if s.id == "sledge2011")


def _values(**figures: tuple[float, str]) -> dict[str, tuple[float, str]]:
    return {f"sledge2011_{k}": v for k, v in figures.items()}


SLEDGE = _values(
    arms_intervention=(38, "patients"),
    arms_control=(36, "patients"),
    outcome_control_mean=(19.08, "bed-days/patient"),
    outcome_intervention_mean=(10.08, "bed-days/patient"),
    peer_input_caseload=(15, "patients/FTE"),
    peer_input_support_duration=(9, "months"),
)


def test_the_bundled_forms_are_live(sledge: StudyResult) -> None:
    # D = (19.08 - 10.08) x 38 = 342; F = 38 x 9 / 12 / 15 = 1.9; w = 38 + 36 = 74
    assert sledge.total_bed_days_saved == pytest.approx(342.0)
    live = live_study(sledge, "all", True, SLEDGE)
    assert live == LiveStudy(
        weight="sledge2011_arms_intervention+sledge2011_arms_control",
        total_saved="(sledge2011_outcome_control_mean-sledge2011_outcome_intervention_mean)"
        "*sledge2011_arms_intervention",
        fte_years="sledge2011_arms_intervention*sledge2011_peer_input_support_duration/12"
        "/sledge2011_peer_input_caseload",
    )


def test_the_same_duration_in_weeks_or_days_converts(sledge: StudyResult) -> None:
    # 9 months = 0.75 years = 0.75 x 365.25 days = 273.9375 days = 39.1339... weeks
    days = {**SLEDGE, "sledge2011_peer_input_support_duration": (273.9375, "days")}
    assert live_study(sledge, "all", True, days).fte_years == (
        "sledge2011_arms_intervention*sledge2011_peer_input_support_duration/365.25"
        "/sledge2011_peer_input_caseload"
    )
    weeks = {**SLEDGE, "sledge2011_peer_input_support_duration": (273.9375 / 7, "weeks")}
    formula = live_study(sledge, "all", True, weeks).fte_years
    assert formula is not None and "*7/365.25" in formula


def test_a_figure_that_disagrees_with_the_engine_falls_back(sledge: StudyResult) -> None:
    """An input the engine did not use as read (here a control mean one bed-day off, a
    support duration in an unknown unit, a weighting of the treated only) gives the engine's
    derived figure instead of a formula that would be wrong."""
    off = {**SLEDGE, "sledge2011_outcome_control_mean": (20.08, "bed-days/patient")}
    assert live_study(sledge, "all", True, off).total_saved is None
    odd = {**SLEDGE, "sledge2011_peer_input_support_duration": (9, "fortnights")}
    assert live_study(sledge, "all", True, odd).fte_years is None
    # the engine weighted by all 74 patients; the treated-only formula gives 38
    assert live_study(sledge, "intervention", True, SLEDGE).weight is None
    # other resources counted: D is not bed-days alone, so it is derived
    assert live_study(sledge, "all", False, SLEDGE).total_saved is None


def test_derived_inputs_only_for_what_is_not_live() -> None:
    analysis = analyse()
    everything = study_inputs(analysis)
    assert len(everything) == 2 + 3 * len(analysis.studies)
    fields = {d.field for d in study_inputs(analysis, {"sledge2011": LiveStudy(weight="x")})}
    assert "sledge2011.pooling_weight" not in fields
    assert {"sledge2011.total_bed_days_saved", "sledge2011.fte_years"} <= fields


@pytest.mark.parametrize(
    ("risk_ratio", "total"),
    [
        # p = 0.4, RR 0.5: peer risk 0.2; D = (0.4 - 0.2) x 20 days x 50 patients = 200
        (0.5, 200.0),
        # RR 3: 3 x 0.4 = 1.2 is capped at 1; D = (0.4 - 1) x 20 x 50 = -600
        (3.0, -600.0),
    ],
)
def test_a_risk_ratio_is_capped_at_one_by_if(
    sledge: StudyResult, risk_ratio: float, total: float
) -> None:
    study = sledge.model_copy(update={"total_bed_days_saved": total})
    values = _values(
        arms_intervention=(50, "patients"),
        outcome_control_risk=(0.4, "proportion"),
        outcome_risk_ratio=(risk_ratio, "ratio"),
        outcome_length_of_stay=(20, "bed-days"),
    )
    p, rr = "sledge2011_outcome_control_risk", "sledge2011_outcome_risk_ratio"
    assert live_study(study, "all", True, values).total_saved == (
        f"({p}-IF({rr}*{p}>1,1,{rr}*{p}))*sledge2011_outcome_length_of_stay"
        "*sledge2011_arms_intervention"
    )
    # a length of stay the engine did not use (18 days, not 20) gives no formula
    values["sledge2011_outcome_length_of_stay"] = (18, "bed-days")
    assert live_study(study, "all", True, values).total_saved is None


def test_bed_days_per_fte_year_times_a_live_fte(sledge: StudyResult) -> None:
    # 180 bed-days per FTE-year x (2 FTE x 18 months / 12 = 3 FTE-years) = 540 bed-days
    study = sledge.model_copy(update={"total_bed_days_saved": 540.0, "fte_years": 3.0})
    values = _values(
        arms_intervention=(38, "patients"),
        outcome_saved_per_fte_year=(180, "bed-days/FTE-year"),
        peer_input_fte=(2, "FTE"),
        peer_input_employment_duration=(18, "months"),
    )
    live = live_study(study, "all", True, values)
    fte = "sledge2011_peer_input_fte*sledge2011_peer_input_employment_duration/12"
    assert live.fte_years == fte
    assert live.total_saved == f"sledge2011_outcome_saved_per_fte_year*({fte})"
