"""Templates a user starts from (issue 21, item 6): ``evidence new`` makes a missing folder,
``evidence validate`` warns of template text not yet replaced, ``costs new`` writes a
commented cost file that gives the same answer as the bundled set it copies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from peervalue.costs.load import bundled_cost_sets, load_costs
from tests.cli_helpers import run_cli


def test_evidence_new_makes_the_missing_folders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "a" / "b" / "ward.yaml"
    run = run_cli(capsys, "evidence", "new", str(path))
    assert run.code == 0, run.err  # before: "the output folder does not exist"
    assert path.is_file()


def test_validate_warns_of_unedited_template_text_and_not_once_it_is_edited(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "studies" / "ward.yaml"
    assert run_cli(capsys, "evidence", "new", str(path)).code == 0
    run = run_cli(capsys, "evidence", "validate", str(path.parent))
    assert run.code == 0  # still a valid study, so valid: but warned of
    assert "warning: ward:" in run.err and "still say REPLACE" in run.err
    assert "citation.title" in run.err
    path.write_text(path.read_text().replace("REPLACE", "Edited"))
    run = run_cli(capsys, "evidence", "validate", str(path.parent))
    assert run.code == 0, run.err
    assert "REPLACE" not in run.err


def test_costs_new_writes_a_commented_copy_that_answers_as_the_set_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "new" / "my_costs.yaml"
    run = run_cli(capsys, "costs", "new", str(path))
    assert run.code == 0, run.err
    text = path.read_text()
    head = text.split("\n\n")[0].splitlines()
    assert len(head) >= 5 and all(line.startswith("#") for line in head)
    assert "peer_worker:\n#     total:" in text  # the one-figure form, shown commented out
    bundled = bundled_cost_sets()["england-2024-25"]
    assert load_costs(path).model_dump(exclude={"name"}) == load_costs(bundled).model_dump(
        exclude={"name"}
    )
    answers = []
    for costs in (str(path), "england-2024-25"):
        run = run_cli(capsys, "analyse", "--costs", costs, "--format", "json")
        assert run.code == 0, run.err
        answers.append(json.loads(run.out)["pooled"]["weighted_mean_ratio"])
    assert answers[0] == answers[1]
