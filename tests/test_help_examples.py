"""Every ``Example:`` in every command's ``--help`` runs as written from an empty folder
(issue 21, item 6). An example is a paragraph of the help starting ``Example:``; its steps
are joined by ``&&`` and run in turn, in-process, in a fresh folder. Examples that must
not run here are listed in NOT_RUN with the reason.

Before: five failed as written (a missing folder for ``evidence new``, ``trust.toml`` and
``my_case.toml`` never created, no cost-file template for ``my_costs.yaml``).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from tests.cli_helpers import run_cli

#: examples that are not run, with the reason
NOT_RUN = {
    "peervalue serve --port 8000": "starts a web server that runs until it is stopped",
}


def _commands() -> Iterator[tuple[str, Any]]:
    from peervalue.cli.main import full_app

    def walk(command: Any, name: str) -> Iterator[tuple[str, Any]]:
        yield name, command
        for sub_name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk(sub, f"{name} {sub_name}")

    yield from walk(typer.main.get_command(full_app()), "peervalue")


def help_examples() -> list[tuple[str, str]]:
    """(command, example) for every ``Example:`` paragraph of every command's help."""
    found = []
    for name, command in _commands():
        for paragraph in re.split(r"\n\s*\n", command.help or ""):
            text = " ".join(paragraph.split())
            if text.startswith("Example: "):
                found.append((name, text.removeprefix("Example: ")))
    return found


EXAMPLES = help_examples()


def test_every_command_has_examples_and_each_is_found() -> None:
    commands = {name for name, _ in EXAMPLES}
    # 'peervalue report' has two, the business case made first by 'scenario new'
    assert "peervalue report" in commands and "peervalue costs new" in commands
    assert len(EXAMPLES) >= 40


@pytest.mark.parametrize(("command", "example"), EXAMPLES, ids=[e for _, e in EXAMPLES])
def test_the_example_runs_as_written_from_an_empty_folder(
    command: str,
    example: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if example in NOT_RUN:
        pytest.skip(NOT_RUN[example])
    monkeypatch.chdir(tmp_path)
    for step in example.split(" && "):
        words = shlex.split(step)
        assert words[0] == "peervalue", step
        run = run_cli(capsys, *words[1:])
        assert run.code == 0, f"{step}: {run.err}"
