"""The business case's report as HM Treasury's Five Case Model (issue 19, item 8): the five
cases in order, the economic and financial cases from the run's results, the strategic,
commercial and management cases in the authors' words (escaped) or a sentence saying what
belongs there; the ``[case]`` table's checks, on the form and the API too."""

from __future__ import annotations

import dataclasses
import math
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peervalue.errors import InputError
from peervalue.report.five_case import CASES, PLACEHOLDERS, RISK_ROWS, author_text, risks
from peervalue.report.words import money
from peervalue.scenario.case_sensitivity import CaseTornadoResult, CaseTornadoRow
from peervalue.scenario.load import load_scenario
from peervalue.scenario.schema import MAX_CASE_TEXT, template_file
from peervalue.scenario.toml_out import scenario_to_toml
from peervalue.service.report import ReportData, report_bytes, report_html, run_report
from peervalue.service.requests import ReportRequest
from peervalue.web.forms import parse_form
from tests.web_helpers import app_client

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

SCRIPT = "<script>alert(1)</script>"
STRATEGIC = f"Our wards run full. {SCRIPT} & more\n\nA second paragraph\nwith a line break."
COMMERCIAL = "Four posts employed by the trust on band 4."
HEADINGS = [title for _, title in CASES]


def _case_file(folder: Path, case: str) -> Path:
    path = folder / "case.toml"
    path.write_text(template_file().read_text(encoding="utf-8") + case, encoding="utf-8")
    return path


class _Headings(HTMLParser):
    """Each h3's id and text, in page order."""

    def __init__(self) -> None:
        super().__init__()
        self.h3: list[tuple[str, str]] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h3":
            self._in = dict(attrs).get("id") or ""
            self.h3.append((self._in, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "h3":
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            key, text = self.h3[-1]
            self.h3[-1] = (key, text + data)


def _section(html: str, key: str) -> str:
    """One case's HTML: from its heading to the next h3 (or the section's end)."""
    start = html.index(f"<h3 id='case-{key}'>")
    ends = [i for i in (html.find("<h3", start + 1), html.find("</section>", start)) if i > 0]
    return html[start : min(ends)]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> ReportData:
    text = STRATEGIC.replace("\n", "\\n")
    case = f'\n[case]\nstrategic = "{text}"\ncommercial = "{COMMERCIAL}"\n'
    path = _case_file(tmp_path_factory.mktemp("five"), case)
    return run_report(ReportRequest(scenario=path, draws=500, seed=3), command="peervalue x")


@pytest.fixture(scope="module")
def html(data: ReportData) -> str:
    return report_html(data)


def test_the_five_cases_are_headed_in_the_green_books_order(html: str) -> None:
    parser = _Headings()
    parser.feed(html)
    cases = [(key, text) for key, text in parser.h3 if key.startswith("case-")]
    assert cases == [(f"case-{key}", title) for key, title in CASES]
    # in one block, inside the business case's section, after its headline
    section = html[html.index("<section id='business-case'>") :]
    section = section[: section.index("</section>")]
    positions = [section.index(f">{title}</h3>") for title in HEADINGS]
    assert positions == sorted(positions)
    assert section.index("The two cases disagree") < positions[0]


def test_the_authors_text_is_escaped_and_kept_as_text(html: str) -> None:
    strategic = _section(html, "strategic")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in strategic
    assert "<script" not in html
    # a blank line starts a paragraph, a line break stays one
    assert strategic.count("<p class='author-text'>") == 2
    assert "A second paragraph<br>with a line break." in strategic
    assert COMMERCIAL in _section(html, "commercial")
    # given text takes the placeholder's place; an empty case keeps its sentence
    assert escape(PLACEHOLDERS["strategic"]) not in html
    assert escape(PLACEHOLDERS["commercial"]) not in html
    assert escape(PLACEHOLDERS["management"]) in _section(html, "management")


def test_a_bare_scenario_says_what_belongs_in_each_of_the_authors_cases(
    data: ReportData,
) -> None:
    from peervalue.service.report import case_text
    from peervalue.service.scenario_resolve import resolve_scenario

    bare = case_text(resolve_scenario(template_file()))
    assert bare == {"strategic": "", "commercial": "", "management": ""}
    page = report_html(dataclasses.replace(data, case_text=bare))
    for key in ("strategic", "commercial", "management"):
        section = _section(page, key)
        assert "For the authors to complete." in section
        assert escape(PLACEHOLDERS[key], quote=True) in section
    assert "author-text" not in page


def test_the_economic_and_financial_cases_hold_the_runs_figures(
    data: ReportData, html: str
) -> None:
    sc = data.inputs.scenario
    assert sc is not None
    economic, financial = _section(html, "economic"), _section(html, "financial")
    unwrapped = re.sub(r"<span class='nw'>(.*?)</span>", r"\1", economic)  # amounts whole
    npv, cash = sc.totals.net_present_value, sc.totals.cash_net_present_value
    assert f"<strong>{money(npv)}</strong>" in economic
    i = sc.uncertainty.net_present_value
    assert f"95% interval {money(i.p2_5)} to {money(i.p97_5)}" in unwrapped
    assert "figure-case-tornado" in economic and "figure-case-two-way" in economic
    assert "Under each choice of effect" in economic
    # a negative amount is kept on one line (html_report.keep_amounts_whole)
    assert f"<strong><span class='nw'>{money(cash)}</span></strong>" in financial
    assert money(npv) not in financial
    assert money(sc.affordability.years[0].cost) in financial
    # the template's cash never covers its cost within five years
    assert not math.isfinite(sc.totals.cash_payback_year)
    assert "it does not pay back in cash within the 5 years" in financial


def test_the_risks_are_the_tornados_widest_inputs_with_the_npv_at_each_end(
    data: ReportData, html: str
) -> None:
    tornado = data.inputs.case_tornado
    assert tornado is not None
    economic = _section(html, "economic")
    table = economic[economic.index("Risks drawn from the inputs") :]
    # the widest economic swing, found here independently of risks()
    widest = max(tornado.inputs, key=lambda r: abs(r.npv_at_high - r.npv_at_low))
    first_row = table[table.index("<tbody>") :]
    first_row = first_row[: first_row.index("</tr>")]
    assert escape(widest.label) in first_row
    assert money(widest.npv_at_low) in first_row and money(widest.npv_at_high) in first_row
    assert table.count("<tr>") == 1 + min(RISK_ROWS, len(tornado.inputs))


def _row(label: str, swing: float) -> CaseTornadoRow:
    return CaseTornadoRow(
        parameter=label,
        label=label,
        distribution="uniform",
        base_value=1.0,
        low_value=0.0,
        high_value=2.0,
        npv_at_low=-swing / 2,
        npv_at_high=swing / 2,
        swing=swing,
        cash_npv_at_low=0.0,
        cash_npv_at_high=0.0,
        cash_swing=0.0,
    )


def _tornado(rows: list[CaseTornadoRow]) -> CaseTornadoResult:
    return CaseTornadoResult(
        name="x",
        price_year="2024-25",
        currency="GBP",
        horizon_years=5,
        outcome="economic",
        base_npv=0.0,
        base_cash_npv=0.0,
        inputs=rows,
        fixed_inputs=[],
    )


def test_risks_leave_out_inputs_that_move_nothing() -> None:
    rows = [_row("a", 10.0), _row("b", 0.0), _row("c", 30.0), _row("d", math.nan)]
    assert [r.label for r in risks(_tornado(rows))] == ["c", "a"]
    assert risks(None) == []


@given(st.lists(st.floats(min_value=0, max_value=1e9), max_size=12), st.integers(0, 8))
def test_risks_are_the_n_widest_swings_in_order(swings: list[float], n: int) -> None:
    rows = [_row(f"input {i}", s) for i, s in enumerate(swings)]
    got = [r.swing for r in risks(_tornado(rows), n)]
    assert got == sorted((s for s in swings if s > 0), reverse=True)[:n]


def test_author_text_escapes_every_character_and_drops_blank_paragraphs() -> None:
    assert author_text("a < b\n\n\n\n  \n\nc", "strategic") == (
        "<p class='author-text'>a &lt; b</p><p class='author-text'>c</p>"
    )
    assert "For the authors to complete." in author_text(" \n\n ", "commercial")


def _pdf_tools() -> bool:
    try:
        import weasyprint  # type: ignore[import-untyped]  # noqa: F401
    except (ImportError, OSError):
        return False
    return shutil.which("pdftotext") is not None


def test_the_pdf_holds_the_five_cases(data: ReportData, tmp_path: Path) -> None:
    if not _pdf_tools():
        if os.environ.get("CI"):
            pytest.fail("CI must install WeasyPrint's libraries and poppler-utils (.ci/run)")
        pytest.skip("WeasyPrint or poppler-utils not installed")
    out = tmp_path / "r.pdf"
    out.write_bytes(report_bytes(data, "pdf"))
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True)
    words = " ".join(text.stdout.split())
    start = words.index("Business case:")  # past the contents list
    positions = [words.index(title, start) for title in HEADINGS]
    assert positions == sorted(positions)
    assert "<script>alert(1)</script> & more" in words  # shown as text


# --- the [case] table's checks ------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "fragments"),
    [
        ("strategic = 5", ["case.strategic", "got 5; expected plain text"]),
        ("commercial = ['a']", ["case.commercial", "expected plain text"]),
        (
            f"management = '{'x' * (MAX_CASE_TEXT + 1)}'",
            ["case.management", "4,001 characters long; expected at most 4,000"],
        ),
        ('strategic = "a\\u0007b"', ["case.strategic", "control character U+0007 at character 2"]),
        ("economic = 'x'", ["'economic'", "filled from the results"]),
    ],
)
def test_bad_case_text_is_refused_naming_the_field(
    tmp_path: Path, case: str, fragments: list[str]
) -> None:
    path = _case_file(tmp_path, f"\n[case]\n{case}\n")
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "case.toml" in message
    for fragment in fragments:
        assert fragment in message


def test_the_longest_text_is_accepted_and_written_back_unchanged(tmp_path: Path) -> None:
    text = ("é" * (MAX_CASE_TEXT - 3)) + '"\n\t'
    assert len(text) == MAX_CASE_TEXT
    path = _case_file(tmp_path, "\n[case]\nmanagement = " + repr_toml(text) + "\n")
    scenario = load_scenario(path).scenario
    assert scenario.case.management == text
    again = tmp_path / "again.toml"
    again.write_text(scenario_to_toml(scenario), encoding="utf-8")
    assert load_scenario(again).scenario == scenario


def repr_toml(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def test_the_form_takes_the_texts_and_refuses_a_long_one() -> None:
    from peervalue.web.forms import fields, form_values

    assert {fields()[f"case.{k}"].kind for k in ("strategic", "commercial", "management")} == {
        "textarea"
    }
    values = form_values()
    values["case.strategic"] = "  Line one\nline two  "
    parsed = parse_form(values)
    assert parsed.errors == {}
    assert parsed.scenario is not None
    assert parsed.scenario.case.strategic == "Line one\nline two"
    assert parsed.overrides["case"] == {"strategic": "Line one\nline two"}
    values["case.management"] = "y" * (MAX_CASE_TEXT + 1)
    refused = parse_form(values)
    assert refused.scenario is None
    assert "at most 4,000 characters" in refused.errors["case.management"]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with app_client(tmp_path_factory.mktemp("db"), "five.db") as c:
        yield c


def test_the_calculator_asks_for_the_texts_in_textareas(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    for key in ("strategic", "commercial", "management"):
        assert re.search(rf'<textarea id="f-case-{key}" name="case.{key}"', page.text)


def test_the_api_refuses_a_case_text_that_is_not_text(client: TestClient) -> None:
    document = {"scenario": {"name": "x"}, "case": {"commercial": 12}}
    got = client.post("/api/v1/scenarios/run", json={"draws": 10, "scenario": document})
    assert got.status_code == 422
    assert got.headers["content-type"].startswith("application/problem+json")
    assert "case/commercial" in got.text and "expected plain text" in got.text


def test_the_economic_case_says_benefit_per_pound_in_pence(data: ReportData, html: str) -> None:
    """The discounted benefit over the discounted cost, in the words page 1 uses: "£3.19 of
    benefit for each £1 spent", not "3.194 of benefit for each £1 spent"."""
    sc = data.inputs.scenario
    assert sc is not None
    t = sc.totals
    ratio = t.discounted_benefit / t.discounted_cost  # the economic case's own two figures
    assert t.benefit_cost_ratio == pytest.approx(ratio, rel=1e-9)
    said = f"£{ratio:,.2f} of benefit for each £1 spent."
    assert said in _section(html, "economic")
    assert re.search(r"\d\.\d{3} of benefit", html) is None


def test_a_negative_amount_never_breaks_after_its_minus(html: str) -> None:
    """The financial case printed "a cash net present value of -" at a line's end and
    "£315,696" at the next line's start: every negative amount in the page's text is in a
    span that does not wrap; figures (SVG) and attributes are left alone."""
    from peervalue.report.html_report import keep_amounts_whole

    prose = re.sub(r"<svg.*?</svg>|<style.*?</style>", "", html, flags=re.S)
    amounts = re.findall(r"(.{0,18})(-£[0-9][0-9,]*(?:\.[0-9]+)?[km]?)", prose)
    assert amounts  # the template's cash NPV is negative
    assert all(before.endswith("<span class='nw'>") for before, _ in amounts), amounts
    assert ".nw { white-space: nowrap; }" in html
    kept = keep_amounts_whole("<p title='-£5'>-£5 and -£1.5m</p><svg><text>-£2</text></svg>")
    assert kept == (
        "<p title='-£5'><span class='nw'>-£5</span> and <span class='nw'>-£1.5m</span></p>"
        "<svg><text>-£2</text></svg>"
    )
