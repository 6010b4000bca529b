"""Resolving a request's inputs: load the files (or take the documents), build the spec once.

This is the one place that turns a request into model inputs:
:func:`resolve_evidence` and :func:`resolve_costs` load paths or take in-memory
documents (``None``: the bundled defaults), and :func:`prepare` adds the price
index and builds the :class:`~peervalue.model.spec.ModelSpec` every run uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from peervalue.costs.indices import PriceIndex, nhs_indexes
from peervalue.costs.load import load_costs
from peervalue.costs.schema import CostFile
from peervalue.errors import field_error, field_ref, input_error, quote
from peervalue.evidence.load import Evidence, load_evidence
from peervalue.service.requests import EvidenceRequest, RunRequest

if TYPE_CHECKING:
    from peervalue.model.spec import ModelSpec


T = TypeVar("T")

#: what a run has loaded so far, by what it was loaded from (None: outside a run)
_LOADED: ContextVar[dict[tuple[str, str], Any] | None] = ContextVar(
    "peervalue_loaded_inputs", default=None
)


@contextmanager
def one_load_per_run() -> Iterator[None]:
    """Within this block, each request's evidence, unit costs and prepared inputs are loaded
    once and reused by every later request that names the same inputs: a report runs a
    dozen analyses over the same files, and reads each once."""
    token = _LOADED.set({})
    try:
        yield
    finally:
        _LOADED.reset(token)


def _once(what: str, request: EvidenceRequest, fields: set[str], load: Callable[[], T]) -> T:
    loaded = _LOADED.get()
    if loaded is None:
        return load()
    key = (what, request.model_dump_json(include=fields))
    if key not in loaded:
        loaded[key] = load()
    found: T = loaded[key]
    return found


_EVIDENCE_FIELDS = {"evidence", "evidence_label", "evidence_set", "resources"}


def resolve_evidence(request: EvidenceRequest) -> Evidence:
    """The request's studies (see :func:`_resolve_evidence`), loaded once per run within
    :func:`one_load_per_run`."""
    return _once("evidence", request, _EVIDENCE_FIELDS, lambda: _resolve_evidence(request))


def _resolve_evidence(request: EvidenceRequest) -> Evidence:
    """The request's studies: loaded from its path, taken from its list, or the bundled six;
    with ``evidence_set``, that set's studies from them (or from the bundled library).

    Studies recorded without a usable outcome are kept apart (``Evidence.excluded``):
    they are listed, never pooled.
    """
    source = request.evidence
    if isinstance(source, list):
        label = request.evidence_label or f"in-memory evidence ({len(source)} studies)"
        evidence = Evidence.of(source, (), label)
    elif request.evidence_set is not None:
        from peervalue.evidence.sets import load_library

        evidence = load_library(source)
    else:
        evidence = load_evidence(source)
    if request.evidence_set is not None:
        from peervalue.evidence.sets import select_set

        evidence = select_set(request.evidence_set, evidence, request.resources)
    elif request.resources != "bed-days":
        evidence = evidence.counting(request.resources)
    if request.evidence_label:
        evidence = Evidence(
            evidence.studies,
            evidence.files,
            request.evidence_label,
            evidence.excluded,
            evidence.sources,
        )
    return evidence


def poolable_evidence(request: EvidenceRequest) -> Evidence:
    """:func:`resolve_evidence`, refusing evidence with no study that can be pooled."""
    evidence = resolve_evidence(request)
    if not evidence.studies:
        raise input_error(
            evidence.origin,
            "outcome",
            "no study has an outcome that can be pooled (every one is no_usable_outcome)",
            "at least one study with a bed-day, length-of-stay or readmission outcome",
        )
    return evidence


def resolve_costs(request: RunRequest) -> CostFile:
    """The request's unit costs: its document, its file, or the bundled England 2011-12."""
    return _once("costs", request, {"costs"}, lambda: _resolve_costs(request))


def _resolve_costs(request: RunRequest) -> CostFile:
    if isinstance(request.costs, CostFile):
        return request.costs  # price years checked when the request was validated
    return load_costs(request.costs)


def _check_resource_costs(evidence: Evidence, costs: CostFile) -> None:
    """Every other resource a counted study reports has a unit cost in the cost file."""
    for study in evidence.studies:
        for i, use in enumerate(study.other_resources):
            if use.category not in costs.other_resources:
                priced = ", ".join(costs.other_resources) or "none"
                raise input_error(
                    f"study {study.id}",
                    f"other_resources[{i}].category",
                    f"{quote(costs.name)} has no unit cost for {use.category!r} "
                    f"(it prices: {priced})",
                    "a category the cost file prices under other_resources, or "
                    + field_ref("resources", "bed-days"),
                )


@dataclass(frozen=True)
class Prepared:
    """Everything a run needs, loaded and validated once."""

    evidence: Evidence
    costs: CostFile
    index: PriceIndex
    spec: ModelSpec


def prepare(request: RunRequest) -> Prepared:
    """Load the request's inputs and build the model spec (the only place that does); once
    per run for the same inputs within :func:`one_load_per_run`."""
    fields = set(RunRequest.model_fields) - {"kind"}
    return _once("prepared", request, fields, lambda: _prepare(request))


def _prepare(request: RunRequest) -> Prepared:
    from peervalue.model.spec import build_spec

    evidence = poolable_evidence(request)
    costs = resolve_costs(request)
    indexes = nhs_indexes()
    index = indexes.get("pay-and-prices")
    pay_index = indexes.get("pay") if request.indexation == "pay-for-pay" else None
    if request.cost_basis == "pay" and costs.peer_worker.components is None:
        raise field_error(
            "cost_basis",
            f"got pay, but {quote(costs.name)} gives only a total cost per FTE-year",
            "full, or a cost file whose peer worker cost is built from components",
        )
    if request.resources == "all":
        _check_resource_costs(evidence, costs)
    spec = build_spec(
        evidence.studies,
        costs,
        index,
        request.weighting,
        request.price_year,
        pay_index,
        request.cost_basis,
        request.resources,
    )
    return Prepared(evidence, costs, index, spec)
