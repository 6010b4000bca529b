"""How ``peervalue serve`` runs uvicorn: its HTTP/1.1 protocol with TCP_NODELAY set on every
connection, a deadline for each request to arrive, and a request body handed to the
application whole rather than a few bytes at a time.

With ``--workers`` above 1, uvicorn binds the listening socket itself without naming TCP as
its protocol, so asyncio does not switch off Nagle's algorithm on the connections it accepts;
a response written in two parts (headers, then body) then waits for the client's delayed
acknowledgement, about 40 ms on Linux, on every request of a kept-alive connection.

Slow clients: uvicorn has no deadline for a request to arrive, and wakes the application
for every piece of body that arrives. 3,000 connections that each send a byte of body every
5 seconds then cost 3,000 wake-ups of the whole middleware stack every 5 seconds, enough
to hold every other request for a second or more. Here:

* a request (its headers and its whole body) must arrive within PEERVALUE_REQUEST_TIMEOUT
  seconds of the connection opening, or of the previous response on it; a client too slow
  gets 408 and the connection is closed;
* the application is called, and its ``receive`` woken, when the body is complete, when
  :data:`WAKE_AT_BYTES` of it are waiting (uvicorn stops reading at 64 KiB), or when the
  client goes away, never for each byte; a slow body costs one waiting task.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

#: ``uvicorn.run(http=...)``
HTTP_PROTOCOL = "peervalue.web.serving:NoDelayH11Protocol"
#: body bytes that wake the application before the body is complete
WAKE_AT_BYTES = 32 * 1024


class _BodyEvent(asyncio.Event):
    """uvicorn's "a message is waiting" event of one request, set only when it is worth
    waking the application for (see the module's notes)."""

    def __init__(self, cycle: Any) -> None:
        super().__init__()
        self._cycle = cycle

    def set(self) -> None:
        cycle = self._cycle
        if (
            cycle.disconnected
            or cycle.response_complete
            or not cycle.more_body
            or len(cycle.body) >= WAKE_AT_BYTES
        ):
            super().set()


def _timeout_answer(seconds: float) -> bytes:
    body = json.dumps(
        {
            "type": "about:blank",
            "title": "The request took too long to arrive",
            "status": 408,
            "detail": f"a request (its headers and body) must arrive within {seconds:g} "
            "seconds (PEERVALUE_REQUEST_TIMEOUT); send it again",
        }
    ).encode()
    head = (
        "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/problem+json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    ).encode()
    return head + body


def _after_the_body(app: Any) -> Any:
    """``app``, called once its request's body has arrived (or WAKE_AT_BYTES of it, or the
    client asked for ``100 Continue``), and not at all when the client went away first: a
    slow body holds a waiting task, not a run through the middleware for every byte."""

    async def gated(scope: Any, receive: Any, send: Any) -> None:
        cycle = getattr(receive, "__self__", None)
        if cycle is not None and cycle.more_body and not cycle.waiting_for_100_continue:
            await cycle.message_event.wait()  # receive() finds it set and goes on
            if cycle.disconnected:
                return
        await app(scope, receive, send)

    return gated


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, sending each write at once (TCP_NODELAY), with a deadline
    for each request to arrive and whole bodies for the application."""

    request_timeout: float | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.app = _after_the_body(self.app)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._deadline: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._arm()

    def _arm(self) -> None:
        if NoDelayH11Protocol.request_timeout is None:
            from peervalue.web.settings import request_timeout

            NoDelayH11Protocol.request_timeout = request_timeout()
        self._disarm()
        self._deadline = self.loop.call_later(NoDelayH11Protocol.request_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        """The request has not arrived in time: 408 (unless an answer has begun), close."""
        self._deadline = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is None or not cycle.response_started:
            if cycle is not None:  # the application's answer, if any, is dropped
                cycle.disconnected = True
                cycle.keep_alive = False
            self.transport.write(_timeout_answer(NoDelayH11Protocol.request_timeout or 0))
        self.transport.close()

    def handle_events(self) -> None:
        super().handle_events()
        cycle = self.cycle
        if cycle is None:
            return
        if not isinstance(cycle.message_event, _BodyEvent):
            event = _BodyEvent(cycle)
            if cycle.message_event.is_set():
                asyncio.Event.set(event)
            cycle.message_event = event
        if not cycle.more_body:
            self._disarm()  # the request has arrived

    def on_response_complete(self) -> None:
        if self.cycle is None or not self.cycle.more_body:
            self._arm()  # the clock of the next request on this connection starts now
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)
