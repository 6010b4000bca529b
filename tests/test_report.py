"""The report: a self-contained HTML page, the same as a PDF, and a workbook, checked as a
reader would (what is on the page, the numbers, the figures, escaping, the files read)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
import yaml

from peervalue.evidence.load import bundled_evidence_dir, study_files
from peervalue.report.html_report import CHEERS
from peervalue.scenario.schema import template_file
from peervalue.service.report import ReportData, report_html, run_report
from peervalue.service.requests import ReportRequest
from tests.cli_helpers import run_cli
from tests.conftest import study_document

TEMPLATE = template_file()
INJECTION = '=HYPERLINK("http://x","y")'
SCRIPT = "<script>alert(1)</script>"
DRAWS = 2_000


class Page(HTMLParser):
    """What a browser would load and show: tags, ids, external references, text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.ids: list[str] = []
        self.external: list[str] = []
        self.svgs: list[dict[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(str(a["id"]))
        for key in ("src", "href", "xlink:href"):
            value = a.get(key) or ""
            if value and not value.startswith(("#", "data:")):  # inline data is not fetched
                self.external.append(value)
        if tag == "svg":
            self.svgs.append(a)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def data() -> ReportData:
    return run_report(ReportRequest(scenario=TEMPLATE, draws=DRAWS, seed=2), command="peervalue x")


@pytest.fixture(scope="module")
def page(data: ReportData) -> tuple[str, Page]:
    html = report_html(data)
    parser = Page()
    parser.feed(html)
    return html, parser


def test_html_is_self_contained(page: tuple[str, Page]) -> None:
    html, p = page
    assert "script" not in p.tags and "link" not in p.tags and "img" not in p.tags
    assert p.external == []  # nothing fetched: no CDN, fonts or images
    assert "@import" not in html and "url(http" not in html
    assert len(p.ids) == len(set(p.ids))  # figure ids are unique across inlined SVGs


def test_every_figure_is_inline_with_alt_text(data: ReportData, page: tuple[str, Page]) -> None:
    _, p = page
    # ten analysis figures but the bridge to 4.8 (defined only for the six at 2011-12 prices;
    # a business case runs at its own, 2024-25), and the case's own tornado and two-way map
    # (issue 19): 9 + 2
    assert len(p.svgs) == len(data.figures) == 11
    assert {"case-tornado", "case-two-way"} <= set(data.figures)
    assert "bridge" not in data.figures
    assert "cumulative" in data.figures  # the pooled ratio as studies are added
    for svg in p.svgs:
        assert svg.get("role") == "img"
        assert len(svg.get("aria-label") or "") > 40


def test_the_answer_states_the_ratio_and_probability(
    data: ReportData, page: tuple[str, Page]
) -> None:
    html, _ = page
    psa = data.inputs.psa
    assert psa is not None
    w = psa.pooled["weighted"]
    assert f"save about £{w.ratio.deterministic:.2f}" in html
    assert f"the savings exceed the cost is {w.prob_net_benefit_positive:.0%}" in html or (
        0.99 < w.prob_net_benefit_positive < 1 and "exceed the cost is over 99%" in html
    )
    sc = data.inputs.scenario
    assert sc is not None
    assert f"£{sc.totals.net_present_value:,.0f}" in html


def test_results_sit_beside_the_published_ratio_and_limitations_come_from_data(
    page: tuple[str, Page],
) -> None:
    html, p = page
    text = " ".join(p.text)
    assert "Published: Trachtenberg" in text and "4.80" in text
    # the template's effect is the synthesis's on all-2026, so the report is on its 11
    # pooled studies: one from the UK (core2018), four randomised (rivera2007, sledge2011,
    # core2018, forchuk2005), four with standard errors
    assert "10 of 11 studies are from outside the UK (Australia, Canada, USA)" in text
    assert "7 of 11 studies are not randomised trials" in text
    assert "heterogeneity among the 4 studies with standard errors" in text
    assert html.count("<tr><td") >= len(CHEERS)


def test_appendix_hashes_every_input_and_gives_the_command(page: tuple[str, Page]) -> None:
    html, _ = page
    for path in study_files(bundled_evidence_dir()):
        assert hashlib.sha256(path.read_bytes()).hexdigest() in html
    assert hashlib.sha256(TEMPLATE.read_bytes()).hexdigest() in html
    assert "<code>peervalue x</code>" in html
    assert "seed 2; 2,000 draws" in html


def _hostile_study(folder: Path) -> None:
    folder.mkdir()
    document = study_document("ward-a", SCRIPT)
    (folder / "ward-a.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")


def _hostile_scenario(path: Path) -> None:
    text = TEMPLATE.read_text(encoding="utf-8")
    text = text.replace('organisation = "Example NHS Trust"', f"organisation = '{INJECTION}'")
    path.write_text(text, encoding="utf-8")


def test_user_text_is_escaped_in_html_and_stays_text_in_the_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _hostile_study(tmp_path / "studies")
    html = report_html(run_report(ReportRequest(evidence=tmp_path / "studies", draws=500)))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html
    scenario = tmp_path / "trust.toml"
    _hostile_scenario(scenario)
    out = tmp_path / "case.xlsx"
    run = run_cli(
        capsys, "report", "--scenario", str(scenario), "-n", "500", "-q", "--out", str(out)
    )
    assert run.code == 0, run.err
    book = openpyxl.load_workbook(out)
    cells = [
        c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value == INJECTION
    ]
    assert cells and all(c.data_type == "s" for c in cells)


def test_workbook_from_the_command_matches_the_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.xlsx"
    assert run_cli(capsys, "report", "-n", "1000", "-q", "--out", str(out)).code == 0
    book = openpyxl.load_workbook(out)
    assert {"Inputs", "Studies", "Pooled", "Monte Carlo"} <= set(book.sheetnames)
    # the pooled ratios are live formulas (recalculated: tests/test_workbook_libreoffice.py)
    assert book.defined_names["pooled_weighted_mean_ratio"].attr_text == "'Pooled'!$C$2"
    assert str(book["Pooled"]["C2"].value).startswith("=SUMPRODUCT(")
    inputs = [c.value for row in book["Inputs"].iter_rows() for c in row]
    assert 334 in inputs  # the bed-day cost, with its provenance beside it
    # the Studies sheet starts from the studies' own inputs: min2007's total bed-days saved
    # (1549, reported as a total), with no derived figure on the Inputs sheet
    ws = book["Studies"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "min2007")
    assert ws.cell(row, 10).value == "=min2007_outcome_total"
    assert not [r for r in book["Inputs"].iter_rows(min_row=2) if r[1].value == "analysis"]
    again = run_cli(capsys, "report", "-n", "1000", "-q", "--out", str(out))
    assert again.code == 2 and "already exists" in again.err


def _pdf_tools() -> bool:
    try:
        import weasyprint  # type: ignore[import-untyped]  # noqa: F401
    except (ImportError, OSError):
        return False
    return shutil.which("pdftoppm") is not None and shutil.which("pdftotext") is not None


def test_pdf_has_pages_text_and_a_drawn_first_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not _pdf_tools():
        if os.environ.get("CI"):
            pytest.fail("CI must install WeasyPrint's libraries and poppler-utils (.ci/run)")
        pytest.skip("WeasyPrint or poppler-utils not installed")
    out = tmp_path / "r.pdf"
    assert run_cli(capsys, "report", "-n", "1000", "-q", "--out", str(out)).code == 0
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True)
    pages = int(
        next(line.split()[-1] for line in info.stdout.splitlines() if line.startswith("Pages"))
    )
    assert 8 <= pages <= 30
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True)
    for heading in (
        "The answer",
        "Method in plain words",
        "CHEERS 2022 checklist",
        "Reproducibility",
    ):
        assert heading in text.stdout
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(out), str(tmp_path / "p")],
        check=True,
    )
    import matplotlib.image as mpimg

    pixels = mpimg.imread(next(tmp_path.glob("p*.png")))
    assert pixels.std() > 0.05  # not a blank page


def test_the_business_case_gives_the_economic_and_the_cash_case(
    data: ReportData, page: tuple[str, Page]
) -> None:
    html, _ = page
    sc = data.inputs.scenario
    assert sc is not None
    from peervalue.report.words import money

    # the template: value exceeds cost, the cash released does not (issue 19)
    assert sc.totals.net_present_value > 0 > sc.totals.cash_net_present_value
    said = re.sub(r"<span class='nw'>(.*?)</span>", r"\1", html)  # amounts kept whole
    assert f"a cash net present value of {money(sc.totals.cash_net_present_value)}" in said
    assert "The two cases disagree" in html
    assert "<h4>Cash by year at each year's own prices</h4>" in html
    assert money(sc.affordability.years[0].cost) in html
