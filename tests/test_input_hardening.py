"""Unit tests of the input hardening that the bad-input corpus cannot show by exit status:
bounds coverage, file modes, clean-up on interruption, the error hierarchy, message cutting,
and that the limits do not refuse valid YAML features."""

from __future__ import annotations

import os
import signal
import stat
from pathlib import Path

import pytest
from pydantic import BaseModel

import peervalue
from peervalue import fileio
from peervalue.errors import InputError, InputErrorGroup, input_error, quote
from peervalue.evidence.schema import Study
from peervalue.fileio import atomic_write_text, fields_at, read_mapping
from peervalue.units import BOUNDS, SMALLEST_NONZERO, UNITS, bound_problem
from tests.cli_helpers import run_cli

# --- plausibility bounds -----------------------------------------------------------------


def test_every_unit_has_a_bound_with_a_reason() -> None:
    assert set(BOUNDS) == set(UNITS)
    for unit, bound in BOUNDS.items():
        assert bound.limit > 0 and bound.reason, unit


def test_bounds_accept_real_figures_and_refuse_slips() -> None:
    assert bound_problem("patients", 484) is None
    assert bound_problem("bed-days/patient", -10) is None
    assert bound_problem("proportion", 0) is None
    assert bound_problem("FTE", SMALLEST_NONZERO) is None
    problem = bound_problem("patients", 1e308)
    assert problem is not None and "10,000,000" in problem
    problem = bound_problem("bed-days/patient", -1e6, "range low")
    assert problem is not None and problem.startswith("range low -1e+06")
    assert bound_problem("FTE", 1e-300) is not None


# --- writing outputs -----------------------------------------------------------------------


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_output_respects_the_umask(umask: int, mode: int, tmp_path: Path) -> None:
    old = os.umask(umask)
    try:
        atomic_write_text(tmp_path / "out.txt", "hello")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.txt").stat().st_mode) == mode
    assert (tmp_path / "out.txt").read_text() == "hello"


def test_replaced_output_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    target.chmod(0o640)
    atomic_write_text(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_interrupted_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(tmp_path / "out.txt", "x" * 100_000)
    assert list(tmp_path.iterdir()) == []


def test_write_failure_is_an_input_error_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(InputError, match="no space left on the disk"):
        atomic_write_text(tmp_path / "out.txt", "x")
    assert list(tmp_path.iterdir()) == []


# --- signals in the CLI, in-process ----------------------------------------------------------


@pytest.mark.parametrize(
    ("signum", "status", "line"),
    [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")],
)
def test_signal_while_writing_output(
    signum: signal.Signals,
    status: int,
    line: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}

    def signalled(*_args: object) -> None:
        signal.raise_signal(signum)

    monkeypatch.setattr(os, "replace", signalled)
    run = run_cli(capsys, "reproduce", "-f", "json", "-o", str(tmp_path / "out.json"))
    assert (run.code, run.err) == (status, line + "\n")
    assert list(tmp_path.iterdir()) == [], "no output and no temporary file"
    assert {s: signal.getsignal(s) for s in before} == before, "handlers restored"


# --- the error hierarchy and messages -----------------------------------------------------


def test_input_error_group_is_an_input_error(tmp_path: Path) -> None:
    first = input_error(tmp_path / "a.yaml", "id", "bad")
    second = input_error(tmp_path / "b.yaml", "design", "worse")
    group = InputErrorGroup([first, second], tmp_path)
    assert isinstance(group, InputError) and isinstance(group, peervalue.InputError)
    assert group.errors == [first, second]
    assert group.source == tmp_path
    assert [p.field for p in group.problems] == ["id", "design"]
    assert str(group) == f"{first.message()}\n\n{second.message()}"
    assert InputErrorGroup([first]).source == first.source


def test_quote_cuts_long_values() -> None:
    assert quote("short") == "'short'"
    long = quote("y" * 5000)
    assert long.startswith("'yyy") and long.endswith("(5,000 characters)") and len(long) < 130
    assert quote(10**400) == "a whole number of 401 digits"
    assert "about" in quote(10**6000)


def test_long_source_keeps_its_end() -> None:
    message = input_error("d/" * 400 + "study.yaml", "", "bad").message()
    assert message.startswith("...") and "study.yaml: bad." in message


def test_fields_at_follows_tagged_unions() -> None:
    assert fields_at(Study, ("arms",)) == {"intervention", "control"}
    outcome = fields_at(Study, ("outcome", "mean_bed_days"))
    assert outcome is not None and "control_sd" in outcome
    quantity = fields_at(Study, ("arms", "control"))
    assert quantity is not None and {"value", "unit", "status"} <= quantity

    class Empty(BaseModel):
        pass

    assert fields_at(Empty, ("nowhere",)) is None


# --- the limits accept valid YAML --------------------------------------------------------------


def test_small_aliases_merge_keys_and_a_byte_order_mark_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(
        "\ufeffsrc: &s {citation: A, locator: Table 1}\n"
        "a: {source: *s}\n"
        "b: {source: *s}\n"
        "base: &b {x: 1, y: 2}\n"
        "c:\n  <<: *b\n  x: 3\n"
    )
    data = read_mapping(path)
    assert data["a"]["source"] == {"citation": "A", "locator": "Table 1"}
    assert data["c"] == {"x": 3, "y": 2}


def test_limits_are_at_their_documented_values() -> None:
    assert fileio.MAX_FILE_BYTES == 10 * 1024 * 1024
    assert fileio.MAX_DEPTH == 50
    assert fileio.MAX_ALIAS_VALUES == 10_000


def test_nesting_at_the_limit_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 49 + "]" * 49 + "\n")
    assert "a" in read_mapping(path)
    path.write_text("a: " + "[" * 50 + "]" * 50 + "\n")
    with pytest.raises(InputError, match="nested more than 50 levels"):
        read_mapping(path)


def test_sub_folder_with_a_study_name_is_still_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "evidence"
    folder.mkdir()
    (folder / "old.yaml").mkdir()
    with pytest.raises(InputError, match="holds no study files"):
        peervalue.load_evidence(folder)
