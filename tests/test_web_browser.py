"""The calculator end to end in a real browser: ``peervalue serve`` on loopback, driven by
Playwright in Debian's chromium. Fill in the form, see the headline and the figure, save,
reload the saved address, download the workbook; the same without JavaScript; axe-core
(from the npm registry, ``tests/browser``) finds no serious or critical accessibility
problem on any page; nothing is fetched from another host."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_helpers import launched
from tests.web_server import running_server

AXE = Path(__file__).parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``peervalue serve`` on a free loopback port (tests/web_server.py)."""
    with running_server(tmp_path_factory.mktemp("serve")) as url:
        yield url


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One chromium for the module (:func:`browser` gives it to each test)."""
    with launched() as browser:
        yield browser


@pytest.fixture
def browser(chromium: Any) -> Iterator[Any]:
    """The module's chromium; the contexts (cookies, pages) a test opens are closed after it."""
    before = len(chromium.contexts)
    yield chromium
    for context in chromium.contexts[before:]:
        context.close()


def _axe_problems(page: Any) -> list[str]:
    """Serious and critical axe-core violations on the page (axe is evaluated through the
    DevTools protocol, which the page's Content-Security-Policy does not govern)."""
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail("CI must install axe-core (npm ci --prefix tests/browser, in .ci/run)")
        pytest.skip("axe-core not installed (npm ci --prefix tests/browser)")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _watch(page: Any, host: str, errors: list[str], elsewhere: list[str]) -> None:
    """Collect script errors, failed loads (but the 422 of a refused form, which is meant)
    and any request to another host."""
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda m: (
            errors.append(m.text) if m.type == "error" and "status of 422" not in m.text else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}") if r.status >= 400 and r.status != 422 else None
        ),
    )

    def request(r: Any) -> None:
        if not r.url.startswith((host, "data:")):
            elsewhere.append(r.url)

    page.on("request", request)


def test_fill_in_save_reload_and_download(server: str, browser: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    errors: list[str] = []
    elsewhere: list[str] = []
    problems: dict[str, list[str]] = {}
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    _watch(page, server, errors, elsewhere)
    page.goto(server + "/")
    problems["form"] = _axe_problems(page)

    page.get_by_label("Name of the business case").fill("Ward 7 <peer> pilot")
    # the case's own fields, in their sections (the options' rows have the same labels)
    staffing = page.get_by_role("group", name="Staffing", exact=True)
    staffing.get_by_label("Funded peer support posts, year by year").fill("2; 4")
    staffing.get_by_label("Caseload").fill("18")
    page.get_by_label("Monte Carlo draws").select_option("1000")
    # keyboard: Enter in a text field sends the form
    staffing.get_by_label("Caseload").press("Enter")
    page.wait_for_url(server + "/calculate")

    headline = page.locator(".headline")
    expect(headline).to_contain_text("Over 5 years, the bed-days saved are worth")
    figure = page.locator("figure img.chart")
    expect(figure).to_be_visible()
    assert page.evaluate("document.querySelector('figure img').naturalWidth") > 200
    assert "18" in page.locator("section", has_text="What this case sets").inner_text()
    problems["results"] = _axe_problems(page)
    answer = headline.inner_text()

    page.get_by_label("Name to save it under").fill("Ward 7 pilot")
    page.get_by_role("button", name="Save this business case").click()
    page.wait_for_url(re.compile(server + "/scenarios/" + UUID))
    saved_url = page.url
    expect(page.locator("h1")).to_have_text("Ward 7 pilot")

    page.reload()
    assert page.url == saved_url
    expect(page.locator(".headline")).to_have_text(answer)
    # this browser saved it: it owns the case and is shown its private edit link
    expect(page.locator(".owner-note")).to_contain_text("Private edit link")
    expect(page.get_by_role("button", name="Delete this case and its history")).to_be_visible()
    problems["saved"] = _axe_problems(page)

    with page.expect_download() as waiting:
        page.get_by_role("link", name="Download the Excel workbook (.xlsx)").click()
    download = waiting.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)

    # saved cases are unlisted: "Saved cases" lists the ones this browser owns
    page.goto(server + "/scenarios")
    expect(page.locator("table")).to_contain_text("Ward 7 pilot")

    page.goto(server + "/evidence")
    problems["evidence"] = _axe_problems(page)
    page.get_by_role("link", name=re.compile("Sledge")).click()
    expect(page.locator("h1")).to_contain_text("Sledge")
    problems["study"] = _axe_problems(page)

    page.goto(server + "/")
    staffing.get_by_label("Caseload").fill("many")
    page.get_by_role("button", name="Calculate").click()
    expect(page.locator(".error-summary")).to_contain_text("'many' is not a number")
    assert page.evaluate("document.activeElement.id") == "errors"  # focus moved
    problems["errors"] = _axe_problems(page)

    page.goto(server + "/docs")
    expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/scenarios/run")

    assert {k: v for k, v in problems.items() if v} == {}
    assert errors == []
    assert elsewhere == []
    assert target.suffix == ".xlsx"
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(target.read_bytes()))
    assert "Scenario years" in book.sheetnames


def test_the_calculator_works_without_javascript(server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(server + "/")
    page.get_by_label("Monte Carlo draws").select_option("1000")
    staffing = page.get_by_role("group", name="Staffing", exact=True)
    staffing.get_by_label("Vacancy rate").fill("5")
    # an option, and a row for another added without a script
    first = page.get_by_role("group", name="Option 1", exact=True)
    first.get_by_label("Name of option 1").fill("Two posts")
    first.get_by_label("Funded peer support posts, year by year").fill("2")
    page.get_by_role("button", name="Add a row for another option").click()
    second = page.get_by_role("group", name="Option 2", exact=True)
    second.get_by_label("Name of option 2").fill("Lower vacancy")
    second.get_by_label("Vacancy rate").fill("2")
    page.get_by_role("button", name="Calculate").click()
    expect(page.locator(".headline")).to_contain_text("net present value")
    table = page.get_by_role("table", name=re.compile("^Each option beside business"))
    expect(table).to_contain_text("Two posts")
    expect(table).to_contain_text("Lower vacancy")
    page.get_by_role("button", name="Change the figures").click()
    staffing = page.get_by_role("group", name="Staffing", exact=True)
    expect(staffing.get_by_label("Vacancy rate")).to_have_value("5")
    second = page.get_by_role("group", name="Option 2: Lower vacancy", exact=True)
    expect(second.get_by_label("Vacancy rate")).to_have_value("2")


def test_no_sideways_scrolling_at_phone_width(server: str, browser: Any) -> None:
    """At 390 px (a phone) neither the form nor the results scroll sideways (the year table
    scrolls inside its own box)."""

    widths: dict[str, int] = {}
    page = browser.new_page(viewport={"width": 390, "height": 800})
    for path in ("/", "/evidence", "/scenarios"):
        page.goto(server + path)
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
    page.goto(server + "/")
    page.get_by_label("Monte Carlo draws").select_option("1000")
    page.get_by_role("button", name="Calculate").click()
    page.wait_for_url(server + "/calculate")
    widths["/calculate"] = page.evaluate("document.documentElement.scrollWidth")
    assert widths == dict.fromkeys(widths, 390)


def _contrast(rgb: str, background: tuple[int, int, int] = (255, 255, 255)) -> float:
    """The WCAG contrast ratio of a CSS ``rgb(r, g, b)`` colour against ``background``."""

    def luminance(channels: tuple[int, ...]) -> float:
        linear = [c / 255 for c in channels]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in linear]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    colour = tuple(int(c) for c in re.findall(r"\d+", rgb)[:3])
    high, low = sorted((luminance(colour), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_keyboard_focus_is_visible(server: str, browser: Any) -> None:
    """Tab from the top reaches the skip link, the menu and then the form's first field; each
    shows a focus ring of at least 3:1 against the white page (WCAG 1.4.11)."""

    rings: dict[str, tuple[str, str]] = {}
    page = browser.new_page()
    page.goto(server + "/")
    for _ in range(7):
        page.keyboard.press("Tab")
        rings[page.evaluate("document.activeElement.id || document.activeElement.text")] = (
            page.evaluate("getComputedStyle(document.activeElement).outlineStyle"),
            page.evaluate("getComputedStyle(document.activeElement).outlineColor"),
        )
    order = list(rings)
    assert order[0] == "Skip to the content" and order[-1] == "f-scenario-name"
    for name, (style, colour) in rings.items():
        assert style == "solid" and _contrast(colour) >= 3, (name, style, colour)
