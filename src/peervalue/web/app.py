"""The FastAPI application: the API router, problem-details errors and security headers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from peervalue.errors import InputError
from peervalue.web.guards import SECURITY_HEADERS as SECURITY_HEADERS

if TYPE_CHECKING:
    from peervalue.web.settings import Settings

#: the largest request body accepted (a scenario or a few studies are a few kilobytes)
MAX_BODY_BYTES = 1_000_000


def create_app(
    database_url: str | None = None,
    *,
    run_timeout: float | None = None,
    concurrent_runs: int | None = None,
    allowed_hosts: Sequence[str] | None = None,
    runs_per_minute: int | None = None,
    settings: Settings | None = None,
) -> FastAPI:
    """The application, with every PEERVALUE_* setting read and checked first
    (:mod:`peervalue.web.settings`; a bad one raises :class:`InputError` naming it).

    Saved scenarios go to ``database_url`` (default: PEERVALUE_DATABASE_URL or a SQLite file
    in the data folder), whose schema is brought up to date first. A Monte Carlo run gets
    ``run_timeout`` seconds (default PEERVALUE_RUN_TIMEOUT, else 60) and at most
    ``concurrent_runs`` run at once (PEERVALUE_MAX_RUNS, else one per core). Requests must
    name a host of ``allowed_hosts`` (default PEERVALUE_ALLOWED_HOSTS, else the loopback
    names; Starlette's test client sends 'testserver'). A client may start
    ``runs_per_minute`` runs and reports a minute (PEERVALUE_RUNS_PER_MINUTE, else 60; 0: no
    limit). ``settings`` replaces the environment altogether."""
    from sqlalchemy.exc import SQLAlchemyError

    from peervalue._version import package_version
    from peervalue.errors import input_error
    from peervalue.web.api import router
    from peervalue.web.assets import KnownFiles, package_assets, swagger_assets
    from peervalue.web.guards import OwnLocations, SameOrigin, TrustedHosts
    from peervalue.web.json_escapes import EscapedJson
    from peervalue.web.limits import RunLimiter, RunLimitExceeded
    from peervalue.web.pages import router as pages_router
    from peervalue.web.problems import (
        document_problems,
        http_problem,
        input_problem,
        run_limit_problem,
        unexpected_problem,
        validation_problem,
    )
    from peervalue.web.ratelimit import RateLimited, RateLimits
    from peervalue.web.settings import DATABASE_URL, load_settings, normal_host
    from peervalue.web.storage import ScenarioStore, make_engine, migrate

    if settings is None:
        settings = load_settings(database_url=database_url)
    changes: dict[str, Any] = {}
    if run_timeout is not None:
        changes["run_timeout"] = run_timeout
    if concurrent_runs is not None:
        changes["max_runs"] = concurrent_runs
    if allowed_hosts is not None:
        changes["allowed_hosts"] = tuple(normal_host(h) for h in allowed_hosts)
    if runs_per_minute is not None:
        changes["runs_per_minute"] = runs_per_minute
    settings = settings.with_(**changes)

    app = FastAPI(
        title="peervalue",
        version=package_version(),
        description="Do peer support workers pay for themselves? The peervalue library as a "
        "JSON API: its own requests in, its own results out. Errors are RFC 9457 problem "
        "details.",
        # FastAPI's own docs pages fetch their scripts from a CDN: /docs is ours (pages.py),
        # with Swagger UI's files from the fastapi-offline package
        docs_url=None,
        redoc_url=None,
    )
    try:
        engine = make_engine(settings.database_url)
        migrate(engine)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise input_error(
            DATABASE_URL, "", f"the database cannot be opened or upgraded ({reason})"
        ) from None
    app.state.settings = settings
    app.state.store = ScenarioStore(engine)
    app.state.limiter = RunLimiter(settings.max_runs, settings.run_timeout)
    app.state.rates = RateLimits.per_minute(
        settings.token_failures_per_minute, settings.runs_per_minute
    )
    app.include_router(router)
    app.state.api_routes = router.routes  # for the Allow header of a 405 (problems.py)
    app.include_router(pages_router)
    # files the package held at start-up, looked up by name: a request's path never reaches the disk
    app.mount("/static/swagger", KnownFiles(swagger_assets()), name="swagger")
    app.mount("/static", KnownFiles(package_assets()), name="static")
    app.add_exception_handler(RequestValidationError, validation_problem)
    app.add_exception_handler(InputError, input_problem)
    app.add_exception_handler(StarletteHTTPException, http_problem)
    app.add_exception_handler(RunLimitExceeded, run_limit_problem)
    app.add_exception_handler(RateLimited, rate_limited)
    app.add_exception_handler(Exception, unexpected_problem)
    fastapi_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        """FastAPI's schema with the problem documents the API answers with."""
        if app.openapi_schema is None:
            app.openapi_schema = _document_refusals(document_problems(fastapi_openapi()))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.middleware("http")
    async def body_limit(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Refuse a body over MAX_BODY_BYTES before reading it (413), and a body of unknown
        length (411), so that no request can fill a worker's memory."""
        if request.method in {"POST", "PUT", "PATCH"}:
            from peervalue.web.problems import error_response

            length = request.headers.get("content-length")
            if length is None and request.headers.get("transfer-encoding"):
                return error_response(
                    request, 411, "Length required", "send the body with a Content-Length header"
                )
            if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
                return error_response(
                    request,
                    413,
                    "The request is too large",
                    f"the body is {length} bytes; the most this server accepts is "
                    f"{MAX_BODY_BYTES:,} bytes",
                )
        return await call_next(request)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    # outermost last: the host is checked first, then the origin of a write
    app.add_middleware(OwnLocations, settings=settings)
    app.add_middleware(SameOrigin, settings=settings)
    app.add_middleware(TrustedHosts, settings=settings)
    # outside them all, so that every JSON answer, a guard's refusal too, is escaped
    app.add_middleware(EscapedJson)
    return app


def _document_refusals(schema: dict[str, Any]) -> dict[str, Any]:
    """Add to an OpenAPI schema the refusals of this module's guards: 403 for a write sent
    from another origin, 429 for a client over a rate (runs and reports, token checks)."""
    from peervalue.web.problems import problem_response

    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            if method in {"post", "put", "patch", "delete"}:
                responses["403"] = problem_response("Sent by a page of another origin")
            if "503" in responses or "401" in responses:
                responses["429"] = problem_response(
                    "Too many runs or failed token checks from this client (Retry-After)"
                )
    return schema


async def rate_limited(request: Request, exc: Exception) -> Response:
    """A client over a rate limit: 429 with Retry-After (a page for the calculator)."""
    from peervalue.web.problems import error_response
    from peervalue.web.ratelimit import RateLimited

    assert isinstance(exc, RateLimited)
    response = error_response(request, 429, "Too many requests", exc.detail)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response
