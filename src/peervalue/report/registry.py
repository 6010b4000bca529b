"""Which renderer draws which result in which format.

A renderer is a function ``(result, **options) -> str | rich renderable`` registered
for a result type and a format name with :func:`renderer`. :func:`render` finds it
by the result's type (or a base class), importing the format's module first, so a
command loads only the format it prints. A new format (HTML, XLSX ...) is one new
module and one line in :data:`FORMAT_MODULES`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Final, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

#: format name -> the modules whose import registers its renderers
FORMAT_MODULES: Final[dict[str, tuple[str, ...]]] = {
    "table": (
        "peervalue.report.table_analysis",
        "peervalue.report.table_uncertainty",
        "peervalue.report.table_costs",
        "peervalue.report.table_scenario",
        "peervalue.report.table_synthesis",
        "peervalue.report.table_evsi",
    ),
    "json": ("peervalue.report.json_format",),
    "csv": ("peervalue.report.csv_format", "peervalue.report.table_evsi"),
}

_RENDERERS: dict[tuple[type, str], Callable[..., Any]] = {}


def renderer(result_type: type, fmt: str) -> Callable[[F], F]:
    """Register the decorated function as the ``fmt`` renderer of ``result_type``."""

    def register(fn: F) -> F:
        _RENDERERS[(result_type, fmt)] = fn
        return fn

    return register


def render(result: object, fmt: str, **options: Any) -> Any:
    """Render ``result`` in ``fmt`` (a string, or a rich renderable for ``table``)."""
    modules = FORMAT_MODULES.get(fmt)
    if modules is None:
        raise LookupError(f"unknown format {fmt!r}; expected one of {', '.join(FORMAT_MODULES)}")
    for name in modules:
        importlib.import_module(name)
    for cls in type(result).__mro__:
        fn = _RENDERERS.get((cls, fmt))
        if fn is not None:
            return fn(result, **options)
    raise LookupError(f"no {fmt} renderer for {type(result).__name__}")
