"""User-facing input errors.

Every mistake a user can make in a file or on the command line is raised as
:class:`InputError`, which names the file, the field, what was wrong and what
was expected. The CLI prints it as one paragraph and exits with status 2; it
never shows a traceback for these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is, what is wrong, what is expected."""

    field: str
    problem: str
    expected: str = ""

    def sentence(self) -> str:
        text = f"field '{self.field}': {self.problem}" if self.field else self.problem
        text = text.rstrip(".")
        if self.expected:
            text += f"; expected {self.expected.rstrip('.')}"
        return text + "."


@dataclass
class InputError(Exception):
    """A user's input (a file, a directory or an option) is not usable."""

    source: Path | str
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.message())

    def message(self) -> str:
        where = str(self.source)
        if not self.problems:
            return f"{where}: invalid input."
        if len(self.problems) == 1:
            return f"{where}: {self.problems[0].sentence()}"
        lines = [f"{where}: {len(self.problems)} problems:"]
        lines += [f"  - {p.sentence()}" for p in self.problems]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.message()


def input_error(source: Path | str, field: str, problem: str, expected: str = "") -> InputError:
    """Shorthand for an :class:`InputError` with a single problem."""
    return InputError(source, [Problem(field, problem, expected)])


class InputErrorGroup(Exception):
    """Several input errors found together (for example one per bad study file)."""

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = errors
        super().__init__("\n\n".join(e.message() for e in errors))
