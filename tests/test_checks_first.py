"""Outputs and options are checked before any computation (issue 23, item 5): a run that
would fail to write its output is refused at once, not after the Monte Carlo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cli_helpers import run_cli
from tests.conftest import SYNTHETIC, SYNTHETIC_COSTS

SCENARIO = "[staffing]\ncaseload = 12\n"


def _never(*_args: Any, **_kwargs: Any) -> Any:
    raise AssertionError("the computation ran before the output was checked")


@pytest.fixture
def no_computation(monkeypatch: pytest.MonkeyPatch) -> None:
    import peervalue.service
    import peervalue.service.report
    import peervalue.service.runs
    import peervalue.service.scenario

    for module, name in [
        (peervalue.service, "run_psa"),
        (peervalue.service.runs, "run_psa"),
        (peervalue.service.report, "run_report"),
        (peervalue.service.scenario, "run_scenario"),
    ]:
        monkeypatch.setattr(module, name, _never)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["psa", "-n", "3000000", "-q", "-o", "{tmp}/missing/x.json"], "folder does not exist"),
        (["report", "-n", "3000000", "-q", "--out", "{tmp}/missing/r.html"], "does not exist"),
        (["report", "-q", "--out", "{tmp}"], "it is a folder"),
        (["scenario", "run", "{tmp}/case.toml", "--save-inputs", "{tmp}/no/s.toml"], "no/s.toml"),
        (["scenario", "run", "{tmp}/case.toml", "-o", "{tmp}/no/o.json"], "no/o.json"),
    ],
)
def test_an_output_that_cannot_be_written_is_refused_before_the_run(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    no_computation: None,
    args: list[str],
    fragment: str,
) -> None:
    (tmp_path / "case.toml").write_text(SCENARIO)
    run = run_cli(capsys, *[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert run.code == 2, run.err
    assert run.err.startswith("error:")
    assert fragment in run.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.toml"]


def test_the_caseload_curve_is_refused_before_the_run_when_it_cannot_be_computed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_computation: None
) -> None:
    folder = tmp_path / "ev"
    folder.mkdir()
    delta = Path(SYNTHETIC).parent / "synthetic_secondary" / "delta.yaml"
    (folder / "delta.yaml").write_text(delta.read_text())
    run = run_cli(
        capsys, "psa", "-q", "--show", "caseload-curve", "--evidence", str(folder),
        "--costs", str(SYNTHETIC_COSTS),
    )  # fmt: skip
    assert run.code == 2
    assert "--show: the caseload curve cannot be computed" in run.err


def test_a_caseload_curve_that_cannot_be_computed_is_null_never_zero(tmp_path: Path) -> None:
    from peervalue import service

    folder = tmp_path / "ev"
    folder.mkdir()
    delta = Path(SYNTHETIC).parent / "synthetic_secondary" / "delta.yaml"
    (folder / "delta.yaml").write_text(delta.read_text())
    req = service.make_request(
        service.PsaRequest, evidence=folder, costs=SYNTHETIC_COSTS, draws=200
    )
    curve = service.run_psa(req).curves.caseload
    assert curve.prob_net_benefit_positive == [None] * 40
    # with a per-patient effect the curve is computed and rises with the caseload
    req = service.make_request(
        service.PsaRequest, evidence=SYNTHETIC, costs=SYNTHETIC_COSTS, draws=200
    )
    probs = service.run_psa(req).curves.caseload.prob_net_benefit_positive
    assert all(p is not None for p in probs)
    values = [p for p in probs if p is not None]
    assert values == sorted(values) and values[-1] > values[0]


# --- scenario run: every file checked before any runs (issue 23 follow-up) -----------------


def test_scenario_run_checks_every_file_before_running_any(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_computation: None
) -> None:
    (tmp_path / "a.toml").write_text(SCENARIO)
    (tmp_path / "b.toml").write_text("[staffing]\ncaseload = -3\n")
    out = tmp_path / "o.json"
    run = run_cli(capsys, "scenario", "run", str(tmp_path / "a.toml"), str(tmp_path / "b.toml"),
                  "-f", "json", "-o", str(out))  # fmt: skip
    # the second file's mistake is reported; the first was never run (no_computation)
    assert run.code == 2, run.err
    assert "b.toml" in run.err and "staffing.caseload" in run.err
    assert not out.exists()


def test_scenario_run_checks_the_files_a_scenario_names_before_running_any(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_computation: None
) -> None:
    (tmp_path / "a.toml").write_text(SCENARIO)
    (tmp_path / "b.toml").write_text('[costs]\nset = "missing-costs.yaml"\n')
    run = run_cli(capsys, "scenario", "run", str(tmp_path / "a.toml"), str(tmp_path / "b.toml"),
                  "-f", "json")  # fmt: skip
    assert run.code == 2, run.err
    assert "b.toml" in run.err and "costs.set" in run.err and "does not exist" in run.err


@pytest.mark.parametrize("which", ["second scenario", "cost file", "study in the folder"])
def test_an_output_that_is_an_input_of_any_scenario_is_refused_before_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_computation: None, which: str
) -> None:
    import shutil

    shutil.copy(SYNTHETIC_COSTS, tmp_path / "costs.yaml")
    shutil.copytree(SYNTHETIC, tmp_path / "ev")
    (tmp_path / "a.toml").write_text(SCENARIO)
    (tmp_path / "b.toml").write_text(
        '[scenario]\nprice_year = "2011-12"\n[costs]\nset = "costs.yaml"\n'
        '[evidence]\nfolder = "ev"\n'
    )
    target = {
        "second scenario": tmp_path / "b.toml",
        "cost file": tmp_path / "costs.yaml",
        "study in the folder": tmp_path / "ev" / "alpha.yaml",
    }[which]
    before = target.read_bytes()
    run = run_cli(capsys, "scenario", "run", str(tmp_path / "a.toml"), str(tmp_path / "b.toml"),
                  "-f", "json", "-o", str(target))  # fmt: skip
    assert run.code == 2, run.err
    assert "cannot write the output: it is an input of this run" in run.err
    assert target.read_bytes() == before


def _no_run(monkeypatch: pytest.MonkeyPatch) -> None:
    import peervalue.service
    import peervalue.service.cumulative
    import peervalue.service.evppi
    import peervalue.service.runs

    for module, name in [
        (peervalue.service, "run_psa"),
        (peervalue.service.runs, "run_psa"),
        (peervalue.service, "run_analysis"),
        (peervalue.service.evppi, "run_evppi"),
        (peervalue.service.cumulative, "run_cumulative"),
    ]:
        monkeypatch.setattr(module, name, _never)


@pytest.mark.parametrize(
    ("command", "target"),
    [
        (["psa", "-n", "3000000", "-q"], "{ev}/alpha.yaml"),
        (["psa", "-n", "3000000", "-q"], "{costs}"),
        (["analyse", "--leave-one-out"], "{ev}/beta.yaml"),
        (["evppi", "-n", "50000"], "{costs}"),
        (["cumulative"], "{ev}/gamma.toml"),
    ],
)
def test_an_output_that_is_an_input_is_refused_before_a_long_run(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
    target: str,
) -> None:
    import shutil

    _no_run(monkeypatch)
    ev, costs = tmp_path / "ev", tmp_path / "costs.yaml"
    shutil.copytree(SYNTHETIC, ev)
    shutil.copy(SYNTHETIC_COSTS, costs)
    path = Path(target.replace("{ev}", str(ev)).replace("{costs}", str(costs)))
    before = path.read_bytes()
    args = [*command, "--evidence", str(ev), "--costs", str(costs), "-f", "json", "-o", str(path)]
    run = run_cli(capsys, *args)
    assert run.code == 2, run.err
    assert "cannot write the output: it is an input of this run" in run.err
    assert path.read_bytes() == before
