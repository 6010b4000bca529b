"""One-call functions for Python users: keyword arguments -> request -> result.

Each function takes every field of its request (:mod:`peervalue.service.requests`) as
a keyword argument, and the first few also by position as before; the request model
is the one place the fields are declared, so a field added there is reachable here at
once (``help(peervalue.analyse)`` lists them). A bad value raises
:class:`~peervalue.errors.InputError` naming the field; an unknown keyword raises
``TypeError``. ``evidence``, ``costs`` and ``scenario`` may be paths (``str`` or
``Path``), loaded objects (:func:`peervalue.load_evidence`,
:func:`peervalue.load_costs`, a scenario document), a list of studies, or ``None`` for
the bundled defaults. For example ``peervalue.analyse(evidence_set="all-2026")``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from peervalue.service.requests import (
    AnalysisRequest,
    CumulativeRequest,
    EvidenceComparisonRequest,
    EvppiRequest,
    MetaRequest,
    PlotRequest,
    PsaRequest,
    ReportRequest,
    Request,
    ScenarioRequest,
    SensitivityRequest,
    SynthesisRequest,
    ThresholdRequest,
    make_request,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from peervalue.model.results import AnalysisResult
    from peervalue.results.compare import EvidenceComparison
    from peervalue.results.cumulative import CumulativeResult
    from peervalue.results.evppi import EvppiResult
    from peervalue.scenario.results import ScenarioResult
    from peervalue.synthesis.results import SynthesisResult
    from peervalue.uncertainty.results import (
        MetaRunResult,
        PsaResult,
        SensitivityResult,
        ThresholdResult,
    )

R = TypeVar("R", bound=Request)
F = TypeVar("F", bound=Callable[..., Any])

#: fields given as a path may be given as text
_PATH_FIELDS = ("evidence", "costs", "scenario")


def request_fields(cls: type[Request]) -> list[str]:
    """The fields a caller sets (all but the request's ``kind`` tag)."""
    return [name for name in cls.model_fields if name != "kind"]


def _build(
    name: str,
    cls: type[R],
    positional: Sequence[str],
    args: tuple[Any, ...],
    options: dict[str, Any],
) -> R:
    if len(args) > len(positional):
        raise TypeError(
            f"{name}() takes at most {len(positional)} positional arguments ({len(args)} given)"
        )
    fields = request_fields(cls)
    values = dict(zip(positional, args, strict=False))
    for key, value in options.items():
        if key not in fields:
            raise TypeError(f"{name}() got an unexpected keyword argument {key!r}")
        if key in values:
            raise TypeError(f"{name}() got multiple values for argument {key!r}")
        values[key] = value
    for key in _PATH_FIELDS:
        if isinstance(values.get(key), str):
            values[key] = Path(values[key])
    return make_request(cls, **values)


def _signed(cls: type[Request], positional: Sequence[str]) -> Callable[[F], F]:
    """Give the function the request's fields as its signature (for ``help`` and IDEs)."""

    def sign(function: F) -> F:
        params = []
        for name in request_fields(cls):
            info = cls.model_fields[name]
            kind = (
                inspect.Parameter.POSITIONAL_OR_KEYWORD
                if name in positional
                else inspect.Parameter.KEYWORD_ONLY
            )
            default = inspect.Parameter.empty if info.is_required() else info.get_default()
            params.append(inspect.Parameter(name, kind, default=default))
        params.sort(key=lambda p: p.kind)  # positional ones first, in the request's order
        function.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        function.__doc__ = (function.__doc__ or "") + f"\n\nTakes every field of {cls.__name__}."
        return function

    return sign


_ANALYSE = ("evidence", "costs", "weighting", "with_reference")
_RUN = ("evidence", "costs")


@_signed(AnalysisRequest, _ANALYSE)
def analyse(*args: Any, **options: Any) -> AnalysisResult:
    """The Trachtenberg et al. (2013) reference analysis (see :class:`AnalysisRequest`)."""
    from peervalue.service.runs import run_analysis

    return run_analysis(_build("analyse", AnalysisRequest, _ANALYSE, args, options))


@_signed(PsaRequest, _RUN)
def psa(*args: Any, **options: Any) -> PsaResult:
    """Monte Carlo over every input's distribution; see docs/uncertainty.md."""
    from peervalue.service.runs import run_psa

    return run_psa(_build("psa", PsaRequest, _RUN, args, options))


@_signed(SensitivityRequest, _RUN)
def sensitivity(*args: Any, **options: Any) -> SensitivityResult:
    """One-way sensitivity of pooled net benefit per FTE-year (tornado data)."""
    from peervalue.service.runs import run_sensitivity

    return run_sensitivity(_build("sensitivity", SensitivityRequest, _RUN, args, options))


@_signed(ThresholdRequest, _RUN)
def threshold(*args: Any, **options: Any) -> ThresholdResult:
    """Break-even values of bed-days, cost per bed-day, caseload and peer worker cost."""
    from peervalue.service.runs import run_threshold

    return run_threshold(_build("threshold", ThresholdRequest, _RUN, args, options))


@_signed(MetaRequest, _RUN)
def meta(*args: Any, **options: Any) -> MetaRunResult:
    """Meta-analysis of bed-days saved per patient-year of support, and pooled ratios."""
    from peervalue.service.runs import run_meta

    return run_meta(_build("meta", MetaRequest, _RUN, args, options))


@_signed(SynthesisRequest, ("evidence",))
def synthesise(*args: Any, **options: Any) -> SynthesisResult:
    """The evidence synthesis (``peervalue synthesis``): every study on one scale and the
    exact Bayesian random-effects model; priors as text, e.g. ``tau_prior="halfnormal:0.5"``
    (``None``: the scale's default)."""
    from peervalue.service.synthesis import run_synthesis

    return run_synthesis(_build("synthesise", SynthesisRequest, ("evidence",), args, options))


@_signed(ScenarioRequest, ("scenario",))
def scenario(*args: Any, **options: Any) -> ScenarioResult:
    """A local business case: a scenario file or document, year by year, with uncertainty."""
    from peervalue.service.scenario import run_scenario

    return run_scenario(_build("scenario", ScenarioRequest, ("scenario",), args, options))


@_signed(EvppiRequest, _RUN)
def evppi(*args: Any, **options: Any) -> EvppiResult:
    """What further research is worth: EVPPI for every uncertain input and named groups."""
    from peervalue.service.evppi import run_evppi

    return run_evppi(_build("evppi", EvppiRequest, _RUN, args, options))


@_signed(CumulativeRequest, _RUN)
def cumulative(*args: Any, **options: Any) -> CumulativeResult:
    """How the answer moves as the studies are added, by year or by pooling weight."""
    from peervalue.service.cumulative import run_cumulative

    return run_cumulative(_build("cumulative", CumulativeRequest, _RUN, args, options))


@_signed(EvidenceComparisonRequest, ("evidence_sets",))
def compare(*args: Any, **options: Any) -> EvidenceComparison:
    """Evidence sets side by side (``evidence_sets=["cmh2013", "all-2026"]``)."""
    from peervalue.service.compare import run_compare

    request = _build("compare", EvidenceComparisonRequest, ("evidence_sets",), args, options)
    return run_compare(request)


@_signed(PlotRequest, ("figures",))
def plot(*args: Any, **options: Any) -> dict[str, Figure]:
    """The named figures (``figures=("forest", "tornado")``) as matplotlib figures."""
    from peervalue.service.figures import collect, draw

    request = _build("plot", PlotRequest, ("figures",), args, options)
    inputs = collect(request)
    return {name: draw(name, inputs) for name in request.figures}


def report(*args: Any, format: str = "html", **options: Any) -> bytes:
    """The whole report as a file's bytes in ``format`` (html, pdf or xlsx)."""
    from peervalue.service.report import report_bytes, run_report

    return report_bytes(run_report(_build("report", ReportRequest, (), args, options)), format)


_signed(ReportRequest, ())(report)
report.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [
        *inspect.signature(report).parameters.values(),
        inspect.Parameter("format", inspect.Parameter.KEYWORD_ONLY, default="html"),
    ]
)

#: the top-level names (``peervalue.scenario`` and ``peervalue.report`` are subpackages)
run_business_case = scenario
make_report = report
