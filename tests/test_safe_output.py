"""User text in terminal and CSV output is shown, never obeyed (issue 23, item 4)."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from peervalue.report.csv_format import cell
from peervalue.report.safe_text import (
    FORMULA_TRIGGERS,
    csv_text,
    formula_like,
    terminal_safe,
    terminal_text,
)
from tests.cli_helpers import run_cli
from tests.conftest import SYNTHETIC, SYNTHETIC_COSTS

HOSTILE_COUNTRY = "\x1b[2J\x1b]0;pwned\x07\u202eX"
HOSTILE_AUTHOR = "=HYPERLINK(1)"


def _acts(char: str) -> bool:
    """Independent statement of the characters a terminal acts on."""
    code = ord(char)
    bidi = 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069 or code in (0x61C, 0x200E, 0x200F)
    return (code < 32 and char != "\n") or 127 <= code <= 159 or bidi


@given(st.text())
def test_terminal_text_leaves_nothing_a_terminal_acts_on(text: str) -> None:
    shown = terminal_text(text)
    assert not any(_acts(c) for c in shown)
    # plain text is untouched, and each escaped character is written as Python writes it
    if not any(_acts(c) for c in text):
        assert shown == text
    assert shown.count("\n") == text.count("\n")


def test_terminal_text_examples() -> None:
    assert terminal_text("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert terminal_text("\u202eevil") == "\\u202eevil"
    assert terminal_text("\x9b31m") == "\\x9b31m"  # the one-byte CSI
    assert terminal_text("two\nlines") == "two\nlines"
    assert terminal_text("Espa\xf1a \u00a3") == "Espa\xf1a \u00a3"  # printable text stays


def test_terminal_safe_reaches_titles_cells_groups_and_styled_text() -> None:
    table = Table(title="T \x1b]0;x\x07")
    table.add_column("h\x1b")
    table.add_row("[bold]a\x1b[2J[/bold]")
    styled = Text("pre ")
    styled.append("\x1b[31mred", style="red")
    safe = terminal_safe(Group(table, styled))
    buffer = io.StringIO()
    Console(file=buffer, width=80, no_color=True).print(safe)
    out = buffer.getvalue()
    assert "\x1b" not in out and "\x07" not in out
    for shown in ("\\x1b]0;x\\x07", "h\\x1b", "a\\x1b[2J", "pre \\x1b[31mred"):
        assert shown in out
    assert "[bold]" not in out  # markup of the renderer's own still applies
    # the styled part keeps its style on the escaped text
    assert styled.plain == "pre \x1b[31mred"


@pytest.mark.parametrize("first", FORMULA_TRIGGERS)
def test_csv_text_neutralises_every_formula_trigger(first: str) -> None:
    text = f"{first}SUM(A1)"
    assert formula_like(text)
    assert csv_text(text).startswith("'")
    assert csv_text(text).endswith("SUM(A1)")


def test_csv_numbers_stay_numbers_and_plain_text_is_untouched() -> None:
    assert cell(-12000.0) == "-12000"
    assert cell(-3) == "-3"
    assert cell("-5") == "'-5"  # text that only looks like a number is text
    assert cell("England") == "England"
    assert cell("2011-12") == "2011-12"
    assert cell("a\x1b[2J") == "a\\x1b[2J"


def _hostile_evidence(tmp_path: Path) -> Path:
    folder = tmp_path / "evidence"
    shutil.copytree(SYNTHETIC, folder)
    study = folder / "alpha.yaml"
    text = study.read_text()
    text = text.replace("authors: [Test A, Test B, Test C]", f'authors: ["{HOSTILE_AUTHOR}", B]')
    text = text.replace("country: England", 'country: "\\e[2J\\e]0;pwned\\a\\u202eX"')
    study.write_text(text)
    return folder


@pytest.mark.parametrize(
    "args",
    [
        ["evidence", "list", "--evidence", "{ev}", "--format", "csv"],
        ["analyse", "--evidence", "{ev}", "--costs", str(SYNTHETIC_COSTS), "--format", "csv"],
    ],
)
def test_csv_outputs_neutralise_formulas_and_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    ev = _hostile_evidence(tmp_path)
    run = run_cli(capsys, *[a.replace("{ev}", str(ev)) for a in args])
    assert run.code == 0, run.err
    rows = list(csv.DictReader(io.StringIO(run.out)))
    alpha = next(r for r in rows if r["id"] == "alpha")
    assert alpha["citation"].startswith("'=HYPERLINK(1)")
    assert alpha["country"] == "\\x1b[2J\\x1b]0;pwned\\x07\\u202eX"
    assert not any(_acts(c) for c in run.out.replace("\n", ""))
    numbers = [r for r in rows if r.get("net_benefit_per_fte_year", "").startswith("-")]
    assert all(float(r["net_benefit_per_fte_year"]) < 0 for r in numbers)


@pytest.mark.parametrize(
    ("args", "shows_country"),
    [
        (["evidence", "list", "--evidence", "{ev}"], True),
        (["evidence", "show", "alpha", "--evidence", "{ev}"], True),
        (["analyse", "--evidence", "{ev}", "--costs", str(SYNTHETIC_COSTS)], False),
    ],
)
def test_tables_escape_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], shows_country: bool
) -> None:
    ev = _hostile_evidence(tmp_path)
    run = run_cli(capsys, *[a.replace("{ev}", str(ev)) for a in args])
    assert run.code == 0, run.err
    assert not any(_acts(c) for c in run.out.replace("\n", ""))
    assert ("\\x1b" in run.out) is shows_country


# --- JSON output escapes the same characters, and other invisible ones (issue 23 follow-up) --


def _invisible(char: str) -> bool:
    """Independent statement of what JSON output writes as an escape: what a terminal acts
    on, every format character (Cf) and the line and paragraph separators."""
    import unicodedata

    return _acts(char) or unicodedata.category(char) == "Cf" or char in "\u2028\u2029"


@given(st.text())
def test_json_output_escapes_invisible_characters_and_loses_nothing(text: str) -> None:
    import json

    from peervalue.report.json_format import to_json

    written = to_json({"title": text, "list": [text, 1.5]})
    assert not any(_invisible(c) for c in written.replace("\n", ""))
    assert json.loads(written) == {"title": text, "list": [text, 1.5]}
    # text with nothing invisible is written exactly as json.dumps writes it
    if not any(_invisible(c) for c in text):
        expected = json.dumps({"title": text, "list": [text, 1.5]}, indent=2, ensure_ascii=False)
        assert written == expected + "\n"


def test_json_escape_examples() -> None:
    from peervalue.report.safe_text import json_safe

    assert json_safe('"\u202eevil\u2069"') == '"\\u202eevil\\u2069"'
    assert json_safe('"a\u200bb\u00adc\ufeff"') == '"a\\u200bb\\u00adc\\ufeff"'
    assert json_safe('"\x7f\x9b"') == '"\\u007f\\u009b"'
    # a tag character above U+FFFF (E0001 = D800 + 0x380, DC00 + 0x001) as a surrogate pair
    assert json_safe('"\U000e0001"') == '"\\udb40\\udc01"'
    assert json_safe('"Espa\xf1a \u00a3 \u0930\u094d"') == '"Espa\xf1a \u00a3 \u0930\u094d"'


@pytest.mark.parametrize(
    "args",
    [
        ["evidence", "list", "--evidence", "{ev}", "--format", "json"],
        ["evidence", "show", "alpha", "--evidence", "{ev}", "--format", "json"],
        ["analyse", "--evidence", "{ev}", "--costs", str(SYNTHETIC_COSTS), "--format", "json"],
    ],
)
def test_json_outputs_escape_bidirectional_controls(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    import json

    ev = _hostile_evidence(tmp_path)
    run = run_cli(capsys, *[a.replace("{ev}", str(ev)) for a in args])
    assert run.code == 0, run.err
    assert not any(_invisible(c) for c in run.out.replace("\n", ""))
    data = json.loads(run.out)
    if "analyse" not in args:  # the analysis shows no country; the others give it back whole
        rows = data if isinstance(data, list) else [data]
        assert "\\u202eX" in run.out
        assert HOSTILE_COUNTRY in [r["country"] for r in rows]
