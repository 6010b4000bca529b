"""The error messages docs/evidence-format.md quotes ("12. Common errors") are the
program's: each row of its table is made here as a bad file and checked with the command
a user runs (``peervalue evidence validate``, ``peervalue costs show``); every message the
row quotes (a ``...`` in it stands for any text) must be in what the command prints.
A row without a case here fails, so a new row cannot go unchecked (issue 21 item 6: the
quoted messages did not match the program).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cli_helpers import run_cli
from tests.conftest import DATA

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "evidence-format.md"
EXAMPLE = DATA / "docs_examples" / "example_mean.yaml"
COSTS = DATA / "synthetic_costs.yaml"
BUNDLED_COSTS = ROOT / "src" / "peervalue" / "data" / "costs" / "england-2024-25.yaml"

Data = dict[str, Any]


def _doc_rows() -> dict[str, list[str]]:
    """The Common errors table: each mistake's words and the messages it quotes."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## 12. Common errors", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, list[str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) != 2 or cells[0] in ("Mistake", "---|---") or set(cells[0]) <= {"-"}:
            continue
        rows[cells[0]] = re.findall(r"`([^`]+)`", cells[1])
    return rows


def _study() -> Data:
    data: Data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return copy.deepcopy(data)


def _costs() -> Data:
    data: Data = yaml.safe_load(COSTS.read_text(encoding="utf-8"))
    return data


def _edit(change: Callable[[Data], object]) -> Data:
    data = _study()
    change(data)
    return data


def _assumed(value: float, low: float, high: float, unit: str = "months") -> Data:
    q: Data = {"value": value, "unit": unit, "status": "assumed", "rationale": "a guess"}
    if low <= high:
        q["range"] = [low, high]
    return q


def _set(path: str, value: object) -> Callable[[Data], None]:
    *head, last = path.split(".")

    def change(data: Data) -> None:
        for key in head:
            data = data[key]
        data[last] = value

    return change


def _drop(path: str) -> Callable[[Data], None]:
    *head, last = path.split(".")

    def change(data: Data) -> None:
        for key in head:
            data = data[key]
        del data[last]

    return change


def _rename(path: str, new: str) -> Callable[[Data], None]:
    *head, last = path.split(".")

    def change(data: Data) -> None:
        for key in head:
            data = data[key]
        data[new] = data.pop(last)

    return change


def _both(*changes: Callable[[Data], None]) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        for c in changes:
            c(data)

    return change


def _with_tab_on_line_25(data: Data) -> str:
    """The study written out with a tab opening line 25 (where a block's indentation is)."""
    lines = yaml.safe_dump(data, sort_keys=False).splitlines()
    assert lines[24].startswith("  ")
    lines[24] = "\t" + lines[24].lstrip(" ")
    return "\n".join(lines) + "\n"


# each mistake of the table: the files to write (name -> data or text) and the command
STUDY_CASES: dict[str, Callable[[], Data | str]] = {
    "misspelt field name": lambda: _edit(_rename("setting", "settings")),
    "unknown unit": lambda: _edit(_set("follow_up.unit", "month")),
    "right unit, wrong field": lambda: _edit(_set("arms.intervention.unit", "bed-days")),
    "number written as a bare value": lambda: _edit(_set("arms.control", 58)),
    "number in quotes": lambda: _edit(_set("arms.intervention.value", "38")),
    "reported without source": lambda: _edit(_drop("arms.intervention.source")),
    "assumed without range": lambda: _edit(_set("peer_input.support_duration", _assumed(6, 1, 0))),
    "value outside its range": lambda: _edit(
        _set("peer_input.support_duration", _assumed(9, 6, 8))
    ),
    "zero or negative count": lambda: _edit(_set("arms.intervention.value", 0)),
    "id with capitals": lambda: _edit(_set("id", "Smith2019")),
    "design not in the list": lambda: _edit(_set("design", "trial")),
    "`kind` missing": lambda: _edit(_drop("outcome.kind")),
    "`kind` misspelt": lambda: _edit(_set("outcome.kind", "mean_bed_day")),
    "two-arm outcome, no control": lambda: _edit(_drop("arms.control")),
    "no `peer_input`": lambda: _edit(_drop("peer_input")),
    "two peer-input forms": lambda: _edit(
        _both(
            _set("peer_input.fte", _assumed(1, 0.5, 2, "FTE")),
            _set("peer_input.employment_duration", _assumed(6, 3, 12)),
        )
    ),
    "caseload without its duration": lambda: _edit(_drop("peer_input.support_duration")),
    "the old field name": lambda: _edit(_rename("peer_input.support_duration", "duration")),
    "tab used for indentation": lambda: _with_tab_on_line_25(_study()),
}

COST_CASES: dict[str, Callable[[], Data]] = {
    "cost price year outside the index": lambda: {**_costs(), "price_year": "2007-08"},
    "money value without price year": lambda: _costs_without_bed_day_price_year(),
    "both peer-worker forms": lambda: _costs_with_both_forms(),
}

#: made by hand below: two files, an empty folder
OTHER_CASES = ("same id in two files", "folder with no study files")


def _costs_without_bed_day_price_year() -> Data:
    data = _costs()
    data["bed_day"] = {k: v for k, v in data["bed_day"].items() if k != "price_year"}
    return data


def _costs_with_both_forms() -> Data:
    """The synthetic total beside the bundled 2024-25 set's components."""
    data = _costs()
    bundled = yaml.safe_load(BUNDLED_COSTS.read_text(encoding="utf-8"))
    data["peer_worker"]["components"] = bundled["peer_worker"]["components"]
    return data


def _write(path: Path, content: Data | str) -> Path:
    text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def _said(output: str, quoted: str) -> bool:
    """``quoted`` (with ``...`` for any text) is in ``output``, spaces collapsed."""
    flat = " ".join(output.split())
    parts = [re.escape(" ".join(p.split())) for p in quoted.split("...")]
    return re.search(".*?".join(parts), flat) is not None


def test_every_row_of_the_table_has_a_case() -> None:
    rows = _doc_rows()
    assert len(rows) >= 20
    assert set(rows) == set(STUDY_CASES) | set(COST_CASES) | set(OTHER_CASES)
    assert all(rows.values())


@pytest.mark.parametrize("mistake", sorted(STUDY_CASES))
def test_a_quoted_study_error_is_the_programs(
    mistake: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "f.yaml", STUDY_CASES[mistake]())
    run = run_cli(capsys, "evidence", "validate", str(path))
    assert run.code == 2, run.out + run.err
    for quoted in _doc_rows()[mistake]:
        assert _said(run.err, quoted), f"{mistake}: {quoted!r} not in:\n{run.err}"


@pytest.mark.parametrize("mistake", sorted(COST_CASES))
def test_a_quoted_cost_error_is_the_programs(
    mistake: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "f.yaml", COST_CASES[mistake]())
    run = run_cli(capsys, "costs", "show", str(path))
    assert run.code == 2, run.out + run.err
    for quoted in _doc_rows()[mistake]:
        assert _said(run.err, quoted), f"{mistake}: {quoted!r} not in:\n{run.err}"


def test_the_quoted_folder_errors_are_the_programs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = _doc_rows()
    folder = tmp_path / "studies"
    folder.mkdir()
    run = run_cli(capsys, "evidence", "validate", str(folder))
    assert run.code == 2
    (quoted,) = rows["folder with no study files"]
    assert _said(run.err, quoted), run.err
    study = _study()
    study["id"] = "sledge2011"
    _write(folder / "a.yaml", study)
    _write(folder / "b.yml", study)
    run = run_cli(capsys, "evidence", "validate", str(folder))
    assert run.code == 2
    (quoted,) = rows["same id in two files"]
    assert _said(run.err, quoted), run.err


def test_a_field_written_twice_is_reported_as_the_docs_say(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = DOC.read_text(encoding="utf-8")
    (quoted,) = re.findall(r"\(`(field 'country': written twice[^`]*)`\)", text)
    study = _study()
    first = {k: study.pop(k) for k in ("id", "design", "peer_role", "country")}
    head = yaml.safe_dump(first, sort_keys=False).splitlines()  # country on line 4
    rest = yaml.safe_dump(study, sort_keys=False).splitlines()
    # the rest's top-level entries that end by line 20, padded with comments to line 20
    cut = max(i for i, line in enumerate(rest) if not line.startswith(" ") and i <= 16)
    lines = head + rest[:cut]
    lines += ["# padding"] * (20 - len(lines)) + ["country: Wales"] + rest[cut:]
    assert lines[3].startswith("country:") and lines[20] == "country: Wales"
    path = _write(tmp_path / "f.yaml", "\n".join(lines) + "\n")
    run = run_cli(capsys, "evidence", "validate", str(path))
    assert run.code == 2
    assert _said(run.err, quoted), run.err
