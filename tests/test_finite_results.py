"""Every result finite or null, and every drawn figure within what its file says
(issue 23, item 1 "every result finite", and the distribution-within-range check).

The property test drives the main library functions (reference analysis, a Monte Carlo
with few draws, thresholds, sensitivity and a business case) over inputs at the edges of
their schema bounds and checks every float of each result: finite or NaN in Python (NaN
is "cannot be computed", shown as null), never an infinity, and finite or null in JSON.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

import peervalue
from peervalue.provenance import Quantity

DATA = Path(peervalue.__file__).parent / "data"


# --- a distribution within its figure's range ----------------------------------------------


def _quantity(**distribution: object) -> dict[str, object]:
    return {
        "value": 2,
        "unit": "FTE",
        "status": "assumed",
        "range": [1, 3],
        "rationale": "x",
        "distribution": distribution,
    }


@pytest.mark.parametrize(
    ("low", "high"),
    [(0.5, 3), (1, 3.5), (0, 10)],
)
@pytest.mark.parametrize("kind", ["uniform", "triangular", "pert"])
def test_a_bounded_distribution_wider_than_the_range_is_refused(
    kind: str, low: float, high: float
) -> None:
    with pytest.raises(ValueError, match=rf"its {kind} distribution runs over \[{low:g}, "):
        Quantity.model_validate(_quantity(kind=kind, low=low, high=high))


@pytest.mark.parametrize(("low", "high"), [(1, 3), (1.5, 2.5), (2, 2)])
def test_a_bounded_distribution_within_the_range_is_accepted(low: float, high: float) -> None:
    q = Quantity.model_validate(_quantity(kind="pert", low=low, high=high))
    assert q.distribution is not None and (q.distribution.low, q.distribution.high) == (low, high)
    # without low and high, the distribution runs over the range
    assert Quantity.model_validate(_quantity(kind="uniform")).distribution is not None


def test_every_bundled_file_still_loads() -> None:
    from peervalue.costs.load import load_costs
    from peervalue.evidence.load import load_evidence
    from peervalue.scenario.load import load_scenario, national_defaults

    studies = [*sorted((DATA / "evidence").glob("*.yaml"))]
    studies += sorted((DATA / "evidence-2026").glob("*.yaml"))
    assert len(studies) >= 17
    for path in studies:
        assert load_evidence(path).listed, path
    costs = sorted((DATA / "costs").glob("*.yaml"))
    assert len(costs) >= 3
    for path in costs:
        load_costs(path)
    national_defaults()
    load_scenario(DATA / "scenarios" / "template.toml")


def _floats(x: Any, path: str = "") -> list[tuple[str, float]]:
    if isinstance(x, float):
        return [(path, x)]
    if isinstance(x, dict):
        return [f for k, v in x.items() for f in _floats(v, f"{path}.{k}")]
    if isinstance(x, list | tuple):
        return [f for i, v in enumerate(x) for f in _floats(v, f"{path}[{i}]")]
    return []


def assert_finite_or_null(result: Any) -> None:
    """No infinity in the result (Python mode); JSON floats finite (NaN and inf are null)."""
    infinite = [(p, v) for p, v in _floats(result.model_dump()) if math.isinf(v)]
    assert not infinite, infinite[:5]
    assert all(math.isfinite(v) for _, v in _floats(result.model_dump(mode="json")))


# --- every result finite or null, at the edges of the schema bounds ------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from pydantic import ValidationError  # noqa: E402

from peervalue.errors import InputError  # noqa: E402

SRC = {"citation": "edge"}


def _q(value: float, unit: str, dist: dict[str, Any] | None = None) -> dict[str, Any]:
    q: dict[str, Any] = {"value": value, "unit": unit, "status": "reported", "source": SRC}
    if dist is not None:
        q["distribution"] = dist
    return q


#: figures at and near the edges of their bounds (units.BOUNDS and the stated minima)
PATIENTS = st.sampled_from([2.0, 3.0, 40.0, 9_999_999.0, 10_000_000.0])
FTE = st.sampled_from([0.01, 0.011, 1.0, 99_999.0, 100_000.0])
CASELOAD = st.sampled_from([0.1, 0.2, 15.0, 10_000.0])
BED_DAYS = st.floats(0, 365, allow_nan=False) | st.sampled_from([0.0, 1e-6, 365.0])
SPREAD = st.sampled_from([None, 1e-6, 0.1, 0.5, 1.0, 3.0, 1_000.0])


@st.composite
def studies(draw: st.DrawFn) -> list[dict[str, Any]]:
    n = draw(PATIENTS)
    fte = draw(FTE)
    sd = draw(SPREAD)
    fte_q = _q(fte, "FTE", None if sd is None else {"kind": "gamma", "sd": sd * fte})
    mean = {
        "id": "edge-mean",
        "citation": {"authors": ["E"], "year": 2020, "title": "edge"},
        "country": "England",
        "design": "rct",
        "peer_role": "additional",
        "setting": "edge",
        "follow_up": _q(12, "months"),
        "arms": {"intervention": _q(n, "patients"), "control": _q(draw(PATIENTS), "patients")},
        "outcome": {
            "kind": "mean_bed_days",
            "intervention_mean": _q(draw(BED_DAYS), "bed-days/patient"),
            "control_mean": _q(draw(BED_DAYS), "bed-days/patient"),
        },
        "peer_input": {"fte": fte_q, "employment_duration": _q(12, "months")},
    }
    caseload_study = {
        "id": "edge-caseload",
        "citation": {"authors": ["F"], "year": 2021, "title": "edge"},
        "country": "England",
        "design": "uncontrolled",
        "peer_role": "additional",
        "setting": "edge",
        "follow_up": _q(draw(st.sampled_from([1.0, 26.0, 5_220.0])), "weeks"),
        "arms": {"intervention": _q(n, "patients")},
        "outcome": {
            "kind": "bed_days_saved_per_patient",
            "saved_per_patient": _q(
                draw(st.sampled_from([-7.0, 0.0, 1e-6, 7.0])), "bed-days/patient"
            ),
        },
        "peer_input": {
            "caseload": _q(draw(CASELOAD), "patients/FTE"),
            "support_duration": _q(draw(st.sampled_from([1e-6, 0.01, 1.0, 7.0])), "days"),
        },
    }
    return draw(st.sampled_from([[mean], [caseload_study], [mean, caseload_study]]))


@st.composite
def cost_files(draw: st.DrawFn) -> dict[str, Any]:
    bed = draw(st.sampled_from([1e-6, 1.0, 334.0, 1_000_000.0]))
    total = draw(st.sampled_from([5_000.0, 30_000.0, 1_000_000.0]))
    sd = draw(SPREAD)
    return {
        "name": "edge",
        "currency": "GBP",
        "price_year": "2011-12",
        "bed_day": {**_q(bed, "GBP/bed-day"), "price_year": "2011-12"},
        "peer_worker": {
            "total": {
                **_q(
                    total,
                    "GBP/FTE-year",
                    None if sd is None else {"kind": "gamma", "sd": sd * total},
                ),
                "price_year": "2011-12",
            }
        },
    }


def _built(build: Any) -> Any:
    """A document or request, or None when the schema refuses it (a clean refusal)."""
    try:
        return build()
    except (ValidationError, InputError):
        return None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(studies(), cost_files())
def test_reference_psa_thresholds_and_sensitivity_are_finite_or_null(
    docs: list[dict[str, Any]], costs: dict[str, Any]
) -> None:
    from peervalue.costs.schema import CostFile
    from peervalue.evidence.schema import Study
    from peervalue.service import api

    studies_ = _built(lambda: [Study.model_validate(d) for d in docs])
    cost_file = _built(lambda: CostFile.model_validate(costs))
    if studies_ is None or cost_file is None:
        return
    runs = [
        lambda: api.analyse(studies_, cost_file),
        lambda: api.psa(studies_, cost_file, draws=64, seed=3, population_fte=1e6, horizon=50),
        lambda: api.threshold(studies_, cost_file),
        lambda: api.sensitivity(studies_, cost_file),
    ]
    for run in runs:
        result = _built(run)
        if result is not None:
            assert_finite_or_null(result)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    from peervalue.scenario.load import national_defaults_data

    data = {k: dict(v) if isinstance(v, dict) else v for k, v in national_defaults_data().items()}
    data["scenario"]["horizon_years"] = draw(st.sampled_from([1, 2, 50]))
    data["scenario"]["discount_rate"] = draw(st.sampled_from([0.0, 0.035, 0.2]))
    data["staffing"]["funded_fte"] = draw(
        st.sampled_from([0.01, 1.0, 100_000.0, [0.0, 0.01], [100_000.0, 0.0]])
    )
    data["staffing"]["caseload"] = {**data["staffing"]["caseload"], "value": draw(CASELOAD),
                                    "range": [0.1, 10_000]}  # fmt: skip
    year = {"price_year": "2024-25"}
    data["costs"]["cost_per_bed_day"] = {
        **_q(draw(st.sampled_from([1e-6, 575.0, 1_000_000.0])), "GBP/bed-day"),
        **year,
    }
    data["costs"]["cost_per_fte_year"] = {
        **_q(draw(st.sampled_from([5_000.0, 1_000_000.0])), "GBP/FTE-year"),
        **year,
    }
    effect = draw(st.sampled_from([-366.0, -1e-6, 0.0, 1e-6, 2.0, 366.0]))
    data["evidence"] = {
        "source": "own",
        "saved_per_patient_year": _q(effect, "bed-days/patient-year"),
        "transferability": _q(draw(st.sampled_from([1e-6, 1.0, 100.0])), "ratio"),
    }
    share = st.sampled_from([0.0, 1e-6, 0.5, 1.0])
    data["benefits"] = {
        "cash_releasing_share": _q(draw(share), "proportion"),
        "optimism_bias": _q(draw(share), "proportion"),
    }
    if draw(st.booleans()):
        data["extra"] = [
            {
                "name": "edge",
                "avoided_per_patient_year": _q(
                    draw(st.sampled_from([-1e4, 1e4])), "events/patient-year"
                ),
                "unit_cost": {**_q(draw(st.sampled_from([0.0, 1e7])), "GBP/event"), **year},
            }
        ]
    return data


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_business_cases_are_finite_or_null(data: dict[str, Any]) -> None:
    from peervalue.scenario.schema import ScenarioFile
    from peervalue.service.requests import ScenarioRequest, make_request
    from peervalue.service.scenario import run_scenario

    scenario = _built(lambda: ScenarioFile.model_validate(data))
    if scenario is None:
        return
    result = _built(
        lambda: run_scenario(make_request(ScenarioRequest, scenario=scenario, draws=64, seed=5))
    )
    if result is not None:
        assert_finite_or_null(result)


# --- a spread-out gamma or log-normal may not pile its draws up at zero --------------------


@settings(max_examples=200, deadline=None)
@given(
    st.floats(0.01, 1e5),
    st.floats(1e-3, 1e3),
    st.floats(1e-4, 1.0),
    st.sampled_from(["gamma", "lognormal"]),
)
def test_the_share_below_a_limit_matches_scipy(
    value: float, cv: float, fraction: float, kind: str
) -> None:
    from scipy import stats

    from peervalue.provenance import share_below

    sd = cv * value
    q = Quantity.model_validate(_q(value, "bed-days", {"kind": kind, "sd": sd}))
    limit = fraction * value
    if kind == "gamma":
        expected = stats.gamma.cdf(limit, (value / sd) ** 2, scale=sd**2 / value)
    else:
        sigma2 = math.log1p(cv**2)
        expected = stats.lognorm.cdf(limit, math.sqrt(sigma2), scale=value * math.exp(-sigma2 / 2))
    assert share_below(q, limit) == pytest.approx(expected, abs=1e-9, rel=1e-6)


def test_a_gamma_that_draws_zero_fte_is_refused_and_a_modest_one_is_not() -> None:
    from pydantic import TypeAdapter

    from peervalue.evidence.schema import Fte

    fte = TypeAdapter(Fte)
    # sd 1,000 around 1 FTE: shape 1e-6, nearly every draw is 0.0 in floating point
    with pytest.raises(ValidationError, match=r"draws below the smallest plausible 0\.01 FTE"):
        fte.validate_python(_q(1, "FTE", {"kind": "gamma", "sd": 1000}))
    # sd 0.5 around 1 FTE: shape 4, P(X < 0.01) = 1 - e^-0.04 (1 + 0.04 + 0.04^2/2 + 0.04^3/6)
    # = 1.1e-7, well within 2.5%
    assert fte.validate_python(_q(1, "FTE", {"kind": "gamma", "sd": 0.5})).value == 1
    # cut to a range, the draws stay within it whatever the sd
    ranged = _q(1, "FTE", {"kind": "gamma", "sd": 1000}) | {"range": [0.5, 2]}
    assert fte.validate_python(ranged).value == 1
    # a log-normal with sd 0.9 around 0.011 FTE: sigma^2 = ln(1 + (0.9 / 0.011)^2) = 8.81,
    # mu = ln 0.011 - 4.41 = -8.92, P(X < 0.01) = Phi((ln 0.01 + 8.92) / 2.97) = Phi(1.45) = 93%
    with pytest.raises(ValidationError, match=r"in \d+\.\d% of draws \(at most 2.5% may\)"):
        fte.validate_python(_q(0.011, "FTE", {"kind": "lognormal", "sd": 0.9}))
