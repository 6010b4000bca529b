"""User text made safe for the places it is shown: a terminal and a spreadsheet.

Text from a user's files (titles, names, notes, citations) reaches two readers
that may act on it rather than show it:

* **a terminal** runs control characters and ANSI escape sequences
  (``\\x1b[2J`` clears the screen, ``\\x1b]0;...`` retitles the window) and
  reorders text around bidirectional controls. :func:`terminal_text` writes each
  such character as a visible escape (``\\x1b``, ``\\u202e``), and
  :func:`terminal_safe` applies it to every piece of text in a rich renderable
  (a table, a group, a panel) before it is laid out, so the table's own colours
  and borders are untouched;
* **a spreadsheet** reads a cell that starts with ``=``, ``+``, ``-``, ``@``, a
  tab, CR or LF as a formula (or a DDE command). :func:`formula_like` is the one
  test for that, shared by the workbook (which marks such a text cell with
  Excel's quote prefix) and CSV (where :func:`csv_text` puts an apostrophe in
  front of it, the same neutralisation in the only form CSV has). The rule
  applies to text only: a number, however negative, stays a number. CSV text
  cells also have the characters a terminal acts on escaped, as in tables.

JSON output (:func:`json_safe`) escapes the same characters a terminal acts on, and
with them every other invisible format character (Unicode category Cf: zero-width
spaces and joiners, the soft hyphen, the byte order mark, tag characters) and the line
and paragraph separators U+2028 and U+2029, each as a ``\\uXXXX`` escape (a surrogate
pair above U+FFFF). A JSON escape loses nothing (a reader gets the same text back), so
JSON can escape this wider set, where a table keeps joiners that some scripts and emoji
need; every other character, ``£`` and accented letters among them, is written as is.

Nothing here imports rich at module level.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

#: first characters that make a spreadsheet read text as a formula (or a DDE command)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
#: what a CSV text cell that looks like a formula starts with instead (a spreadsheet
#: shows the text after it, as it does for a typed leading apostrophe)
CSV_QUOTE_PREFIX = "'"

#: characters a terminal may act on: C0 controls but the line feed, DEL, C1 controls
#: (0x9b is a one-byte CSI), and the bidirectional embeddings, overrides and isolates
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def formula_like(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` as a formula (or a DDE command)."""
    return text.startswith(FORMULA_TRIGGERS)


def csv_text(text: str) -> str:
    """A CSV text cell: ``text`` with an apostrophe in front when it looks like a formula,
    and the characters a terminal acts on escaped as :func:`terminal_text` does (CSV is
    often read on a terminal); tab, CR and LF, which CSV quotes, are kept."""
    if any(_acts(c) and c not in "\t\r" for c in text):
        text = "".join(ascii(c)[1:-1] if _acts(c) and c not in "\t\r" else c for c in text)
    return CSV_QUOTE_PREFIX + text if formula_like(text) else text


def _acts(char: str) -> bool:
    code = ord(char)
    return (code < 0x20 and char != "\n") or 0x7F <= code <= 0x9F or char in _BIDI


#: characters a JSON document may hold that are not printable ASCII (json.dumps escapes
#: the C0 controls itself): each is looked at by :func:`_json_escape`
_NOT_ASCII = re.compile("[\x7f-\U0010ffff]")


def _json_escape(match: re.Match[str]) -> str:
    char = match.group()
    if not (_acts(char) or char in "\u2028\u2029" or unicodedata.category(char) == "Cf"):
        return char
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_safe(document: str) -> str:
    """A JSON document (from ``json.dumps(..., ensure_ascii=False)``) with every character
    a terminal acts on, every other invisible format character (category Cf) and U+2028
    and U+2029 written as ``\\uXXXX`` escapes. These characters can only stand inside
    strings, where an escape means the same character, so the data is unchanged."""
    return _NOT_ASCII.sub(_json_escape, document)


def terminal_text(text: str) -> str:
    """``text`` with every character a terminal would act on written as an escape."""
    if not any(_acts(c) for c in text):
        return text
    return "".join(ascii(c)[1:-1] if _acts(c) else c for c in text)


def _safe_rich_text(text: Text) -> Text:
    from rich.text import Span, Text

    plain = text.plain
    marks = [i for i, c in enumerate(plain) if _acts(c)]
    if not marks:
        return text
    cuts = sorted({*marks, *(i + 1 for i in marks)})
    out = text.blank_copy()
    for part in text.divide(cuts):
        if len(part.plain) == 1 and _acts(part.plain):
            escaped = ascii(part.plain)[1:-1]
            piece = Text(escaped, style=part.style)
            piece.spans = [Span(0, len(escaped), span.style) for span in part.spans]
            out.append_text(piece)
        else:
            out.append_text(part)
    return out


def terminal_safe(renderable: RenderableType) -> RenderableType:
    """``renderable`` with :func:`terminal_text` applied to all its text, in place where
    rich allows it: strings (rich markup, whose tags survive), Text, and the titles,
    headers and cells of tables, the parts of groups and the content of panels."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    def safe(item: Any) -> Any:
        if isinstance(item, str):
            return terminal_text(item)
        if isinstance(item, Text):
            return _safe_rich_text(item)
        if isinstance(item, Table):
            item.title = safe(item.title) if item.title is not None else None
            item.caption = safe(item.caption) if item.caption is not None else None
            for column in item.columns:
                column.header = safe(column.header)
                column.footer = safe(column.footer)
                column._cells = [safe(c) for c in column._cells]
            return item
        if isinstance(item, Group):
            item._renderables = tuple(safe(r) for r in item._renderables)
            return item
        if isinstance(item, Panel):
            item.renderable = safe(item.renderable)
            item.title = safe(item.title) if item.title is not None else None
            item.subtitle = safe(item.subtitle) if item.subtitle is not None else None
            return item
        return item

    result: RenderableType = safe(renderable)
    return result
