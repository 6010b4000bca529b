"""One value per option (issue 23, item 6): every option of every command, given twice,
is refused before anything runs; only options documented to repeat (``multiple``) may."""

from __future__ import annotations

from typing import Any

import pytest
import typer

from tests.cli_helpers import run_cli


def _commands() -> list[tuple[list[str], Any]]:
    from peervalue.cli.main import full_app

    found: list[tuple[list[str], Any]] = []

    def walk(command: Any, path: list[str]) -> None:
        subs = getattr(command, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*path, name])
        else:
            found.append((path, command))

    walk(typer.main.get_command(full_app()), [])
    return found


def _cases() -> list[Any]:
    cases = []
    for path, command in _commands():
        for param in command.params:
            if getattr(param, "param_type_name", "") != "option" or param.name == "help":
                continue
            opt = max(param.opts, key=len)
            given = [opt] if param.is_flag else [opt, "x"]
            cases.append(pytest.param(path, given, param.multiple, id=f"{' '.join(path)} {opt}"))
    return cases


@pytest.mark.parametrize(("path", "given", "repeats"), _cases())
def test_every_option_given_twice_is_refused_unless_it_repeats(
    capsys: pytest.CaptureFixture[str], path: list[str], given: list[str], repeats: bool
) -> None:
    run = run_cli(capsys, *path, *given, *given)
    if repeats:
        assert "given 2 times" not in run.err
    else:
        assert run.code == 2
        assert run.err.startswith(f"error: {given[0]}: given 2 times"), run.err


def test_only_compare_evidence_set_repeats() -> None:
    repeating = [
        (" ".join(path), max(p.opts, key=len))
        for path, command in _commands()
        for p in command.params
        if getattr(p, "multiple", False)
    ]
    assert repeating == [("compare", "--evidence-set")]
