"""The console-script entry point: runs the Typer app, turns user mistakes into exit status 2."""

from __future__ import annotations

import sys

from rich.console import Console

# Importing the command modules registers their commands on the app.
from peervalue.cli import analysis, uncertainty  # noqa: F401
from peervalue.cli.common import app
from peervalue.errors import InputError, InputErrorGroup


def _print_error(message: str) -> None:
    Console(stderr=True, highlight=False, soft_wrap=True).print(
        f"[bold red]error:[/bold red] {message}", markup=True
    )


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: user mistakes become a message and exit status 2."""
    try:
        app(args=argv, prog_name="peervalue", standalone_mode=True)
    except InputErrorGroup as group:
        for err in group.errors:
            _print_error(_escape(err.message()))
        sys.exit(2)
    except InputError as err:
        _print_error(_escape(err.message()))
        sys.exit(2)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
