"""ASGI middleware for a shared deployment: which Host headers are answered, which origins may
send a form or a write, and redirects that never name a host the client chose.

* :class:`TrustedHosts`: a request whose Host header is not in PEERVALUE_ALLOWED_HOSTS (the
  loopback names by default) gets 400; this stops DNS rebinding, where a page on another
  site reaches this server under that site's name.
* :class:`SameOrigin`: a POST, PUT, PATCH or DELETE that a browser sends from another
  origin (an ``Origin`` header that is not this server's, ``null`` included, or else a
  ``Referer`` from elsewhere) gets 403, for the pages and the JSON API alike. A request
  with neither header (curl, a script) passes; the pages' forms also need their signed
  CSRF token (``pages.py``).
* :class:`OwnLocations`: an absolute ``Location`` (Starlette's trailing-slash redirect builds
  one from the Host header) is rewritten to PEERVALUE_BASE_URL, or to a relative path.

This server's origin is PEERVALUE_BASE_URL when it is set, else the request's scheme and its
(allowed) Host header.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from peervalue.web.settings import Settings, normal_host

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: the headers every response carries (set by the application and by a guard's refusal)
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    # same-origin: a form sent from our own page carries its Origin (with no-referrer a
    # browser sends "Origin: null", which the origin check cannot tell from another site's)
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            text: str = value.decode("latin-1")
            return text
    return None


def split_host(header: str) -> str:
    """The host of a Host header, without its port (``[::1]:8000`` is ``::1``)."""
    header = header.strip()
    if header.startswith("["):
        return normal_host(header[1 : header.find("]")] if "]" in header else header)
    return normal_host(header.rsplit(":", 1)[0] if header.count(":") == 1 else header)


def host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    for pattern in allowed:
        if pattern == "*" or host == pattern:
            return True
        if pattern.startswith("*.") and host.endswith(pattern[1:]):
            return True
    return False


def _origin(url: str) -> str | None:
    """``scheme://host[:port]`` of a URL, lower case, default port left out."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != {"http": 80, "https": 443}[parts.scheme]:
        netloc += f":{port}"
    return f"{parts.scheme}://{netloc}"


def own_origin(scope: Scope, settings: Settings) -> str | None:
    """This server's origin as a browser names it (see the module's notes)."""
    if settings.base_url is not None:
        return settings.base_url
    host = _header(scope, b"host")
    if not host:
        return None
    return _origin(f"{scope.get('scheme', 'http')}://{host}")


def _is_page(path: str) -> bool:
    from peervalue.web.problems import _NOT_PAGES

    return not path.startswith(_NOT_PAGES)


async def refuse(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
) -> None:
    """Answer with a problem document (API) or a page (the calculator's addresses)."""
    request = Request(scope, receive)
    response: Any
    if _is_page(request.url.path):
        from peervalue.web.render import page

        response = page(request, "message.html", status, title=title, message=detail)
    else:
        from peervalue.web.problems import problem

        response = problem(status, title, detail)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    await response(scope, receive, send)


class TrustedHosts:
    """400 for a Host header outside the allow-list (and for a request without one)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.allowed = settings.allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        header = _header(scope, b"host") or ""
        if header and host_allowed(split_host(header), self.allowed):
            await self.app(scope, receive, send)
            return
        shown = header[:100] if header.isprintable() else repr(header[:100])
        # the page is rendered for a host nobody trusts: its links are relative paths
        scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k != b"host"]}
        scope["headers"].append((b"host", b"localhost"))
        await refuse(
            scope,
            receive,
            send,
            400,
            "Unknown host",
            f"this server does not answer to the host name {shown!r}; its administrator can "
            "add the name to PEERVALUE_ALLOWED_HOSTS",
        )


class SameOrigin:
    """403 for an unsafe request sent by a browser from another origin."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        origin = _header(scope, b"origin")
        source = origin if origin is not None else _header(scope, b"referer")
        if source is None or _origin(source) == own_origin(scope, self.settings):
            await self.app(scope, receive, send)
            return
        named = "Origin" if origin is not None else "Referer"
        await refuse(
            scope,
            receive,
            send,
            403,
            "Another site sent this request",
            f"this server accepts forms and changes only from its own pages; the request's "
            f"{named} header is {source[:100]!r}. Open the calculator at its own address and "
            "send the form from there.",
        )


class OwnLocations:
    """Redirects to this server's own base URL (or a relative path), never to the Host
    header a client sent."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.base = settings.base_url or ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_own(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    (k, self._own(v) if k.lower() == b"location" else v)
                    for k, v in message.get("headers", ())
                ]
            await send(message)

        await self.app(scope, receive, send_own)

    def _own(self, location: bytes) -> bytes:
        text = location.decode("latin-1")
        parts = urlsplit(text)
        if (
            not parts.scheme
            and not parts.netloc
            and text.startswith("/")
            and not text.startswith("//")
        ):
            return (self.base + text).encode("latin-1")
        path = parts.path if parts.path.startswith("/") else "/" + parts.path
        path = "/" + path.lstrip("/")  # never '//host': a browser reads it as another host
        query = f"?{parts.query}" if parts.query else ""
        return (self.base + path + query).encode("latin-1")
