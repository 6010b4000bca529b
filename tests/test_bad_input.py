"""Every kind of bad input gets one clear paragraph, exit status 2, no traceback, no output file.

Each case starts from a valid synthetic study, breaks one thing, and checks the
message names the file, the field and what was expected.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli_helpers import Run, run_cli
from tests.conftest import SYNTHETIC_COSTS, edit_yaml

Edit = Callable[[dict[str, Any]], None]


def _set(path: list[str], value: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return edit


def _delete(*path: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        node = data
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return edit


def _rename(old: str, new: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        data[new] = data.pop(old)

    return edit


def _analyse(
    capsys: pytest.CaptureFixture[str],
    evidence: Path,
    tmp_path: Path,
    costs: Path = SYNTHETIC_COSTS,
) -> tuple[Run, Path]:
    out = tmp_path / "out.json"
    run = run_cli(
        capsys,
        "analyse",
        "--evidence",
        str(evidence),
        "--costs",
        str(costs),
        "--format",
        "json",
        "--output",
        str(out),
    )
    return run, out


def _assert_clean_failure(run: Run, out: Path, *fragments: str) -> None:
    assert run.code == 2, (run.code, run.out, run.err)
    assert "Traceback" not in run.err + run.out
    assert run.err.startswith("error:")
    for fragment in fragments:
        assert fragment in run.err, f"{fragment!r} not in:\n{run.err}"
    assert not out.exists(), "nothing may be written when the input is bad"
    assert not list(out.parent.glob(".out.json.*")), "no temporary file left behind"


FIELD_CASES = {
    "missing field": (_delete("design"), ["field 'design'", "required field is missing"]),
    "misspelt field": (
        _rename("design", "desing"),
        ["'desing' is not a recognised field", "'design' (misspelt?)"],
    ),
    "negative sample size": (
        _set(["arms", "intervention", "value"], -40),
        ["arms.intervention", "greater than zero"],
    ),
    "zero sample size": (
        _set(["arms", "control", "value"], 0),
        ["arms.control", "greater than zero"],
    ),
    "zero FTE": (
        _set(
            ["peer_input", "fte"],
            {"value": 0, "unit": "FTE", "status": "reported", "source": {"citation": "x"}},
        ),
        ["peer_input.fte", "greater than zero"],
    ),
    "assumed value outside its range": (
        _set(["peer_input", "fte", "value"], 5),
        ["peer_input.fte", "outside its range [1.0, 3.0]"],
    ),
    "NaN": (
        _set(["outcome", "control_mean", "value"], float("nan")),
        ["outcome.control_mean.value", "finite number"],
    ),
    "text for a number": (
        _set(["outcome", "control_mean", "value"], "twenty"),
        ["outcome.control_mean.value", "'twenty'", "a number"],
    ),
    "unknown unit": (
        _set(["follow_up", "unit"], "fortnights"),
        ["follow_up", "unknown unit 'fortnights'", "months"],
    ),
    "wrong unit for field": (
        _set(["arms", "intervention", "unit"], "bed-days"),
        ["arms.intervention", "expected patients"],
    ),
    "unknown design": (_set(["design"], "cohort"), ["field 'design'", "rct"]),
    "assumed without range": (_delete("peer_input", "fte", "range"), ["peer_input.fte", "'range'"]),
    "range low above high": (
        _set(["peer_input", "fte", "range"], [3, 1]),
        ["peer_input.fte", "low 3.0 is above high 1.0"],
    ),
    "unknown outcome kind": (
        _set(["outcome", "kind"], "mean_days"),
        ["field 'outcome'", "unknown kind 'mean_days'", "'total_bed_days_saved'"],
    ),
    "misspelt optional field inside a block": (
        lambda d: d["outcome"].__setitem__("contrl_sd", d["outcome"].pop("control_sd")),
        ["outcome.contrl_sd", "'control_sd' (misspelt?)"],
    ),
    "unrecognised field with no close match": (
        _set(["colour"], "blue"),
        ["'colour' is not a recognised field", "docs/evidence-format.md"],
    ),
    "bare number for a quantity": (
        _set(["arms", "control"], 40),
        ["arms.control", "bare number (40)", "'value', 'unit' and 'status'"],
    ),
    "negative SD": (
        _set(["outcome", "intervention_sd", "value"], -5),
        ["outcome.intervention_sd", "must not be negative"],
    ),
    "negative distribution sd": (
        _set(["peer_input", "fte", "distribution"], {"kind": "normal", "sd": -1}),
        ["peer_input.fte.distribution.sd", "greater than or equal to 0"],
    ),
    "distribution low above high": (
        _set(["peer_input", "fte", "distribution"], {"kind": "uniform", "low": 3, "high": 1}),
        ["peer_input.fte.distribution", "low 3.0 is above high 1.0"],
    ),
    "unknown distribution name": (
        _set(["peer_input", "fte", "distribution"], {"kind": "weibull"}),
        ["peer_input.fte.distribution.kind", "'triangular'"],
    ),
    "normal distribution on a figure that must be positive": (
        _set(["peer_input", "fte", "distribution"], {"kind": "normal", "sd": 0.5}),
        ["peer_input.fte", "must stay above zero", "gamma or lognormal"],
    ),
    "distribution reaching zero on a positive figure": (
        _set(["peer_input", "fte", "distribution"], {"kind": "uniform", "low": 0, "high": 3}),
        ["peer_input.fte", "must stay above zero, got low 0"],
    ),
    "distribution without its sd": (
        _set(["peer_input", "fte", "distribution"], {"kind": "gamma"}),
        ["peer_input.fte.distribution", "needs 'sd'"],
    ),
    "study id in the wrong form": (
        _set(["id"], "Alpha Study"),
        ["field 'id'", "'Alpha Study'", "lower-case letters"],
    ),
}


@pytest.mark.parametrize("case", sorted(FIELD_CASES))
def test_bad_field(
    case: str, synthetic_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit, fragments = FIELD_CASES[case]
    study = synthetic_copy / "alpha.yaml"
    edit_yaml(study, edit)
    run, out = _analyse(capsys, synthetic_copy, tmp_path)
    _assert_clean_failure(run, out, str(study), *fragments)


def test_malformed_yaml(
    synthetic_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = synthetic_copy / "alpha.yaml"
    study.write_text(study.read_text().replace("country: England", "country: [England"))
    run, out = _analyse(capsys, synthetic_copy, tmp_path)
    _assert_clean_failure(run, out, str(study), "malformed YAML at line", "valid YAML")


def test_malformed_toml(
    synthetic_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = synthetic_copy / "gamma.toml"
    study.write_text(study.read_text().replace('country = "USA"', "country = USA"))
    run, out = _analyse(capsys, synthetic_copy, tmp_path)
    _assert_clean_failure(run, out, str(study), "malformed TOML", "line 3")


def test_duplicate_study_id(
    synthetic_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(synthetic_copy / "alpha.yaml", synthetic_copy / "alpha_copy.yaml")
    run, out = _analyse(capsys, synthetic_copy, tmp_path)
    _assert_clean_failure(
        run, out, "alpha_copy.yaml", "field 'id'", "already used by", "a unique id"
    )


def test_empty_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    run, out = _analyse(capsys, empty, tmp_path)
    _assert_clean_failure(run, out, str(empty), "holds no study files", "*.yaml")


def test_missing_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run, out = _analyse(capsys, tmp_path / "nope", tmp_path)
    _assert_clean_failure(run, out, "nope", "does not exist")


def test_every_bad_file_is_reported(
    synthetic_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit_yaml(synthetic_copy / "alpha.yaml", _delete("country"))
    edit_yaml(synthetic_copy / "beta.yaml", _set(["arms", "intervention", "value"], 0))
    run, out = _analyse(capsys, synthetic_copy, tmp_path)
    _assert_clean_failure(
        run, out, "alpha.yaml", "field 'country'", "beta.yaml", "arms.intervention"
    )


@pytest.mark.parametrize(
    ("year", "fragments"),
    [
        ("2031-32", ["price_year", "'2031-32' is not covered", "from 2008-09 to 2024-25"]),
        ("2011", ["price_year", "not a financial year written YYYY-YY"]),
    ],
)
def test_bad_price_year(
    year: str,
    fragments: list[str],
    synthetic_copy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    costs = tmp_path / "costs.yaml"
    shutil.copy(SYNTHETIC_COSTS, costs)
    edit_yaml(costs, _set(["bed_day", "price_year"], year))
    run, out = _analyse(capsys, synthetic_copy, tmp_path, costs)
    _assert_clean_failure(run, out, str(costs), "bed_day", *fragments)


def test_cost_file_unknown_field(
    synthetic_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    costs = tmp_path / "costs.yaml"
    shutil.copy(SYNTHETIC_COSTS, costs)
    edit_yaml(costs, _rename("bed_day", "bedday"))
    run, out = _analyse(capsys, synthetic_copy, tmp_path, costs)
    _assert_clean_failure(
        run, out, str(costs), "'bedday' is not a recognised field", "'bed_day' (misspelt?)"
    )


def test_unknown_study_id(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "evidence", "show", "nosuchstudy")
    assert run.code == 2 and "no study with id 'nosuchstudy'" in run.err
    assert "sledge2011" in run.err


def test_validate_reports_problem(synthetic_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit_yaml(synthetic_copy / "beta.yaml", _set(["peer_input", "caseload", "value"], 0))
    run = run_cli(capsys, "evidence", "validate", str(synthetic_copy))
    assert run.code == 2 and "peer_input.caseload" in run.err and "Traceback" not in run.err


def test_bad_option_value_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "reproduce", "--format", "xml")
    assert run.code == 2 and "Traceback" not in run.err


def test_output_into_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "no" / "such" / "out.json"
    run = run_cli(capsys, "reproduce", "-f", "json", "-o", str(target))
    assert run.code == 2 and "output folder does not exist" in run.err


def test_empty_file(
    synthetic_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (synthetic_copy / "alpha.yaml").write_text("")
    run, out = _analyse(capsys, synthetic_copy, tmp_path)
    _assert_clean_failure(run, out, "alpha.yaml", "the file is empty", "a mapping")


PSA_OPTION_CASES = {
    "zero draws": (["--draws", "0"], ["--draws", "from 1 to 20,000,000"]),
    "negative draws": (["--draws", "-5"], ["--draws", "got -5"]),
    "draws beyond the cap": (["--draws", "30000000"], ["--draws", "got 30,000,000"]),
    "seed not an integer": (["--seed", "1.5"], ["'--seed'", "valid integer"]),
    "seed text": (["--seed", "abc"], ["'--seed'", "valid integer"]),
    "negative seed": (["--seed", "-1"], ["--seed", "0 or above"]),
    "zero chunk": (["--chunk-size", "0"], ["--chunk-size"]),
    "discount rate as a percentage": (["--discount-rate", "3.5"], ["rate from 0 to 0.2"]),
}


@pytest.mark.parametrize("case", sorted(PSA_OPTION_CASES))
def test_bad_psa_option(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    options, fragments = PSA_OPTION_CASES[case]
    out = tmp_path / "out.json"
    run = run_cli(capsys, "psa", *options, "--format", "json", "--output", str(out))
    assert run.code == 2, (run.code, run.out, run.err)
    assert "Traceback" not in run.err + run.out
    for fragment in fragments:
        assert fragment in run.err, f"{fragment!r} not in:\n{run.err}"
    assert not out.exists()


def test_bad_draws_for_leave_one_out(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "analyse", "--leave-one-out", "--draws", "0")
    assert run.code == 2 and "--draws" in run.err
