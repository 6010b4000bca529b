"""The calculator's results and a saved case on a phone and on paper (issue 21, item 5), in
Debian's chromium through Playwright: at 390 px no text under the minimum (figure text
scaled by its zoom), every column of the year table on screen (the cumulative discounted
net benefit among them) and no sideways scrolling of the page; printed, no navigation,
buttons or forms, and no table in a scrolling box."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_helpers import chromium_path
from tests.test_report_layout import PHONE, columns_off_screen, small_text
from tests.web_server import running_server

#: an A4 page's width in CSS pixels (210 mm at 96 px per inch), as chromium prints it
A4 = 794
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("serve-print")) as url:
        yield url


def _results(page: Any, server: str) -> None:
    page.goto(server + "/")
    page.get_by_label("Monte Carlo draws").select_option("1000")
    page.get_by_role("button", name="Calculate").click()
    page.wait_for_url(server + "/calculate")


#: what must not be seen on paper: navigation, buttons, forms, the skip link
HIDDEN_IN_PRINT = "header.site nav, button, form, .skip, footer.site"

VISIBLE = """(selector) => [...document.querySelectorAll(selector)]
  .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; })
  .map(e => e.tagName + ' ' + (e.textContent || '').trim().slice(0, 30))"""


def test_results_and_a_saved_case_on_a_phone_and_in_print(server: str, tmp_path: Path) -> None:
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    found: dict[str, Any] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": PHONE, "height": 800})
            _results(page, server)
            found["small"] = small_text(page)
            found["lost"] = columns_off_screen(page, "section[aria-labelledby=by-year] table")
            found["width"] = page.evaluate("document.documentElement.scrollWidth")
            found["figure"] = page.eval_on_selector(
                "figure img.chart", "e => [e.getBoundingClientRect().width, e.naturalWidth]"
            )
            page.set_viewport_size({"width": A4, "height": 1123})
            page.emulate_media(media="print")
            found["print results"] = page.evaluate(VISIBLE, HIDDEN_IN_PRINT)
            found["print scroll"] = page.eval_on_selector_all(
                ".scroll, .figure-scroll", "els => els.map(e => getComputedStyle(e).overflowX)"
            )
            found["print table"] = columns_off_screen(
                page, "section[aria-labelledby=by-year] table"
            )
            # a saved case: its page has the owner's edit link and the delete button
            page.emulate_media(media="screen")
            page.set_viewport_size({"width": 1280, "height": 900})
            page.get_by_label("Name to save it under").fill("Print test")
            page.get_by_role("button", name="Save this business case").click()
            page.wait_for_url(re.compile(server + "/scenarios/" + UUID))
            page.set_viewport_size({"width": PHONE, "height": 800})
            found["saved small"] = small_text(page)
            found["saved lost"] = columns_off_screen(page, "section[aria-labelledby=by-year] table")
            page.set_viewport_size({"width": A4, "height": 1123})
            page.emulate_media(media="print")
            found["print saved"] = page.evaluate(
                VISIBLE, HIDDEN_IN_PRINT + ", .owner-note, .downloads"
            )
            found["print headline"] = page.locator(".headline").is_visible()
        finally:
            browser.close()
    assert found["small"] == [] and found["saved small"] == []
    assert found["lost"] == [] and found["saved lost"] == []  # every column on screen
    assert found["width"] <= PHONE
    shown, natural = found["figure"]
    assert shown >= natural * 0.99 or shown > PHONE  # kept readable, not shrunk to the phone
    assert found["print results"] == [] and found["print saved"] == []
    assert set(found["print scroll"]) == {"visible"}
    assert found["print table"] == []
    assert found["print headline"]
