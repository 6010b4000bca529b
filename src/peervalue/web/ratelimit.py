"""Rate limits per client, in this process: failed token checks and compute-heavy runs.

A :class:`RateLimit` allows ``limit`` events per client in any ``window`` seconds (a sliding
window: the times of a client's last ``limit`` events are kept). When a client has used
them all, :meth:`RateLimit.check` raises :class:`RateLimited`, whose ``retry_after`` is the
whole seconds until the oldest of them leaves the window; the app answers 429 with a
``Retry-After`` header (a problem document for the API, a page for the calculator).

The application holds two (``app.state.rates``, :class:`RateLimits`):

* ``tokens``: failed token checks (PEERVALUE_TOKEN_FAILURES_PER_MINUTE, 10 by default). A
  token check calls ``check(client)`` first (a client over the limit is not even
  compared) and ``record(client)`` when the token is refused: :func:`token_refused`.
* ``runs``: Monte Carlo runs and reports, API and pages (PEERVALUE_RUNS_PER_MINUTE, 60 by
  default; 0 turns it off): ``spend(client)`` before each, in ``web/limits.limited``.

A client is its address (uvicorn puts the forwarded one there behind a trusted proxy); an
IPv6 address counts by its /64 network, which one host can fill with addresses. With
several workers each has its own counts, so a client gets up to ``workers x limit``.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

#: the most clients remembered per limit (the oldest are forgotten first)
MAX_CLIENTS = 100_000


class RateLimited(Exception):
    """A client went over a rate limit (answered with 429 and Retry-After)."""

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after


class RateLimit:
    """At most ``limit`` events per client in any ``window`` seconds (0: no limit)."""

    def __init__(
        self,
        limit: int,
        window: float,
        what: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.what = what
        self.clock = clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        events = self._events.get(client)
        if events is None:
            return deque()
        while events and events[0] <= now - self.window:
            events.popleft()
        if not events:
            del self._events[client]
        return events

    def check(self, client: str) -> None:
        """Raise :class:`RateLimited` when ``client`` has no event left in the window."""
        if self.limit <= 0:
            return
        with self._lock:
            now = self.clock()
            events = self._recent(client, now)
            if len(events) >= self.limit:
                wait = max(1, math.ceil(events[0] + self.window - now))
                raise RateLimited(
                    f"too many {self.what} from this address: at most {self.limit} in "
                    f"{self.window:g} seconds; try again in {wait} seconds",
                    retry_after=wait,
                )

    def record(self, client: str) -> None:
        """Count one event of ``client``."""
        if self.limit <= 0:
            return
        with self._lock:
            now = self.clock()
            events = self._recent(client, now)
            if not events:
                if len(self._events) >= MAX_CLIENTS:  # forget the longest-known client
                    self._events.pop(next(iter(self._events)))
                events = self._events[client] = deque(maxlen=self.limit)
            events.append(now)

    def spend(self, client: str) -> None:
        """:meth:`check`, then :meth:`record` (an event that is refused is not counted)."""
        self.check(client)
        self.record(client)


@dataclass(frozen=True)
class RateLimits:
    """The application's limits (``app.state.rates``)."""

    tokens: RateLimit
    runs: RateLimit

    @classmethod
    def per_minute(cls, token_failures: int, runs: int) -> RateLimits:
        return cls(
            tokens=RateLimit(token_failures, 60.0, "failed token checks"),
            runs=RateLimit(runs, 60.0, "runs and reports"),
        )


def client_of(request: Request) -> str:
    """The key a client is counted under: its address, an IPv6 one by its /64 network."""
    host = request.client.host if request.client is not None else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def rates(request: Request) -> RateLimits:
    limits: RateLimits = request.app.state.rates
    return limits


def check_token_budget(request: Request) -> None:
    """Before a token is compared: 429 for a client that failed too often."""
    rates(request).tokens.check(client_of(request))


def token_refused(request: Request) -> None:
    """Count a failed token check of this client."""
    rates(request).tokens.record(client_of(request))


def spend_run(request: Request) -> None:
    """Before a run or a report: 429 for a client over its rate."""
    rates(request).runs.spend(client_of(request))
