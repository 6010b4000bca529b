"""Web inputs: reports that show no server path, the real error first, a body sent with the
wrong Content-Type, the studies x draws caps, and the funded-posts field's ramp."""

from __future__ import annotations

import io
import os
import re
import sys
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx versions
    from fastapi.testclient import TestClient

import peervalue
from peervalue.web.forms import fields, form_values, parse_form
from peervalue.web.requests import (
    MAX_WEB_INFLUENCE_WORK,
    MAX_WEB_REPORT_STUDIES,
    MAX_WEB_REPORT_STUDY_DRAWS,
    MAX_WEB_STUDY_DRAWS,
)
from tests.web_helpers import app_client, template_document

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with app_client(tmp_path_factory.mktemp("db")) as c:
        yield c


def _scenario() -> dict[str, Any]:
    return template_document()


def _studies(n: int) -> list[dict[str, Any]]:
    alpha = yaml.safe_load((DATA / "synthetic" / "alpha.yaml").read_text())
    return [{**alpha, "id": f"s{i}"} for i in range(n)]


# --- no absolute server path in a report -----------------------------------------------


def _server_paths() -> list[str]:
    """The server's folders a report must not show: its working directory, the folder the
    package is installed in, the Python installation, the home and temporary folders."""
    found = [
        os.getcwd(),
        str(Path(peervalue.__file__).resolve().parent.parent),
        sys.prefix,
        tempfile.gettempdir(),
        os.path.expanduser("~"),
    ]
    # as a folder (followed by a separator), so "/tmp" does not match "/tmpl" or "/root" "/rooted"
    return sorted({p.rstrip("/") + "/" for p in found if p not in ("", "/")})


def _pdf_text(data: bytes) -> str:
    """A PDF's bytes with its compressed streams inflated (metadata, links, base URL)."""
    parts = [data.decode("latin-1")]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)).decode("latin-1"))
        except zlib.error:
            continue
    return "\n".join(parts)


@pytest.mark.parametrize("fmt", ["html", "xlsx", "pdf"])
def test_a_report_over_the_web_shows_no_server_path(client: TestClient, fmt: str) -> None:
    got = client.post(
        f"/api/v1/reports?format={fmt}",
        json={"scenario": _scenario(), "draws": 200},
    )
    assert got.status_code == 200, got.text[:500]
    if fmt == "xlsx":
        with zipfile.ZipFile(io.BytesIO(got.content)) as book:
            text = "\n".join(book.read(n).decode("utf-8") for n in book.namelist())
    elif fmt == "pdf":
        text = _pdf_text(got.content)
    else:
        text = got.text
        # the files it read, by their names inside the package, each with its hash
        assert "<code>peervalue/data/costs/england-2024-25.yaml</code>" in text
        assert "<code>peervalue/data/evidence/sledge2011.yaml</code>" in text
    leaked = [p for p in _server_paths() if p in text]
    assert not leaked, leaked


def test_the_command_line_report_names_a_users_own_file_without_its_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file outside the working folder by its name alone (the hash identifies it), one
    below it relative to it: never the machine's absolute path (issue 21, item 4)."""
    from peervalue.service.report import input_files, shown_path
    from peervalue.service.requests import ReportRequest

    own = tmp_path / "mine" / "costs.yaml"
    own.parent.mkdir()
    own.write_text((DATA / "synthetic_costs.yaml").read_text())
    files = input_files(ReportRequest(costs=own))
    assert [f.path for f in files if f.role == "costs"] == ["costs.yaml"]
    monkeypatch.chdir(tmp_path)
    files = input_files(ReportRequest(costs=own))
    assert [f.path for f in files if f.role == "costs"] == ["mine/costs.yaml"]
    assert (
        shown_path(Path(peervalue.__file__).parent / "data" / "x.yaml") == "peervalue/data/x.yaml"
    )


# --- the real error first, and the content type ----------------------------------------


def test_a_nan_in_a_study_is_the_only_error(client: TestClient) -> None:
    """A NaN (sent as JSON's NaN token) was reported after 'Input is not a valid path'."""
    import json

    study = _studies(1)[0]
    study["follow_up"]["value"] = float("nan")
    got = client.post(
        "/api/v1/analysis",
        content=json.dumps({"evidence": [study]}),
        headers={"content-type": "application/json"},
    )
    assert got.status_code == 422
    assert [e["path"] for e in got.json()["errors"]] == ["/evidence/0/follow_up/value"]
    assert "finite number" in got.json()["detail"] and "path" not in got.json()["detail"]


@pytest.mark.parametrize(
    ("headers", "said"),
    [
        ({"content-type": "text/plain"}, "Content-Type 'text/plain'"),
        ({"content-type": "application/x-www-form-urlencoded"}, "x-www-form-urlencoded"),
        ({}, "no Content-Type"),
    ],
)
def test_a_json_body_with_another_content_type_is_a_415_saying_what_to_send(
    client: TestClient, headers: dict[str, str], said: str
) -> None:
    got = client.post("/api/v1/psa", content=b'{"draws": 100}', headers=headers)
    assert got.status_code == 415
    assert got.headers["content-type"] == "application/problem+json"
    detail = got.json()["detail"]
    assert said in detail and "Content-Type: application/json" in detail
    # with the right type the same body runs; +json types are JSON too
    assert (
        client.post(
            "/api/v1/psa",
            content=b'{"draws": 100}',
            headers={"content-type": "application/json; charset=utf-8"},
        ).status_code
        == 200
    )


def test_the_415_is_in_the_schema(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "415" in schema["paths"]["/api/v1/psa"]["post"]["responses"]
    assert "415" not in schema["paths"]["/api/v1/evidence"]["get"]["responses"]


# --- bounded work ----------------------------------------------------------------------


def test_studies_times_draws_is_capped_naming_the_limit(client: TestClient) -> None:
    # 300 studies x 20,000 draws = 6,000,000 > 4,000,000; at most 4,000,000 // 300 = 13,333
    got = client.post("/api/v1/psa", json={"evidence": _studies(300), "draws": 20_000})
    assert got.status_code == 422
    (error,) = got.json()["errors"]
    assert error["path"] == "/draws"
    assert "300 studies x 20,000 draws = 6,000,000" in error["message"]
    assert f"at most {MAX_WEB_STUDY_DRAWS:,}" in error["message"]
    assert "at most 13,333 draws" in error["message"]
    ok = client.post("/api/v1/psa", json={"evidence": _studies(300), "draws": 13_333})
    assert ok.status_code == 200 and ok.json()["draws"] == 13_333


def test_leave_one_out_is_capped_by_studies_squared_times_draws(client: TestClient) -> None:
    # 100 studies x 5,000 draws x 100 left out = 50,000,000 > 40,000,000: at most 4,000 draws
    body = {"evidence": _studies(100), "draws": 5_000, "leave_one_out": True}
    got = client.post("/api/v1/analysis", json=body)
    assert got.status_code == 422
    assert MAX_WEB_INFLUENCE_WORK == 40_000_000
    assert "x 100 studies left out in turn = 50,000,000" in got.json()["detail"]
    assert "at most 4,000 draws" in got.json()["detail"]
    # the same studies without leave-one-out use no draws: no cap
    assert client.post("/api/v1/analysis", json={**body, "leave_one_out": False}).status_code == 200


def test_a_report_takes_at_most_fifty_studies_and_a_smaller_product(client: TestClient) -> None:
    too_many = client.post(
        "/api/v1/reports", json={"evidence": _studies(MAX_WEB_REPORT_STUDIES + 1)}
    )
    assert too_many.status_code == 422
    assert "got 51 studies" in too_many.json()["detail"]
    assert "peervalue report" in too_many.json()["detail"]
    # 50 studies x 10,001 draws = 500,050 > 500,000
    product = client.post("/api/v1/reports", json={"evidence": _studies(50), "draws": 10_001})
    assert product.status_code == 422
    assert f"at most {MAX_WEB_REPORT_STUDY_DRAWS:,}" in product.json()["detail"]


def test_the_bundled_evidence_at_the_most_draws_is_not_refused() -> None:
    """The caps apply to studies sent in the body; every bundled set fits them."""
    from peervalue.evidence.sets import load_library
    from peervalue.web.requests import MAX_WEB_DRAWS, WebPsaRequest

    bundled = len(load_library().listed)
    assert bundled * MAX_WEB_DRAWS <= MAX_WEB_STUDY_DRAWS
    WebPsaRequest(evidence_set="all-2026", draws=MAX_WEB_DRAWS)


def test_chunks_are_bounded_by_studies_and_results_do_not_depend_on_them() -> None:
    from peervalue.service.inputs import prepare
    from peervalue.service.requests import PsaRequest
    from peervalue.uncertainty.psa import MAX_CHUNK_CELLS, chunk_for, run_psa

    assert chunk_for(65_536, 6) == 65_536  # 6 x 65,536 = 393,216 cells: under 2^19
    assert chunk_for(65_536, 100) == MAX_CHUNK_CELLS // 100 == 5_242
    assert chunk_for(10, 10**9) == 1
    spec = prepare(PsaRequest(evidence=_studies(120))).spec
    a = run_psa(spec, 9_000, 3)  # chunks of 524,288 // 120 = 4,369 draws
    b = run_psa(spec, 9_000, 3, chunk_size=9_000 * 120)
    assert a.chunk_size == 4_369 and b.chunk_size == 4_369
    c = run_psa(spec, 9_000, 3, chunk_size=1_000)
    assert (a.stored.study_ratio == c.stored.study_ratio).all()
    assert a.sums.totals["weighted:ratio"] == c.sums.totals["weighted:ratio"]


def test_one_way_sensitivity_is_the_same_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Evaluated a chunk of scenarios at a time: the rows do not change."""
    from peervalue.service.requests import SensitivityRequest
    from peervalue.service.runs import run_sensitivity
    from peervalue.uncertainty import psa

    request = SensitivityRequest(evidence=_studies(12))
    whole = run_sensitivity(request)
    monkeypatch.setattr(psa, "MAX_CHUNK_CELLS", 12 * 7)  # 7 scenarios a chunk
    chunked = run_sensitivity(request)
    assert chunked == whole
    assert len(whole.inputs) >= 12  # at least each study's peer FTE range is varied


# --- the funded-posts field ------------------------------------------------------------


def _parse_fte(text: str) -> tuple[Any, dict[str, str]]:
    values = {**form_values(), "staffing.funded_fte": text, "scenario.horizon_years": "5"}
    parsed = parse_form(values)
    fte = parsed.scenario.staffing.funded_fte if parsed.scenario is not None else None
    return fte, parsed.errors


@pytest.mark.parametrize(
    ("text", "fte"),
    [
        ("2; 4; 4", [2.0, 4.0, 4.0]),
        ("2;4;4", [2.0, 4.0, 4.0]),
        ("1; 2.5", [1.0, 2.5]),
        ("2; 4;", [2.0, 4.0]),  # a separator at the end: no year is missing
        ("2.5", 2.5),
        ("3", 3.0),
    ],
)
def test_the_funded_posts_take_a_ramp_separated_by_semicolons(text: str, fte: Any) -> None:
    got, errors = _parse_fte(text)
    assert errors == {} and got == fte


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # 2,5 could be 2.5 posts or 2 then 5; 1,500 could be 1.5 or 1,500 (both were ramps)
        ("2,5", "'2,5' has a comma, which could be a decimal or a new year"),
        ("1,500", "'1,500' has a comma"),
        ("2, 4, 4", "has a comma"),
        ("2 4", "'2 4' is more than one number"),
        ("2;;4", "has a year with no number"),
        (";", "has a year with no number"),
        ("2; x", "'x' is not a number"),
    ],
)
def test_an_ambiguous_ramp_is_refused_saying_how_to_write_one(text: str, message: str) -> None:
    got, errors = _parse_fte(text)
    assert got is None
    assert list(errors) == ["staffing.funded_fte"]
    assert message in errors["staffing.funded_fte"]
    if "comma" in message or "more than" in message or "no number" in message:
        assert "such as 2; 4; 4" in errors["staffing.funded_fte"]
        assert "such as 2.5" in errors["staffing.funded_fte"]


def test_the_hint_shows_the_ramp_syntax() -> None:
    hint = fields()["staffing.funded_fte"].hint
    assert "separated by semicolons" in hint and "2; 4; 4" in hint and "2.5" in hint


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 4000).map(lambda k: k / 4), min_size=1, max_size=5))
def test_a_saved_ramp_shows_in_the_new_syntax_and_reads_back(ramp: list[float]) -> None:
    if not any(ramp):
        ramp = [*ramp[:-1], 1.0]  # a case funds some posts
    document = {"staffing": {"funded_fte": ramp}}
    text = form_values(document)["staffing.funded_fte"]
    if len(ramp) > 1:
        assert text == "; ".join(f"{x:g}" for x in ramp)
        assert "," not in text
    got, errors = _parse_fte(text)
    assert errors == {}
    assert got == (ramp if len(ramp) > 1 else ramp[0])


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", "/api/v1/evidence?evidence_set=all-2026", None),
        ("GET", "/api/v1/evidence-sets", None),
        ("GET", "/api/v1/costs", None),
        ("GET", "/evidence?set=all-2026", None),
        ("GET", "/evidence/sledge2011", None),
        ("GET", "/", None),
        (
            "POST",
            "/api/v1/analysis",
            {"evidence_set": "all-2026", "leave_one_out": True, "draws": 200},
        ),
        ("POST", "/api/v1/psa", {"draws": 200, "costs": "england-2024-25"}),
        ("POST", "/api/v1/scenarios/run", {"draws": 200}),
    ],
)
def test_answers_and_pages_show_no_server_folder(
    client: TestClient, method: str, url: str, body: dict[str, Any] | None
) -> None:
    if url == "/api/v1/scenarios/run":
        body = {**(body or {}), "scenario": _scenario()}
    got = client.request(method, url, json=body)
    assert got.status_code == 200, got.text[:300]
    leaked = [p for p in _server_paths() if p in got.text]
    assert not leaked, leaked
