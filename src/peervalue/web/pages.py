"""The calculator's HTML pages: server-rendered Jinja2 templates, plain forms that work
without JavaScript, CSRF-checked. They validate, call the service layer, store and render;
every figure comes from the library.

Routes: ``/`` (the business-case form), ``/calculate`` (results), ``/scenarios`` (saved
cases) and ``/scenarios/{id}`` (one, at a stable URL), ``/report`` (downloads of an
unsaved case), ``/evidence`` and ``/evidence/{id}``.
"""

from __future__ import annotations

import base64
import hmac
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from peervalue.errors import InputError
from peervalue.report.formats import document_formats
from peervalue.scenario.schema import ScenarioFile
from peervalue.web.api import may_change, resolve_saved
from peervalue.web.forms import fields, sections
from peervalue.web.limits import limited

# the form's values and checks with the options section's rows (web/option_form.py)
from peervalue.web.option_form import form_values, option_texts, parse_form, problems_by_field
from peervalue.web.ratelimit import check_token_budget, token_refused
from peervalue.web.render import (
    CSRF_FIELD,
    PAGE_NAMING,
    _secret,
    _session_cookie,
    _session_ok,
    csrf_token,
    page,
)
from peervalue.web.storage import MAX_REVISION, Saved, ScenarioStore, Stale, name_problem
from peervalue.web.tokens import is_admin, token_accepted

router = APIRouter(include_in_schema=False)


async def _form(request: Request) -> dict[str, str] | HTMLResponse:
    """The submitted form, or a 403 page when its CSRF token is not the one this server
    signed for the session in the browser's cookie (a cookie and a field that merely match
    are refused). The Origin of the request is checked before (``web/guards.py``)."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    session = request.cookies.get(_session_cookie(request), "")
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
    from peervalue.figures.sizing import readable_width
    from peervalue.report.structural_cells import HEAD, structural_cells
    from peervalue.report.words import scenario_headline
    from peervalue.service.figures import figure_bytes
    from peervalue.service.requests import make_request
    from peervalue.service.scenario import run_scenario
    from peervalue.web.requests import WebScenarioRequest

    result = run_scenario(make_request(WebScenarioRequest, None, scenario=scenario))
    inputs = FigureInputs(scenario=result)
    rows, words = structural_cells(result)
    from peervalue.report.options_cells import HEAD as OPTIONS_HEAD
    from peervalue.report.options_cells import options_cells

    option_rows, option_words = options_cells(result)
    svg = figure_bytes("payback", inputs, "svg")
    return {
        "result": result,
        "headline": scenario_headline(result),
        "structural": {"head": HEAD, "rows": rows, "words": words},
        "options_table": {"head": OPTIONS_HEAD, "rows": option_rows, "words": option_words},
        "figure": {
            "src": _svg_data_uri(svg),
            # the width (CSS px) at which its smallest text is readable: on a phone the
            # figure keeps it and scrolls sideways in its box (peervalue.css)
            "width": readable_width(svg),
            "alt": FIGURES["payback"].alt(inputs),
            "title": FIGURES["payback"].title,
        },
    }


# --- the calculator --------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
async def calculator(request: Request, scenario: str | None = None) -> Response:
    """The business-case form, with the national defaults (or a saved case's figures: its
    owner changes that case in place, anyone else starts a new case from it)."""
    if not scenario:
        return _form_page(request, form_values(None))
    saved = await _saved(request, scenario)
    if saved is None:
        return _not_found(request, "No saved business case has that address.")
    try:
        loaded = resolve_saved(saved)
    except InputError as exc:
        return _cannot_run(request, exc)
    values = form_values(loaded.scenario.model_dump(mode="json"))
    editing = await _editing_of(request, saved)
    return _form_page(request, values, editing=editing)


@router.post("/edit", response_class=HTMLResponse)
async def edit(request: Request) -> Response:
    """Back to the form with the figures of a results page."""
    form = await _form(request)
    if isinstance(form, HTMLResponse):
        return form
    editing = await _editing_from_form(request, form)
    values = {name: form.get(name, "") for name in fields()}
    values.update(option_texts(form))  # the options' rows (one more with "Add an option")
    return _form_page(request, values, editing=editing)


def _form_page(
    request: Request,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    editing: dict[str, Any] | None = None,
) -> HTMLResponse:
    """The calculator form with ``values``; with ``errors``, refused (422) with each problem
    by its field; with ``editing``, the saved case its owner is changing."""
    return page(
        request,
        "calculator.html",
        422 if errors else 200,
        sections=sections(),
        values=values,
        errors=errors or {},
        editing=editing,
    )


async def _run(request: Request, scenario: ScenarioFile) -> dict[str, Any]:
    """:func:`_results` under the run-time limit."""
    return await limited(request, lambda: _results(scenario))


@router.post("/calculate", response_class=HTMLResponse)
async def calculate(request: Request) -> Response:
    form = await _form(request)
    if isinstance(form, HTMLResponse):
        return form
    editing = await _editing_from_form(request, form)
    parsed = parse_form(form)
    if parsed.scenario is None:
        return _form_page(request, parsed.values, parsed.errors, editing)
    try:
        shown = await _run(request, parsed.scenario)
    except InputError as exc:  # a figure the library refuses only when it runs (a price year)
        return _form_page(request, parsed.values, problems_by_field(exc.problems), editing)
    return page(request, "results.html", values=parsed.values, saved=None, editing=editing, **shown)


def _check_token(request: Request, values: dict[str, str]) -> str | None:
    """What is wrong with the form's access token, if anything; a client that has failed
    too often gets 429 before its token is compared (``web/ratelimit.py``)."""
    check_token_budget(request)
    if token_accepted(values.get("access_token", "")):
        return None
    token_refused(request)
    return "the access token is missing or wrong; ask the server's administrator for it"


# --- saved cases and their owners ------------------------------------------------------
#
# Saving a case gives its owner key, kept by the browser that saved it in a cookie of that
# case's own (HttpOnly, SameSite=Strict) and shown as a private edit link
# (/scenarios/{id}?key=...), which gives the key to another browser. The owner (or anyone
# with the admin token) changes the case in place or deletes it; anyone with its address may
# view it, its history and its downloads. Cases are unlisted: /scenarios lists the cases
# this browser owns.

#: the owner key of case ``id`` lives in the cookie OWNER_COOKIE + id's 32 hex digits
OWNER_COOKIE = "peervalue_owner_"
#: set for one page view after saving: the saved page then shows the private edit link
NEW_KEY_COOKIE = "peervalue_new_"
#: how long a browser keeps an owner key (a year)
OWNER_COOKIE_AGE = 365 * 24 * 3600


def _cookie_name(prefix: str, scenario_id: str) -> str:
    return prefix + uuid.UUID(scenario_id).hex


def _owner_key(request: Request, scenario_id: str) -> str:
    return request.cookies.get(_cookie_name(OWNER_COOKIE, scenario_id), "")


def _set_cookie(response: Response, request: Request, name: str, value: str, age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=age,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def _store(request: Request) -> ScenarioStore:
    store: ScenarioStore = request.app.state.store
    return store


async def _may_change(request: Request, saved: Saved, form: dict[str, str] | None = None) -> bool:
    """Whether this browser holds the case's owner key, or the form gives the admin token; a
    client that has failed too many token checks gets 429 before a form's token is compared,
    and a wrong one counts against it (``web/ratelimit.py``)."""
    given = form.get("access_token", "") if form is not None else ""
    if given:
        check_token_budget(request)
        if is_admin(given):
            return True
    key = _owner_key(request, saved.id)
    allowed = bool(key) and await run_in_threadpool(may_change, _store(request), saved.id, key)
    if given and not allowed:
        token_refused(request)
    return allowed


async def _editing_of(request: Request, saved: Saved) -> dict[str, Any] | None:
    """The case an owner is changing (id, revision, name), or None for anyone else."""
    if not await _may_change(request, saved):
        return None
    return {"id": saved.id, "revision": saved.revision, "name": saved.name}


async def _editing_from_form(request: Request, form: dict[str, str]) -> dict[str, Any] | None:
    """The case a submitted form changes (its hidden ``case_id`` and ``case_revision``), when
    this browser owns it; the revision is the one the owner started from."""
    case_id, revision = form.get("case_id", ""), form.get("case_revision", "")
    if not case_id or not revision.isdigit():
        return None
    saved = await _saved(request, case_id)
    if saved is None or not await _may_change(request, saved, form):
        return None
    return {"id": saved.id, "revision": int(revision), "name": saved.name}


def _cannot_run(request: Request, exc: InputError) -> HTMLResponse:
    return page(
        request,
        "message.html",
        422,
        title="This case cannot be run",
        message=exc.message(PAGE_NAMING),
    )


async def _refused_save(
    request: Request,
    parsed: Any,
    name: str,
    problem: str,
    status: int,
    editing: dict[str, Any] | None = None,
) -> HTMLResponse:
    """The results again with the problem by the save form: a page of its own would leave
    only the browser's Back, which cannot show a POST's page again without sending it."""
    try:
        shown = await _run(request, parsed.scenario)
    except InputError as exc:
        return page(
            request, "message.html", 422, title="Not saved", message=exc.message(PAGE_NAMING)
        )
    return page(
        request,
        "results.html",
        status,
        values=parsed.values,
        saved=None,
        save_error=problem,
        save_name=name,
        editing=editing,
        **shown,
    )


@router.post("/scenarios", response_class=HTMLResponse)
async def save(request: Request) -> Response:
    """Save the case on a results page as a new case, then show it at its own address; this
    browser keeps its owner key."""
    from peervalue.scenario.documents import FORMAT_VERSION, overrides_of

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
        return await _refused_save(
            request, parsed, name, refused or wrong_name or "", 401 if refused else 422
        )
    document = overrides_of(parsed.scenario)
    saved, key = await run_in_threadpool(_store(request).create, name, document, FORMAT_VERSION)
    response = RedirectResponse(f"/scenarios/{saved.id}", status_code=303)
    _set_cookie(response, request, _cookie_name(OWNER_COOKIE, saved.id), key, OWNER_COOKIE_AGE)
    _set_cookie(response, request, _cookie_name(NEW_KEY_COOKIE, saved.id), "1", 600)
    return response


@router.post("/scenarios/{scenario_id}", response_class=HTMLResponse)
async def save_changes(request: Request, scenario_id: str) -> Response:
    """Save the figures on a results page as the next revision of the case its owner is
    changing, if nobody changed it meanwhile (else the figures come back with the news)."""
    from peervalue.scenario.documents import FORMAT_VERSION, overrides_of

    form = await _form(request)
    if isinstance(form, HTMLResponse):
        return form
    saved = await _saved(request, scenario_id)
    if saved is None:
        return _not_found(request, "No saved business case has that address.")
    parsed = parse_form(form)
    if parsed.scenario is None:
        return _form_page(request, parsed.values, parsed.errors)
    name = form.get("save_name", "").strip() or saved.name
    revision = form.get("case_revision", "")
    editing = {"id": saved.id, "revision": saved.revision, "name": saved.name}
    if not await _may_change(request, saved, form):
        return await _refused_save(
            request,
            parsed,
            name,
            "this browser does not hold this case's owner key (open its private edit link "
            "first), so it can only be saved as a new case",
            403,
        )
    if (problem := name_problem(name)) is not None:
        return await _refused_save(request, parsed, name, problem, 422, editing)
    if not revision.isdigit():
        return page(
            request,
            "message.html",
            400,
            title="Not saved",
            message="the form does not say which revision it changes; open the case again "
            "and make your change there",
        )
    document = overrides_of(parsed.scenario)
    done = await run_in_threadpool(
        _store(request).update, saved.id, name, document, int(revision), FORMAT_VERSION
    )
    if done is None:
        return _not_found(request, "That business case has been deleted.")
    if isinstance(done, Stale):
        return await _refused_save(
            request,
            parsed,
            name,
            f"someone changed this case while you were editing it (it is now at revision "
            f"{done.current.revision}; you started from revision {revision}). Your figures "
            "are below: save them as a new case, or open the case again and make your "
            "change there",
            409,
            {"id": saved.id, "revision": done.current.revision, "name": saved.name},
        )
    return RedirectResponse(f"/scenarios/{saved.id}", status_code=303)


@router.post("/scenarios/{scenario_id}/delete", response_class=HTMLResponse)
async def delete_case(request: Request, scenario_id: str) -> Response:
    """Delete a case and its history (its owner, or the admin token)."""
    form = await _form(request)
    if isinstance(form, HTMLResponse):
        return form
    saved = await _saved(request, scenario_id)
    if saved is None:
        return _not_found(request, "No saved business case has that address.")
    if not await _may_change(request, saved, form):
        return page(
            request,
            "message.html",
            403,
            title="Not deleted",
            message="Only the case's owner (the browser that saved it, or one that opened its "
            "private edit link) or the server's administrator can delete it.",
        )
    revision = form.get("case_revision", "")
    done = await run_in_threadpool(
        _store(request).delete, saved.id, int(revision) if revision.isdigit() else None
    )
    if isinstance(done, Stale):
        return page(
            request,
            "message.html",
            409,
            title="Not deleted",
            message=f"The case was changed since you opened it (it is now at revision "
            f"{done.current.revision}). Open it again to see the change before deleting it.",
        )
    response = page(
        request,
        "message.html",
        200,
        title="Deleted",
        message=f"The business case '{saved.name}' and its history are deleted.",
    )
    response.delete_cookie(_cookie_name(OWNER_COOKIE, saved.id), path="/")
    return response


async def _saved(request: Request, scenario_id: str) -> Saved | None:
    try:
        key = str(uuid.UUID(scenario_id))
    except ValueError:
        return None
    return await run_in_threadpool(_store(request).get, key)


def _not_found(request: Request, message: str) -> HTMLResponse:
    return page(request, "message.html", 404, title="Not found", message=message)


@router.get("/scenarios", response_class=HTMLResponse)
async def saved_list(request: Request) -> Response:
    """The cases this browser owns (cases are unlisted: nobody else's are shown)."""
    store = _store(request)
    mine = []
    for name, key in request.cookies.items():
        if not name.startswith(OWNER_COOKIE):
            continue
        try:
            case_id = str(uuid.UUID(name.removeprefix(OWNER_COOKIE)))
        except ValueError:
            continue
        saved = await run_in_threadpool(store.get, case_id)
        if saved is not None and await run_in_threadpool(store.is_owner, case_id, key):
            mine.append(saved)
    mine.sort(key=lambda s: s.updated, reverse=True)
    return page(request, "saved_list.html", saved_cases=mine)


@router.get("/scenarios/{scenario_id}", response_class=HTMLResponse)
async def saved_page(request: Request, scenario_id: str, key: str | None = None) -> Response:
    """A saved business case at its stable address: its results and downloads. With its
    private edit link's ``key``, this browser becomes an owner (the key leaves the address)."""
    saved = await _saved(request, scenario_id)
    if saved is None:
        return _not_found(request, "No saved business case has that address.")
    if key is not None:
        check_token_budget(request)
        if not await run_in_threadpool(_store(request).is_owner, saved.id, key):
            token_refused(request)
            return page(
                request,
                "message.html",
                403,
                title="Not the owner's link",
                message="That edit link's key does not belong to this case. The case itself "
                "can be viewed at its address without a key.",
            )
        response: Response = RedirectResponse(f"/scenarios/{saved.id}", status_code=303)
        _set_cookie(response, request, _cookie_name(OWNER_COOKIE, saved.id), key, OWNER_COOKIE_AGE)
        return response
    try:
        scenario = resolve_saved(saved).scenario
        shown = await _run(request, scenario)
    except InputError as exc:
        return _cannot_run(request, exc)
    owner = await _may_change(request, saved)
    new_cookie = _cookie_name(NEW_KEY_COOKIE, saved.id)
    response = page(
        request,
        "results.html",
        values=form_values(scenario.model_dump(mode="json")),
        saved=saved,
        owner=owner,
        owner_link=f"/scenarios/{saved.id}?key={_owner_key(request, saved.id)}" if owner else "",
        just_saved=owner and new_cookie in request.cookies,
        **shown,
    )
    if new_cookie in request.cookies:
        response.delete_cookie(new_cookie, path="/")
    return response


@router.get("/scenarios/{scenario_id}/revisions", response_class=HTMLResponse)
async def history(request: Request, scenario_id: str) -> Response:
    """A saved case's revisions, newest first, each viewable."""
    saved = await _saved(request, scenario_id)
    if saved is None:
        return _not_found(request, "No saved business case has that address.")
    revisions = await run_in_threadpool(_store(request).revisions, saved.id)
    return page(request, "history.html", saved=saved, revisions=revisions)


@router.get("/scenarios/{scenario_id}/revisions/{number}", response_class=HTMLResponse)
async def old_revision(request: Request, scenario_id: str, number: int) -> Response:
    """One revision of a saved case, run as it was stored (read-only)."""
    saved = await _saved(request, scenario_id)
    if saved is None:
        return _not_found(request, "No saved business case has that address.")
    found = None
    if 1 <= number <= MAX_REVISION:
        found = await run_in_threadpool(_store(request).revision, saved.id, number)
    if found is None:
        return _not_found(request, f"This business case has no revision {number}.")
    try:
        scenario = resolve_saved(found).scenario
        shown = await _run(request, scenario)
    except InputError as exc:
        return _cannot_run(request, exc)
    return page(
        request,
        "results.html",
        values=form_values(scenario.model_dump(mode="json")),
        saved=saved,
        revision=found,
        **shown,
    )


@router.post("/report")
async def report(request: Request) -> Response:
    """A report of the case on a results page (not saved) as a download."""
    form = await _form(request)
    if isinstance(form, HTMLResponse):
        return form
    fmt = form.get("format", "")
    parsed = parse_form(form)
    if parsed.scenario is None or fmt not in document_formats():
        return page(
            request,
            "message.html",
            422,
            title="No report",
            message="the figures or the format are not valid; go back and try again",
        )
    from peervalue.service.requests import make_request
    from peervalue.web.api import report_response
    from peervalue.web.requests import WebReportRequest

    try:  # a request the report refuses is a page saying why, never a 500
        body = make_request(
            WebReportRequest,
            None,
            scenario=parsed.scenario,
            # the case's own draws and seed, as its results page shows them
            draws=parsed.scenario.monte_carlo.draws,
            seed=parsed.scenario.monte_carlo.seed,
        )
    except InputError as exc:
        return page(request, "message.html", 422, title="No report", message=exc.message())
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
