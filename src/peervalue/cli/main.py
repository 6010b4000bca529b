"""The console-script entry point: runs the Typer app and turns every way it can stop into
one line on standard error and a conventional exit status.

======================================  ======  ===========================================
what happened                           status  standard error
======================================  ======  ===========================================
success                                 0       (nothing)
a bad file, folder or option            2       ``error: <file>: field '<field>': ...``
an output or file-system failure        2       ``error: <file>: cannot write the output: ...``
Ctrl-C (SIGINT), at any point           130     ``interrupted``
SIGTERM, at any point                   143     ``terminated``
standard output closed early (EPIPE)    141     (nothing)
======================================  ======  ===========================================

When the reader of a pipe goes away (``peervalue psa --format csv | head -1``)
peervalue stops as C command-line tools do: SIGPIPE has its default action
while a command runs, so the process ends quietly and the shell reports 141
(128 + SIGPIPE); a broken pipe noticed any other way exits with 141 too.

This module imports nothing heavy at module level (no numpy, pandas or
pydantic), so that the handlers are in place before the command modules are
imported.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType
    from typing import Any

    Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None

EXIT_INPUT = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
EXIT_TERMINATED = 143


class Stop(BaseException):
    """Raised by the signal handlers (SIGINT, SIGTERM) to unwind cleanly and exit.

    A ``BaseException`` that is not ``KeyboardInterrupt``, so that neither
    ``except Exception`` in the program nor Click's own Ctrl-C handling
    swallows it; ``finally`` blocks still run (a half-written output's
    temporary file is removed).
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    if signum == signal.SIGTERM:
        raise Stop(EXIT_TERMINATED, "terminated")
    raise Stop(EXIT_INTERRUPTED, "interrupted")


def _install_handlers() -> dict[int, Handler]:
    """SIGINT and SIGTERM raise :class:`Stop`, SIGPIPE ends the process quietly.

    Only in the main thread, and a signal that whoever started peervalue set
    to be ignored (``nohup``, a background job) stays ignored. Returns the
    handlers replaced, for :func:`_restore_handlers`.
    """
    sigpipe = getattr(signal, "SIGPIPE", None)
    wanted: dict[int, Handler] = {signal.SIGINT: _raise_stop, signal.SIGTERM: _raise_stop}
    if sigpipe is not None:
        wanted[sigpipe] = signal.SIG_DFL
    previous: dict[int, Handler] = {}
    try:
        for signum, handler in wanted.items():
            if signal.getsignal(signum) is signal.SIG_IGN and signum != sigpipe:
                continue
            previous[signum] = signal.signal(signum, handler)
    except ValueError:
        pass  # not the main thread: leave signal handling alone
    return previous


def _restore_handlers(previous: dict[int, Handler]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)


def _print_error(message: str) -> None:
    from rich.console import Console
    from rich.markup import escape

    Console(stderr=True, highlight=False, soft_wrap=True).print(
        f"[bold red]error:[/bold red] {escape(message)}", markup=True
    )


def _say(line: str) -> None:
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that flushing it at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # stdout is not a real file (a test capture): nothing will be flushed to a pipe


def _os_error_message(exc: OSError) -> str:
    where = f"{exc.filename}: " if exc.filename else ""
    reason = (exc.strerror or str(exc)).rstrip(".")
    return f"{where}{reason}"


def _run(argv: list[str] | None) -> int:
    """Run the app; its exit status."""
    # Importing the command modules registers their commands on the app.
    from peervalue.cli import (  # noqa: F401
        analysis,
        costs_commands,
        evidence_commands,
        plot_command,
        report_command,
        scenario_commands,
        serve_command,
        synthesis_command,
        uncertainty_commands,
    )
    from peervalue.cli.common import app

    try:
        app(args=argv, prog_name="peervalue", standalone_mode=True)
        status = 0
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    sys.stdout.flush()
    return status


def _run_reporting_errors(argv: list[str] | None) -> int:
    """:func:`_run`, with user mistakes and file-system failures as one message, status 2."""
    import errno

    from peervalue.cli.common import CliNaming
    from peervalue.errors import InputError, InputErrorGroup

    try:
        return _run(argv)
    except InputErrorGroup as group:
        for err in group.errors:
            _print_error(err.message(CliNaming()))
    except InputError as err:
        _print_error(err.message(CliNaming()))
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            _silence_stdout()
            return EXIT_BROKEN_PIPE
        _print_error(_os_error_message(exc))
    return EXIT_INPUT


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: every way of stopping becomes an exit status (see above)."""
    previous = _install_handlers()
    try:
        status = _run_reporting_errors(argv)
    except Stop as stop:
        _say(stop.message)
        status = stop.status
    except KeyboardInterrupt:
        _say("interrupted")
        status = EXIT_INTERRUPTED
    finally:
        _restore_handlers(previous)
    sys.exit(status)
