"""A shared deployment's guards over the test client: the Host allow-list, redirects that
never name the client's Host, the signed CSRF token, the same-origin check on writes, and
the per-client rate limits (429 with Retry-After, checked against a fake clock)."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx versions
    from fastapi.testclient import TestClient

from fastapi import FastAPI

from peervalue.web.app import create_app
from peervalue.web.ratelimit import RateLimit, RateLimited, RateLimits
from peervalue.web.render import CSRF_COOKIE, csrf_token
from peervalue.web.settings import load_settings
from tests.test_web_pages import parse


def _app(folder: Path, **env: str) -> FastAPI:
    settings = load_settings({"PEERVALUE_DATA_DIR": str(folder), **env})
    return create_app(settings=settings)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("guards")


@pytest.fixture(scope="module")
def app(folder: Path) -> FastAPI:
    """The app with the default settings (loopback hosts only) but runs not rate-limited."""
    return _app(folder, PEERVALUE_RUNS_PER_MINUTE="0")


@pytest.fixture
def local(app: FastAPI) -> Iterator[TestClient]:
    """A browser on this machine: it names the host 'localhost'."""
    with TestClient(app, base_url="http://localhost") as c:
        yield c


def _token_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def _form(client: TestClient) -> dict[str, str]:
    """The calculator's defaults as a form, with the page's CSRF token."""
    page = client.get("/")
    assert page.status_code == 200
    return {**parse(page.text).values, "monte_carlo.draws": "1000"}


# --- hosts ----------------------------------------------------------------------------


def test_the_default_allows_loopback_names_only(app: FastAPI) -> None:
    for host in ("localhost", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST."):
        got = TestClient(app).get("/api/v1/costs", headers={"host": host})
        assert got.status_code == 200, host
    for host in ("testserver", "evil.example", "localhost.evil.example", "127.0.0.2", ""):
        got = TestClient(app).get("/api/v1/costs", headers={"host": host})
        assert got.status_code == 400, host
        assert got.headers["content-type"] == "application/problem+json"
        assert "PEERVALUE_ALLOWED_HOSTS" in got.json()["detail"]
    page = TestClient(app).get("/", headers={"host": "evil.example"})
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert "evil.example" in page.text and "Content-Security-Policy" in page.headers


def test_allowed_hosts_and_the_base_url_host(folder: Path) -> None:
    app = _app(
        folder,
        PEERVALUE_ALLOWED_HOSTS="calc.example.org, *.example.net",
        PEERVALUE_BASE_URL="https://peer.example.com",
    )
    client = TestClient(app)
    for host, status in [
        ("calc.example.org", 200),
        ("a.example.net", 200),
        ("example.net", 400),  # '*.example.net' is its subdomains only
        ("peer.example.com", 200),  # the base URL's host is allowed with it
        ("localhost", 400),  # a list replaces the loopback default
    ]:
        assert client.get("/api/v1/costs", headers={"host": host}).status_code == status, host


# --- redirects ------------------------------------------------------------------------


def test_the_trailing_slash_redirect_never_names_the_clients_host(folder: Path) -> None:
    anyhost = _app(folder, PEERVALUE_ALLOWED_HOSTS="*")
    got = TestClient(anyhost).get(
        "/api/v1/evidence/?evidence_set=all-2026",
        headers={"host": "evil.example"},
        follow_redirects=False,
    )
    assert got.status_code == 307
    assert got.headers["location"] == "/api/v1/evidence?evidence_set=all-2026"
    based = _app(folder, PEERVALUE_BASE_URL="https://calc.example.org:8443/")
    got = TestClient(based, base_url="http://localhost").get(
        "/api/v1/evidence/", follow_redirects=False
    )
    assert got.headers["location"] == "https://calc.example.org:8443/api/v1/evidence"


def test_the_saved_case_redirect_uses_the_base_url(folder: Path) -> None:
    based = _app(
        folder, PEERVALUE_BASE_URL="https://calc.example.org", PEERVALUE_RUNS_PER_MINUTE="0"
    )
    client = TestClient(based, base_url="https://calc.example.org")
    values = {**_form(client), "save_name": "Ward 7"}
    got = client.post("/scenarios", data=values, follow_redirects=False)
    assert got.status_code == 303
    assert re.fullmatch(
        r"https://calc\.example\.org/scenarios/[0-9a-f-]{36}", got.headers["location"]
    )
    # over HTTPS the session cookie carries the __Host- prefix (no subdomain can set it)
    assert client.cookies.get(f"__Host-{CSRF_COOKIE}")


# --- CSRF -----------------------------------------------------------------------------


def test_the_form_flow_works_with_a_signed_token(local: TestClient) -> None:
    got = local.post("/calculate", data=_form(local))
    assert got.status_code == 200 and "net present value" in got.text


def test_the_token_is_the_hmac_of_the_session_under_the_servers_secret(
    app: FastAPI, local: TestClient
) -> None:
    values = _form(local)  # and the session cookie
    session = local.cookies[CSRF_COOKIE]
    token = csrf_token(app.state.settings.secret_key, session)
    assert values["csrf_token"] == token  # the page's token is the HMAC of the session
    ok = local.post("/calculate", data={**values, "csrf_token": token})
    assert ok.status_code == 200
    other_secret = csrf_token(b"x" * 32, session)
    refused = local.post("/calculate", data={**values, "csrf_token": other_secret})
    assert refused.status_code == 403 and "This form has expired" in refused.text


def test_a_matching_cookie_and_field_the_server_did_not_sign_are_refused(app: FastAPI) -> None:
    forged = "a" * 43
    client = TestClient(app, base_url="http://localhost", cookies={CSRF_COOKIE: forged})
    got = client.post("/calculate", data={"csrf_token": forged, "monte_carlo.draws": "1000"})
    assert got.status_code == 403 and "This form has expired" in got.text


def test_a_token_of_another_session_is_refused(app: FastAPI) -> None:
    alice = TestClient(app, base_url="http://localhost")
    mallory = TestClient(app, base_url="http://localhost")
    alices = _form(alice)
    mallorys = _form(mallory)
    assert alice.cookies[CSRF_COOKIE] != mallory.cookies[CSRF_COOKIE]
    assert alice.post("/calculate", data=mallorys).status_code == 403
    assert alice.post("/calculate", data=alices).status_code == 200


# --- origins --------------------------------------------------------------------------


def test_a_form_from_another_origin_is_refused(local: TestClient) -> None:
    values = _form(local)
    for headers in (
        {"origin": "https://evil.example"},
        {"origin": "null"},  # a sandboxed frame, a file, or a page with no-referrer
        {"origin": "http://localhost:8001"},  # another port is another origin
        {"referer": "https://evil.example/page"},
    ):
        got = local.post("/calculate", data=values, headers=headers)
        assert got.status_code == 403, headers
        assert "accepts forms and changes only from its own pages" in got.text
        assert got.headers["content-type"].startswith("text/html")
    same = local.post("/calculate", data=values, headers={"origin": "http://localhost"})
    assert same.status_code == 200
    referred = local.post("/calculate", data=values, headers={"referer": "http://localhost/"})
    assert referred.status_code == 200


def test_the_api_refuses_a_cross_origin_browser_write(local: TestClient) -> None:
    body = {"price_year": "2011-12"}
    foreign = local.post("/api/v1/analysis", json=body, headers={"origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert foreign.headers["content-type"] == "application/problem+json"
    assert "'https://evil.example'" in foreign.json()["detail"]
    assert local.post("/api/v1/analysis", json=body).status_code == 200  # curl sends none
    own = local.post("/api/v1/analysis", json=body, headers={"origin": "http://localhost"})
    assert own.status_code == 200
    # a read is not a write: another origin's GET is left to the browser's own rules
    read = local.get("/api/v1/costs", headers={"origin": "https://evil.example"})
    assert read.status_code == 200


def test_the_base_url_is_the_only_own_origin(folder: Path) -> None:
    based = _app(folder, PEERVALUE_BASE_URL="https://calc.example.org", PEERVALUE_ALLOWED_HOSTS="*")
    client = TestClient(based, base_url="http://localhost")
    body = {"price_year": "2011-12"}
    ok = client.post("/api/v1/analysis", json=body, headers={"origin": "https://calc.example.org"})
    assert ok.status_code == 200
    # the Host header is the client's to choose; the base URL is not
    spoofed = client.post("/api/v1/analysis", json=body, headers={"origin": "http://localhost"})
    assert spoofed.status_code == 403


# --- rate limits ----------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_sliding_window_by_hand() -> None:
    clock = FakeClock()
    limit = RateLimit(5, 60.0, "failed token checks", clock=clock)
    for second in range(5):  # failures at t = 0, 1, 2, 3, 4 (seconds after 1000)
        clock.now = 1000.0 + second
        limit.check("a")
        limit.record("a")
    clock.now = 1010.0
    with pytest.raises(RateLimited) as refused:
        limit.check("a")
    # the oldest failure (t = 0) leaves the window at t = 60: 60 - 10 = 50 seconds to wait
    assert refused.value.retry_after == 50
    limit.check("b")  # another client has its own budget
    clock.now = 1059.5
    with pytest.raises(RateLimited) as refused:
        limit.check("a")
    assert refused.value.retry_after == 1  # 0.5 s, rounded up to a whole second
    clock.now = 1060.0  # t = 0 has left; four remain
    limit.check("a")
    limit.record("a")
    with pytest.raises(RateLimited) as refused:
        limit.check("a")
    assert refused.value.retry_after == 1  # the next to leave is t = 1, at 1061
    off = RateLimit(0, 60.0, "runs", clock=clock)
    for _ in range(1000):
        off.spend("a")  # 0: no limit


def test_failed_api_tokens_get_429_with_retry_after(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERVALUE_API_TOKEN", "s3cret")
    app = _app(folder)
    clock = FakeClock()
    app.state.rates = RateLimits(
        tokens=RateLimit(5, 60.0, "failed token checks", clock=clock),
        runs=RateLimit(0, 60.0, "runs and reports", clock=clock),
    )
    client = TestClient(app, base_url="http://localhost")
    body = {"name": "x", "scenario": {}}
    wrong = {"Authorization": "Bearer nope"}
    for second in range(5):
        clock.now = 1000.0 + second
        # a token that is not the admin token: 403
        assert client.post("/api/v1/scenarios", json=body, headers=wrong).status_code == 403
    clock.now = 1010.0
    sixth = client.post("/api/v1/scenarios", json=body, headers=wrong)
    assert sixth.status_code == 429
    assert sixth.headers["retry-after"] == "50"  # 1000 + 60 - 1010
    assert sixth.headers["content-type"] == "application/problem+json"
    assert "at most 5 in 60 seconds" in sixth.json()["detail"]
    # over the limit even the right token waits: guessing cannot go on in between
    right = {"Authorization": "Bearer s3cret"}
    assert client.post("/api/v1/scenarios", json=body, headers=right).status_code == 429
    clock.now = 1060.0
    assert client.post("/api/v1/scenarios", json=body, headers=right).status_code == 201


def test_guessing_an_owner_key_gets_429(folder: Path) -> None:
    app = _app(folder, PEERVALUE_TOKEN_FAILURES_PER_MINUTE="2", PEERVALUE_RUNS_PER_MINUTE="0")
    client = TestClient(app, base_url="http://localhost")
    saved = client.post("/api/v1/scenarios", json={"name": "Ward 7", "scenario": {}})
    assert saved.status_code == 201
    url = f"/api/v1/scenarios/{saved.json()['id']}"
    guess = {"Authorization": "Bearer " + "0" * 43}
    assert client.delete(url, headers=guess).status_code == 403
    assert client.delete(url, headers=guess).status_code == 403
    third = client.delete(url, headers=guess)
    assert third.status_code == 429 and 1 <= int(third.headers["retry-after"]) <= 60
    # the edit link of the calculator counts too
    page = client.get(url.removeprefix("/api/v1") + "?key=" + "1" * 43)
    assert page.status_code == 429 and page.headers["content-type"].startswith("text/html")


def test_failed_page_tokens_get_a_429_page(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEERVALUE_API_TOKEN", "s3cret")
    app = _app(folder, PEERVALUE_TOKEN_FAILURES_PER_MINUTE="2", PEERVALUE_RUNS_PER_MINUTE="0")
    client = TestClient(app, base_url="http://localhost")
    values = {**_form(client), "save_name": "Ward 7", "access_token": "nope"}
    assert client.post("/scenarios", data=values).status_code == 401
    assert client.post("/scenarios", data=values).status_code == 401
    third = client.post("/scenarios", data=values)
    assert third.status_code == 429 and third.headers["content-type"].startswith("text/html")
    assert 1 <= int(third.headers["retry-after"]) <= 60
    assert "too many failed token checks from this address" in third.text


def test_runs_and_reports_are_rate_limited_per_client(folder: Path) -> None:
    app = _app(folder, PEERVALUE_RUNS_PER_MINUTE="2")
    client = TestClient(app, base_url="http://localhost")
    body = {"price_year": "2011-12"}
    assert client.post("/api/v1/analysis", json=body).status_code == 200
    values = _form(client)
    assert client.post("/calculate", data=values).status_code == 200
    api = client.post("/api/v1/reports?format=html", json={"draws": 100})
    assert api.status_code == 429 and api.headers["content-type"] == "application/problem+json"
    assert "too many runs and reports" in api.json()["detail"]
    page = client.post("/calculate", data=values)
    assert page.status_code == 429 and page.headers["content-type"].startswith("text/html")
    assert int(page.headers["retry-after"]) >= 1
    assert client.get("/api/v1/costs").status_code == 200  # reads are not runs
