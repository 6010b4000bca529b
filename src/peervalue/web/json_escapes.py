"""Every JSON answer of the web service with bidirectional controls and other invisible
characters in its strings written as ``\\uXXXX`` escapes.

User text comes back in JSON: a saved case's document (its ``[case]`` words), studies sent
with a run (their citations and notes), a value quoted in a problem's ``detail``. A
bidirectional override (U+202E) or isolate in it makes the text read differently from what
it holds wherever a client shows it raw (a terminal, a log, a page that does not isolate
it). :class:`EscapedJson` passes each JSON body (``application/json`` and
``application/problem+json``) through :func:`peervalue.report.safe_text.json_safe`, the
rule the command line's JSON already follows: the same characters are escaped, and a JSON
reader gets the same text back. A body holding none of them is sent unchanged, byte for
byte, with its own headers; one that changes gets its Content-Length set again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from peervalue.report.safe_text import json_safe

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: the media types whose bodies are escaped
JSON_TYPES = (b"application/json", b"application/problem+json")


def escaped_body(body: bytes) -> bytes:
    """``body`` (UTF-8 JSON) with the characters :func:`json_safe` escapes written as
    escapes; ``body`` itself when it holds none (ASCII, or not UTF-8)."""
    if body.isascii():
        return body
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return body
    safe = json_safe(text)
    return body if safe == text else safe.encode("utf-8")


def _is_json(start: Message) -> bool:
    for name, value in start.get("headers", []):
        if name.lower() == b"content-type":
            return value.split(b";")[0].strip().lower() in JSON_TYPES
    return False


class EscapedJson:
    """ASGI middleware: JSON bodies through :func:`escaped_body` (see the module)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def send_escaped(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start" and _is_json(message):
                start = message  # held until the whole body is here
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            safe = escaped_body(body)
            if safe is not body:
                headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
                start = {**start, "headers": [*headers, (b"content-length", b"%d" % len(safe))]}
            await send(start)
            await send({"type": "http.response.body", "body": safe})

        await self.app(scope, receive, send_escaped)
