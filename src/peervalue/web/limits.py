"""Run-time limits: Monte Carlo runs execute in worker threads, off the event loop, a few at
a time, and a run that takes too long is answered with 503 instead of holding the client.
The numbers come from PEERVALUE_MAX_RUNS and PEERVALUE_RUN_TIMEOUT (``web/settings.py``).

A slot is given back only when its thread has really finished, so a run that timed out
still counts against the limit until it ends: the server cannot be stacked with abandoned
runs. The draw caps (``web/requests.py``) bound how long any one run can take.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from typing import TypeVar

from fastapi import Request

T = TypeVar("T")

#: seconds a run (including its wait for a slot) may take before the client gets 503
DEFAULT_TIMEOUT = 60.0


class RunLimitExceeded(Exception):
    """A run waited or ran longer than the server allows (answered with 503)."""

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after


class RunLimiter:
    """At most ``concurrent`` runs at once in this process, each answered within ``timeout``
    seconds (waiting for a slot included)."""

    def __init__(self, concurrent: int, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.concurrent = concurrent
        self.timeout = timeout
        self._slots = asyncio.Semaphore(self.concurrent)

    def _refuse(self, what: str) -> RunLimitExceeded:
        return RunLimitExceeded(
            f"{what} {self.timeout:g} seconds, the most this server allows a run; ask for "
            "fewer draws, or try again shortly",
            retry_after=max(1, math.ceil(self.timeout)),
        )

    async def run(self, work: Callable[[], T]) -> T:
        started = time.monotonic()
        try:
            await asyncio.wait_for(self._slots.acquire(), self.timeout)
        except TimeoutError:
            raise self._refuse("the server is busy: no run could start within") from None
        loop = asyncio.get_running_loop()
        try:
            future = loop.run_in_executor(None, work)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())
        left = self.timeout - (time.monotonic() - started)
        try:
            return await asyncio.wait_for(asyncio.shield(future), max(left, 0.001))
        except TimeoutError:
            # the thread goes on to its end (it cannot be stopped); its result is dropped
            future.add_done_callback(lambda f: f.exception())
            raise self._refuse("the run took longer than") from None


async def limited(request: Request, work: Callable[[], T]) -> T:
    """Run ``work`` under the application's :class:`RunLimiter`, once the client's rate of
    runs allows it (429 otherwise: ``web/ratelimit.py``)."""
    from peervalue.web.ratelimit import spend_run

    spend_run(request)
    limiter: RunLimiter = request.app.state.limiter
    return await limiter.run(work)
