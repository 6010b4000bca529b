"""Every signal, at every moment (issue 23, item 7): Ctrl-C, SIGTERM and SIGHUP stop a
command with 130, 143 or 129, one line and nothing left; a signal while an output is
committed is held, the output rolled back and the run stopped, never dropped; once the
output is complete the run exits 0. The exit status and the files always agree."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.cli_helpers import run_cli
from tests.conftest import SYNTHETIC, SYNTHETIC_COSTS

ENTRY = "from peervalue.cli import main; main()"  # as the console script calls it
STOPPED: dict[int, tuple[int, str]] = {
    signal.SIGINT: (130, "interrupted"),
    signal.SIGTERM: (143, "terminated"),
    signal.SIGHUP: (129, "hung up"),
}
SCENARIO = "[staffing]\ncaseload = 12\n"


def _outcome(tmp_path: Path, args: list[str], signum: int, after: float) -> tuple[int, str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", ENTRY, *args],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    time.sleep(after)
    if proc.poll() is None:
        proc.send_signal(signum)
    _, err = proc.communicate(timeout=300)
    return proc.returncode, err.decode()


# Long-running commands, each with the files a complete run leaves (relative to its folder).
COMMANDS: dict[str, tuple[list[str], list[str]]] = {
    "report": (["report", "-n", "20000", "-q", "--out", "r.html"], ["r.html"]),
    "psa": (["psa", "-n", "400000", "-q", "-f", "json", "-o", "p.json"], ["p.json"]),
    "scenario-save-inputs": (
        [
            "scenario",
            "run",
            "case.toml",
            "-n",
            "50000",
            "--save-inputs",
            "s.toml",
            "-f",
            "json",
            "-o",
            "o.json",
        ],
        ["o.json", "s.toml"],
    ),
    "evppi": (["evppi", "-n", "20000", "-f", "json", "-o", "e.json"], ["e.json"]),
    "cumulative": (
        ["cumulative", "--evidence-set", "all-2026", "-n", "100000", "-f", "json", "-o", "c.json"],
        ["c.json"],
    ),
    "compare": (
        [
            "compare",
            "--evidence-set",
            "cmh2013",
            "--evidence-set",
            "all-2026",
            "-n",
            "100000",
            "-f",
            "json",
            "-o",
            "k.json",
        ],
        ["k.json"],
    ),
    "evsi": (["evsi", "--design", "rct-readmission", "-f", "json", "-o", "v.json"], ["v.json"]),
    "plot": (["plot", "payback", "--scenario", "case.toml", "-o", "p.svg"], ["p.svg"]),
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_signal_at_any_point_leaves_status_and_files_in_agreement(
    tmp_path: Path, name: str
) -> None:
    args, outputs = COMMANDS[name]
    stopped = 0
    # from start-up to the end of the run (a run on this machine takes 2-30 s)
    for i, (signum, after) in enumerate(
        [
            (signal.SIGTERM, 0.5),
            (signal.SIGINT, 1.0),
            (signal.SIGHUP, 1.5),
            (signal.SIGINT, 3.0),
            (signal.SIGTERM, 6.0),
        ]
    ):
        folder = tmp_path / str(i)
        folder.mkdir()
        (folder / "case.toml").write_text(SCENARIO)
        code, err = _outcome(folder, args, signum, after)
        left = sorted(p.name for p in folder.iterdir() if p.name != "case.toml")
        if code == -signum:
            # on a loaded machine the signal can come while Python itself starts, before
            # peervalue runs: the default action kills it, and nothing has been written
            assert (err, left) == ("", []), (after, err, left)
            continue
        assert code >= 0, f"killed by signal {-code}: {err}"
        assert "Traceback" not in err
        if code == 0:  # finished first: every output complete, nothing else
            assert left == sorted(outputs), (after, err)
            assert all((folder / o).stat().st_size > 0 for o in outputs)
        else:
            status, line = STOPPED[signum]
            assert (code, err.strip()) == (status, line), (after, err)
            assert left == [], f"{name} stopped at {after} s left {left}"
            stopped += 1
    assert stopped >= 1  # some signal arrives while the command runs


def _signal_during(call: str, monkeypatch: pytest.MonkeyPatch, signum: int) -> None:
    """Make ``os.<call>`` deliver ``signum`` to this process right after it ran."""
    real = getattr(os, call)

    def then_signal(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        signal.raise_signal(signum)
        return result

    monkeypatch.setattr(os, call, then_signal)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_during_the_rename_rolls_the_new_output_back(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    signum: int,
) -> None:
    out = tmp_path / "result.json"
    _signal_during("replace", monkeypatch, signum)
    run = run_cli(
        capsys, "analyse", "--evidence", str(SYNTHETIC), "--costs", str(SYNTHETIC_COSTS),
        "-f", "json", "-o", str(out),
    )  # fmt: skip
    monkeypatch.undo()
    assert (run.code, run.err.strip()) == STOPPED[signum]
    assert list(tmp_path.iterdir()) == []


def test_a_signal_during_the_rename_restores_the_file_it_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "result.json"
    out.write_text("the previous result\n")
    _signal_during("replace", monkeypatch, signal.SIGTERM)
    run = run_cli(
        capsys, "analyse", "--evidence", str(SYNTHETIC), "--costs", str(SYNTHETIC_COSTS),
        "-f", "json", "-o", str(out),
    )  # fmt: skip
    monkeypatch.undo()
    assert run.code == 143
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]
    assert out.read_text() == "the previous result\n"


def test_save_inputs_and_output_are_rolled_back_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "case.toml").write_text(SCENARIO)
    real = os.replace
    calls: list[str] = []

    def second_rename_signals(src: Any, dst: Any) -> None:
        real(src, dst)
        calls.append(Path(dst).name)
        if len(calls) == 2:
            signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(os, "replace", second_rename_signals)
    run = run_cli(
        capsys, "scenario", "run", str(tmp_path / "case.toml"), "-n", "100",
        "--save-inputs", str(tmp_path / "s.toml"), "-f", "json", "-o", str(tmp_path / "o.json"),
    )  # fmt: skip
    monkeypatch.undo()
    assert calls[:2] == ["s.toml", "o.json"]
    assert (run.code, run.err.strip()) == (130, "interrupted")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.toml"]


def test_a_signal_while_the_temporary_file_is_written_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _signal_during("fchmod", monkeypatch, signal.SIGHUP)
    run = run_cli(
        capsys, "analyse", "--evidence", str(SYNTHETIC), "--costs", str(SYNTHETIC_COSTS),
        "-f", "json", "-o", str(tmp_path / "r.json"),
    )  # fmt: skip
    monkeypatch.undo()
    assert (run.code, run.err.strip()) == (129, "hung up")
    assert list(tmp_path.iterdir()) == []


def test_a_signal_after_the_output_is_complete_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "r.json"
    import peervalue.signals

    real = peervalue.signals.complete

    def complete_then_signal() -> None:
        real()
        signal.raise_signal(signal.SIGTERM)

    monkeypatch.setattr(peervalue.signals, "complete", complete_then_signal)
    run = run_cli(
        capsys, "analyse", "--evidence", str(SYNTHETIC), "--costs", str(SYNTHETIC_COSTS),
        "-f", "json", "-o", str(out),
    )  # fmt: skip
    monkeypatch.undo()
    assert run.code == 0
    assert "SIGTERM arrived after the run had finished; its output is complete" in run.err
    assert out.stat().st_size > 0


def test_a_stop_raised_where_python_cannot_pass_it_on_is_sent_again() -> None:
    """A signal that arrives while the garbage collector runs a weak reference's callback
    raises Stop there, where Python only prints "Exception ignored" and goes on: the hook
    sends the signal again (here SIGUSR1, so as not to stop the test run), printing nothing;
    anything else goes to the hook it wrapped."""
    import signal
    import types

    from peervalue.cli.main import Stop, _unraisable

    got: list[int] = []
    passed_on: list[object] = []
    before = signal.signal(signal.SIGUSR1, lambda signum, frame: got.append(signum))
    try:
        hook = _unraisable(passed_on.append)
        hook(types.SimpleNamespace(exc_value=Stop(130, "interrupted", signum=signal.SIGUSR1)))
        other = types.SimpleNamespace(exc_value=ValueError("x"))
        hook(other)
    finally:
        signal.signal(signal.SIGUSR1, before)
    assert got == [signal.SIGUSR1]
    assert passed_on == [other]


def test_a_signal_while_an_extension_initialises_ends_as_the_signal_says(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """CI caught SIGINT arriving while scipy.optimize's compiled module initialised: the
    module turned our Stop into "ImportError: initialization failed" (raised from it), and
    the run ended with that traceback and status 1 instead of "interrupted" and 130."""
    import importlib

    cli_main = importlib.import_module("peervalue.cli.main")  # the module, not its main()

    def importing(argv: object) -> int:
        try:
            raise cli_main.Stop(130, "interrupted", signum=signal.SIGINT)
        except cli_main.Stop as stop:
            raise ImportError("initialization failed") from stop

    monkeypatch.setattr(cli_main, "_run_reporting_errors", importing)
    with pytest.raises(SystemExit) as ended:
        cli_main.main(["--version"])
    assert ended.value.code == 130
    assert capsys.readouterr().err.strip() == "interrupted"

    def faulty(argv: object) -> int:
        raise ImportError("a fault of the program, not a signal")

    monkeypatch.setattr(cli_main, "_run_reporting_errors", faulty)
    with pytest.raises(ImportError, match="a fault of the program"):
        cli_main.main(["--version"])
