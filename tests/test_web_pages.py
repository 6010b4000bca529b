"""The calculator pages over FastAPI's test client: the form and its defaults, a calculation
equal to the library's own run, CSRF, field errors, saving at a stable address, downloads,
the evidence pages, offline API docs, and the run-time limit (503)."""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx versions
    from fastapi.testclient import TestClient

from peervalue.report.words import scenario_headline
from peervalue.scenario.load import layered
from peervalue.scenario.schema import ScenarioFile
from peervalue.service.scenario import run_scenario
from peervalue.web.app import create_app
from peervalue.web.forms import fields
from peervalue.web.requests import WebScenarioRequest
from tests.web_helpers import app_client, template_document


class _Form(HTMLParser):
    """Every named input and select of a page (first option selected by default), the
    labels' targets, and the page's text."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.ids: dict[str, str] = {}
        self.labels: set[str] = set()
        self._select: str | None = None
        self._textarea: str | None = None
        self.scripts: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and a.get("name") and a.get("type") != "hidden":
            self.values.setdefault(a["name"], a.get("value", ""))
            self.ids[a["name"]] = a.get("id", "")
        elif tag == "input" and a.get("name") == "csrf_token":
            self.values["csrf_token"] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.values.setdefault(a["name"], "")
            self.ids[a["name"]] = a.get("id", "")
        elif tag == "select":
            self._select = a["name"]
            self.ids[a["name"]] = a.get("id", "")
        elif tag == "option" and self._select is not None:
            if self._select not in self.values or "selected" in a:
                self.values[self._select] = a.get("value", "")
        elif tag == "label":
            self.labels.add(a.get("for", ""))
        elif tag == "script":
            self.scripts.append(a.get("src", "") or "inline")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.values[self._textarea] += data
        self.text.append(data)


def parse(html: str) -> _Form:
    form = _Form()
    form.feed(html)
    return form


def text_of(html: str) -> str:
    return " ".join(" ".join(parse(html).text).split())


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with app_client(tmp_path_factory.mktemp("db"), "pages.db") as c:
        yield c


def _filled(client: TestClient, **changes: str) -> dict[str, str]:
    page = client.get("/")
    assert page.status_code == 200
    values = parse(page.text).values
    values.update(changes)
    return values


def test_the_form_has_every_field_labelled_with_its_default_and_source(
    client: TestClient,
) -> None:
    page = client.get("/")
    form = parse(page.text)
    assert set(fields()) <= set(form.values)
    for name, element_id in form.ids.items():
        if name in fields():
            assert element_id in form.labels, f"{name} has no label"
    assert form.values["staffing.caseload"] == "15"
    assert form.values["staffing.vacancy_rate"] == "10"  # a share, shown in percent
    assert form.values["costs.set"] == "england-2024-25"
    words = text_of(page.text)
    # the source beside a default: the assumed caseload's range and reason, the cost set's
    # bed-day with its citation
    assert "Default: 15 people per FTE (assumed, range 8 to 25)" in words
    assert "£719.10 per bed-day" in words and "National Cost Collection" in words
    # no inline scripts and nothing from another site
    assert form.scripts == ["/static/peervalue.js"]
    assert "http://" not in page.text.split("<body>")[0]
    assert page.cookies.get("peervalue_csrf")


def test_a_calculation_equals_the_librarys_run(client: TestClient) -> None:
    values = _filled(
        client,
        **{"staffing.funded_fte": "2; 4", "staffing.caseload": "12", "monte_carlo.draws": "1000"},
    )
    got = client.post("/calculate", data=values)
    assert got.status_code == 200
    merged, _ = layered(
        {
            "scenario": {"name": values["scenario.name"]},
            "staffing": {"funded_fte": [2.0, 4.0], "caseload": 12.0},
            "monte_carlo": {"draws": 1000},
        }
    )
    want = run_scenario(
        WebScenarioRequest.model_validate(
            {"scenario": ScenarioFile.model_validate(merged), "draws": 1000, "seed": 1}
        )
    )
    words = text_of(got.text)
    assert scenario_headline(want) in words
    assert "Caseload : 12 people per FTE (national default: 15" in words  # what the case sets
    assert 'src="data:image/svg+xml;base64,' in got.text  # the payback figure, inline
    # one row per year of the national defaults' horizon (horizon_years = 5 in
    # data/scenarios/national-defaults.toml), each labelled on the page
    assert len(want.years) == 5
    assert all(y.label in words for y in want.years)
    # the effect choices, each row headed by its choice (one section, one table)
    from peervalue.report.structural_cells import structural_cells

    rows, _ = structural_cells(want)
    section = got.text.split('<section aria-labelledby="structural">')[1].split("</section>")[0]
    assert section.count('<tr><th scope="row">') == len(rows) == 6
    assert all(f'<th scope="row">{row[0]}</th>' in section for row in rows)


def test_a_form_from_elsewhere_is_refused(client: TestClient) -> None:
    values = _filled(client)
    values["csrf_token"] = "not-the-cookie"
    refused = client.post("/calculate", data=values)
    assert refused.status_code == 403
    assert "reload the page" in text_of(refused.text)
    bare = TestClient(client.app)  # a browser with no cookie from this site
    assert bare.post("/calculate", data=_filled(client)).status_code == 403


def test_wrong_figures_come_back_with_a_message_by_each_field(client: TestClient) -> None:
    values = _filled(
        client,
        **{
            "staffing.caseload": "lots",
            "scenario.horizon_years": "80",
            "staffing.vacancy_rate": "150",
            "scenario.name": "",
        },
    )
    got = client.post("/calculate", data=values)
    assert got.status_code == 422
    words = text_of(got.text)
    assert "Error: 'lots' is not a number" in words
    assert "Error: 80 is above the highest allowed, 50" in words
    assert "Error: 150 is above the highest allowed, 100" in words
    assert "Error: this field is needed" in words
    assert 'aria-invalid="true"' in got.text and 'href="#f-staffing-caseload"' in got.text
    # what was typed is kept
    assert parse(got.text).values["staffing.caseload"] == "lots"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"evidence.source": "own"}, "evidence.saved_per_patient_year", "needs"),
        ({"staffing.funded_fte": "0; 0"}, "staffing.funded_fte", "funds no posts"),
        ({"scenario.start": "2026"}, "scenario.start", "write it as YYYY-MM-DD"),
        # a year typed short labelled the years "201-02", "202-03"...
        ({"scenario.start": "0202-04-01"}, "scenario.start", "greater than or equal to 1948"),
        ({"scenario.start": "9999-12-31"}, "scenario.start", "less than or equal to 2100"),
        ({"staffing.funded_fte": "2; x"}, "staffing.funded_fte", "'x' is not a number"),
        ({"costs.set": "../../etc/passwd"}, "costs.set", "not one of the choices"),
        # a decimal comma was read as a thousands separator: 2,5% of posts became 25%
        ({"staffing.vacancy_rate": "2,5"}, "staffing.vacancy_rate", "decimals with a point"),
        ({"costs.set_up": "1,50,000"}, "costs.set_up", "decimals with a point"),
    ],
)
def test_form_problems_land_on_their_field(
    changes: dict[str, str], field: str, message: str
) -> None:
    from peervalue.web.forms import form_values, parse_form

    values = {**form_values(), "costs.set": "england-2024-25", "evidence.source": "pooled-weighted"}
    parsed = parse_form({**values, **changes})
    assert parsed.scenario is None
    assert list(parsed.errors) == [field] and message in parsed.errors[field]


def test_an_own_estimate_counts_only_when_the_effect_is_our_own() -> None:
    """Its hint says "used only when the effect is 'our own estimate'", but a figure left in
    it after choosing the studies was refused ("'saved_per_patient_year' is used only with
    source 'own', not 'pooled-weighted'")."""
    from peervalue.web.forms import form_values, parse_form

    pooled = parse_form({**form_values(), "evidence.saved_per_patient_year": "30"})
    assert pooled.errors == {} and "saved_per_patient_year" not in pooled.overrides.get(
        "evidence", {}
    )
    own = parse_form(
        {**form_values(), "evidence.source": "own", "evidence.saved_per_patient_year": "30"}
    )
    assert own.scenario is not None and own.overrides["evidence"]["saved_per_patient_year"] == 30


def test_numbers_as_people_write_them() -> None:
    """A share may be typed with its % sign, money with £ and thousands commas."""
    from peervalue.web.forms import form_values, parse_form

    typed = {"staffing.vacancy_rate": "7.5 %", "costs.set_up": "£12,500", "costs.salary": ""}
    parsed = parse_form({**form_values(), **typed})
    assert parsed.scenario is not None, parsed.errors
    assert parsed.overrides["staffing"]["vacancy_rate"] == 0.075
    assert parsed.overrides["costs"]["set_up"] == 12_500


def test_a_price_year_the_index_lacks_is_shown_by_its_field(client: TestClient) -> None:
    got = client.post("/calculate", data=_filled(client, **{"scenario.price_year": "1990-91"}))
    assert got.status_code == 422 and got.headers["content-type"].startswith("text/html")
    assert 'href="#f-scenario-price-year"' in got.text
    assert "not covered by the NHS pay and prices index" in text_of(got.text)
    assert "field 'scenario.price_year'" not in text_of(got.text)  # beside it, not named


def test_a_seed_too_large_to_run_is_refused_by_its_field(client: TestClient) -> None:
    """A seed of 2**128 or more passed the form but not the run: a 500 on /calculate and
    /report, and a saved case whose page could never be shown."""
    huge = {"monte_carlo.seed": "1e308", "monte_carlo.draws": "1000"}
    got = client.post("/calculate", data=_filled(client, **huge))
    assert got.status_code == 422 and 'href="#f-monte-carlo-seed"' in got.text
    saved = client.post("/scenarios", data=_filled(client, **huge), follow_redirects=False)
    assert saved.status_code == 422 and "monte_carlo.seed" in text_of(saved.text)
    report = client.post("/report", data=_filled(client, format="html", **huge))
    assert report.status_code == 422 and report.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("method", "path", "status", "words"),
    [
        ("GET", "/calculate", 405, "start again from the business case"),
        ("GET", "/report", 405, "start again from the business case"),
        ("GET", "/no-such-page", 404, "No page has that address"),
        ("GET", "/evidence/a/b", 404, "No page has that address"),
    ],
)
def test_a_page_address_answers_errors_with_a_page(
    client: TestClient, method: str, path: str, status: int, words: str
) -> None:
    """A reload of a results page (GET /calculate) or a mistyped address shows a page with a
    way back, not a JSON document; the API's errors stay problem documents."""
    got = client.request(method, path)
    assert got.status_code == status
    assert got.headers["content-type"] == "text/html; charset=utf-8"
    assert words in text_of(got.text) and 'href="/"' in got.text
    if status == 405:
        assert got.headers["allow"] == "POST"
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"


def test_defaults_are_written_in_the_forms_units() -> None:
    """Money as £1,500 (not "1500 £"), shares as 10%, a choice by its text (not its code),
    the FTE unit once, and no parentheses within parentheses."""
    from peervalue.web.forms import default_of

    def shown(name: str) -> str:
        d = default_of(name, "england-2024-25")
        assert d is not None
        return f"{d.text} ({d.status})"

    assert shown("costs.recruitment_per_post").startswith(
        "£1,500 per post filled (assumed, range £500 to £3,000)"
    )
    assert shown("staffing.vacancy_rate") == "10% (assumed, range 0% to 20%)"
    assert shown("monte_carlo.draws") == "10,000 (national default)"
    assert shown("evidence.source").startswith("The synthesis: a new service's relative effect")
    assert shown("costs.set").startswith("England 2024-25 (")  # its title, not its file name
    assert shown("costs.cost_per_bed_day") == "£719.10 per bed-day (from the cost set, reported)"
    assert fields()["staffing.funded_fte"].label == "Funded peer support posts, year by year"


def test_what_a_case_sets_is_in_the_forms_words(client: TestClient) -> None:
    """The changed figures by their labels and in the form's units (5%, not "0.05
    proportion"); the case's name is not a figure, so a case that changes only its name
    sets nothing."""

    def changed(**changes: str) -> str:
        got = client.post("/calculate", data=_filled(client, **changes))
        assert got.status_code == 200
        section = got.text.split('id="changed"')[1].split("</section>")[0]
        return text_of(section)

    words = changed(**{"staffing.vacancy_rate": "5", "costs.salary": "30000"})
    assert "Vacancy rate : 5% (national default: 10%)" in words
    assert "Your peer support worker salary : £30,000 a year (national default: £27,822" in words
    assert "staffing." not in words and "proportion" not in words and "name" not in words
    assert "Nothing: every figure is the national default" in changed()
    # a choice left blank by default reads as its blank option, a blank date as 'not set'
    words = changed(**{"evidence.set": "uk-only", "scenario.start": "2026-04-01"})
    assert "Evidence : UK studies only (national default: The six studies of" in words
    assert "Start date : 2026-04-01 (national default: not set)" in words


def test_the_cash_releasing_share_shows_in_the_year_table(client: TestClient) -> None:
    """The share changes no net present value (it splits the benefit), so the page showed
    no change at all when it was set; the year table gives the cash-releasing part."""
    # year 1 at the national defaults: 0.9 filled FTE x 15 patients x 18.165 bed-days saved
    # per patient-year (the synthesis's ratio 0.6307 on 49.185 bed-days) x £719.10 = £176,346
    # before the effect lag (issue 19): the new posts' first 3 months count as without
    # effect, so 176,346 x (1 - 3/12) = £132,259 (from the unrounded 176,345.9)
    for share, first_year in (("0", "£0"), ("100", "£132,259")):
        values = _filled(
            client, **{"benefits.cash_releasing_share": share, "monte_carlo.draws": "1000"}
        )
        got = client.post("/calculate", data=values)
        assert "Of which cash-releasing" in got.text
        row = text_of(got.text.split('<th scope="row">year 1</th>')[1].split("</tr>")[0])
        assert row.split()[3] == first_year, row


def test_payback_names_its_financial_year_when_the_case_has_a_start(
    client: TestClient,
) -> None:
    """The year table is labelled 2025-26...; "Payback: year 1" alone left the reader to
    count rows."""
    # payback is said only of cash (issue 19): all the benefit cash-releasing, year 1's
    # cash (83,366) exceeds its cost (71,830)
    cash = {"benefits.cash_releasing_share": "100", "monte_carlo.draws": "1000"}
    values = _filled(client, **{"scenario.start": "2025-04-01", **cash})
    words = text_of(client.post("/calculate", data=values).text)
    assert "Cash payback year 1 (2025-26)" in words
    assert "Cash payback year 1 Break-even" in text_of(
        client.post("/calculate", data=_filled(client, **cash)).text
    )
    # at the default 20% the cash never covers the cost
    default = text_of(
        client.post("/calculate", data=_filled(client, **{"monte_carlo.draws": "1000"})).text
    )
    assert "Cash payback not within 5 years" in default


def test_a_case_that_saves_nothing_has_no_break_even_caseload(client: TestClient) -> None:
    """With every benefit taken off for optimism, no caseload breaks even: the page said
    "nan people per FTE"."""
    values = _filled(client, **{"benefits.optimism_bias": "100", "monte_carlo.draws": "1000"})
    words = text_of(client.post("/calculate", data=values).text)
    assert "Break-even caseload none: no caseload covers the costs" in words
    assert "nan" not in words.lower().split()


def test_every_subgroup_the_form_offers_can_be_pooled(client: TestClient) -> None:
    """No bundled study has peers replacing staff, so that choice was always refused."""
    offered = [value for value, _ in fields()["evidence.subgroup"].options]
    assert "peer_role=substitution" not in offered
    for value in offered:
        values = _filled(client, **{"evidence.subgroup": value, "monte_carlo.draws": "1000"})
        assert client.post("/calculate", data=values).status_code == 200, value


def test_a_saved_case_over_the_webs_draw_cap_is_refused_on_its_page(
    client: TestClient,
) -> None:
    """A scenario file may ask for 200,000 draws; the web runs at most 50,000. A case saved
    over the API with more was a 500 on its page; it is a page that says why."""
    document = template_document()
    document["monte_carlo"]["draws"] = 200_000
    made = client.post("/api/v1/scenarios", json={"name": "big", "scenario": document})
    assert made.status_code == 201
    got = client.get(f"/scenarios/{made.json()['id']}")
    assert got.status_code == 422 and got.headers["content-type"].startswith("text/html")
    assert "the web runs at most 50,000 draws" in text_of(got.text)


def test_save_gives_a_stable_address_with_downloads(client: TestClient) -> None:
    values = _filled(client, **{"monte_carlo.draws": "1000", "staffing.caseload": "20"})
    made = client.post(
        "/scenarios", data={**values, "save_name": "Ward <A>"}, follow_redirects=False
    )
    assert made.status_code == 303
    url = made.headers["location"]
    assert re.fullmatch(r"/scenarios/[0-9a-f-]{36}", url)
    first, again = client.get(url), client.get(url)
    assert first.status_code == 200
    assert "Ward &lt;A&gt;" in first.text and "<A>" not in first.text
    headline = re.search(r'class="headline">([^<]+)', first.text)
    assert headline and headline.group(1) in again.text  # the same answer on every visit
    # unlisted: the list of saved cases is this browser's own
    listed = client.get("/scenarios")
    assert url in listed.text and "Ward &lt;A&gt;" in listed.text
    book = client.get(f"/api/v1{url}/report", params={"format": "xlsx", "draws": 500})
    assert book.status_code == 200
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(book.content))
    assert wb.sheetnames == [
        "Contents",
        "Inputs",
        "Studies",
        "Pooled",
        "Costs",
        "Business case",
        "Scenario years",
        "Monte Carlo",
    ]
    assert "result_npv" in wb.defined_names  # the live business case
    rows = [[c for c in row if c is not None] for row in wb["Inputs"].iter_rows(values_only=True)]
    assert any("staffing.caseload" in str(r) and 20 in r for r in rows), rows
    # the edit link fills the form with the saved figures
    edit = parse(client.get(f"/?scenario={url.rsplit('/', 1)[1]}").text).values
    assert edit["staffing.caseload"] == "20"
    assert client.get("/scenarios/" + "0" * 8 + "-0000-4000-8000-" + "0" * 12).status_code == 404
    assert client.get("/scenarios/42").status_code == 404


def test_a_name_with_a_control_character_is_not_saved(client: TestClient) -> None:
    """PostgreSQL's text cannot hold a NUL byte: saving one was a 500 there."""
    for name in ("Ward\x00 7", "Ward\n7"):
        values = _filled(client, save_name=name, **{"monte_carlo.draws": "1000"})
        got = client.post("/scenarios", data=values, follow_redirects=False)
        assert got.status_code == 422 and "Not saved: the name holds a control character" in (
            text_of(got.text)
        )


def test_saving_needs_the_token_when_the_server_sets_one(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERVALUE_API_TOKEN", "s3cret")
    values = _filled(client, **{"monte_carlo.draws": "1000"})
    refused = client.post("/scenarios", data={**values, "access_token": "nope"})
    assert refused.status_code == 401
    # the results again with the problem by the save form: the browser's Back cannot show a
    # POST's page again, so a page of its own lost the figures
    words = text_of(refused.text)
    assert "Not saved: the access token is missing or wrong" in words
    assert "net present value" in words and 'name="access_token"' in refused.text
    ok = client.post(
        "/scenarios", data={**values, "access_token": "s3cret"}, follow_redirects=False
    )
    assert ok.status_code == 303


def test_an_unsaved_case_downloads_as_a_report(client: TestClient) -> None:
    values = _filled(client, **{"monte_carlo.draws": "1000"})
    html = client.post("/report", data={**values, "format": "html"})
    assert html.status_code == 200
    assert html.headers["content-disposition"] == 'attachment; filename="business-case.html"'
    assert "Business case" in html.text or "business case" in html.text
    assert client.post("/report", data={**values, "format": "exe"}).status_code == 422


def test_evidence_pages_show_every_figures_source(client: TestClient) -> None:
    listed = client.get("/evidence")
    assert listed.status_code == 200
    assert "/evidence/sledge2011" in listed.text
    study = text_of(client.get("/evidence/sledge2011").text)
    assert "Sledge" in study and "reported" in study and "assumed" in study
    assert client.get("/evidence/nobody").status_code == 404


def test_the_evidence_page_shows_a_set_with_quality_and_why_not_pooled(
    client: TestClient,
) -> None:
    default = text_of(client.get("/evidence").text)
    assert "The six studies of Trachtenberg et al. 2013" in default and "Gillard" not in default
    page = client.get("/evidence", params={"set": "all-2026"})
    words = text_of(page.text)
    assert "11 studies pooled, 6 recorded but not pooled" in words
    assert "Gillard et al. 2022" in words and "no: " in words
    assert client.get("/evidence", params={"set": "../x"}).status_code == 404
    enrich = text_of(client.get("/evidence/enrich2022").text)
    assert "Gillard" in enrich


def test_a_case_on_another_evidence_set_equals_the_librarys(client: TestClient) -> None:
    values = _filled(client, **{"evidence.set": "all-2026", "monte_carlo.draws": "1000"})
    got = client.post("/calculate", data=values)
    assert got.status_code == 200
    merged, _ = layered(
        {
            "scenario": {"name": values["scenario.name"]},
            "evidence": {"set": "all-2026"},
            "monte_carlo": {"draws": 1000},
        }
    )
    want = run_scenario(
        WebScenarioRequest.model_validate(
            {"scenario": ScenarioFile.model_validate(merged), "draws": 1000, "seed": 1}
        )
    )
    assert want.effect.evidence.startswith("evidence set all-2026")
    assert scenario_headline(want) in text_of(got.text)


def test_api_docs_are_served_from_the_package(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    scripts = parse(docs.text).scripts
    assert scripts == ["/static/swagger/swagger-ui-bundle.js", "/static/api-docs.js"]
    for src in scripts:
        asset = client.get(src)
        assert asset.status_code == 200 and len(asset.content) > 100
    assert client.get("/static/swagger/swagger-ui.css").status_code == 200
    assert client.get("/static/../app.py").status_code == 404


def test_reports_over_the_api(client: TestClient) -> None:
    pdf = client.post("/api/v1/reports", params={"format": "pdf"}, json={"draws": 500})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    bad = client.post("/api/v1/reports", params={"format": "doc"}, json={})
    assert bad.status_code == 422
    big = client.post("/api/v1/reports", json={"draws": 10**6})
    assert big.status_code == 422 and "/draws" in big.text


def test_a_run_over_the_time_limit_is_a_503_not_a_hung_worker(tmp_path: Path) -> None:
    app = create_app(
        f"sqlite:///{tmp_path / 'slow.db'}",
        run_timeout=0.05,
        concurrent_runs=1,
        allowed_hosts=["testserver"],
    )
    with TestClient(app) as slow:
        got = slow.post("/api/v1/psa", json={"draws": 200_000})
        assert got.status_code == 503
        assert got.headers["retry-after"] == "1"
        assert got.headers["content-type"] == "application/problem+json"
        assert "fewer draws" in got.json()["detail"]
        # the server still answers while the abandoned run finishes in its thread
        assert slow.get("/api/v1/evidence").status_code == 200
