"""Errors as RFC 9457 problem details (``application/problem+json``)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from peervalue.errors import InputError

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _path(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p != "body"]
    return "/" + "/".join(parts) if parts else "/"


async def validation_problem(request: Request, exc: Exception) -> JSONResponse:
    """A request that does not fit its model: 422 with the path of every bad field."""
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "path": "/" if err.get("type") == "json_invalid" else _path(tuple(err.get("loc", ()))),
            "message": str(err.get("msg", "")).removeprefix("Value error, "),
        }
        for err in exc.errors()
    ]
    detail = "; ".join(f"{e['path']}: {e['message']}" for e in errors[:5])
    return problem(422, "The request is not valid", detail, errors=errors)


async def input_problem(request: Request, exc: Exception) -> JSONResponse:
    """An input the library refused (a study, cost document or option): 422 with its problems."""
    assert isinstance(exc, InputError)
    errors = [
        {"path": "/" + p.field.replace(".", "/") if p.field else "/", "message": p.sentence()}
        for p in exc.problems
    ]
    return problem(422, "The inputs cannot be used", exc.message(), errors=errors)


async def http_problem(request: Request, exc: Exception) -> JSONResponse:
    """404 for an unknown route, 401 for a missing token, 405...: as problem details."""
    from starlette.exceptions import HTTPException

    assert isinstance(exc, HTTPException)
    response = problem(exc.status_code, _TITLES.get(exc.status_code, "Error"), str(exc.detail))
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def run_limit_problem(request: Request, exc: Exception) -> JSONResponse:
    """A run that could not start or finish in time: 503, with when to try again."""
    from peervalue.web.limits import RunLimitExceeded

    assert isinstance(exc, RunLimitExceeded)
    response = problem(503, "The run took too long", exc.detail)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


_TITLES = {
    401: "A token is needed",
    404: "Not found",
    405: "Method not allowed",
    413: "The request is too large",
}
