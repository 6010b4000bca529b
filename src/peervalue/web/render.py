"""A page of the calculator: a Jinja2 template rendered with the CSRF token in its forms.

Used by the pages' routes and by the error handlers and guards that answer a page's
address with a page, so that none of those imports the others.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from peervalue.errors import Naming
from peervalue.web.forms import changes, default_of, fields
from peervalue.web.tokens import token_required

#: the session cookie the CSRF token is bound to (``__Host-`` prefixed on HTTPS)
CSRF_COOKIE = "peervalue_csrf"
CSRF_FIELD = "csrf_token"


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
    from peervalue.web import option_form

    env.globals["field_label"] = lambda name: (
        fields()[name].label if name in fields() else option_form.label(name) or name
    )
    env.globals["option_rows"] = option_form.rows
    env.globals["can_add_option"] = option_form.can_add
    return env


def _session_cookie(request: Request) -> str:
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
    session = request.cookies.get(_session_cookie(request), "")
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
            _session_cookie(request),
            new_session,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )
    return response


#: "see also" topics (peervalue.errors.SEE_ALSO) as the pages that show them
PAGE_SEE_ALSO = {
    "evidence-sets": "the evidence sets on the Evidence page",
    "cost-sets": "the cost sets on the business-case form",
    "figures": "the figures on a results page",
    "new-scenario": "the business-case form",
    "study": "the study on the Evidence page:",
}


class PageNaming(Naming):
    """Messages on a page: a field by its label on the form, a hint as a page."""

    def field(self, name: str, value: str | None) -> str:
        label = fields()[name].label if name in fields() else name.replace("_", " ")
        return label if value is None else f'{label} "{value}"'

    def see(self, topic: str, argument: str) -> str:
        where = PAGE_SEE_ALSO.get(topic, topic)
        return f"{where} {argument}" if argument else where


PAGE_NAMING = PageNaming()
