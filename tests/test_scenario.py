"""Local business cases: a 3-year case worked by hand, properties of the yearly model,
layering over the national defaults, and saved inputs that reproduce a result exactly.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peervalue.scenario import model
from peervalue.service.requests import ScenarioRequest
from peervalue.service.scenario import run_scenario
from tests.cli_helpers import run_cli
from tests.conftest import DATA

#: a 3-year case with every figure fixed (bare numbers), at 2024-25 prices
HAND = """
[scenario]
name = "Hand-worked case"
price_year = "2024-25"
horizon_years = 3
discount_rate = 0.035

[staffing]
funded_fte = [1, 2]          # a ramp-up: 1 post in year 1, 2 from year 2
vacancy_rate = 0.1
turnover_rate = 0.2
caseload = 10
effect_lag_months = 0

[costs]
set = "england-2024-25"
cost_per_bed_day = 500
cost_per_fte_year = 40000
set_up = 1000
recruitment_per_post = 1000
training_per_post = 500
supervision_per_year = 2000
optimism_bias = 0

[evidence]
source = "own"
saved_per_patient_year = 10
transferability = 1

[benefits]
cash_releasing_share = 0.25
optimism_bias = 0
"""


@pytest.fixture
def hand_case(tmp_path: Path) -> Path:
    path = tmp_path / "hand.toml"
    path.write_text(HAND)
    return path


def test_three_year_case_by_hand(hand_case: Path) -> None:
    r = run_scenario(ScenarioRequest(scenario=hand_case, draws=500))
    d = 1 / 1.035
    # Year 1: 0.9 filled FTE x 10 patients x 10 bed-days = 90 bed-days x 500 = 45,000;
    # costs 0.9 x 40,000 + 2,000 supervision + 1,000 set-up + 1 new post x 1,500 = 40,500.
    # Year 2: 1.8 filled -> 180 bed-days, 90,000; costs 72,000 + 2,000 + (1 new post +
    # 2 x 0.2 refilled) x 1,500 = 76,100. Year 3: 90,000; 72,000 + 2,000 + 0.4 x 1,500 = 74,600.
    benefits, costs = [45_000, 90_000, 90_000], [40_500, 76_100, 74_600]
    for y, b, c in zip(r.years, benefits, costs, strict=True):
        assert y.gross_benefit == pytest.approx(b)
        assert y.total_cost == pytest.approx(c)
        assert y.cash_releasing == pytest.approx(0.25 * b)
    assert [y.funded_fte for y in r.years] == [1, 2, 2]  # the last value carries on
    assert [y.bed_days_saved for y in r.years] == pytest.approx([90, 180, 180])
    npv = 4_500 + 13_900 * d + 15_400 * d**2
    assert r.totals.net_present_value == pytest.approx(npv)
    assert r.years[-1].cumulative_discounted_net_benefit == pytest.approx(npv)
    assert r.totals.payback_year == 1
    disc_benefit = 45_000 + 90_000 * d + 90_000 * d**2
    disc_cost = 40_500 + 76_100 * d + 74_600 * d**2
    assert r.totals.benefit_cost_ratio == pytest.approx(disc_benefit / disc_cost)
    assert r.totals.break_even_caseload == pytest.approx(10 * disc_cost / disc_benefit)
    assert r.totals.break_even_cost_per_bed_day == pytest.approx(disc_cost / (disc_benefit / 500))
    # every figure is fixed, so the Monte Carlo has no spread
    assert r.uncertainty.prob_net_present_value_positive == 1.0
    assert r.uncertainty.net_present_value.p2_5 == pytest.approx(npv)
    assert r.uncertainty.payback_by_year == {"1": 1.0, "2": 1.0, "3": 1.0}


def test_payback_in_a_later_year(hand_case: Path, tmp_path: Path) -> None:
    # a set-up cost of 20,000 puts year 1 at 45,000 - 59,500 = -14,500; year 2 adds
    # 13,900 / 1.035 = 13,430 (cumulative -1,070); year 3 adds 15,400 / 1.035^2 = 14,376:
    # paid back in year 3.
    path = tmp_path / "later.toml"
    path.write_text(HAND.replace("set_up = 1000", "set_up = 20000"))
    r = run_scenario(ScenarioRequest(scenario=path, draws=100))
    cumulative = [y.cumulative_discounted_net_benefit for y in r.years]
    assert cumulative == pytest.approx(
        [-14_500, -14_500 + 13_900 / 1.035, -14_500 + 13_900 / 1.035 + 15_400 / 1.035**2]
    )
    assert r.totals.payback_year == 3


def test_payback_waits_for_the_first_funded_year(hand_case: Path, tmp_path: Path) -> None:
    # No posts and no set-up in year 1: nothing is spent or gained, so nothing has paid back
    # yet (this used to say "pays back in year 1"). Year 2: 1 post, 0.9 filled -> 90 bed-days
    # x 500 = 45,000; costs 36,000 + 2,000 + (1 new + 1 x 0.2 refilled) x 1,500 = 39,800;
    # net 5,200, discounted 5,024: paid back in year 2.
    path = tmp_path / "late.toml"
    text = HAND.replace("funded_fte = [1, 2]", "funded_fte = [0, 1, 2]")
    path.write_text(text.replace("set_up = 1000", "set_up = 0"))
    r = run_scenario(ScenarioRequest(scenario=path, draws=100))
    assert [y.total_cost for y in r.years][:2] == pytest.approx([0, 39_800])
    assert [y.net_benefit for y in r.years][:2] == pytest.approx([0, 5_200])
    assert r.totals.payback_year == 2
    assert [y.prob_paid_back for y in r.years] == [0.0, 1.0, 1.0]
    assert r.uncertainty.payback_by_year == {"1": 0.0, "2": 1.0, "3": 1.0}


def _inputs(
    fte: list[float], rate: float, k: float = 12.0, tau: float = 1.0
) -> model.ScenarioInputs:
    col = np.array([[1.0]])
    return model.ScenarioInputs(
        funded_fte=np.array(fte),
        vacancy_rate=0.1 * col,
        turnover_rate=0.15 * col,
        caseload=k * col,
        effect=8.0 * col,
        transferability=tau * col,
        cost_per_bed_day=600.0 * col,
        cost_per_fte_year=55_000.0 * col,
        cash_releasing_share=0.2 * col,
        optimism_bias=0.0 * col,
        cost_lines={
            "costs.set_up": model.CostLine("once", 0.0 * col),
            "costs.recruitment_per_post": model.CostLine("per-post", 1_500.0 * col),
            "costs.training_per_post": model.CostLine("per-post", 2_000.0 * col),
            "costs.supervision_per_year": model.CostLine("per-year", 0.0 * col),
        },
        discount_rate=rate,
    )


fte_lists = st.lists(st.floats(0.5, 20, allow_nan=False), min_size=1, max_size=12)


@settings(max_examples=40, deadline=None)
@given(fte=fte_lists)
def test_zero_discount_rate_gives_undiscounted_sums(fte: list[float]) -> None:
    p = model.project(_inputs(fte, 0.0))
    assert p.discounted_total(p.net_benefit)[0] == pytest.approx(float(np.sum(p.net_benefit)))
    assert np.all(p.discount_factor == 1.0)


@settings(max_examples=40, deadline=None)
@given(fte=fte_lists, rate=st.floats(0, 0.2))
def test_doubling_fte_doubles_costs_and_benefits(fte: list[float], rate: float) -> None:
    one = model.project(_inputs(fte, rate))
    two = model.project(_inputs([2 * f for f in fte], rate))
    np.testing.assert_allclose(two.total_cost, 2 * one.total_cost, rtol=1e-12)
    np.testing.assert_allclose(two.gross_benefit, 2 * one.gross_benefit, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(fte=fte_lists, k=st.floats(1, 40))
def test_break_even_caseload_makes_net_present_value_zero(fte: list[float], k: float) -> None:
    p = model.project(_inputs(fte, 0.035, k))
    k_star = model.break_even_caseload(p, np.array([[k]]))
    at_break_even = model.project(_inputs(fte, 0.035, float(k_star[0])))
    assert at_break_even.discounted_total(at_break_even.net_benefit)[0] == pytest.approx(
        0.0, abs=1e-6 * at_break_even.discounted_total(at_break_even.total_cost)[0]
    )


def test_transferability_of_one_changes_nothing(hand_case: Path, tmp_path: Path) -> None:
    d = 1 / 1.035
    npv_full = 4_500 + 13_900 * d + 15_400 * d**2  # test_three_year_case_by_hand
    r = run_scenario(ScenarioRequest(scenario=hand_case, draws=50))
    assert r.totals.net_present_value == pytest.approx(npv_full)
    assert r.totals.net_present_value_without_transferability == pytest.approx(npv_full)
    # transferability 0.5 halves the bed-days saved: benefits 22,500, 45,000, 45,000 against
    # the same costs 40,500, 76,100, 74,600; "without transferability" is the full effect
    half = tmp_path / "half.toml"
    half.write_text(HAND.replace("transferability = 1", "transferability = 0.5"))
    h = run_scenario(ScenarioRequest(scenario=half, draws=50))
    assert [y.bed_days_saved for y in h.years] == pytest.approx([45, 90, 90])
    assert h.totals.net_present_value == pytest.approx(-18_000 - 31_100 * d - 29_600 * d**2)
    assert h.totals.net_present_value_without_transferability == pytest.approx(npv_full)
    p = model.project(_inputs([3.0], 0.035, tau=1.0))
    q = model.project(_inputs([3.0], 0.035, tau=0.5))
    np.testing.assert_allclose(q.bed_days_saved, 0.5 * p.bed_days_saved)


def test_overrides_are_listed_and_defaults_fill_the_rest(hand_case: Path) -> None:
    r = run_scenario(ScenarioRequest(scenario=hand_case, draws=50))
    fields = {o.field for o in r.overrides}
    assert {"staffing.caseload", "costs.cost_per_bed_day", "evidence.source"} <= fields
    assert "scenario.discount_rate" not in fields  # 0.035 is the default
    caseload = next(o for o in r.overrides if o.field == "staffing.caseload")
    assert caseload.default == "15 patients/FTE [8, 25]" and caseload.scenario == "10 patients/FTE"


def test_new_then_run_then_saved_inputs_reproduce_exactly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case, saved = tmp_path / "x.toml", tmp_path / "saved.toml"
    assert run_cli(capsys, "scenario", "new", str(case)).code == 0
    first = run_cli(
        capsys, "scenario", "run", str(case), "-n", "3000", "--save-inputs", str(saved),
        "--format", "json",
    )  # fmt: skip
    assert first.code == 0, first.err
    again = run_cli(capsys, "scenario", "run", str(saved), "--format", "json")
    assert again.code == 0, again.err
    a, b = json.loads(first.out), json.loads(again.out)
    assert a.pop("scenario_file") != b.pop("scenario_file")
    assert a == b
    assert a["uncertainty"]["draws"] == 3000
    # the template's headline, at 2024-25 prices
    assert a["totals"]["payback_year"] == 1
    assert 0 < a["uncertainty"]["prob_net_present_value_positive"] <= 1
    assert "Monte Carlo" not in again.err


def test_several_scenarios_side_by_side(
    hand_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.toml"
    other.write_text(HAND.replace('name = "Hand-worked case"', 'name = "Other"'))
    run = run_cli(capsys, "scenario", "run", str(hand_case), str(other), "-n", "200", "-f", "csv")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[0].startswith("scenario,year,label,funded_fte")
    assert len(lines) == 1 + 2 * 3
    table = run_cli(capsys, "scenario", "run", str(hand_case), str(other), "-n", "200")
    assert "Business cases side by side" in table.out and "Other" in table.out


def test_pooled_evidence_effect_is_the_weighted_mean_per_patient_year(tmp_path: Path) -> None:
    path = tmp_path / "pooled.toml"
    path.write_text(
        '[scenario]\nname = "pooled"\n[evidence]\nsource = "pooled-weighted"\n'
        'subgroup = "design=rct"\n'
    )
    r = run_scenario(ScenarioRequest(scenario=path, draws=100))
    assert r.effect.studies == ["rivera2007", "sledge2011"]
    # Rivera saves 0; Sledge 9 bed-days over 0.75 years of support = 12 per patient-year;
    # weighted by all patients (136 and 74): 12 x 74 / 210
    assert r.effect.bed_days_saved_per_patient_year == pytest.approx(12 * 74 / 210)
    assert math.isfinite(r.totals.net_present_value)


def test_a_named_band_takes_the_middle_of_the_band(tmp_path: Path) -> None:
    path = tmp_path / "band3.toml"
    path.write_text('[scenario]\nname = "band 3"\n[costs]\nband = "3"\n')
    r = run_scenario(ScenarioRequest(scenario=path, draws=100))
    # NHS Health Careers 2024/25: band 3 runs from 24,071 to 25,674; the set's on-costs
    # (national insurance 0.09286, pension 0.237) and its 2023-24 overheads and capital
    # (7,708 + 11,842 + 7,689, x 1.0402 to 2024-25) are added to the middle of the band.
    salary = (24_071 + 25_674) / 2
    expected = salary * (1 + 0.09286 + 0.237) + (7_708 + 11_842 + 7_689) * 1.0402
    assert r.cost_per_fte_year == pytest.approx(expected, rel=1e-9)
    salary_input = next(i for i in r.inputs if i.field.endswith("components.salary"))
    assert salary_input.distribution == "triangular(24071, mode 24872.5, 25674)"
    assert [o.field for o in r.overrides] == ["scenario.name", "costs.band"]


def test_first_draws_are_a_fresh_streams_numbers_kept_read_only() -> None:
    from peervalue.service.inputs import prepare
    from peervalue.service.requests import RunRequest
    from peervalue.uncertainty.distributions import (
        FIRST_DRAWS_MAX,
        draw_chunk,
        first_draws,
        parameter_distributions,
        parameter_stream,
    )

    dists = parameter_distributions(prepare(RunRequest()).spec)
    streams = {d.name: parameter_stream(5, d.name) for d in dists if not d.is_fixed}
    fresh = draw_chunk(dists, streams, 1000)
    for d in dists:
        kept = first_draws(d, 5, 1000)
        assert np.array_equal(kept, fresh[d.name])
        if not d.is_fixed:
            assert first_draws(d, 5, 1000) is kept and not kept.flags.writeable
            assert not np.array_equal(first_draws(d, 6, 1000), kept)  # the seed is in the key
    uncertain = next(d for d in dists if not d.is_fixed)
    long = first_draws(uncertain, 5, FIRST_DRAWS_MAX + 1)
    assert np.array_equal(long[:1000], fresh[uncertain.name])
    assert long.flags.writeable  # too long to keep: drawn afresh


def _case(tmp_path: Path, evidence: str) -> Path:
    path = tmp_path / "case.toml"
    path.write_text(f'[scenario]\nname = "x"\n[evidence]\n{evidence}\n', encoding="utf-8")
    return path


def test_a_pooled_effect_resting_on_one_study_says_so(tmp_path: Path) -> None:
    """Patients weight the 2013 method: in the six, Min 2007 has 106 + 378 = 484 of
    60 + 61 + 49 + 484 + 136 + 74 = 864 patients (56%); in all-2026 Landers & Zhou 2014 has
    95%. Half the weight or more on one study is named in the notes."""

    def notes(evidence: str) -> list[str]:
        run = ScenarioRequest(scenario=_case(tmp_path, evidence), draws=200, seed=1)
        return [n for n in run_scenario(run).notes if "leans heavily" in n]

    six = notes('source = "pooled-weighted"')
    assert len(six) == 1 and six[0].startswith("min2007 carries 56% of the patients")
    newer = notes('source = "pooled-weighted"\nset = "all-2026"')
    assert len(newer) == 1 and newer[0].startswith("landers2014 carries 95% of the patients")
    assert notes('source = "own"\nsaved_per_patient_year = 5') == []
    # weighted by patient-years of support, no study of the six holds half
    assert notes('source = "pooled-sums"') == []


def test_two_own_studies_at_half_each_are_named_together_and_sent_to_their_folder(
    tmp_path: Path,
) -> None:
    """alpha and its copy 'twin' have 40 intervention patients each: 40 / 80 = 50% each.
    The note named one of them as 'that one study' and sent the reader to 'its record in
    the bundled evidence', where the user's own study is not."""
    folder = tmp_path / "mine"
    folder.mkdir()
    alpha = (DATA / "synthetic" / "alpha.yaml").read_text(encoding="utf-8")
    (folder / "alpha.yaml").write_text(alpha, encoding="utf-8")
    (folder / "twin.yaml").write_text(alpha.replace("id: alpha", "id: twin"), encoding="utf-8")
    case = _case(tmp_path, 'source = "pooled-weighted"\nfolder = "mine"')
    notes = run_scenario(ScenarioRequest(scenario=case, draws=200, seed=1)).notes
    heavy = [n for n in notes if "leans heavily" in n]
    assert heavy == [
        "alpha and twin each carry 50% of the patients that weight the pooled effect, so the "
        "answer leans heavily on those two studies; check their design and risk of bias before "
        "relying on the answer (their records in the scenario's evidence folder, under the "
        "same ids)."
    ]
