"""Run a request, return a typed result: the only API that front ends call.

Each function takes one request (see :mod:`peervalue.service.requests`), loads
its inputs through :func:`~peervalue.service.inputs.prepare`, runs the pure model
and uncertainty code, and returns a result model. Nothing here prints, and no
numpy floating-point warning escapes: figures that cannot be computed come back
as NaN (``null`` in JSON).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, overload

from peervalue.service.inputs import prepare, resolve_evidence
from peervalue.service.requests import (
    AnalysisRequest,
    EvidenceRequest,
    MetaRequest,
    PsaRequest,
    SensitivityRequest,
    StudyRequest,
    ThresholdRequest,
)

if TYPE_CHECKING:
    from peervalue.evidence.load import Evidence
    from peervalue.evidence.schema import Study
    from peervalue.model.methods import CostBasis
    from peervalue.model.results import AnalysisResult, OtherBasis
    from peervalue.model.spec import ModelSpec
    from peervalue.service.inputs import Prepared
    from peervalue.uncertainty.results import (
        MetaRunResult,
        PsaResult,
        SensitivityResult,
        ThresholdResult,
    )

Progress = Callable[[int], None]


@contextmanager
def _quiet_numpy() -> Iterator[None]:
    """Floating-point overflow or 0/0 gives inf or NaN, never a warning on the screen."""
    import numpy as np

    with np.errstate(all="ignore"):
        yield


def _expect(request: object, *classes: type) -> None:
    """Refuse anything but a request of ``classes`` (a dict, text, another kind of request)."""
    if not isinstance(request, classes):
        from peervalue.errors import input_error, quote

        names = " or ".join(c.__name__ for c in classes)
        raise input_error(
            "request",
            "",
            f"got {type(request).__name__} {quote(request)}",
            f"{names}, built with peervalue.service.make_request",
        )


def run_evidence(request: EvidenceRequest) -> Evidence:
    """The studies of a request, validated (``peervalue evidence list`` / ``validate``)."""
    _expect(request, EvidenceRequest)
    return resolve_evidence(request)


def run_study(request: StudyRequest) -> Study:
    """One study of the request's evidence, by id (``peervalue evidence show``)."""
    _expect(request, StudyRequest)
    evidence = resolve_evidence(request)
    if request.evidence is None and request.evidence_set is None:
        _refer_to_the_library(evidence, request.study_id)
    return evidence.get(request.study_id)


def _refer_to_the_library(six: Evidence, study_id: str) -> None:
    """A study added since 2013, asked for among the default six: say where it is."""
    from peervalue.errors import field_ref, input_error, quote
    from peervalue.evidence.sets import load_library

    if study_id in {s.id for s in six.listed}:
        return
    if study_id in {s.id for s in load_library().listed}:
        raise input_error(
            six.origin,
            "id",
            f"no study with id {quote(study_id)} among the 2013 six",
            f"one of {', '.join(s.id for s in six.listed)}; {study_id} is in the bundled "
            "library, shown with the evidence set all-2026 "
            f"({field_ref('evidence_set', 'all-2026')})",
        )


def run_analysis(request: AnalysisRequest) -> AnalysisResult:
    """The reference analysis, with the published result and influence if asked for."""
    _expect(request, AnalysisRequest)
    from peervalue.model.analysis import reference_analysis
    from peervalue.reference import trachtenberg2013

    prepared = prepare(request)
    with _quiet_numpy():
        extra = []
        if request.leave_one_out or request.subgroup is not None:
            from peervalue.uncertainty import influence  # the Monte Carlo, only when needed
        if request.leave_one_out:
            extra.append(influence.leave_one_out(prepared.spec, request.draws, request.seed))
        if request.subgroup is not None:
            extra.append(
                influence.subgroups(
                    prepared.evidence.studies,
                    prepared.spec,
                    request.subgroup,
                    request.draws,
                    request.seed,
                )
            )
        result = reference_analysis(
            prepared.spec,
            prepared.evidence.studies,
            prepared.costs,
            prepared.evidence.origin,
            reference=trachtenberg2013() if request.with_reference else None,
            influence=extra,
        )
        if request.compare_cost_basis and prepared.costs.peer_worker.components is not None:
            result = result.model_copy(update={"other_cost_basis": _other_basis(request, result)})
        return result.model_copy(
            update={"counted_resources": _counted(prepared.spec), **_forecast(request, prepared)}
        )


def _forecast(request: AnalysisRequest | PsaRequest, prepared: Prepared) -> dict[str, str]:
    """The forecast note of a run priced at a forecast year (none otherwise)."""
    from peervalue.service.forecast_note import forecast_note

    note = forecast_note(prepared.spec.price_year, request.indexation)
    return {"price_index_note": note} if note is not None else {}


def _counted(spec: ModelSpec) -> list[str] | None:
    """The resource categories a run counts, or ``None`` for bed-days alone."""
    return list(spec.resource_categories) if spec.resources == "all" else None


def _other_basis(request: AnalysisRequest, result: AnalysisResult) -> OtherBasis:
    """The same analysis on the other cost basis (pay beside full, or full beside pay)."""
    from peervalue.model.methods import COST_BASIS_NOTES
    from peervalue.model.results import OtherBasis

    other: CostBasis = "full" if result.costs.basis == "pay" else "pay"
    again = run_analysis(
        request.model_copy(update={"cost_basis": other, "compare_cost_basis": False})
    )
    return OtherBasis(
        basis=other,
        basis_note=COST_BASIS_NOTES[other],
        cost_per_fte_year=again.costs.cost_per_fte_year,
        weighted_mean_ratio=again.pooled.weighted_mean_ratio,
        ratio_of_sums=again.pooled.ratio_of_sums,
        break_even_bed_days_per_fte_year=again.break_even.bed_days_saved_per_fte_year,
    )


def check_psa_view(request: PsaRequest, view: str, label: str = "view") -> None:
    """Refuse, before the run, a part of the result that the evidence cannot give: the
    caseload curve needs a study with bed-days saved per patient-year."""
    _expect(request, PsaRequest)
    if view != "caseload-curve":
        return
    from peervalue.errors import input_error
    from peervalue.model.evaluate import patient_year_effect_known

    prepared = prepare(request)
    if not patient_year_effect_known(prepared.spec):
        raise input_error(
            label,
            "",
            "the caseload curve cannot be computed for this evidence: every study gives "
            "bed-days saved per FTE-year only, so no effect per patient-year is known for a "
            "caseload to multiply",
            "evidence with at least one study whose peer input and patients are given, or "
            "another part (summary, bed-day-curve, distributions)",
        )


def run_psa(request: PsaRequest, progress: Progress | None = None) -> PsaResult:
    """Monte Carlo; ``progress`` is called with the number of draws done after each chunk."""
    _expect(request, PsaRequest)
    from peervalue.uncertainty.psa import run_psa as monte_carlo
    from peervalue.uncertainty.summary import summarise, value_of_information

    prepared = prepare(request)
    with _quiet_numpy():
        run = monte_carlo(
            prepared.spec,
            request.draws,
            request.seed,
            chunk_size=request.chunk_size,
            progress=progress,
            keep_break_evens=request.keep_draws,
            sampler=request.sampler,
            probability=request.probability,
        )
        result = summarise(
            run,
            value_of_information(request.population_fte, request.horizon, request.discount_rate),
            evidence=prepared.evidence.origin,
            costs=prepared.costs.name,
            keep_draws=request.keep_draws,
        )
        return result.model_copy(
            update={"counted_resources": _counted(prepared.spec), **_forecast(request, prepared)}
        )


def run_sensitivity(request: SensitivityRequest) -> SensitivityResult:
    _expect(request, SensitivityRequest)
    from peervalue.uncertainty.sensitivity import one_way

    prepared = prepare(request)
    with _quiet_numpy():
        return one_way(prepared.spec, request.pooling)


def run_threshold(request: ThresholdRequest) -> ThresholdResult:
    _expect(request, ThresholdRequest)
    from peervalue.uncertainty.threshold import thresholds

    prepared = prepare(request)
    with _quiet_numpy():
        return thresholds(prepared.spec, request.pooling)


def run_meta(request: MetaRequest) -> MetaRunResult:
    _expect(request, MetaRequest)
    from peervalue.uncertainty.meta import meta_table
    from peervalue.uncertainty.pooling import compare_pooling
    from peervalue.uncertainty.results import MetaRunResult

    prepared = prepare(request)
    with _quiet_numpy():
        from peervalue.uncertainty.meta import METHODS

        table = meta_table(
            prepared.evidence.studies,
            request.level,
            (request.method,) if request.method else METHODS,
            request.interval,
            request.prediction,
            request.i2_from,
        )
        from peervalue.evidence.schema import READMISSION_KINDS
        from peervalue.uncertainty.meta import READMISSION_MEASURES

        studies = prepared.evidence.studies
        readmission = None
        if any(s.outcome.kind in READMISSION_KINDS for s in studies):
            readmission = {
                measure: meta_table(
                    studies,
                    request.level,
                    (request.method,) if request.method else METHODS,
                    request.interval,
                    request.prediction,
                    request.i2_from,
                    measure=measure,
                )
                for measure in READMISSION_MEASURES
            }
        return MetaRunResult(
            price_year=prepared.spec.price_year,
            currency=prepared.spec.currency,
            cost_basis=prepared.spec.cost_basis,
            meta_analysis=table,
            pooling_comparison=compare_pooling(prepared.spec, table, request.caseload),
            readmission=readmission,
        )


@overload
def run(request: AnalysisRequest) -> AnalysisResult: ...
@overload
def run(request: PsaRequest) -> PsaResult: ...
@overload
def run(request: SensitivityRequest) -> SensitivityResult: ...
@overload
def run(request: ThresholdRequest) -> ThresholdResult: ...
@overload
def run(request: MetaRequest) -> MetaRunResult: ...


def run(
    request: AnalysisRequest | PsaRequest | SensitivityRequest | ThresholdRequest | MetaRequest,
) -> AnalysisResult | PsaResult | SensitivityResult | ThresholdResult | MetaRunResult:
    """Run any model request and return its result (dispatch on the request's type)."""
    if isinstance(request, AnalysisRequest):
        return run_analysis(request)
    if isinstance(request, PsaRequest):
        return run_psa(request)
    if isinstance(request, SensitivityRequest):
        return run_sensitivity(request)
    if isinstance(request, ThresholdRequest):
        return run_threshold(request)
    _expect(request, AnalysisRequest, PsaRequest, SensitivityRequest, ThresholdRequest, MetaRequest)
    return run_meta(request)
