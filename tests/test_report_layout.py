"""The report's layout on paper and on a phone (issue 21, items 2 and 5): the PDF's contents
list read back from the text positions poppler gives (no page number runs into another
entry), and the HTML report in Debian's chromium at 390 px (no text under the minimum,
figure text included; every column of the business case's table on screen) and in print
(no scrolling boxes, rows kept whole)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from peervalue.figures.sizing import MIN_FIGURE_TEXT_PX, readable_width
from peervalue.scenario.schema import template_file
from peervalue.service.report import ReportData, report_html, run_report
from peervalue.service.requests import ReportRequest
from tests.browser_helpers import chromium_path

#: the smallest text outside figures, in CSS pixels, at any width
MIN_TEXT_PX = 12.0
PHONE = 390


@pytest.fixture(scope="module")
def data() -> ReportData:
    return run_report(ReportRequest(scenario=template_file(), draws=1_000, seed=2))


@pytest.fixture(scope="module")
def html(data: ReportData) -> str:
    return report_html(data)


# --- the PDF's contents list ---------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def page_lines(pdf: Path, page: int) -> list[list[Word]]:
    """The words of one page, line by line, from ``pdftotext -bbox-layout``."""
    out = subprocess.run(
        ["pdftotext", "-bbox-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    root = ET.fromstring(out)
    lines = []
    for line in root.iter("{http://www.w3.org/1999/xhtml}line"):
        words = [
            Word(
                w.text or "",
                float(w.attrib["xMin"]),
                float(w.attrib["yMin"]),
                float(w.attrib["xMax"]),
                float(w.attrib["yMax"]),
            )
            for w in line.iter("{http://www.w3.org/1999/xhtml}word")
        ]
        if words:
            lines.append(sorted(words, key=lambda w: w.x0))
    return lines


def contents_page(pdf: Path) -> int:
    """The page the contents list is on: 1, or 2 when page 1's answer and warnings fill it."""
    for page in (1, 2):
        if any(line[0].text == "Contents" for line in page_lines(pdf, page) if line):
            return page
    raise AssertionError("no contents list on page 1 or 2")


def contents_problems(pdf: Path, entries: int) -> list[str]:
    """What is wrong with the contents list: each of ``entries`` lines must start with its
    number ("3."), end with a page number that is the rightmost word of its line, and no two
    words on its page may overlap."""
    lines = page_lines(pdf, contents_page(pdf))
    problems: list[str] = []
    words = [w for line in lines for w in line]
    for i, a in enumerate(words):
        for b in words[i + 1 :]:
            dx = min(a.x1, b.x1) - max(a.x0, b.x0)
            dy = min(a.y1, b.y1) - max(a.y0, b.y0)
            if dx > 0.5 and dy > 0.5:
                problems.append(f"{a.text!r} overlaps {b.text!r}")
    found = [line for line in lines if re.fullmatch(r"\d+\.", line[0].text)]
    numbers = [int(line[0].text[:-1]) for line in found]
    if numbers != list(range(1, entries + 1)):
        problems.append(f"contents entries numbered {numbers}, expected 1 to {entries}")
    for line in found:
        text = " ".join(w.text for w in line)
        if not re.fullmatch(r"\d+", line[-1].text):
            problems.append(f"no page number at the end of {text!r}")
        elif any(w.x1 > line[-1].x0 + 0.5 for w in line[:-1]):
            problems.append(f"the page number is not the last word of {text!r}")
        if sum(1 for w in line if re.fullmatch(r"\d+\.", w.text)) > 1:
            problems.append(f"two entries on one line: {text!r}")
    return problems


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory, html: str) -> Path:
    """The business case's report as a PDF (made once for the module's PDF checks)."""
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install poppler-utils (.ci/run)")
        pytest.skip("poppler-utils not installed")
    from peervalue.report.pdf_report import html_to_pdf

    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    path.write_bytes(html_to_pdf(html))
    return path


def test_the_pdf_contents_list_does_not_overlap(pdf: Path, html: str) -> None:
    nav = html[html.index("<nav") : html.index("</nav>")]
    assert contents_problems(pdf, nav.count("<li>")) == []


#: the report's page margin at the sides (``@page { margin: 18mm 15mm }``), in points
SIDE_MARGIN_PT = 15 / 25.4 * 72


def words_past_the_margin(pdf: Path) -> list[str]:
    """Every word that ends to the right of the page's right margin (a table wider than the
    page: WeasyPrint lets it run off the paper, and its last columns are cut)."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    ns = "{http://www.w3.org/1999/xhtml}"
    found = []
    for number, page in enumerate(ET.fromstring(out).iter(f"{ns}page"), start=1):
        edge = float(page.attrib["width"]) - SIDE_MARGIN_PT
        found += [
            f"page {number}: {w.text!r} ends at {float(w.attrib['xMax']):.0f} pt"
            for w in page.iter(f"{ns}word")
            if float(w.attrib["xMax"]) > edge + 1.0
        ]
    return found


def test_every_table_fits_the_pdf_page(pdf: Path) -> None:
    """The business case's year table (ten columns, the cash NPV last) and the evidence
    table (its assumed inputs, long field names) stay inside the page's margins."""
    assert words_past_the_margin(pdf) == []


#: a page, other than the last, that holds fewer lines than this is a section's few last
#: lines pushed over by the page break before the next section
FEWEST_LINES = 6


def nearly_empty_pages(pdf: Path) -> list[str]:
    """Pages, other than the last, with fewer than FEWEST_LINES lines (the page number
    counts as one)."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = sum(1 for _ in ET.fromstring(out).iter("{http://www.w3.org/1999/xhtml}page"))
    found = []
    for number in range(1, pages):
        lines = page_lines(pdf, number)
        if len(lines) < FEWEST_LINES:
            first = " ".join(w.text for w in lines[0]) if lines else ""
            found.append(f"page {number}: {len(lines)} lines, from {first!r}")
    return found


@pytest.fixture(scope="module")
def default_pdf(tmp_path_factory: pytest.TempPathFactory, pdf: Path) -> Path:
    """The default report (no options) as a PDF: its Method section is the one that split."""
    from peervalue.report.pdf_report import html_to_pdf

    path = tmp_path_factory.mktemp("pdf") / "default.pdf"
    path.write_bytes(html_to_pdf(report_html(run_report(ReportRequest(draws=500, seed=2)))))
    return path


def test_no_section_leaves_a_few_lines_on_a_page_of_their_own(pdf: Path, default_pdf: Path) -> None:
    """The default report's Method section, broken after page 1's answer and contents, left
    its last two lines alone on page 2 (the Evidence section starts a new page)."""
    assert nearly_empty_pages(default_pdf) == []
    assert nearly_empty_pages(pdf) == []


# --- sizes of figures ------------------------------------------------------------------------


def test_readable_width_from_the_smallest_text() -> None:
    # 8.5 px text in a 540-unit-wide figure: 10 px when shown 10 x 540 / 8.5 = 635.3 px wide
    svg = (
        b'<svg width="540pt" viewBox="0 0 540 300"><text style="font-size: 9.5px">a</text>'
        b'<text style="font: 400 8.5px sans; font-size: 8.5px">b</text></svg>'
    )
    assert readable_width(svg) == 636
    assert readable_width(svg, min_px=12) == 763  # 12 x 540 / 8.5 = 762.4
    assert readable_width(b"<svg></svg>") == 0


# --- the HTML report in a browser ------------------------------------------------------------

#: every visible text node's font size in CSS pixels, scaled by its SVG's zoom inside figures
TEXT_SIZES = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!node.textContent.trim() || !el) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    if (el.closest('thead') && el.closest('table.stack') && innerWidth < 640) continue;
    if (el.closest('title, desc, metadata, style')) continue;
    let size = parseFloat(style.fontSize);
    const svg = el.closest('svg');
    if (svg) size *= svg.getScreenCTM().a;
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 && rect.height === 0) continue;
    out.push([svg ? 'figure' : 'text', size, node.textContent.trim().slice(0, 40)]);
  }
  return out;
}"""


def small_text(page: Any) -> list[str]:
    """Text under the minimum: figure text under MIN_FIGURE_TEXT_PX, other text under
    MIN_TEXT_PX."""
    return [
        f"{kind} {size:.1f}px {text!r}"
        for kind, size, text in page.evaluate(TEXT_SIZES)
        if size < (MIN_FIGURE_TEXT_PX if kind == "figure" else MIN_TEXT_PX) - 0.05
    ]


def columns_off_screen(page: Any, selector: str) -> list[str]:
    """The names of the table's columns whose cells are not all in view: within the screen's
    width and within the table's scrolling box (which would hide them)."""
    return list(
        page.eval_on_selector(
            selector,
            """(table) => {
              const names = [...table.querySelectorAll('thead th')].map(th => th.textContent);
              const lost = new Set();
              // what can be seen: the screen, and inside it the table's scrolling box
              const box = table.closest('.scroll');
              const edge = box ? box.getBoundingClientRect() : {left: 0, right: innerWidth};
              const left = Math.max(0, edge.left), right = Math.min(innerWidth, edge.right);
              for (const row of table.querySelectorAll('tbody tr')) {
                [...row.children].forEach((cell, i) => {
                  const r = cell.getBoundingClientRect();
                  if (r.width === 0 || r.left < left - 0.5 || r.right > right + 0.5) {
                    lost.add(names[i]);
                  }
                });
              }
              return [...lost];
            }""",
        )
    )


def _open(p: Any, executable: str, url: str, width: int, media: str = "screen") -> Any:
    browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.emulate_media(media=media)
    page.goto(url)
    return browser, page


def test_the_report_reads_on_a_phone(tmp_path: Path, html: str) -> None:
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "report.html"
    page_file.write_text(html, encoding="utf-8")
    with sync_playwright() as p:
        browser, page = _open(p, executable, page_file.as_uri(), PHONE)
        try:
            small = small_text(page)
            lost = columns_off_screen(page, "#business-case table")
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            figures = page.eval_on_selector_all(
                "figure .figure-scroll",
                "els => els.map(e => [e.scrollWidth, e.clientWidth])",
            )
            # a stacked row's empty cell (the published 4.8 has no Monte Carlo columns)
            # would print its column's name with no value, the names floating over each other
            empty = page.eval_on_selector_all(
                "table.stack td:empty", "els => els.map(e => getComputedStyle(e).display)"
            )
        finally:
            browser.close()
    assert empty and set(empty) == {"none"}
    assert small == []
    assert lost == []  # the cumulative discounted net benefit (the NPV) included
    assert scroll_width <= PHONE  # the page itself never scrolls sideways
    assert figures and all(inner > outer for inner, outer in figures)  # the figures scroll


def test_the_report_prints_whole(tmp_path: Path, html: str) -> None:
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "report.html"
    page_file.write_text(html, encoding="utf-8")
    with sync_playwright() as p:
        browser, page = _open(p, executable, page_file.as_uri(), 794, media="print")
        try:
            boxes = page.eval_on_selector_all(
                ".scroll, .figure-scroll", "els => els.map(e => getComputedStyle(e).overflowX)"
            )
            rows = page.eval_on_selector_all(
                "tr, figure", "els => els.map(e => getComputedStyle(e).breakInside)"
            )
            columns = page.eval_on_selector("nav ol", "e => getComputedStyle(e).columnCount")
            contents = page.eval_on_selector("nav", "e => getComputedStyle(e).breakInside")
            headings = page.eval_on_selector_all(
                "h2", "els => els.map(e => getComputedStyle(e).breakAfter)"
            )
        finally:
            browser.close()
    assert set(boxes) == {"visible"}  # tables and figures whole, nothing scrolled away
    assert set(rows) == {"avoid"}
    assert columns in ("1", "auto")
    assert contents == "avoid"  # the contents list is not split over two pages
    assert set(headings) == {"avoid"}


def _word_heights(pdf: Path) -> tuple[list[float], list[float]]:
    """Heights of the inputs appendix's ids (words with ':' in its first column) and of its
    status words ('reported', 'assumed', ...), from the pages after its heading."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    ns = "{http://www.w3.org/1999/xhtml}"
    ids: list[float] = []
    status: list[float] = []
    seen = False
    for page in ET.fromstring(out).iter(f"{ns}page"):
        words = list(page.iter(f"{ns}word"))
        # its heading at the left margin (the contents list indents its entry)
        seen = seen or any(
            w.text == "Appendix:" and float(w.attrib["xMin"]) < SIDE_MARGIN_PT + 15 for w in words
        )
        if not seen:
            continue
        for w in words:
            height = float(w.attrib["yMax"]) - float(w.attrib["yMin"])
            # the first column starts a cell's padding (about 15 pt) inside the margin
            if ":" in (w.text or "") and float(w.attrib["xMin"]) < SIDE_MARGIN_PT + 20:
                ids.append(height)
            elif w.text in ("reported", "assumed", "derived"):
                status.append(height)
    return ids, status


def test_the_inputs_appendix_ids_are_the_size_of_their_table(pdf: Path, html: str) -> None:
    """In print the appendix's ids were in code's 0.85rem (about 10pt) beside the table's
    8pt, in a column too narrow for them, and broke inside words ('saved_pe / r_patient')."""
    ids, status = _word_heights(pdf)
    assert ids and status
    ids.sort()
    status.sort()
    assert ids[len(ids) // 2] <= 1.1 * status[len(status) // 2]
    appendix = html.split("id='inputs'")[1]
    assert "<code class='field'>" in appendix and "_<wbr>" in appendix
