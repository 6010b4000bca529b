"""The calculator's options section: ``[[options]]`` on the form, kept through the results
page and saved cases (a case saved over the API with options keeps them when its owner
re-saves it from the form), the options appraisal on the results page, and errors on a bad
option named by the option and its field."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx versions
    from fastapi.testclient import TestClient

from peervalue.web.option_form import parse_form
from tests.test_web_pages import parse as parse_page
from tests.test_web_pages import text_of
from tests.web_helpers import app_client

#: the fewest the form offers: these tests check the plumbing, not the appraisal
DRAWS = 1000

#: a case sent over the API: two options, one setting a field the form does not show
#: (costs.band) and one a figure with a range (kept as a block, not flattened)
OPTIONS: list[dict[str, Any]] = [
    {"name": "Do minimum: two posts", "staffing": {"funded_fte": 2}},
    {
        "name": "Six posts at band 3",
        "staffing": {
            "funded_fte": [3, 6],
            "caseload": {
                "value": 12,
                "unit": "patients/FTE",
                "status": "assumed",
                "range": [8, 16],
                "rationale": "smaller caseloads when the team doubles",
            },
        },
        "costs": {"band": "3"},
    },
]
DOCUMENT: dict[str, Any] = {
    "scenario": {"name": "Ward options"},
    "monte_carlo": {"draws": DRAWS},
    "options": OPTIONS,
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with app_client(tmp_path_factory.mktemp("db"), "options.db") as c:
        yield c


def parse(html: str) -> Any:
    """The page's fields, without the unticked "Remove this option" boxes (the pages'
    parser takes every input as sent)."""
    page = parse_page(html)
    page.values = {k: v for k, v in page.values.items() if not k.endswith(".remove")}
    return page


def _hidden(html: str, form_action: str) -> dict[str, str]:
    """The hidden fields of the form posting to ``form_action`` on a results page."""
    start = html.index(f'action="{form_action}"')
    block = html[start : html.index("</form>", start)]
    import html as html_module

    return {
        html_module.unescape(n): html_module.unescape(v)
        for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', block)
    }


@pytest.fixture(scope="module")
def saved(client: TestClient) -> dict[str, Any]:
    made = client.post("/api/v1/scenarios", json={"name": "Ward options", "scenario": DOCUMENT})
    assert made.status_code == 201, made.text
    body: dict[str, Any] = made.json()
    # stored as the schema writes them (empty tables and a block's unset fields included)
    assert [o["name"] for o in body["scenario"]["options"]] == [o["name"] for o in OPTIONS]
    assert body["scenario"]["options"][1]["costs"] == {"band": "3"}
    return body


def test_a_saved_cases_options_survive_the_form_and_a_resave(
    client: TestClient, saved: dict[str, Any]
) -> None:
    # the owner opens the private edit link, then the form, calculates and saves the case
    # again: its options are the ones it was saved with (the form dropped them before)
    assert client.get(saved["edit_link"], follow_redirects=False).status_code == 303
    form = client.get(f"/?scenario={saved['id']}")
    values = parse(form.text).values
    hidden = _hidden(form.text, "/calculate")
    results = client.post("/calculate", data={**values, **hidden})
    assert results.status_code == 200, text_of(results.text)
    again = _hidden(results.text, f"/scenarios/{saved['id']}")
    resaved = client.post(f"/scenarios/{saved['id']}", data=again, follow_redirects=False)
    assert resaved.status_code == 303, text_of(resaved.text)
    stored = client.get(f"/api/v1/scenarios/{saved['id']}").json()
    assert stored["revision"] == 2
    # unchanged figures come back as they were sent: the band the form does not show, the
    # caseload's range and rationale, the ramp
    assert stored["scenario"].get("options") == saved["scenario"]["options"]
    # the form showed them: the ramp as the form writes one
    assert values["option.0.name"] == "Do minimum: two posts"
    assert values["option.0.staffing.funded_fte"] == "2"
    assert values["option.1.staffing.funded_fte"] == "3; 6"
    assert values["option.1.staffing.caseload"] == "12"


def test_the_results_page_shows_the_options_appraisal(
    client: TestClient, saved: dict[str, Any]
) -> None:
    page = client.get(f"/scenarios/{saved['id']}")
    assert page.status_code == 200
    words = text_of(page.text)
    assert "Options appraisal" in words
    # business as usual, the case itself and each option, one row each, on the same draws
    run = client.post(f"/api/v1/scenarios/{saved['id']}/run").json()
    names = [o["name"] for o in run["options"]["options"]]
    assert names == ["business as usual", "Ward options", *(o["name"] for o in OPTIONS)]
    for name in names:
        assert f'<th scope="row">{name}' in page.text.replace("&#39;", "'")
    assert f"{DRAWS:,} Monte Carlo draws" in words


def test_options_typed_on_the_form_reach_the_document() -> None:
    form = parse_form(
        {
            **_defaults(),
            "options.rows": "3",
            "option.0.name": "Two posts",
            "option.0.staffing.funded_fte": "2",
            "option.0.staffing.vacancy_rate": "5",  # a percent: 0.05
            "option.1.name": "",  # a blank row is no option
            "option.2.name": "Cheaper posts",
            "option.2.costs.salary": "24,000",
            "option.2.costs.perspective": "trust-cash",
        }
    )
    assert form.errors == {}
    assert form.scenario is not None
    got = [o.model_dump() for o in form.scenario.options or []]
    assert got == [
        {"name": "Two posts", "staffing": {"funded_fte": 2, "vacancy_rate": 0.05}, "costs": {}},
        {
            "name": "Cheaper posts",
            "staffing": {},
            "costs": {"salary": 24000, "perspective": "trust-cash"},
        },
    ]
    # the rows close up: the form shows the two options and one blank row
    assert form.values["option.1.name"] == "Cheaper posts"
    assert form.values["options.rows"] == "3"


def test_a_removed_option_is_gone() -> None:
    form = parse_form(
        {
            **_defaults(),
            "options.rows": "2",
            "option.0.name": "Two posts",
            "option.0.staffing.funded_fte": "2",
            "option.0.remove": "1",
            "option.1.name": "Three posts",
            "option.1.staffing.funded_fte": "3",
        }
    )
    assert form.scenario is not None
    assert [o.name for o in form.scenario.options or []] == ["Three posts"]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        (
            {"option.0.name": "Two posts", "option.0.staffing.funded_fte": "two"},
            "option.0.staffing.funded_fte",
            "option 'Two posts'",
        ),
        (
            {"option.0.name": "Big", "option.0.staffing.vacancy_rate": "150"},
            "option.0.staffing.vacancy_rate",
            "above the highest allowed, 100",
        ),
        ({"option.0.staffing.caseload": "20"}, "option.0.name", "has no name"),
        (
            {"option.0.name": "A", "option.1.name": "A", "option.1.staffing.caseload": "20"},
            "option.1.name",
            "its own name",
        ),
        (
            {"option.0.name": "business as usual", "option.0.staffing.caseload": "20"},
            "option.0.name",
            "implicit option",
        ),
        # a check only the whole case with the option on it makes: a salary below the
        # schema's floor names the option and its field
        (
            {"option.0.name": "Low pay", "option.0.costs.salary": "4000"},
            "option.0.costs.salary",
            "below the lowest allowed",
        ),
    ],
)
def test_a_bad_option_is_named_by_its_option_and_field(
    changes: dict[str, str], field: str, words: str
) -> None:
    form = parse_form({**_defaults(), "options.rows": "2", **changes})
    assert form.scenario is None
    assert field in form.errors, form.errors
    assert words in form.errors[field]


def test_add_a_row_without_javascript(client: TestClient) -> None:
    page = client.get("/")
    values = parse(page.text).values
    assert "option.0.name" in values and "option.1.name" not in values  # one blank row
    more = client.post(
        "/edit", data={**values, **_hidden(page.text, "/calculate"), "options.add": "1"}
    )
    assert more.status_code == 200
    assert "option.1.name" in parse(more.text).values


def test_a_bad_option_on_the_page_is_shown_by_its_field(client: TestClient) -> None:
    page = client.get("/")
    values = {
        **parse(page.text).values,
        **_hidden(page.text, "/calculate"),
        "option.0.name": "Two posts",
        "option.0.staffing.caseload": "lots",
    }
    got = client.post("/calculate", data=values)
    assert got.status_code == 422
    words = text_of(got.text)
    assert "Option 1, Caseload" in words and "'lots' is not a number" in words
    assert 'id="f-option-0-staffing-caseload"' in got.text
    assert 'href="#f-option-0-staffing-caseload"' in got.text


def test_an_option_named_as_the_case_is_refused_by_its_row(client: TestClient) -> None:
    # the service's own check (before anything runs), shown by the option's name field
    page = client.get("/")
    values = {**parse(page.text).values, **_hidden(page.text, "/calculate")}
    values["option.0.name"] = values["scenario.name"]
    got = client.post("/calculate", data=values)
    assert got.status_code == 422
    assert 'href="#f-option-0-name"' in got.text
    assert "is the case&#39;s own name" in got.text


def _defaults() -> dict[str, str]:
    from peervalue.web.option_form import form_values

    values = form_values(None)
    values["monte_carlo.draws"] = str(DRAWS)
    return values
