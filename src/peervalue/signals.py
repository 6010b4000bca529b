"""When a signal (Ctrl-C, SIGTERM, SIGHUP) may stop the command line, and what it leaves.

The command line's handlers (``peervalue.cli.main``) ask :func:`arrived` what to do
with each signal. There are three moments:

* **while a command works** (reading, computing, rendering, writing a temporary
  file): the signal stops it at once; the temporary file is removed, so nothing is
  left, and the run exits 130, 143 or 129 with one line;
* **while an output is committed** (:func:`held`: the rename of a finished temporary
  file into place, or of several files together): the signal waits until the commit
  ends; the files just committed are then rolled back (a new file removed, a replaced
  one restored), and the run stops as above, so the signal is never dropped and the
  output is never left behind by a run that reports being stopped;
* **once the output is complete** (:func:`complete`, after a commit that a signal
  did not interrupt, and when the command has returned): the run's work is done and
  it exits 0; a late signal is noted in one line, never reported as a stop.

Only the standard library is imported: the handlers are installed before anything
heavy.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

_holding = 0
_pending: list[int] = []
_complete = False
_late: list[int] = []


class Pending(Exception):
    """A signal arrived while an output was committed: roll the commit back."""


def reset() -> None:
    """A new run (the command line calls it before each one)."""
    global _holding, _complete
    _holding = 0
    _complete = False
    _pending.clear()
    _late.clear()


def arrived(signum: int) -> bool:
    """Whether the signal should stop the run now (``False``: held, or too late)."""
    if _complete:
        _late.append(signum)
        return False
    if _holding:
        _pending.append(signum)
        return False
    return True


def late() -> list[int]:
    """Signals that arrived after the output was complete."""
    return list(_late)


def complete() -> None:
    """The run's output is complete: a signal from now on does not stop it."""
    global _complete
    _complete = True


@contextmanager
def held() -> Iterator[None]:
    """Hold signals while an output is committed. If one arrived, :class:`Pending` is
    raised when the block ends, for the writer to roll back before the run stops."""
    global _holding
    _holding += 1
    try:
        yield
    finally:
        _holding -= 1
    if _pending and not _holding:
        raise Pending()


def resend() -> None:
    """Deliver the first held signal again, now that the commit has been rolled back (the
    handler then stops the run); the others are forgotten."""
    import signal

    signum = _pending[0] if _pending else None
    _pending.clear()
    if signum is not None:
        signal.raise_signal(signum)
