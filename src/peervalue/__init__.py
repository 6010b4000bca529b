"""peervalue: do peer support workers pay for themselves?

Quick use::

    import peervalue
    result = peervalue.analyse()                   # the bundled six studies, 2011-12 costs
    result.to_pandas()                             # one row per study
    result.model_dump(mode="json")["pooled"]       # pooled ratios (NaN as null)
    mc = peervalue.psa(draws=100_000, seed=1)
    mc.pooled_frame()                              # P(ratio > 1), intervals, EVPI

For full control build a request (``peervalue.service``: ``PsaRequest`` ...) and
run it; see docs/api.md. Names are loaded on first use, so ``import peervalue``
is quick and loads neither numpy nor pandas. ``peervalue.scenario`` and
``peervalue.report`` are subpackages, so a business case runs as
``peervalue.run_business_case(...)`` and a report as ``peervalue.make_report(...)``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from peervalue.costs.load import load_costs
    from peervalue.errors import InputError, InputErrorGroup
    from peervalue.evidence.load import Evidence, load_evidence
    from peervalue.model.results import AnalysisResult
    from peervalue.service.api import (
        analyse,
        compare,
        cumulative,
        evppi,
        make_report,
        meta,
        plot,
        psa,
        run_business_case,
        sensitivity,
        synthesise,
        threshold,
    )

_LAZY = {
    "AnalysisResult": "peervalue.model.results",
    "Evidence": "peervalue.evidence.load",
    "InputError": "peervalue.errors",
    "InputErrorGroup": "peervalue.errors",
    "analyse": "peervalue.service.api",
    "compare": "peervalue.service.api",
    "cumulative": "peervalue.service.api",
    "evppi": "peervalue.service.api",
    "plot": "peervalue.service.api",
    "make_report": "peervalue.service.api",
    "run_business_case": "peervalue.service.api",
    "load_costs": "peervalue.costs.load",
    "load_evidence": "peervalue.evidence.load",
    "meta": "peervalue.service.api",
    "psa": "peervalue.service.api",
    "sensitivity": "peervalue.service.api",
    "synthesise": "peervalue.service.api",
    "threshold": "peervalue.service.api",
}

__all__ = [
    "AnalysisResult",
    "Evidence",
    "InputError",
    "InputErrorGroup",
    "__version__",
    "analyse",
    "compare",
    "cumulative",
    "evppi",
    "load_costs",
    "load_evidence",
    "make_report",
    "meta",
    "plot",
    "psa",
    "run_business_case",
    "sensitivity",
    "synthesise",
    "threshold",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from peervalue._version import package_version

        return package_version()
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'peervalue' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
