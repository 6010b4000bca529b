"""The ``peervalue`` command line (Typer + rich). Input/output only: no arithmetic here."""

from peervalue.cli.common import app
from peervalue.cli.main import main

__all__ = ["app", "main"]
