"""The calculator's HTML pages: server-rendered Jinja2 templates, plain forms that work
without JavaScript, CSRF-checked. They validate, call the service layer, store and render;
every figure comes from the library.

Routes: ``/`` (the business-case form), ``/calculate`` (results), ``/scenarios`` (saved
cases) and ``/scenarios/{id}`` (one, at a stable URL), ``/report`` (downloads of an
unsaved case), ``/evidence`` and ``/evidence/{id}``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from functools import cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from peervalue.errors import InputError
from peervalue.scenario.schema import ScenarioFile
from peervalue.service.report import REPORT_FORMATS
from peervalue.web.api import token_accepted, token_required
from peervalue.web.forms import (
    changes,
    default_of,
    fields,
    form_values,
    parse_form,
    problems_by_field,
    sections,
)
from peervalue.web.limits import limited
from peervalue.web.ratelimit import check_token_budget, token_refused
from peervalue.web.storage import name_problem

router = APIRouter(include_in_schema=False)

#: the session cookie the CSRF token is bound to (``__Host-`` prefixed on HTTPS)
CSRF_COOKIE = "peervalue_csrf"
CSRF_FIELD = "csrf_token"
#: draws for a report downloaded from a results page
PAGE_REPORT_DRAWS = 10_000


@cache
def templates() -> Environment:
    env = Environment(
        loader=PackageLoader("peervalue.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    from peervalue.report.words import money, percent

    env.filters["money"] = money
    env.filters["percent"] = percent
    env.globals["default_of"] = default_of
    env.globals["changes"] = changes
    env.globals["field_label"] = lambda name: fields()[name].label if name in fields() else name
    return env


def _cookie_name(request: Request) -> str:
    """The session cookie's name: on HTTPS with the ``__Host-`` prefix, which a browser
    accepts only from this host itself (never from a sibling subdomain)."""
    return f"__Host-{CSRF_COOKIE}" if request.url.scheme == "https" else CSRF_COOKIE


def _session_ok(session: str) -> bool:
    return len(session) == 43 and session.replace("-", "").replace("_", "").isalnum()


def csrf_token(secret: bytes, session: str) -> str:
    """The CSRF token of a session: HMAC-SHA256 of its id under the server's secret
    (PEERVALUE_SECRET_KEY, or the secret file every worker shares), base64url."""
    digest = hmac.new(secret, b"peervalue-csrf\x00" + session.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode("ascii")


def _secret(request: Request) -> bytes:
    secret: bytes = request.app.state.settings.secret_key
    return secret


def _token(request: Request) -> tuple[str, str | None]:
    """The CSRF token for the browser's session, and a new session id to set as its cookie
    (``None`` when the browser already has one)."""
    session = request.cookies.get(_cookie_name(request), "")
    new = None
    if not _session_ok(session):
        session = new = secrets.token_urlsafe(32)
    return csrf_token(_secret(request), session), new


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page with the CSRF token in its forms: signed with the server's secret and bound
    to the session id in a SameSite=Strict, HttpOnly cookie."""
    token, new_session = _token(request)
    from peervalue._version import package_version

    html = (
        templates()
        .get_template(template)
        .render(
            csrf_field=CSRF_FIELD,
            csrf_token=token,
            version=package_version(),
            token_needed=token_required(),
            path=request.url.path,
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    if new_session is not None:
        response.set_cookie(
            _cookie_name(request),
            new_session,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )
    return response


async def _form(request: Request) -> dict[str, str] | HTMLResponse:
    """The submitted form, or a 403 page when its CSRF token is not the one this server
    signed for the session in the browser's cookie (a cookie and a field that merely match
    are refused). The Origin of the request is checked before (``web/guards.py``)."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    session = request.cookies.get(_cookie_name(request), "")
    given = values.pop(CSRF_FIELD, "")
    expected = csrf_token(_secret(request), session)
    if not _session_ok(session) or not hmac.compare_digest(given.encode(), expected.encode()):
        return page(
            request,
            "message.html",
            403,
            title="This form has expired",
            message="The form was not sent from this site's page, or its security token has "
            "expired. Go back, reload the page and send it again.",
        )
    return values


def _svg_data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def _results(scenario: ScenarioFile) -> dict[str, Any]:
    """Run a business case at its own ``[monte_carlo]`` draws and seed and draw its figure
    (in a worker thread); a case the web will not run raises :class:`InputError`."""
    from peervalue.figures.catalogue import FIGURES, FigureInputs
    from peervalue.report.words import scenario_headline
    from peervalue.service.figures import figure_bytes
    from peervalue.service.requests import make_request
    from peervalue.service.scenario import run_scenario
    from peervalue.web.requests import WebScenarioRequest

    result = run_scenario(make_request(WebScenarioRequest, None, scenario=scenario))
    inputs = FigureInputs(scenario=result)
    return {
        "result": result,
        "headline": scenario_headline(result),
        "figure": {
            "src": _svg_data_uri(figure_bytes("payback", inputs, "svg")),
            "alt": FIGURES["payback"].alt(inputs),
            "title": FIGURES["payback"].title,
        },
    }


# --- the calculator --------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
async def calculator(request: Request, scenario: str | None = None) -> Response:
    """The business-case form, with the national defaults (or a saved case's figures)."""
    document = None
    if scenario:
        saved = await _saved(request, scenario)
        if saved is None:
            return _not_found(request, "No saved business case has that address.")
        document = saved.document
    return _form_page(request, form_values(document))


@router.post("/edit", response_class=HTMLResponse)
async def edit(request: Request) -> Response:
    """Back to the form with the figures of a results page."""
    form = await _form(request)
    if isinstance(form, HTMLResponse):
        return form
    return _form_page(request, {name: form.get(name, "") for name in fields()})


def _form_page(
    request: Request, values: dict[str, str], errors: dict[str, str] | None = None
) -> HTMLResponse:
    """The calculator form with ``values``; with ``errors``, refused (422) with each problem
    by its field."""
    return page(
        request,
        "calculator.html",
        422 if errors else 200,
        sections=sections(),
        values=values,
        errors=errors or {},
    )


async def _run(request: Request, scenario: ScenarioFile) -> dict[str, Any]:
    """:func:`_results` under the run-time limit."""
    return await limited(request, lambda: _results(scenario))


@router.post("/calculate", response_class=HTMLResponse)
async def calculate(request: Request) -> Response:
    form = await _form(request)
    if isinstance(form, HTMLResponse):
        return form
    parsed = parse_form(form)
    if parsed.scenario is None:
        return _form_page(request, parsed.values, parsed.errors)
    try:
        shown = await _run(request, parsed.scenario)
    except InputError as exc:  # a figure the library refuses only when it runs (a price year)
        return _form_page(request, parsed.values, problems_by_field(exc.problems))
    return page(request, "results.html", values=parsed.values, saved=None, **shown)


def _check_token(request: Request, values: dict[str, str]) -> str | None:
    """What is wrong with the form's access token, if anything; a client that has failed
    too often gets 429 before its token is compared (``web/ratelimit.py``)."""
    check_token_budget(request)
    if token_accepted(values.get("access_token", "")):
        return None
    token_refused(request)
    return "the access token is missing or wrong; ask the server's administrator for it"


@router.post("/scenarios", response_class=HTMLResponse)
async def save(request: Request) -> Response:
    """Save the case on a results page, then show it at its own address."""
    form = await _form(request)
    if isinstance(form, HTMLResponse):
        return form
    parsed = parse_form(form)
    name = form.get("save_name", "").strip() or (
        parsed.scenario.scenario.name if parsed.scenario is not None else ""
    )
    if parsed.scenario is None:
        message = "the figures are not valid: " + "; ".join(
            f"{k}: {v}" for k, v in parsed.errors.items()
        )
        return page(request, "message.html", 422, title="Not saved", message=message)
    refused = _check_token(request, form)
    wrong_name = name_problem(name)
    if refused or wrong_name:
        # the results again, the problem by the save form: a page of its own left only the
        # browser's Back, which cannot show a POST's page again without sending it again
        try:
            shown = await _run(request, parsed.scenario)
        except InputError as exc:
            return page(request, "message.html", 422, title="Not saved", message=exc.message())
        return page(
            request,
            "results.html",
            401 if refused else 422,
            values=parsed.values,
            saved=None,
            save_error=refused or wrong_name,
            save_name=name,
            **shown,
        )
    document = parsed.scenario.model_dump(mode="json")
    store = request.app.state.store
    saved = await run_in_threadpool(store.create, name, document)
    return RedirectResponse(f"/scenarios/{saved.id}", status_code=303)


async def _saved(request: Request, scenario_id: str) -> Any:
    try:
        key = str(uuid.UUID(scenario_id))
    except ValueError:
        return None
    return await run_in_threadpool(request.app.state.store.get, key)


def _not_found(request: Request, message: str) -> HTMLResponse:
    return page(request, "message.html", 404, title="Not found", message=message)


@router.get("/scenarios", response_class=HTMLResponse)
async def saved_list(request: Request) -> Response:
    found = await run_in_threadpool(request.app.state.store.list)
    return page(request, "saved_list.html", saved_cases=found)


@router.get("/scenarios/{scenario_id}", response_class=HTMLResponse)
async def saved_page(request: Request, scenario_id: str) -> Response:
    """A saved business case at its stable address: its results and downloads."""
    saved = await _saved(request, scenario_id)
    if saved is None:
        return _not_found(request, "No saved business case has that address.")
    try:
        shown = await _run(request, ScenarioFile.model_validate(saved.document))
    except InputError as exc:
        return page(
            request, "message.html", 422, title="This case cannot be run", message=exc.message()
        )
    return page(request, "results.html", values=form_values(saved.document), saved=saved, **shown)


@router.post("/report")
async def report(request: Request) -> Response:
    """A report of the case on a results page (not saved) as a download."""
    form = await _form(request)
    if isinstance(form, HTMLResponse):
        return form
    fmt = form.get("format", "")
    parsed = parse_form(form)
    if parsed.scenario is None or fmt not in REPORT_FORMATS:
        return page(
            request,
            "message.html",
            422,
            title="No report",
            message="the figures or the format are not valid; go back and try again",
        )
    from peervalue.web.api import report_response
    from peervalue.web.requests import WebReportRequest

    body = WebReportRequest.model_validate(
        {
            "scenario": parsed.scenario,
            "draws": PAGE_REPORT_DRAWS,
            "seed": parsed.scenario.monte_carlo.seed,
        }
    )
    return await limited(request, lambda: report_response(body, fmt, "business-case"))


@router.get("/docs", response_class=HTMLResponse)
async def api_docs(request: Request) -> Response:
    """Swagger UI on /openapi.json, its scripts served from the package."""
    return page(request, "docs.html")


# --- the evidence ----------------------------------------------------------------------


@router.get("/evidence", response_class=HTMLResponse)
async def evidence(request: Request, set: str | None = None) -> Response:
    """The studies of an evidence set (default: the six of 2013) with their quality, and
    whether each is pooled (if not, why)."""
    from peervalue.evidence.sets import DEFAULT_SET, bundled_set_names, list_sets
    from peervalue.report.rows import evidence_rows
    from peervalue.web.api import bundled_evidence

    chosen = set or DEFAULT_SET
    if chosen not in bundled_set_names():
        return _not_found(request, "No bundled evidence set has that name.")
    found = await run_in_threadpool(bundled_evidence, chosen)
    sets = await run_in_threadpool(list_sets)
    return page(
        request,
        "evidence.html",
        rows=evidence_rows(found),
        sets=sets.sets,
        chosen=next(s for s in sets.sets if s.name == chosen),
    )


@router.get("/evidence/{study_id}", response_class=HTMLResponse)
async def study(request: Request, study_id: str) -> Response:
    from peervalue.web.api import bundled_study

    found = await run_in_threadpool(bundled_study, study_id)
    if found is None:
        return _not_found(request, "No bundled study has that id.")
    return page(request, "study.html", study=found, quantities=found.quantities())
