"""How ``peervalue serve`` runs uvicorn: its HTTP/1.1 protocol with TCP_NODELAY set on every
connection.

With ``--workers`` above 1, uvicorn binds the listening socket itself without naming TCP as
its protocol, so asyncio does not switch off Nagle's algorithm on the connections it accepts;
a response written in two parts (headers, then body) then waits for the client's delayed
acknowledgement, about 40 ms on Linux, on every request of a kept-alive connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol

#: ``uvicorn.run(http=...)``
HTTP_PROTOCOL = "peervalue.web.serving:NoDelayH11Protocol"


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, sending each write at once (TCP_NODELAY)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
