"""User-facing input errors.

Every mistake a user can make in a file or on the command line is raised as
:class:`InputError`, which names the file, the field, what was wrong and what
was expected. The CLI prints it as one paragraph and exits with status 2; it
never shows a traceback for these. Several errors found together (one per bad
study file in a folder) are raised as :class:`InputErrorGroup`, which is an
:class:`InputError` too, so ``except peervalue.InputError`` catches both.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

#: longest text quoted from a user's input in a message (longer values are cut)
QUOTE_LIMIT = 100
#: longest file name or path shown at the start of a message (longer ones keep their end)
SOURCE_LIMIT = 300


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """``repr(value)`` for a message, cut to about ``limit`` characters.

    A value pasted by mistake (a whole paragraph, a 400-digit number) is shown
    by its start and its length, so the message stays one readable line.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 300:
        try:
            return f"a whole number of {len(str(abs(value))):,} digits"
        except ValueError:  # Python refuses to print ints of thousands of digits
            digits = int(value.bit_length() * math.log10(2)) + 1
            return f"a whole number of about {digits:,} digits"
    if isinstance(value, str):
        return visible(value, limit)
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}..."


#: how many unexpected characters a message names (the rest are still shown escaped)
NAMED_CHARACTERS = 3


def _plain(char: str) -> bool:
    return " " <= char <= "~"


def character_name(char: str) -> str:
    """The Unicode name of ``char`` (``CYRILLIC SMALL LETTER O``), or what it is when it has
    none (a control character such as ESC)."""
    import unicodedata

    name = unicodedata.name(char, "")
    if name:
        return name
    kind = unicodedata.category(char)
    what = {"Cc": "a control character", "Cs": "a lone surrogate", "Co": "a private-use character"}
    return f"U+{ord(char):04X}, {what.get(kind, 'an unassigned character')}"


def visible(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` quoted for a message, with every character outside printable ASCII escaped
    (``'m\\u043enths'``) and the first few named, so that a look-alike letter, a Unicode
    minus, an en dash, a non-breaking space or hyphen, a zero-width or control character
    shows where a user can see it::

        'm\\u043enths' (\\u043e is CYRILLIC SMALL LETTER O, not a plain ASCII character)

    Text of plain ASCII is quoted as ``repr`` quotes it. Text longer than ``limit`` is
    cut, with its length.
    """
    cut = text[:limit]
    shown = ascii(cut) if not all(_plain(c) for c in cut) else repr(cut)
    if len(text) > limit:
        shown += f"... ({len(text):,} characters)"
    odd = list(dict.fromkeys(c for c in cut if not _plain(c)))
    if not odd:
        return shown
    names = ", ".join(f"{ascii(c)[1:-1]} is {character_name(c)}" for c in odd[:NAMED_CHARACTERS])
    more = f" and {len(odd) - NAMED_CHARACTERS} more" if len(odd) > NAMED_CHARACTERS else ""
    return f"{shown} ({names}{more}, not plain ASCII)"


def shorten(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` cut to about ``limit`` characters (for field paths and names)."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


# --- fields and "see also" hints, named by each front end in its own terms ------------
#
# A message from the library names a request field as ``⟦cost_basis⟧`` (or, with a value
# to give it, ``⟦resources=bed-days⟧``) and points elsewhere as ``⟦see:evidence-sets⟧``
# (``⟦see:study sledge2011⟧``). :meth:`InputError.message` renders them with a
# :class:`Naming`: the plain one below names fields as the Python API does; the CLI names
# its options and commands, the web API JSON pointers and addresses, the pages the form.

_MARK = re.compile("\u27e6([^\u27e6\u27e7]*)\u27e7")

#: the "see also" topics in plain words (the Python API's terms)
SEE_ALSO: dict[str, str] = {
    "evidence-sets": "the bundled evidence sets",
    "cost-sets": "the bundled cost sets",
    "figures": "the figures of peervalue.figures.catalogue.FIGURES",
    "new-scenario": "a scenario file made from the template",
}


def field_ref(name: str, value: str | None = None) -> str:
    """A request field (with a value to give it) inside a message."""
    return f"\u27e6{name}\u27e7" if value is None else f"\u27e6{name}={value}\u27e7"


def see_also(topic: str, argument: str = "") -> str:
    """A "see also" hint inside a message (a topic of :data:`SEE_ALSO`)."""
    return f"\u27e6see:{topic} {argument}\u27e7" if argument else f"\u27e6see:{topic}\u27e7"


class Naming:
    """How a front end names a request field and a "see also" topic (this one: as the
    Python API does, the field's own name and the topic in plain words)."""

    def field(self, name: str, value: str | None) -> str:
        return name if value is None else f"{name}={value!r}"

    def see(self, topic: str, argument: str) -> str:
        return SEE_ALSO.get(topic, topic) + (f" {argument}" if argument else "")

    def render(self, text: str) -> str:
        """``text`` with its field references and hints named."""

        def one(match: re.Match[str]) -> str:
            inner = match.group(1)
            if inner.startswith("see:"):
                topic, _, argument = inner[4:].partition(" ")
                return self.see(topic, argument)
            name, eq, value = inner.partition("=")
            return self.field(name, value if eq else None)

        return _MARK.sub(one, text) if "\u27e6" in text else text


PLAIN = Naming()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is, what is wrong, what is expected."""

    field: str
    problem: str
    expected: str = ""

    def sentence(self, naming: Naming = PLAIN) -> str:
        text = f"field '{shorten(self.field)}': {self.problem}" if self.field else self.problem
        text = text.rstrip(".")
        if self.expected:
            text += f"; expected {self.expected.rstrip('.')}"
        return naming.render(text + ".")


@dataclass
class InputError(Exception):
    """A user's input (a file, a directory or an option) is not usable."""

    source: Path | str
    problems: list[Problem] = field(default_factory=list)
    #: the request field the error is about, if any: each front end names it its own way
    #: (``source`` then holds the field's own name, as the Python API calls it)
    request_field: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message())

    def message(self, naming: Naming = PLAIN) -> str:
        if self.request_field is not None:
            where = naming.field(self.request_field, None)
        else:
            where = naming.render(str(self.source))
        if len(where) > SOURCE_LIMIT:  # keep the end: it holds the file name
            where = f"...{where[-SOURCE_LIMIT:]}"
        if not self.problems:
            return f"{where}: invalid input."
        if len(self.problems) == 1:
            return f"{where}: {self.problems[0].sentence(naming)}"
        lines = [f"{where}: {len(self.problems)} problems:"]
        lines += [f"  - {p.sentence(naming)}" for p in self.problems]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.message()


def input_error(source: Path | str, field: str, problem: str, expected: str = "") -> InputError:
    """Shorthand for an :class:`InputError` with a single problem."""
    return InputError(source, [Problem(field, problem, expected)])


def field_error(name: str, problem: str, expected: str = "") -> InputError:
    """A request field's value is not usable: each front end names the field its own way."""
    return InputError(name, [Problem("", problem, expected)], request_field=name)


class InputErrorGroup(InputError):
    """Several input errors found together (for example one per bad study file).

    It is an :class:`InputError` itself, so ``except InputError`` catches it;
    ``errors`` holds the individual errors (each naming its own file),
    ``problems`` all their problems and ``source`` the folder (or the one
    file) they came from. Its message is the errors' messages, one paragraph
    each.
    """

    errors: list[InputError]

    def __init__(self, errors: Iterable[InputError], source: Path | str | None = None) -> None:
        self.errors = list(errors)
        if source is None:
            sources = {str(e.source) for e in self.errors}
            one = len(sources) == 1
            source = self.errors[0].source if one else f"{len(sources)} input files"
        super().__init__(source, [p for e in self.errors for p in e.problems])

    def message(self, naming: Naming = PLAIN) -> str:
        return "\n\n".join(e.message(naming) for e in self.errors)
