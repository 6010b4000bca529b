"""The ``peervalue`` command line (Typer + rich): options -> request -> service -> renderer.

``main`` is the console-script entry point (:mod:`peervalue.cli.main`); the
commands live in ``analysis`` and ``uncertainty_commands`` and are registered on
the app when ``main`` runs.
"""

from peervalue.cli.main import main

__all__ = ["main"]
