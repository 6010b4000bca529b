"""Options appraisal (issue 19 item 4): the pure table from a per-draw NPV matrix, and
scenario files with ``[[options]]`` run with common random numbers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peervalue.scenario.options import appraise, expected_loss, prob_best
from peervalue.scenario.schema import template_file
from peervalue.service.requests import ScenarioRequest
from peervalue.service.scenario import run_scenario
from peervalue.service.scenario_options import run_options, shared_draws_identical
from peervalue.service.scenario_resolve import resolve_scenario
from tests.cli_helpers import run_cli

# Three options x four draws, worked by hand.
#   business as usual:  0    0    0    0     cost   0 every draw
#   A:                 10   -5   20    3     cost 100 every draw
#   B:                 15  -20    5    8     cost 200 every draw
# best per draw: 15 (B), 0 (BAU), 20 (A), 8 (B); E[max] = 43 / 4 = 10.75
# means: BAU 0, A 28 / 4 = 7, B 8 / 4 = 2
# expected loss = E[max] - mean: BAU 10.75, A 3.75, B 8.75
#   (A by draw: 15 - 10, 0 + 5, 20 - 20, 8 - 3 = 5, 5, 0, 5 -> 15 / 4 = 3.75)
# P(best): BAU 1/4, A 1/4, B 2/4
# cheapest first: BAU, A, B; incremental: A - BAU = 7, B - A = 2 - 7 = -5
NAMES = ["business as usual", "A", "B"]
NPV = [[0.0, 0.0, 0.0, 0.0], [10.0, -5.0, 20.0, 3.0], [15.0, -20.0, 5.0, 8.0]]
COST = [[0.0] * 4, [100.0] * 4, [200.0] * 4]


def test_hand_worked_three_options_four_draws() -> None:
    out = appraise(NAMES, NPV, NPV, COST, point_npv=[0.0, 6.0, 1.0])
    rows = {r.name: r for r in out.options}
    assert [rows[n].mean_net_present_value for n in NAMES] == pytest.approx([0.0, 7.0, 2.0])
    assert [rows[n].expected_loss for n in NAMES] == pytest.approx([10.75, 3.75, 8.75])
    assert [rows[n].prob_best for n in NAMES] == pytest.approx([0.25, 0.25, 0.5])
    assert rows["business as usual"].compared_with is None
    assert rows["A"].compared_with == "business as usual"
    assert rows["A"].incremental_net_present_value == pytest.approx(7.0)
    assert rows["B"].compared_with == "A"
    assert rows["B"].incremental_net_present_value == pytest.approx(-5.0)
    assert rows["A"].net_present_value == 6.0
    assert out.best == "A"
    assert out.evpi == pytest.approx(3.75)
    assert out.draws == 4


def test_the_cheaper_order_follows_cost_not_the_order_given() -> None:
    # B listed before A but cheaper: B is compared with BAU (2 - 0), A with B (7 - 2)
    names = ["business as usual", "B", "A"]
    out = appraise(names, [NPV[0], NPV[2], NPV[1]], [NPV[0], NPV[2], NPV[1]], COST)
    rows = {r.name: r for r in out.options}
    assert rows["B"].compared_with == "business as usual"
    assert rows["B"].incremental_net_present_value == pytest.approx(2.0)
    assert rows["A"].compared_with == "B"
    assert rows["A"].incremental_net_present_value == pytest.approx(5.0)


def test_tied_options_share_the_draw() -> None:
    # two identical options best in both draws: each 1/2; BAU never best
    npv = np.array([[0.0, 0.0], [1.0, 2.0], [1.0, 2.0]])
    assert prob_best(npv) == pytest.approx([0.0, 0.5, 0.5])
    assert expected_loss(npv) == pytest.approx([1.5, 0.0, 0.0])


def test_refuses_repeated_names_and_a_wrong_shape() -> None:
    with pytest.raises(ValueError, match="distinct"):
        appraise(["A", "A"], [[1.0], [2.0]], [[1.0], [2.0]], [[1.0], [2.0]])
    with pytest.raises(ValueError, match="shape"):
        appraise(["A", "B"], [[1.0], [2.0]], [[1.0]], [[1.0], [2.0]])


def test_a_draw_not_finite_for_one_option_is_left_out_for_all() -> None:
    # the hand-worked matrix with a fifth draw in which A cannot be computed: the same
    # answer from the four draws kept
    npv = [[*row, x] for row, x in zip(NPV, [0.0, float("nan"), 50.0], strict=True)]
    cost = [[*row, 1.0] for row in COST]
    out = appraise(NAMES, npv, npv, cost)
    assert out.draws == 4
    assert [r.expected_loss for r in out.options] == pytest.approx([10.75, 3.75, 8.75])
    none = appraise(["A"], [[float("inf")]], [[0.0]], [[0.0]])
    assert none.draws == 0 and np.isnan(none.options[0].mean_net_present_value)


matrices = st.integers(1, 6).flatmap(
    lambda k: st.integers(1, 30).flatmap(
        lambda n: st.lists(
            st.lists(
                st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
                min_size=n,
                max_size=n,
            ),
            min_size=k,
            max_size=k,
        )
    )
)


@settings(max_examples=150, deadline=None)
@given(matrices)
def test_expected_loss_and_prob_best_properties(m: list[list[float]]) -> None:
    npv = np.asarray(m)
    names = [f"option {i}" for i in range(npv.shape[0])]
    out = appraise(names, npv, npv, np.abs(npv))
    loss = np.array([r.expected_loss for r in out.options])
    p = np.array([r.prob_best for r in out.options])
    means = npv.mean(axis=1)
    tol = 1e-9 * max(1.0, float(np.abs(npv).max()))
    assert (loss >= -tol).all()
    assert p.sum() == pytest.approx(1.0)
    assert ((p >= 0) & (p <= 1)).all()
    # the least expected loss belongs to the option with the highest mean NPV
    assert loss[int(np.argmax(means))] <= loss.min() + tol
    # and equals E[max] - mean, option by option (an independent reading)
    e_max = float(np.mean([max(col) for col in zip(*m, strict=True)]))
    assert loss == pytest.approx(e_max - means, abs=tol)


# ------------------------------------------------------------------ scenario files with options


def _template_with_options(tmp_path: Path) -> Path:
    """The template as ``scenario new`` writes it (its two options live), with the second
    option's commented band switched on: one option changes [staffing], one [costs] too."""
    text = template_file().read_text(encoding="utf-8")
    assert text.count('# costs.band = "3"') == 1
    path = tmp_path / "options.toml"
    path.write_text(text.replace('# costs.band = "3"', 'costs.band = "3"'), encoding="utf-8")
    return path


def _without_options(text: str) -> str:
    """A scenario file's text without its ``[[options]]`` (they come last in the template)."""
    return text[: text.index("[[options]]")]


def test_the_template_has_live_options_and_a_case_without_them_runs_as_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "new.toml"
    assert run_cli(capsys, "scenario", "new", str(path)).code == 0
    plain = tmp_path / "plain.toml"
    plain.write_text(_without_options(path.read_text(encoding="utf-8")), encoding="utf-8")
    out = run_cli(capsys, "scenario", "run", str(plain), "-n", "50", "--format", "json")
    assert out.code == 0
    alone = json.loads(out.out)
    assert "options" not in alone  # a case without options: as before
    out = run_cli(capsys, "scenario", "run", str(path), "-n", "50", "--format", "json")
    assert out.code == 0, out.err
    # the options change nothing of the case's own figures (each option is a run of its own)
    assert json.loads(out.out)["totals"] == alone["totals"]
    names = [o["name"] for o in json.loads(out.out)["options"]["options"]]
    assert names == [
        "business as usual",
        "Example Trust: four peer support workers from April",
        "Do minimum: two posts",
        "Six posts",
    ]
    table = run_cli(capsys, "scenario", "run", str(path), "-n", "50")
    assert table.code == 0
    assert "Options appraisal (50 draws" in table.out
    assert "Expected loss" in table.out


def test_each_option_is_the_whole_case_with_common_random_numbers(tmp_path: Path) -> None:
    path = _template_with_options(tmp_path)
    req = ScenarioRequest(scenario=path, draws=400, seed=7)
    result = run_scenario(req)
    assert result.options is not None
    rows = {o.name: o for o in result.options.options}
    case = rows[result.name]
    # the case's row is the case's own answer
    assert case.net_present_value == pytest.approx(result.totals.net_present_value)
    assert case.cash_net_present_value == pytest.approx(result.totals.cash_net_present_value)
    assert case.mean_net_present_value == pytest.approx(result.uncertainty.net_present_value.mean)
    # the do-minimum option equals a file that sets two posts and no options, run alone
    alone = tmp_path / "two.toml"
    text = path.read_text(encoding="utf-8")
    alone.write_text(
        text.split("\n[[options]]")[0].replace("funded_fte = [2, 4, 4, 4, 4]", "funded_fte = 2"),
        encoding="utf-8",
    )
    two = run_scenario(ScenarioRequest(scenario=alone, draws=400, seed=7))
    assert two.options is None
    minimum = rows["Do minimum: two posts"]
    assert minimum.net_present_value == pytest.approx(two.totals.net_present_value)
    assert minimum.cash_net_present_value == pytest.approx(two.totals.cash_net_present_value)
    assert minimum.mean_net_present_value == pytest.approx(two.uncertainty.net_present_value.mean)
    # every input the options share is drawn identically (the band 3 salary is another
    # figure, drawn from the same stream)
    files = resolve_scenario(path)
    appraisal = run_options(req, files)
    assert appraisal is not None
    table, runs = appraisal
    assert shared_draws_identical(runs) == []
    salary = "costs:peer_worker.components.salary"
    assert salary in runs[0].prepared.drawn and salary in runs[2].prepared.drawn
    assert table.model_dump(mode="json") == result.options.model_dump(mode="json")
    # business as usual: zero everywhere, compared with nothing
    bau = rows["business as usual"]
    assert (bau.mean_net_present_value, bau.compared_with) == (0.0, None)
    assert sum(o.prob_best for o in result.options.options) == pytest.approx(1.0)


def test_options_are_written_back_by_save_inputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _template_with_options(tmp_path)
    saved = tmp_path / "saved.toml"
    args = ("scenario", "run", str(path), "-n", "30", "--format", "json")
    first = run_cli(capsys, *args, "--save-inputs", str(saved))
    assert first.code == 0, first.err
    again = run_cli(capsys, "scenario", "run", str(saved), "-n", "30", "--format", "json")
    assert again.code == 0, again.err
    assert json.loads(again.out)["options"] == json.loads(first.out)["options"]


def test_the_json_api_runs_options_and_refuses_bad_ones(tmp_path: Path) -> None:
    import tomllib
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's notice about httpx versions
        from fastapi.testclient import TestClient
    from peervalue.web.app import create_app

    document = tomllib.loads(_template_with_options(tmp_path).read_text(encoding="utf-8"))
    document["scenario"]["start"] = document["scenario"]["start"].isoformat()
    app = create_app(
        f"sqlite:///{tmp_path / 'p.db'}", allowed_hosts=["testserver"], runs_per_minute=0
    )
    with TestClient(app) as client:
        got = client.post("/api/v1/scenarios/run", json={"scenario": document, "draws": 60})
        assert got.status_code == 200, got.text
        want = run_scenario(ScenarioRequest.model_validate({"scenario": document, "draws": 60}))
        assert want.options is not None
        assert got.json()["options"] == json.loads(json.dumps(want.options.model_dump(mode="json")))
        document["options"].append({"name": "Do minimum: two posts"})
        bad = client.post("/api/v1/scenarios/run", json={"scenario": document, "draws": 60})
        assert bad.status_code == 422, bad.text
        assert "more than once" in bad.text


def test_the_report_cells_and_csv_rows_of_the_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from peervalue.report.options_cells import HEAD, options_cells

    path = _template_with_options(tmp_path)
    result = run_scenario(ScenarioRequest(scenario=path, draws=60, seed=3))
    assert result.options is not None
    rows, words = options_cells(result)
    assert [len(r) for r in rows] == [len(HEAD)] * 4
    assert rows[0][:2] == ["business as usual", "£0"]
    marked = [r[0] for r in rows if r[0].endswith("(least expected loss)")]
    assert marked == [f"{result.options.best} (least expected loss)"]
    assert "60 Monte Carlo draws" in words
    plain = result.model_copy(update={"options": None})
    assert options_cells(plain) == ([], "")
    out = run_cli(capsys, "scenario", "run", str(path), "-n", "60", "-s", "3", "--format", "csv")
    assert out.code == 0, out.err
    lines = [line for line in out.out.splitlines() if ",option," in line]
    assert len(lines) == 4 and "Six posts" in lines[-1]
