"""The HTML report in a real browser (Debian's chromium, driven by Playwright): no console
errors, every figure drawn with a size, no sideways scrolling on a phone, and a screenshot
that is not blank. CI installs chromium (.ci/run); elsewhere the test is skipped without it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from peervalue.scenario.schema import template_file
from peervalue.service.report import report_html, run_report
from peervalue.service.requests import ReportRequest
from tests.browser_helpers import launched

TEMPLATE = template_file()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The business case's HTML report, built once for both widths: its file and its
    number of figures."""
    data = run_report(ReportRequest(scenario=TEMPLATE, draws=1_000, seed=1))
    page_file = tmp_path_factory.mktemp("report") / "report.html"
    page_file.write_text(report_html(data), encoding="utf-8")
    return page_file, len(data.figures)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One chromium for the module's pages."""
    with launched() as browser:
        yield browser


@pytest.mark.parametrize("width", [390, 1280])  # a phone, a laptop
def test_report_renders_in_chromium(
    report: tuple[Path, int], browser: Any, tmp_path: Path, width: int
) -> None:
    page_file, figures = report
    shot = tmp_path / "shot.png"
    errors: list[str] = []
    requests: list[str] = []
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_file.as_uri())
        sizes = page.eval_on_selector_all(
            "figure svg",
            "els => els.map(e => [e.getBoundingClientRect().width,"
            " e.getBoundingClientRect().height])",
        )
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(shot))
    finally:
        page.close()
    assert errors == []
    assert requests == [page_file.as_uri()]  # nothing else fetched
    assert len(sizes) == figures
    assert all(w > 200 and h > 100 for w, h in sizes)
    assert scroll_width <= width  # nothing wider than the screen
    import matplotlib.image as mpimg

    assert mpimg.imread(shot).std() > 0.05  # not a blank page
