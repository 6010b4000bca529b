"""Errors as RFC 9457 problem details (``application/problem+json``); on the calculator's
pages (any address outside the API, its schema and the static files) as an HTML page."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from peervalue.errors import InputError, Naming

#: "see also" topics (peervalue.errors.SEE_ALSO) as the API's addresses
API_SEE_ALSO = {
    "evidence-sets": "GET /api/v1/evidence-sets",
    "cost-sets": "GET /api/v1/costs",
    "figures": "the figures of a report",
    "new-scenario": "a scenario document (the schema of POST /api/v1/scenarios/run)",
    "study": "GET /api/v1/evidence/",
}


class ApiNaming(Naming):
    """Messages in a problem document: a request field as its JSON pointer, a hint as an
    address of the API."""

    def field(self, name: str, value: str | None) -> str:
        pointer = "/" + name.replace(".", "/")
        return pointer if value is None else f"{pointer}: {json.dumps(value)}"

    def see(self, topic: str, argument: str) -> str:
        where = API_SEE_ALSO.get(topic, topic)
        return f"{where}{argument}" if where.endswith("/") else f"{where} {argument}".strip()


API_NAMING = ApiNaming()

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


#: addresses whose errors are problem documents; every other address is a page's
_NOT_PAGES = ("/api/", "/static/", "/openapi.json")

#: what an error on a page says, when the route gives no more than the status's phrase
_PAGE_MESSAGES = {
    404: "No page has that address.",
    405: "This address answers the calculator's form, not a link or a reload; start again "
    "from the business case.",
}


def error_response(request: Request, status: int, title: str, detail: str) -> Response:
    """A problem document for the API; an HTML page (never JSON) for the calculator."""
    if request.url.path.startswith(_NOT_PAGES):
        return problem(status, title, detail)
    from starlette.status import HTTP_400_BAD_REQUEST

    from peervalue.web.render import page

    if status in _PAGE_MESSAGES:
        detail = _PAGE_MESSAGES[status]
    elif status == HTTP_400_BAD_REQUEST:
        detail = f"The form could not be read ({detail}). Go back, reload the page and try again."
    return page(request, "message.html", status, title=title, message=detail)


def _path(loc: tuple[Any, ...]) -> str:
    # pydantic names the branch of a union or a model validator in the location
    # (``function-after[_check(), ScenarioFile]``): not part of the document's path
    parts = [str(p) for p in loc if p != "body" and not (isinstance(p, str) and "[" in p)]
    return "/" + "/".join(parts) if parts else "/"


def _meant(errors: list[Any]) -> list[Any]:
    """The errors of the union branch the client meant: an object or list sent where a
    path or a document may go was not meant as a path (``Path | ScenarioFile``)."""
    meant = [
        e
        for e in errors
        if not (e.get("type") == "path_type" and isinstance(e.get("input"), dict | list))
    ]
    return meant or errors


def _json_media(content_type: str) -> bool:
    """Whether a Content-Type header says JSON (``application/json``, ``...+json``)."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _not_json(request: Request, errors: list[Any]) -> JSONResponse | None:
    """415 when a body the route reads as JSON came with another Content-Type (or none):
    FastAPI does not parse it, and pydantic's complaint about the whole body would not say
    why."""
    content_type = request.headers.get("content-type", "")
    if _json_media(content_type):
        return None
    if not any(tuple(e.get("loc", ())) == ("body",) for e in errors):
        return None
    got = f"Content-Type {content_type!r}" if content_type else "no Content-Type"
    detail = (
        f"the body came with {got}; send it as JSON with the header "
        "'Content-Type: application/json' (curl: -H 'Content-Type: application/json')"
    )
    return problem(415, "Unsupported media type", detail, errors=[{"path": "/", "message": detail}])


async def validation_problem(request: Request, exc: Exception) -> JSONResponse:
    """A request that does not fit its model: 422 with the path of every bad field."""
    assert isinstance(exc, RequestValidationError)
    if (wrong_media := _not_json(request, list(exc.errors()))) is not None:
        return wrong_media
    errors = [
        {
            "path": "/" if err.get("type") == "json_invalid" else _path(tuple(err.get("loc", ()))),
            "message": API_NAMING.render(str(err.get("msg", "")).removeprefix("Value error, ")),
        }
        for err in _meant(list(exc.errors()))
    ]
    detail = "; ".join(f"{e['path']}: {e['message']}" for e in errors[:5])
    return problem(422, "The request is not valid", detail, errors=errors)


async def input_problem(request: Request, exc: Exception) -> Response:
    """An input the library refused (a study, cost document, option or a stored document):
    422 with its problems (on a page's address, a page saying so)."""
    assert isinstance(exc, InputError)
    if not request.url.path.startswith(_NOT_PAGES):
        from peervalue.web.render import PAGE_NAMING

        return error_response(request, 422, "The inputs cannot be used", exc.message(PAGE_NAMING))
    top = [exc.request_field] if exc.request_field else []
    errors = [
        {
            "path": "/" + "/".join([*top, *([p.field] if p.field else [])]).replace(".", "/"),
            "message": p.sentence(API_NAMING),
        }
        for p in exc.problems
    ]
    return problem(422, "The inputs cannot be used", exc.message(API_NAMING), errors=errors)


async def unexpected_problem(request: Request, exc: Exception) -> Response:
    """A fault of the server's own (a bug): 500 as a problem document or a page, never
    Starlette's plain text, and never the exception's text (which may name server paths)."""
    import logging

    logging.getLogger("peervalue.web").error(
        "unhandled error on %s %s", request.method, request.url.path, exc_info=exc
    )
    return error_response(
        request,
        500,
        "Something went wrong on the server",
        "the server could not answer this request; it has been logged. Try again, and if it "
        "happens again tell the server's administrator what you did.",
    )


def _allowed_methods(request: Request) -> set[str]:
    """The methods the API serves at the request's path (Starlette's own 405 names only those
    of the first route that matches it): those of every route with the path that matches,
    a literal one (``/scenarios/compare``) before a template (``/scenarios/{scenario_id}``)."""
    from starlette.routing import Match

    # the API's routes, which create_app keeps on the application's state
    routes = list(getattr(request.app.state, "api_routes", ()))
    paths = [
        str(getattr(route, "path", ""))
        for route in routes
        if route.matches(request.scope)[0] is not Match.NONE
    ]
    if not paths:
        return set()
    path = request.url.path if request.url.path in paths else paths[0]
    return {
        method
        for route in routes
        if getattr(route, "path", None) == path
        for method in getattr(route, "methods", None) or ()
    }


async def http_problem(request: Request, exc: Exception) -> Response:
    """404 for an unknown route, 401 for a missing token, 405...: as problem details (as a
    page for a page's address)."""
    from starlette.exceptions import HTTPException

    assert isinstance(exc, HTTPException)
    title = _TITLES.get(exc.status_code, "Error")
    response = error_response(request, exc.status_code, title, str(exc.detail))
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    if exc.status_code == 405 and (allowed := _allowed_methods(request)):
        response.headers["Allow"] = ", ".join(sorted(allowed))
    return response


async def run_limit_problem(request: Request, exc: Exception) -> Response:
    """A run that could not start or finish in time: 503, with when to try again."""
    from peervalue.web.limits import RunLimitExceeded

    assert isinstance(exc, RunLimitExceeded)
    response = error_response(request, 503, "The run took too long", exc.detail)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


_TITLES = {
    400: "The request cannot be read",
    401: "A token is needed",
    404: "Not found",
    405: "Method not allowed",
    413: "The request is too large",
    415: "Unsupported media type",
}


# --- the problems in the OpenAPI schema -------------------------------------------------

#: the JSON schema of a problem document as this API writes it
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "message"],
                "properties": {"path": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def problem_response(description: str) -> dict[str, Any]:
    """An OpenAPI response whose body is a problem document."""
    return {"description": description, "content": {PROBLEM: {"schema": PROBLEM_SCHEMA}}}


#: ``responses=`` of a route that answers 404 for an unknown id
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: problem_response("No such item")}
#: ``responses=`` of a write route (401 when PEERVALUE_API_TOKEN is set and not sent)
NEEDS_TOKEN: dict[int | str, dict[str, Any]] = {
    401: problem_response("A token is needed (PEERVALUE_API_TOKEN)")
}
#: ``openapi_extra=`` of a write route: the token is asked for only when the server sets
#: one, so anonymous access is the alternative (FastAPI appends this to its requirement)
TOKEN_OPTIONAL: dict[str, Any] = {"security": [{}]}
#: ``responses=`` of a route that runs the model (peervalue.web.limits)
TIMED_OUT: dict[int | str, dict[str, Any]] = {
    503: problem_response("The run could not start or finish in time (PEERVALUE_RUN_TIMEOUT)")
}


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Describe in an OpenAPI schema the problems every route may answer: a 422 (the handler
    above replaces FastAPI's validation error body), 400 for a route with a body (bytes that
    are not UTF-8), and 411 and 413 for a POST or PUT (the body limit in peervalue.web.app)."""
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            if "422" in responses:
                responses["422"] = problem_response("The request is not valid")
            if "requestBody" in operation:
                responses["400"] = problem_response("The request cannot be read")
                responses["415"] = problem_response("The body is not sent as application/json")
            if method in {"post", "put", "patch"}:
                responses["411"] = problem_response("Length required")
                responses["413"] = problem_response("The request is too large")
    components = schema.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema
