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
SIGHUP (the terminal closed)            129     ``hung up``
standard output closed early (EPIPE)    141     (nothing)
======================================  ======  ===========================================

When the reader of a pipe goes away (``peervalue psa --format csv | head -1``)
peervalue stops as C command-line tools do: SIGPIPE has its default action
while a command runs, so the process ends quietly and the shell reports 141
(128 + SIGPIPE); a broken pipe noticed any other way exits with 141 too.

A signal stops the run at once, and the temporary file of an output being written is
removed, so nothing is left. While an output is renamed into place the signal is held, the
output rolled back, and the run then stops the same way; once the output is complete (and
until the process has exited) a signal no longer stops the run, which exits 0 with one line
saying so (``peervalue.signals``). So the exit status and the files always agree.

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

    import typer

    Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None

EXIT_INPUT = 2
EXIT_HUNG_UP = 129
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

    def __init__(self, status: int, message: str, signum: int = 0) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.signum = signum


#: signal -> (exit status, the one line printed)
_STOPS: dict[int, tuple[int, str]] = {
    signal.SIGINT: (EXIT_INTERRUPTED, "interrupted"),
    signal.SIGTERM: (EXIT_TERMINATED, "terminated"),
}
if hasattr(signal, "SIGHUP"):
    _STOPS[signal.SIGHUP] = (EXIT_HUNG_UP, "hung up")


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    from peervalue import signals

    if signals.arrived(signum):
        raise Stop(*_STOPS.get(signum, (EXIT_INTERRUPTED, "interrupted")), signum=signum)


def _unraisable(previous: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A ``sys.unraisablehook`` for a :class:`Stop` raised where Python cannot pass an
    exception on (a weak reference's callback or a ``__del__`` run by the garbage collector
    as the signal arrived): Python would print "Exception ignored" with a traceback and go
    on as if no signal had come. The signal is sent again instead, so that it stops the run
    from ordinary code a moment later; any other unraisable exception is reported as before."""

    def hook(unraisable: Any) -> None:
        stop = unraisable.exc_value
        if isinstance(stop, Stop) and stop.signum:
            signal.raise_signal(stop.signum)
            return
        previous(unraisable)

    return hook


def stop_within(exc: BaseException) -> Stop | None:
    """The :class:`Stop` an exception was raised from, if any: a signal that arrives while
    a C extension initialises (scipy's modules as they are first imported) reaches Python as
    that extension's ``ImportError: initialization failed``, caused by our Stop."""
    seen: set[int] = set()
    at: BaseException | None = exc
    while at is not None and id(at) not in seen:
        if isinstance(at, Stop):
            return at
        seen.add(id(at))
        at = at.__cause__ or at.__context__
    return None


def _install_handlers() -> dict[int, Handler]:
    """SIGINT and SIGTERM raise :class:`Stop`, SIGPIPE ends the process quietly.

    Only in the main thread, and a signal that whoever started peervalue set
    to be ignored (``nohup``, a background job) stays ignored. Returns the
    handlers replaced, for :func:`_restore_handlers`.
    """
    sigpipe = getattr(signal, "SIGPIPE", None)
    wanted: dict[int, Handler] = {signum: _raise_stop for signum in _STOPS}
    if sigpipe is not None:
        wanted[sigpipe] = signal.SIG_DFL
    previous: dict[int, Handler] = {}
    try:
        for signum, handler in wanted.items():
            if signal.getsignal(signum) is signal.SIG_IGN and signum != sigpipe:
                continue
            previous[signum] = signal.signal(signum, handler)
    except ValueError:
        return previous  # not the main thread: leave signal handling alone
    if previous:
        global _hook_before
        _hook_before = sys.unraisablehook
        sys.unraisablehook = _unraisable(_hook_before)
    return previous


#: the unraisable hook that :func:`_install_handlers` wrapped, put back by
#: :func:`_restore_handlers`
_hook_before: Any = None


def _restore_handlers(previous: dict[int, Handler]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)
    global _hook_before
    if _hook_before is not None:
        sys.unraisablehook, _hook_before = _hook_before, None


def _ignore_from_now(installed: dict[int, Handler]) -> None:
    """Ignore the signals we handle until the process has exited: the exit status is
    decided, and Python's shutdown puts a handler written in Python back to the default
    action (which would kill a run whose output is complete), but leaves "ignore" alone."""
    for signum in installed:
        if signum in _STOPS:
            signal.signal(signum, signal.SIG_IGN)


def _print_error(message: str) -> None:
    from rich.console import Console
    from rich.markup import escape

    from peervalue.report.safe_text import terminal_text

    Console(stderr=True, highlight=False, soft_wrap=True).print(
        f"[bold red]error:[/bold red] {escape(terminal_text(message))}", markup=True
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


def full_app() -> typer.Typer:
    """The Typer app with every command registered. Importing a command module adds its
    commands to the app, so the modules (and what they import) load only when this is
    called, after the signal handlers are in place; tests call it to walk every command."""
    from peervalue.cli import (  # noqa: F401
        analysis,
        costs_commands,
        evidence_commands,
        evsi_command,
        plot_command,
        report_command,
        scenario_commands,
        serve_command,
        synthesis_command,
        uncertainty_commands,
    )
    from peervalue.cli.common import app

    return app


def _run(argv: list[str] | None) -> int:
    """Run the app; its exit status."""
    app = full_app()
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
    """Console-script entry point: every way of stopping becomes an exit status (see above).

    Run as the console script (``argv`` None), those signals are ignored once the exit
    status is decided, until the process has exited, so a signal during the interpreter's
    shutdown cannot kill a run whose output is complete; called with ``argv``
    (in-process, as the tests do) the handlers found are restored on return.
    """
    from peervalue import signals

    signals.reset()
    previous = _install_handlers()
    try:
        status = _run_reporting_errors(argv)
        signals.complete()
    except Stop as stop:
        _say(stop.message)
        status = stop.status
    except KeyboardInterrupt:
        _say("interrupted")
        status = EXIT_INTERRUPTED
    except Exception as exc:
        found = stop_within(exc)
        if found is None:
            raise  # a fault of the program: its traceback is wanted
        _say(found.message)
        status = found.status
    finally:
        signals.complete()  # from here on the exit status is decided
        if argv is not None:
            _restore_handlers(previous)
        else:
            _ignore_from_now(previous)
    for signum in signals.late()[:1]:
        name = signal.Signals(signum).name
        _say(f"{name} arrived after the run had finished; its output is complete")
    sys.exit(status)
