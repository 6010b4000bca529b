"""Authoring study files: ``evidence new`` templates and ``evidence validate``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from peervalue.evidence.load import OUTCOME_KINDS, load_study
from peervalue.evidence.template import id_for, template_kinds
from tests.cli_helpers import run_cli


def test_a_template_for_every_outcome_kind() -> None:
    assert set(template_kinds()) == set(OUTCOME_KINDS)


@pytest.mark.parametrize("kind", sorted(OUTCOME_KINDS))
def test_every_template_is_valid_as_written(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "Core 2018.yaml"
    run = run_cli(capsys, "evidence", "new", str(path), "--outcome", kind)
    assert run.code == 0, run.err
    study = load_study(path)
    assert study.id == "core2018" and study.outcome.kind == kind
    text = path.read_text()
    assert text.count("REPLACE") >= 5  # the texts to replace are marked
    assert "# " in text  # and it is commented


def test_new_refuses_an_existing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("keep me")
    run = run_cli(capsys, "evidence", "new", str(path))
    assert run.code == 2 and path.read_text() == "keep me"
    assert run_cli(capsys, "evidence", "new", str(path), "--force").code == 0
    assert load_study(path).outcome.kind == "mean_bed_days"


def test_ids_from_file_names() -> None:
    assert id_for(Path("ENRICH 2022.yaml")) == "enrich2022"
    assert id_for(Path("2022.yaml")) == "newstudy"


def test_validate_reports_every_problem_in_a_folder_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, kind in [("a", "readmission_counts"), ("b", "length_of_stay_difference")]:
        assert (
            run_cli(
                capsys, "evidence", "new", str(tmp_path / f"{name}.yaml"), "--outcome", kind
            ).code
            == 0
        )
    a = yaml.safe_load((tmp_path / "a.yaml").read_text())
    a["outcome"]["control_readmitted"]["value"] = 500  # more than the 100 in the arm
    a["quality"]["randomisation"] = "none"  # contradicts design: rct
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(a))
    b = yaml.safe_load((tmp_path / "b.yaml").read_text())
    b["outcome"]["admissions"]["value"] = -1
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(b))
    run = run_cli(capsys, "evidence", "validate", str(tmp_path))
    assert run.code == 2
    assert "a.yaml" in run.err and "b.yaml" in run.err
    assert "outcome.admissions': must be greater than zero, got -1" in run.err


def test_evidence_sets_command(capsys: pytest.CaptureFixture[str]) -> None:
    listed = json.loads(run_cli(capsys, "evidence", "sets", "-f", "json").out)
    by_name = {s["name"]: s for s in listed["sets"]}
    assert by_name["uk-only"]["pooled"] == ["core2018"]
    assert by_name["uk-only"]["not_pooled"] == ["enrich2022", "simpson2014"]
    assert by_name["rct-only"]["rule"] == "from all-2026 where randomisation: individual, cluster"
