"""Every command and snippet in README.md and docs/*.md runs as written (issue 21, item 6).

Each document is followed as a reader would: its shell and Python blocks in order, in one
empty folder of its own, so a block may use a file an earlier block of the same document
made. ``peervalue`` lines run in-process; a line that must not run here is listed in
NOT_RUN with the reason (a server, a request to it, the project's own setup and tests). A
Python block whose last line is a comment starting ``# peervalue.errors.InputError`` shows
an error: it must raise that error with the message the comment quotes.

Before: the README ran ``analyse --evidence my_studies/ --costs my_costs.yaml`` with neither
made, reports and figures on a ``trust.toml`` never created, and the format guide showed
``evidence show my_id`` of a study that does not exist.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from peervalue.errors import InputError
from tests.cli_helpers import run_cli

ROOT = Path(__file__).parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

#: lines that are not run, by their first words, with the reason
NOT_RUN = {
    "make reproduce": "sets up the project's own environment (the tests run inside it)",
    "make test": "runs this test suite itself",
    "peervalue serve": "starts a web server that runs until it is stopped",
    "curl": "a request to a running server (tests/test_web_api.py sends the same requests)",
}


def blocks(document: Path) -> list[tuple[str, str]]:
    """(language, text) of each fenced block of shell or Python, in order."""
    found = re.findall(r"```(\w*)\n(.*?)```", document.read_text(encoding="utf-8"), re.S)
    return [(lang, text) for lang, text in found if lang in ("bash", "sh", "python")]


def shell_lines(text: str) -> list[str]:
    """A shell block's commands: continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", text)
    lines = []
    for line in joined.splitlines():
        words = shlex.split(line, comments=True)
        if words:
            lines.append(shlex.join(words))
    return lines


def _not_run(line: str) -> str | None:
    return next((why for start, why in NOT_RUN.items() if line.startswith(start)), None)


def test_every_document_has_something_to_run() -> None:
    runnable = {d.name: blocks(d) for d in DOCUMENTS}
    assert runnable["README.md"] and runnable["scenarios.md"] and runnable["api.md"]


@pytest.mark.parametrize("document", DOCUMENTS, ids=[d.name for d in DOCUMENTS])
def test_the_documents_commands_and_snippets_run_as_written(
    document: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    for lang, text in blocks(document):
        if lang == "python":
            _run_python(text)
            continue
        for line in shell_lines(text):
            if _not_run(line):
                continue
            words = shlex.split(line)
            assert words[0] == "peervalue", f"{document.name}: {line!r} is neither run nor listed"
            run = run_cli(capsys, *words[1:])
            assert run.code == 0, f"{document.name}: {line}\n{run.err}"


def _run_python(text: str) -> None:
    last = text.strip().splitlines()[-1]
    shown = "# peervalue.errors.InputError: "
    if last.startswith(shown):
        with pytest.raises(InputError) as caught:
            exec(compile(text, "<docs>", "exec"), {})
        quoted = last.removeprefix(shown).split("...")[0].strip()
        assert caught.value.message().startswith(quoted)
        return
    exec(compile(text, "<docs>", "exec"), {})
