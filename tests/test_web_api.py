"""The JSON API: the library's requests in, its results out, problem details for mistakes,
no file paths from the network, and security headers on every response."""

from __future__ import annotations

import json
import threading
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from peervalue.scenario.documents import FORMAT_VERSION
from peervalue.service.requests import AnalysisRequest, ScenarioRequest, ThresholdRequest
from peervalue.service.runs import run_analysis, run_threshold

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx versions
    from fastapi.testclient import TestClient

from peervalue.scenario.schema import template_file
from peervalue.web.app import SECURITY_HEADERS
from tests.web_helpers import app_client, template_document

TEMPLATE = template_file()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with app_client(tmp_path_factory.mktemp("db")) as c:
        yield c


def _template() -> dict[str, Any]:
    return template_document()


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value))


def test_evidence_list_and_one_study_with_its_sources(client: TestClient) -> None:
    listed = client.get("/api/v1/evidence").json()
    assert [s["id"] for s in listed] == [
        "chinman2001",
        "klein1998",
        "lawn2008",
        "min2007",
        "rivera2007",
        "sledge2011",
    ]
    sledge = client.get("/api/v1/evidence/sledge2011").json()
    mean = sledge["outcome"]["intervention_mean"]
    assert mean["status"] == "reported" and mean["source"]["citation"]
    missing = client.get("/api/v1/evidence/nobody")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["status"] == 404 and "nobody" in missing.json()["detail"]


def test_evidence_sets_over_the_api(client: TestClient) -> None:
    listed = client.get("/api/v1/evidence", params={"evidence_set": "all-2026"}).json()
    assert len(listed) == 17
    pooled = [s["id"] for s in listed if s["pooled"]]
    assert pooled[:6] == [
        "chinman2001",
        "klein1998",
        "lawn2008",
        "min2007",
        "rivera2007",
        "sledge2011",
    ]
    assert len(pooled) == 11 and "core2018" in pooled
    enrich = next(s for s in listed if s["id"] == "enrich2022")
    assert not enrich["pooled"] and enrich["not_pooled_reason"]
    assert enrich["risk_of_bias"] == "low" and enrich["country"] == "UK"
    uk = client.get("/api/v1/evidence", params={"evidence_set": "uk-only"}).json()
    assert {s["id"] for s in uk if s["pooled"]} == {"core2018"}
    wrong = client.get("/api/v1/evidence", params={"evidence_set": "2013"})
    assert wrong.status_code == 422 and "cmh2013" in wrong.json()["detail"]
    assert client.get("/api/v1/evidence/core2018").json()["quality"]["randomisation"] == (
        "individual"
    )
    sets = client.get("/api/v1/evidence-sets").json()["sets"]
    assert [s["name"] for s in sets] == [
        "all-2026",
        "bed-days-only",
        "cmh2013",
        "rct-only",
        "uk-only",
    ]
    # the same studies as the library's analysis of the set
    analysis = client.post("/api/v1/analysis", json={"evidence_set": "all-2026"}).json()
    assert [s["id"] for s in analysis["studies"]] == pooled


def test_analysis_returns_the_library_result(client: TestClient) -> None:
    body = {"costs": "england-2024-25", "weighting": "intervention", "cost_basis": "pay"}
    got = client.post("/api/v1/analysis", json=body)
    assert got.status_code == 200
    expected = run_analysis(
        AnalysisRequest(costs="england-2024-25", weighting="intervention", cost_basis="pay")
    ).model_dump(mode="json")
    assert got.json() == _json(expected)


def test_thresholds_and_psa_summaries(client: TestClient) -> None:
    got = client.post("/api/v1/thresholds", json={"pooling": "sums"}).json()
    assert got == _json(run_threshold(ThresholdRequest(pooling="sums")).model_dump(mode="json"))
    psa = client.post("/api/v1/psa", json={"draws": 2000, "seed": 4}).json()
    assert psa["draws"] == 2000 and psa["seed"] == 4
    assert 0.0 <= psa["pooled"]["weighted"]["prob_ratio_above_one"] <= 1.0
    assert "kept_draws" not in psa


def test_scenario_document_runs_like_the_library(client: TestClient) -> None:
    document = _template()
    got = client.post("/api/v1/scenarios/run", json={"scenario": document, "draws": 500})
    assert got.status_code == 200, got.text
    expected = ScenarioRequest.model_validate({"scenario": document, "draws": 500})
    from peervalue.service.scenario import run_scenario

    want = run_scenario(expected).model_dump(mode="json")
    assert got.json()["totals"] == _json(want["totals"])


@pytest.mark.parametrize(
    ("path", "body", "field", "fragment"),
    [
        ("/api/v1/analysis", {"costs": "/etc/passwd"}, "/costs", "reads no files"),
        ("/api/v1/analysis", {"evidence": "/tmp"}, "/evidence", "reads no files"),
        ("/api/v1/psa", {"draws": 10_000_000}, "/draws", "200000"),
        ("/api/v1/psa", {"draws": "many"}, "/draws", "integer"),
        ("/api/v1/psa", {"bogus": 1}, "/bogus", "Extra inputs"),
        ("/api/v1/analysis", {"price_year": "1999-00"}, "/price_year", "does not cover"),
        ("/api/v1/scenarios/run", {"scenario": {"scenario": {}}, "draws": 10**6}, "/draws", ""),
    ],
)
def test_bad_requests_are_422_problems_naming_each_field(
    client: TestClient, path: str, body: dict[str, Any], field: str, fragment: str
) -> None:
    got = client.post(path, json=body)
    assert got.status_code == 422
    assert got.headers["content-type"] == "application/problem+json"
    problem = got.json()
    assert problem["status"] == 422 and problem["title"]
    paths = [e["path"] for e in problem["errors"]]
    assert field in paths
    message = next(e["message"] for e in problem["errors"] if e["path"] == field)
    assert fragment in message


def test_malformed_json_is_a_problem_not_a_crash(client: TestClient) -> None:
    got = client.post(
        "/api/v1/psa", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert got.status_code == 422
    assert got.json()["errors"][0]["path"] == "/"


def test_security_headers_and_schema(client: TestClient) -> None:
    got = client.get("/api/v1/costs")
    assert [c["name"] for c in got.json()["cost_sets"]] == [
        "england-2011-12",
        "england-2023-24",
        "england-2024-25",
        "england-2025-26",
    ]
    for name, value in SECURITY_HEADERS.items():
        assert got.headers[name] == value
    assert "'unsafe-inline'" not in got.headers["content-security-policy"]
    schema = client.get("/openapi.json").json()
    assert {"/api/v1/analysis", "/api/v1/psa", "/api/v1/scenarios/run"} <= set(schema["paths"])
    # the request bodies are the library's own models
    body = schema["paths"]["/api/v1/analysis"]["post"]["requestBody"]["content"]
    assert "WebAnalysisRequest" in json.dumps(body)
    # a write may carry a bearer token, or none when the server sets none
    paths = schema["paths"]
    assert paths["/api/v1/scenarios"]["post"]["security"] == [{"HTTPBearer": []}, {}]
    # listing every saved case needs the admin token; changing one, its owner key (or the
    # admin token): both always ask for a bearer
    assert paths["/api/v1/scenarios"]["get"]["security"] == [{"HTTPBearer": []}]
    assert paths["/api/v1/scenarios/{scenario_id}"]["put"]["security"] == [{"HTTPBearer": []}]
    # every route that runs the model may answer 503 (the run-time limit)
    running = [p for p, ops in paths.items() for m, op in ops.items() if "503" in op["responses"]]
    assert sorted(running) == [
        "/api/v1/analysis",
        "/api/v1/psa",
        "/api/v1/reports",
        "/api/v1/scenarios/compare",
        "/api/v1/scenarios/run",
        "/api/v1/scenarios/{scenario_id}/report",
        "/api/v1/scenarios/{scenario_id}/run",
        "/api/v1/sensitivity",
        "/api/v1/thresholds",
    ]


def test_saved_scenarios_create_read_update_run_delete(client: TestClient) -> None:
    document = _template()
    made = client.post("/api/v1/scenarios", json={"name": "Ward A", "scenario": document})
    assert made.status_code == 201, made.text
    saved = made.json()
    assert uuid.UUID(saved["id"]).version == 4 and saved["revision"] == 1
    assert made.headers["etag"] == f'"{saved["id"]}.1"'
    owner = {"Authorization": f"Bearer {saved['owner_key']}"}
    url = f"/api/v1/scenarios/{saved['id']}"
    read = client.get(url).json()
    assert "owner_key" not in read  # shown once, when saved
    # stored as its own figures (the template's ramp differs from the defaults' 1 FTE)...
    assert read["scenario"]["staffing"]["funded_fte"] == [2, 4, 4, 4, 4]
    assert read["format_version"] == FORMAT_VERSION
    # ... and resolved over today's defaults into the whole document a run uses
    assert read["resolved"]["staffing"]["funded_fte"] == [2, 4, 4, 4, 4]
    document["staffing"]["funded_fte"] = [1, 1]
    body = {"name": "Ward A, smaller", "scenario": document}
    # a change names the revision it starts from, and only the owner may make it
    assert client.put(url, json=body, headers=owner).status_code == 428
    stranger = {"Authorization": "Bearer not-the-key", "If-Match": made.headers["etag"]}
    assert client.put(url, json=body, headers=stranger).status_code == 403
    assert client.put(url, json=body, headers={"If-Match": made.headers["etag"]}).status_code == 401
    changed = client.put(url, json=body, headers={**owner, "If-Match": made.headers["etag"]})
    assert changed.status_code == 200, changed.text
    assert changed.json()["revision"] == 2 and changed.json()["name"] == "Ward A, smaller"
    # the same If-Match again is stale: 412 with the current ETag
    stale = client.put(url, json=body, headers={**owner, "If-Match": made.headers["etag"]})
    assert stale.status_code == 412 and stale.headers["etag"] == f'"{saved["id"]}.2"'
    run = client.post(f"{url}/run", params={"draws": 500, "seed": 2})
    assert run.status_code == 200
    assert run.headers["x-peervalue-draws"] == "500" and run.headers["x-peervalue-seed"] == "2"
    direct = client.post(
        "/api/v1/scenarios/run", json={"scenario": document, "draws": 500, "seed": 2}
    )
    assert run.json()["totals"] == direct.json()["totals"]
    history = client.get(f"{url}/revisions").json()
    assert [r["revision"] for r in history] == [2, 1]
    first = client.get(f"{url}/revisions/1").json()
    assert first["name"] == "Ward A" and first["scenario"]["staffing"]["funded_fte"] == [
        2,
        4,
        4,
        4,
        4,
    ]
    assert client.delete(url).status_code == 401
    assert client.delete(url, headers=stranger).status_code == 403
    assert client.delete(url, headers=owner).status_code == 204
    gone = client.get(url)
    assert gone.status_code == 404 and gone.headers["content-type"] == "application/problem+json"
    assert client.get(f"{url}/revisions").status_code == 404  # the history goes with it
    assert client.get("/api/v1/scenarios/42").status_code == 422  # ids are UUIDs, not counters


def test_write_endpoints_need_the_token_when_one_is_set(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERVALUE_API_TOKEN", "s3cret")
    body = {"name": "x", "scenario": _template()}
    refused = client.post("/api/v1/scenarios", json=body)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    assert "Bearer" in refused.json()["detail"]
    wrong = client.post("/api/v1/scenarios", json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    admin = {"Authorization": "Bearer s3cret"}
    ok = client.post("/api/v1/scenarios", json=body, headers=admin)
    assert ok.status_code == 201
    url = f"/api/v1/scenarios/{ok.json()['id']}"
    assert client.get(url).status_code == 200  # a case's address stays open to read
    # listing every case needs the admin token
    assert client.get("/api/v1/scenarios").status_code == 401
    assert (
        client.get("/api/v1/scenarios", headers={"Authorization": "Bearer nope"}).status_code == 403
    )
    listed = client.get("/api/v1/scenarios", headers=admin)
    assert listed.status_code == 200 and ok.json()["id"] in [
        s["id"] for s in listed.json()["items"]
    ]
    # the admin token changes any case, as its owner key does
    etag = ok.headers["etag"]
    assert client.put(url, json=body, headers={**admin, "If-Match": etag}).status_code == 200


def test_cases_are_unlisted_without_an_admin_token(client: TestClient) -> None:
    client.post("/api/v1/scenarios", json={"name": "private", "scenario": _template()})
    got = client.get("/api/v1/scenarios")
    assert got.status_code == 403
    assert "unlisted" in got.json()["detail"] and "sets no admin token" in got.json()["detail"]
    assert "private" not in got.text


def test_concurrent_writes_to_sqlite_lose_nothing(tmp_path: Path) -> None:
    from peervalue.web.storage import ScenarioStore, make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    migrate(engine)
    store = ScenarioStore(engine)
    made: list[str] = []
    lock = threading.Lock()

    def writer(k: int) -> None:
        for i in range(25):
            saved, _ = store.create(f"w{k}-{i}", {"k": k, "i": i})
            store.update(saved.id, f"w{k}-{i}", {"k": k, "i": i, "updated": True}, 1)
            with lock:
                made.append(saved.id)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = store.page(limit=200).items
    assert len(made) == len(set(made)) == 150
    assert sorted(r.id for r in rows) == sorted(made)
    assert all(r.revision == 2 and r.document["updated"] for r in rows)


def test_workers_starting_together_on_a_new_sqlite_file(tmp_path: Path) -> None:
    from peervalue.web.storage import ScenarioStore, make_engine
    from tests.test_storage_postgres import start_together

    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert start_together(url, 4) == [0, 0, 0, 0]
    names = sorted(s.name for s in ScenarioStore(make_engine(url)).page().items)
    assert names == [f"start-{k}" for k in range(4)]


def test_an_oversized_body_is_refused_before_it_is_read(client: TestClient) -> None:
    studies = [{"id": f"s{i}", "padding": "x" * 1000} for i in range(2000)]  # about 2 MB
    got = client.post("/api/v1/analysis", json={"evidence": studies})
    assert got.status_code == 413
    assert got.headers["content-type"] == "application/problem+json"
    assert "1,000,000 bytes" in got.json()["detail"]


def test_saved_scenarios_compare_side_by_side(client: TestClient) -> None:
    small, large = _template(), _template()
    small["staffing"]["funded_fte"] = [1]
    ids = [
        client.post("/api/v1/scenarios", json={"name": n, "scenario": d}).json()["id"]
        for n, d in (("small", small), ("large", large))
    ]
    got = client.post("/api/v1/scenarios/compare", json={"ids": ids, "draws": 300, "seed": 5})
    assert got.status_code == 200, got.text
    both = got.json()["scenarios"]
    for document, result in zip((small, large), both, strict=True):
        alone = client.post(
            "/api/v1/scenarios/run", json={"scenario": document, "draws": 300, "seed": 5}
        ).json()
        assert result["totals"] == alone["totals"]
    assert both[0]["totals"]["net_present_value"] < both[1]["totals"]["net_present_value"]
    missing = str(uuid.uuid4())
    gone = client.post("/api/v1/scenarios/compare", json={"ids": [ids[0], missing]})
    assert gone.status_code == 404 and missing in gone.json()["detail"]
    assert client.post("/api/v1/scenarios/compare", json={"ids": ids[:1]}).status_code == 422
