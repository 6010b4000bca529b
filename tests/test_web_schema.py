"""The web API against its own OpenAPI schema (Schemathesis, in-process over ASGI).

For every operation, requests are generated from the schema (valid ones and invalid ones)
and sent to the application; each answer must be no server error, have a documented
status code, content type and headers, and a body that fits the documented schema.
Deterministic (a fixed seed, no example database), bounded in examples, on a temporary
SQLite file, with no network.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance, unsupported_method

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx versions
    from fastapi.testclient import TestClient

from peervalue.web.app import create_app

#: generated requests per operation (the whole file takes about 25 s). Schemathesis's coverage
#: phase, thousands of boundary cases for each operation (minutes), is left out to keep the
#: suite quick; run by hand it found no server error, only that the write endpoints declare
#: a required bearer token that the server asks for only when PEERVALUE_API_TOKEN is set
MAX_EXAMPLES = 30
REPORTS = 6

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261129,
        # a PDF report takes a few seconds; on a loaded 2-core machine it ran past the
        # default 10 s read timeout (a slow machine, not a server error)
        "request-timeout": 60,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "phases": {"coverage": {"enabled": False}},
        # a report renders HTML, PDF or a workbook: fewer of those
        "operations": [{"include-tag": "reports", "generation": {"max-examples": REPORTS}}],
    }
)

# a module-level app: Schemathesis reads the schema when the tests are collected
_DATABASE = tempfile.TemporaryDirectory(prefix="peervalue-schema-")
APP = create_app(
    f"sqlite:///{Path(_DATABASE.name) / 'peervalue.db'}",
    allowed_hosts=["testserver"],
    runs_per_minute=0,
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)

#: checks left out, and why:
#: - positive_data_acceptance: the schema cannot say everything the library checks (a price
#:   year written YYYY-YY that the price index covers, a known unit, a bundled cost set's
#:   name rather than a path), so a schema-valid request may rightly be a 422;
#: - unsupported_method: PUT or DELETE /api/v1/scenarios/run reaches the route
#:   /api/v1/scenarios/{scenario_id}, whose 422 names the id that is not a UUID.
LEFT_OUT = [positive_data_acceptance, unsupported_method]


@schema.parametrize()
def test_every_answer_fits_the_schema_and_none_is_a_server_error(
    case: schemathesis.Case[Any],
) -> None:
    response = case.call_and_validate(excluded_checks=LEFT_OUT)
    assert response.status_code < 500


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(APP)


def test_the_schema_documents_problem_documents(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    problem = "application/problem+json"
    study = document["paths"]["/api/v1/evidence/{study_id}"]["get"]["responses"]
    assert set(study) == {"200", "404", "422"}
    assert problem in study["404"]["content"] and problem in study["422"]["content"]
    create = document["paths"]["/api/v1/scenarios"]["post"]["responses"]
    assert set(create) == {"201", "400", "401", "403", "411", "413", "415", "422", "429"}
    assert "HTTPValidationError" not in document["components"]["schemas"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PATCH", "/api/v1/scenarios", "GET, POST"),
        ("PATCH", "/api/v1/scenarios/00000000-0000-4000-8000-000000000000", "DELETE, GET, PUT"),
        ("OPTIONS", "/api/v1/scenarios/compare", "POST"),
        ("DELETE", "/api/v1/evidence", "GET"),
    ],
)
def test_a_405_names_every_method_of_the_path(
    client: TestClient, method: str, path: str, allowed: str
) -> None:
    got = client.request(method, path)
    assert got.status_code == 405
    assert got.headers["allow"] == allowed
    assert got.headers["content-type"] == "application/problem+json"
