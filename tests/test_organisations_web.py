"""Who pays and who gains on the calculator's results page and over the JSON API (issue 19
item 3): the form's organisation fields reach the run, the page shows the split."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx versions
    from fastapi.testclient import TestClient

from tests.test_organisations import CASE
from tests.test_web_pages import _filled, text_of
from tests.web_helpers import app_client


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with app_client(tmp_path_factory.mktemp("db"), "org.db") as c:
        yield c


def test_the_form_sets_who_pays_and_the_page_shows_it(client: TestClient) -> None:
    values = _filled(
        client,
        **{
            "organisations.icb": "Anytown ICB",
            "organisations.set_up": "icb",
            "costs.set_up": "12000",
            "monte_carlo.draws": "1000",
        },
    )
    got = client.post("/calculate", data=values)
    assert got.status_code == 200, got.text
    section = got.text.split('id="who-pays"')[1].split("</section>")[0]
    rows = text_of(section)
    # the ICB pays the set-up alone, in year 1 (undiscounted), with the national defaults'
    # 10% optimism uplift on costs: 12,000 x 1.1 = £13,200, economic and cash alike
    assert "Anytown ICB set-up cost £0 £0 £13,200 -£13,200 -£13,200" in rows, rows
    assert "year 1 " in rows and "-£13,200 -£13,200 year 2" in rows, rows
    assert "The trust" in rows
    # how sure: the ICB only pays, so in no draw is its net present value above zero
    sure = section.split("<caption>How sure each organisation")[1].split("</table>")[0]
    icb = text_of(sure.split("Anytown ICB")[1].split("</tr>")[0])
    assert icb.startswith("-£13,200 ") and icb.count(" 0%") == 2, icb


def test_the_api_answers_with_the_split(client: TestClient, tmp_path: Path) -> None:
    import tomllib

    document = tomllib.loads(CASE)
    got = client.post("/api/v1/scenarios/run", json={"scenario": document, "draws": 50})
    assert got.status_code == 200, got.text
    by = {o["organisation"]: o for o in got.json()["by_organisation"]["organisations"]}
    # the hand-worked case of tests/test_organisations.py: the ICB pays the 5,000 set-up
    assert by["icb"]["net_present_value"] == pytest.approx(-5000.0)
    assert by["local_authority"]["name"] == "Anytown Council"
    assert by["trust"]["net_present_value"] == pytest.approx(19000 + 20000 / 1.1)


def test_an_unknown_organisation_is_a_problem_document(client: TestClient) -> None:
    import tomllib

    document = tomllib.loads(CASE)
    document["organisations"]["bed_days"] = "council"
    got = client.post("/api/v1/scenarios/run", json={"scenario": document, "draws": 50})
    assert got.status_code == 422, got.text
    detail = got.json()["detail"]
    assert "organisations/bed_days" in detail and "'council'" in detail, detail
    assert "trust, icb, local_authority, other" in detail


def test_an_over_long_name_comes_back_by_its_field(client: TestClient) -> None:
    values = _filled(client, **{"organisations.trust": "x" * 101, "monte_carlo.draws": "1000"})
    got = client.post("/calculate", data=values)
    assert got.status_code == 422, got.text[:300]
    error = got.text.split('id="f-organisations-trust-error"')[1].split("</p>")[0]
    assert "the name is 101 characters long; expected 1 to 100 characters" in error
