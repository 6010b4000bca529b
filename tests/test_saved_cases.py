"""Saved cases: their document formats and upgrades, owners, revisions without lost writes,
one answer per case on every route, and names that show what they hold."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from peervalue.errors import InputError
from peervalue.scenario.documents import (
    FORMAT_VERSION,
    load_document,
    overrides_of,
    stored,
    upgrade,
)
from peervalue.scenario.load import national_defaults

FIXTURES = Path(__file__).parent / "data" / "saved-cases"
#: every past format's fixture, with its format version
PAST = {
    "format-1.json": 1,
    "format-1-before-supervision.json": 1,
    "format-2.json": 2,
    "format-3.json": 3,
    "format-4.json": 4,
}


def _fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


@pytest.fixture()
def client(tmp_path: Path) -> Iterator[TestClient]:
    from peervalue.web.app import create_app

    with TestClient(
        create_app(f"sqlite:///{tmp_path / 'cases.db'}", allowed_hosts=["testserver"])
    ) as c:
        yield c


# --- documents and their formats ---------------------------------------------------------


def test_every_past_format_is_covered_by_a_fixture() -> None:
    assert set(PAST.values()) == set(range(1, FORMAT_VERSION + 1))


@pytest.mark.parametrize("name", sorted(PAST))
def test_a_fixture_of_each_format_loads_to_the_same_case(name: str) -> None:
    loaded = load_document(_fixture(name), PAST[name], name).scenario
    assert loaded.staffing.funded_fte == [2, 4, 4, 4, 4]
    assert (loaded.monte_carlo.draws, loaded.monte_carlo.seed) == (2000, 7)
    assert loaded.scenario.price_year == "2024-25"
    # the field added after the oldest fixture takes today's national default
    assert loaded.costs.supervision_per_year == national_defaults().costs.supervision_per_year


def test_format_1_becomes_the_case_own_figures() -> None:
    # the template differs from the national defaults in its name, organisation, start and
    # posts; the fixture adds draws and seed: those, and the price year (always kept), remain;
    # and what it meant by the defaults of its day that are no longer today's (the 2013
    # weighted mean, no effect lag, no uplift on costs, one discount rate) is kept too
    got = upgrade(_fixture("format-1.json"), 1, "format-1.json")
    assert got == _fixture("format-3.json")
    assert set(got) == {"scenario", "monte_carlo", "staffing", "evidence", "costs"}
    assert set(got["scenario"]) == {
        "name",
        "organisation",
        "price_year",
        "start",
        "discount_schedule",
    }
    assert got["evidence"] == {"source": "pooled-weighted"}
    assert got["staffing"]["effect_lag_months"] == 0.0 and got["costs"] == {"optimism_bias": 0.0}
    assert got["scenario"]["discount_schedule"] == "constant"


def test_a_format_2_case_without_a_source_keeps_the_effect_it_had() -> None:
    # format 2's default effect was the 2013 weighted mean; the upgrade says so, so the case
    # runs as it did; a case that chose its source keeps its choice
    assert upgrade(_fixture("format-2.json"), 2, "f2") == _fixture("format-3.json")
    chose = {**_fixture("format-2.json"), "evidence": {"source": "pooled-sums"}}
    assert upgrade(chose, 2, "f2")["evidence"] == {"source": "pooled-sums"}
    assert load_document(_fixture("format-2.json"), 2).scenario.evidence.source == (
        "pooled-weighted"
    )
    # the same figures sent as the current format take today's default
    assert load_document(_fixture("format-2.json")).scenario.evidence.source == "predictive"


def test_a_figure_that_differs_from_today_default_is_kept_as_the_case_own() -> None:
    old = _fixture("format-1.json")
    old["staffing"]["caseload"]["value"] = 12.0  # that day's default, not today's (15)
    got = upgrade(old, 1, "old")
    assert got["staffing"]["caseload"]["value"] == 12.0
    assert load_document(old, 1).scenario.staffing.caseload.value == 12.0


def test_the_own_figures_of_any_case_layer_back_into_it() -> None:
    case = load_document(_fixture("format-1.json"), 1).scenario
    changed = case.model_copy(
        update={
            "benefits": case.benefits.model_copy(
                update={"optimism_bias": case.benefits.cash_releasing_share}
            )
        }
    )
    for scenario in (case, changed, national_defaults()):
        again = load_document(overrides_of(scenario)).scenario
        assert again.model_dump(mode="json") == scenario.model_dump(mode="json")
    # the defaults themselves keep only what is always kept
    assert overrides_of(national_defaults()) == {
        "scenario": {
            "name": national_defaults().scenario.name,
            "price_year": national_defaults().scenario.price_year,
        }
    }


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        (FORMAT_VERSION + 1, "written by a newer peervalue"),
        (0, "a whole number from 1 to"),
        ("2", "a whole number from 1 to"),
    ],
)
def test_a_format_this_release_cannot_read_is_named(version: Any, expected: str) -> None:
    with pytest.raises(InputError) as caught:
        load_document({}, version, "saved case x")
    assert "saved case x" in caught.value.message() and expected in caught.value.message()


def test_a_bad_stored_figure_is_an_input_error_naming_the_field() -> None:
    bad = _fixture("format-2.json")
    bad["staffing"]["caseload"] = -3
    with pytest.raises(InputError) as caught:
        load_document(bad, 2, "saved case y")
    assert "staffing.caseload" in caught.value.message()


def test_a_scenario_file_may_state_its_format(tmp_path: Path) -> None:
    from peervalue.scenario.load import load_scenario

    path = tmp_path / "case.toml"
    path.write_text("format_version = 2\n[staffing]\ncaseload = 12\n", encoding="utf-8")
    assert load_scenario(path).scenario.staffing.caseload.value == 12
    path.write_text("format_version = 9\n[staffing]\ncaseload = 12\n", encoding="utf-8")
    with pytest.raises(InputError, match="written by a newer peervalue"):
        load_scenario(path)


# --- the database: old rows, the migration, every route ----------------------------------


def _legacy_database(url: str, document: dict[str, Any]) -> str:
    """A database at the schema before formats (Alembic revision 0001) holding one case."""
    import datetime as dt

    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from peervalue.web.storage import make_engine

    engine = make_engine(url)
    config = Config()
    config.set_main_option(
        "script_location", str(Path(__file__).parents[1] / "src/peervalue/web/migrations")
    )
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        connection.execute(
            text(
                "INSERT INTO scenarios (id, name, document, created, updated, revision) "
                "VALUES (:id, :name, :doc, :now, :now, 3)"
            ),
            {"id": CASE_ID, "name": "Old case", "doc": json.dumps(document), "now": now},
        )
    engine.dispose()
    return CASE_ID


CASE_ID = "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b"


@pytest.mark.parametrize("name", ["format-1.json", "format-1-before-supervision.json"])
def test_a_case_saved_before_formats_opens_runs_and_reports_after_the_upgrade(
    tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from peervalue.web.app import create_app

    url = f"sqlite:///{tmp_path / 'old.db'}"
    case = _legacy_database(url, _fixture(name))
    with TestClient(create_app(url, allowed_hosts=["testserver"])) as client:  # migrates
        read = client.get(f"/api/v1/scenarios/{case}")
        assert read.status_code == 200, read.text
        body = read.json()
        assert (body["format_version"], body["revision"]) == (1, 3)
        assert body["written_by"] == "before format versions" and body["problems"] == []
        assert body["resolved"]["costs"]["supervision_per_year"]["value"] == 3000
        # its history holds its current revision
        assert [
            r["revision"] for r in client.get(f"/api/v1/scenarios/{case}/revisions").json()
        ] == [3]
        page = client.get(f"/scenarios/{case}")
        assert page.status_code == 200 and "Old case" in page.text
        run = client.post(f"/api/v1/scenarios/{case}/run")
        assert run.status_code == 200, run.text
        # its own draws and seed, as the page and the report use
        assert (run.json()["uncertainty"]["draws"], run.json()["uncertainty"]["seed"]) == (2000, 7)
        report = client.get(f"/api/v1/scenarios/{case}/report", params={"format": "html"})
        assert report.status_code == 200 and report.headers["x-peervalue-seed"] == "7"
        # it has no owner key: only the admin token may change it
        put = client.put(
            f"/api/v1/scenarios/{case}",
            json={"name": "New", "scenario": {}},
            headers={"Authorization": "Bearer guess", "If-Match": read.headers["etag"]},
        )
        assert put.status_code == 403
        monkeypatch.setenv("PEERVALUE_API_TOKEN", "adm1n")
        put = client.put(
            f"/api/v1/scenarios/{case}",
            json={"name": "New", "scenario": body["scenario"], "format_version": 1},
            headers={"Authorization": "Bearer adm1n", "If-Match": read.headers["etag"]},
        )
        assert put.status_code == 200, put.text
        # saved again in today's format: its own figures only (the upgrade's, each figure as
        # the stored form writes it: a bare 0 as its quantity at today's unit)
        assert put.json()["format_version"] == FORMAT_VERSION and put.json()["revision"] == 4
        assert put.json()["scenario"] == stored(_fixture("format-3.json"))
        assert put.json()["scenario"]["staffing"]["effect_lag_months"]["value"] == 0.0


def test_a_stored_document_that_cannot_be_read_is_a_clear_answer_never_a_500(
    client: TestClient,
) -> None:
    store = client.app.state.store  # type: ignore[attr-defined]
    bad = _fixture("format-2.json")
    bad["staffing"]["caseload"] = "many"
    saved, _ = store.create("Broken", bad, 2)
    page = client.get(f"/scenarios/{saved.id}")
    assert page.status_code == 422 and "staffing.caseload" in page.text
    assert page.headers["content-type"].startswith("text/html")
    run = client.post(f"/api/v1/scenarios/{saved.id}/run")
    assert run.status_code == 422 and run.headers["content-type"] == "application/problem+json"
    report = client.get(f"/api/v1/scenarios/{saved.id}/report")
    assert report.status_code == 422
    read = client.get(f"/api/v1/scenarios/{saved.id}").json()
    assert read["resolved"] is None and "staffing.caseload" in read["problems"][0]
    future, _ = store.create("From the future", {}, FORMAT_VERSION + 1)
    assert "newer peervalue" in client.get(f"/scenarios/{future.id}").text


def test_every_route_runs_a_saved_case_at_its_own_draws_and_seed(client: TestClient) -> None:
    document = _fixture("format-2.json")  # 2,000 draws, seed 7
    made = client.post("/api/v1/scenarios", json={"name": "Seeded", "scenario": document}).json()
    url = f"/api/v1/scenarios/{made['id']}"
    run = client.post(f"{url}/run")
    assert (run.headers["x-peervalue-draws"], run.headers["x-peervalue-seed"]) == ("2000", "7")
    direct = client.post("/api/v1/scenarios/run", json={"scenario": made["resolved"]}).json()
    assert run.json()["totals"] == direct["totals"]
    assert run.json()["uncertainty"] == direct["uncertainty"]
    # the request may ask for others, and is told which it got
    other = client.post(f"{url}/run", params={"seed": 8, "draws": 300})
    assert other.json()["uncertainty"]["seed"] == 8 and other.headers["x-peervalue-draws"] == "300"
    # the saved page shows the same answer, and its download links carry no seed of their own
    page = client.get(f"/scenarios/{made['id']}")
    assert "2,000 Monte Carlo draws (seed 7)" in page.text
    assert f'href="/api/v1/scenarios/{made["id"]}/report?format=xlsx"' in page.text
    report = client.get(f"{url}/report", params={"format": "xlsx"})
    assert (report.headers["x-peervalue-draws"], report.headers["x-peervalue-seed"]) == (
        "2000",
        "7",
    )


# --- owners on the pages ------------------------------------------------------------------


def _csrf(client: TestClient) -> str:
    import re

    html = client.get("/").text
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _form(client: TestClient) -> dict[str, str]:
    import re

    from peervalue.web.forms import form_values

    values = form_values(None)
    values["csrf_token"] = _csrf(client)
    assert re.fullmatch(r"[\w-]+", values["csrf_token"])
    return values


def test_the_browser_that_saves_a_case_owns_it_and_a_stranger_only_views_it(
    client: TestClient, tmp_path: Path
) -> None:

    form = _form(client)
    saved = client.post("/scenarios", data={**form, "save_name": "Ward B"}, follow_redirects=False)
    assert saved.status_code == 303
    address = saved.headers["location"]
    case_id = address.rsplit("/", 1)[1]
    owned = client.get(address)
    assert owned.status_code == 200 and "Private edit link" in owned.text
    assert "<strong>Saved.</strong>" in owned.text  # shown once, just after saving ...
    assert "<strong>Saved.</strong>" not in client.get(address).text  # ... and not again
    import re

    link = re.search(r'<code class="owner-link">([^<]+)</code>', owned.text)
    assert link is not None and link.group(1).startswith(f"/scenarios/{case_id}?key=")
    assert "Delete this case" in owned.text
    assert "Ward B" in client.get("/scenarios").text  # the list holds this browser's cases

    # a stranger (another browser, the same server) can view it, not change, list or delete it
    stranger = TestClient(client.app)
    viewed = stranger.get(address)
    assert viewed.status_code == 200 and "Private edit link" not in viewed.text
    assert "Delete this case" not in viewed.text
    assert "Ward B" not in stranger.get("/scenarios").text
    sform = _form(stranger)
    refused = stranger.post(f"{address}/delete", data={"csrf_token": sform["csrf_token"]})
    assert refused.status_code == 403
    changed = stranger.post(address, data={**sform, "case_id": case_id, "case_revision": "1"})
    assert changed.status_code == 403 and "owner key" in changed.text
    wrong = stranger.get(f"{address}?key=guess", follow_redirects=False)
    assert wrong.status_code == 403

    # the private edit link makes the stranger an owner, and leaves the address
    became = stranger.get(link.group(1).replace("&amp;", "&"), follow_redirects=False)
    assert became.status_code == 303 and became.headers["location"] == address
    assert "Delete this case" in stranger.get(address).text


def test_an_owner_changes_a_case_in_place_and_a_stale_change_is_refused(
    client: TestClient,
) -> None:
    form = _form(client)
    saved = client.post("/scenarios", data={**form, "save_name": "Ward C"}, follow_redirects=False)
    address = saved.headers["location"]
    case_id = address.rsplit("/", 1)[1]
    editing = client.get(f"/?scenario={case_id}")
    assert f'name="case_id" value="{case_id}"' in editing.text
    assert 'name="case_revision" value="1"' in editing.text
    mine = {**form, "case_id": case_id, "case_revision": "1", "staffing.caseload": "12"}
    results = client.post("/calculate", data=mine)
    assert 'Save the changes to "Ward C"' in results.text
    done = client.post(address, data=mine, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == address
    api = client.get(f"/api/v1/scenarios/{case_id}").json()
    assert api["revision"] == 2 and api["scenario"]["staffing"]["caseload"]["value"] == 12
    # a second change from revision 1 would lose the first: refused, with the figures kept
    again = client.post(address, data={**mine, "staffing.caseload": "20"})
    assert again.status_code == 409 and "revision 2" in again.text
    assert 'value="20"' in again.text
    history = client.get(f"{address}/revisions")
    assert history.status_code == 200 and f"{address}/revisions/1" in history.text
    first = client.get(f"{address}/revisions/1")
    assert first.status_code == 200 and "Revision 1 of this saved business case" in first.text
    deleted = client.post(
        f"{address}/delete", data={"csrf_token": form["csrf_token"], "case_revision": "2"}
    )
    assert deleted.status_code == 200 and client.get(address).status_code == 404


# --- names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("   ", "blank"),
        ("\u200b\u200b", "U+200B ZERO WIDTH SPACE"),
        ("Ward \u202eA", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("Ward\u2028A", "line separator"),
        ("Ward\x00A", "control character"),
    ],
)
def test_a_name_that_hides_what_it_holds_is_refused(
    client: TestClient, name: str, expected: str
) -> None:
    got = client.post(
        "/api/v1/scenarios", json={"name": name, "scenario": _fixture("format-2.json")}
    )
    assert got.status_code == 422 and expected in got.text
    if name.strip():  # on the page a blank name means the case's own name
        form = _form(client)
        page = client.post("/scenarios", data={**form, "save_name": name})
        assert page.status_code == 422 and expected in page.text


def test_a_name_is_trimmed(client: TestClient) -> None:
    got = client.post(
        "/api/v1/scenarios", json={"name": "  Ward D ", "scenario": _fixture("format-2.json")}
    )
    assert got.json()["name"] == "Ward D"


# --- no lost writes ---------------------------------------------------------------------


def hammer(engine: Engine, threads: int, writes: int) -> None:
    """``threads`` writers each make ``writes`` changes to one case, each reading the case
    and writing from the revision it read (retrying when another writer got there first):
    the case must end at revision 1 + threads x writes with every change in its history."""
    from peervalue.web.storage import ScenarioStore, Stale

    store = ScenarioStore(engine)
    saved, _ = store.create("hammered", {"writes": []})
    errors: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            for i in range(writes):
                while True:
                    current = store.get(saved.id)
                    assert current is not None
                    done = store.update(saved.id, "hammered", {"by": k, "i": i}, current.revision)
                    if not isinstance(done, Stale):
                        break
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    workers = [threading.Thread(target=writer, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    final = store.get(saved.id)
    assert final is not None and final.revision == 1 + threads * writes
    history = store.revisions(saved.id)
    assert [r.revision for r in history] == list(range(1 + threads * writes, 0, -1))
    made = sorted((r.document["by"], r.document["i"]) for r in history[:-1])
    assert made == sorted((k, i) for k in range(threads) for i in range(writes))


def test_compare_and_set_loses_no_write_on_sqlite(tmp_path: Path) -> None:
    from peervalue.web.storage import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'cas.db'}")
    migrate(engine)
    hammer(engine, threads=8, writes=20)


def test_eight_clients_writing_one_case_through_two_workers_lose_nothing(
    tmp_path: Path,
) -> None:
    from tests.web_server import running_server

    def call(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            request.add_header(k, v)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, dict(answer.headers), json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), json.loads(exc.read() or b"null")

    document = _fixture("format-2.json")
    with running_server(tmp_path, workers=2) as base:
        status, _, made = call(
            "POST", f"{base}/api/v1/scenarios", {"name": "h", "scenario": document}
        )
        assert status == 201
        url = f"{base}/api/v1/scenarios/{made['id']}"
        owner = {"Authorization": f"Bearer {made['owner_key']}"}
        refused: list[int] = []

        def writer(k: int) -> None:
            for i in range(20):
                while True:
                    _, got, _ = call("GET", url)
                    mine = {
                        **document,
                        "scenario": {**document["scenario"], "organisation": f"{k}-{i}"},
                    }
                    status, _, _ = call(
                        "PUT",
                        url,
                        {"name": "h", "scenario": mine},
                        {**owner, "If-Match": got["etag"]},
                    )
                    if status == 200:
                        break
                    refused.append(status)

        workers = [threading.Thread(target=writer, args=(k,)) for k in range(8)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        status, _, final = call("GET", url)
        assert final["revision"] == 161
        assert set(refused) <= {412}
        _, _, history = call("GET", f"{url}/revisions")
        assert len(history) == 161


def test_an_unsaved_case_downloads_at_the_draws_and_seed_its_page_shows(
    client: TestClient,
) -> None:
    form = {**_form(client), "monte_carlo.draws": "1000", "monte_carlo.seed": "3"}
    page = client.post("/calculate", data=form)
    assert "1,000 Monte Carlo draws (seed 3)" in page.text
    report = client.post("/report", data={**form, "format": "html"})
    assert report.status_code == 200
    used = (report.headers["x-peervalue-draws"], report.headers["x-peervalue-seed"])
    assert used == ("1000", "3")


def test_a_page_note_about_a_dominant_study_names_no_command(client: TestClient) -> None:
    """The business case's note that one study carries most of the weight (Landers & Zhou
    2014 holds 95% of all-2026's patients) told the calculator's user to type a command."""
    form = {
        **_form(client),
        "evidence.source": "pooled-weighted",
        "evidence.set": "all-2026",
        "monte_carlo.draws": "1000",
    }
    page = client.post("/calculate", data=form)
    assert page.status_code == 200 and "leans heavily" in page.text
    assert "peervalue evidence" not in page.text and "--evidence-set" not in page.text
