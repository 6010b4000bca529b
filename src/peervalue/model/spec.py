"""From validated files to a flat table of model parameters.

:func:`build_spec` turns an :class:`~peervalue.evidence.Evidence` and a
:class:`~peervalue.costs.CostFile` into a :class:`ModelSpec`: one
:class:`Parameter` per quantity the model uses, with its value already in the
model's units (durations in years, costs at the output price year), plus the
per-study structure :func:`~peervalue.model.evaluate.evaluate` needs. The
Monte Carlo layer draws values for these same parameters; the deterministic
analysis uses their point values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from peervalue.costs.indices import PriceIndex
from peervalue.costs.schema import PAY_COMPONENTS, CostFile
from peervalue.evidence.schema import Study
from peervalue.model.methods import CostBasis, Resources, Weighting
from peervalue.provenance import Quantity
from peervalue.units import DURATION_UNITS, YEARS_PER

PeerForm = Literal["fte", "caseload", "fte_years", "none"]
COSTS = "costs"
OTHER = "other_resources"


@dataclass(frozen=True)
class Parameter:
    """One model input, traceable to the quantity (and file) it came from."""

    owner: str  #: study id, or "costs"
    field: str  #: dotted path in the file, e.g. "outcome.control_mean"
    quantity: Quantity
    factor: float  #: multiplier from file units to model units (years, output-year prices)
    model_unit: str

    @property
    def name(self) -> str:
        return f"{self.owner}:{self.field}"

    @property
    def value(self) -> float:
        return self.quantity.value * self.factor

    @property
    def range(self) -> tuple[float, float] | None:
        r = self.quantity.range
        return None if r is None else (r[0] * self.factor, r[1] * self.factor)


@dataclass(frozen=True)
class StudySpec:
    id: str
    outcome_kind: str
    peer_form: PeerForm
    has_control: bool
    #: the field giving each patient's years of peer support ("per patient-year")
    support_field: str
    #: other resources counted for this study (``--resources all``): (index in the
    #: study's other_resources, category), valued at the cost file's unit cost
    other_resources: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class ModelSpec:
    """Everything the model needs, as parameters plus structure."""

    studies: tuple[StudySpec, ...]
    parameters: tuple[Parameter, ...]
    weighting: Weighting
    peer_worker_form: Literal["total", "components"]
    #: components added to salary as proportions of it, and as amounts, in file order
    peer_worker_rates: tuple[str, ...]
    peer_worker_amounts: tuple[str, ...]
    price_year: str
    currency: str
    cost_basis: CostBasis = "full"
    #: the resources counted: ``bed-days`` (the reference) or ``all``
    resources: Resources = "bed-days"
    #: the name of a value (a share, 0-1) that scales every peer worker component that is
    #: not pay (overheads and capital); ``None``: all of them count in full
    peer_worker_overhead_share: str | None = None

    @property
    def resource_categories(self) -> tuple[str, ...]:
        """What the benefits count: bed-days, then each other resource category used."""
        seen = {c: None for s in self.studies for _, c in s.other_resources}
        return ("bed-days", *seen)

    def point_values(self) -> dict[str, float]:
        return {p.name: p.value for p in self.parameters}

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)


def _model_unit(q: Quantity, price_year: str, index: PriceIndex) -> tuple[float, str]:
    if q.unit in DURATION_UNITS:
        return YEARS_PER[q.unit], "years"
    if q.price_year is not None and q.price_year != price_year:
        return index.factor(q.price_year, price_year), q.unit
    return 1.0, q.unit


def _peer_form(study: Study) -> PeerForm:
    pi = study.peer_input
    if pi is None:
        return "none"
    if pi.fte is not None:
        return "fte"
    if pi.caseload is not None:
        return "caseload"
    return "fte_years"


#: readmission count fields, and the arm each is a proportion of
EVENT_ARMS = {
    "outcome.intervention_readmitted": "arms.intervention",
    "outcome.control_readmitted": "arms.control",
}


def _event_arms(study: Study) -> dict[str, float]:
    """Readmitted-count fields of ``study`` and the point size of their arm."""
    if study.outcome.kind != "readmission_counts":
        return {}
    found = study.quantities()
    return {f: found[arm].value for f, arm in EVENT_ARMS.items() if f in found and arm in found}


def _support_field(study: Study) -> str:
    pi = study.peer_input
    return "peer_input.support_duration" if pi and pi.support_duration is not None else "follow_up"


def build_spec(
    studies: Iterable[Study],
    costs: CostFile,
    index: PriceIndex,
    weighting: Weighting = "all",
    price_year: str | None = None,
    pay_index: PriceIndex | None = None,
    cost_basis: CostBasis | None = None,
    resources: Resources = "bed-days",
) -> ModelSpec:
    """Flatten studies and costs into a :class:`ModelSpec` at one price year.

    Every money figure is rebased from its own price year to ``price_year`` (default:
    the cost file's) with ``index``; salary and employer on-costs use ``pay_index``
    instead when one is given. ``cost_basis`` (default: the file's ``basis``) ``pay``
    leaves out every component that is not pay (overheads and capital). Pure: the
    caller (``peervalue.service``) loads the files and the indices and has checked
    that they cover every year and that a pay basis has components.

    ``resources`` ``all`` also counts each study's ``other_resources`` (valued at the cost
    file's ``other_resources`` unit costs, which the caller has checked exist); with
    ``bed-days`` those fields are left out, so the reference analysis never sees them.
    """
    year = price_year or costs.price_year
    basis: CostBasis = cost_basis or costs.basis
    params: list[Parameter] = []
    structure: list[StudySpec] = []
    for study in studies:
        if not study.pooled_in(resources):
            raise ValueError(f"study {study.id!r} is not pooled (no_usable_outcome)")
        arm_sizes = _event_arms(study)
        for field, q in study.quantities().items():
            if field.startswith(OTHER) and resources != "all":
                continue
            if field in arm_sizes:
                # readmitted patients enter the model as a proportion of their arm
                factor, unit = 1.0 / arm_sizes[field], "proportion"
            else:
                factor, unit = _model_unit(q, year, index)
            params.append(Parameter(study.id, field, q, factor, unit))
        structure.append(
            StudySpec(
                id=study.id,
                outcome_kind=study.outcome.kind,
                peer_form=_peer_form(study),
                has_control=study.arms.control is not None,
                support_field=_support_field(study),
                other_resources=(
                    tuple((i, r.category) for i, r in enumerate(study.other_resources))
                    if resources == "all"
                    else ()
                ),
            )
        )
    for field, q in costs.quantities().items():
        if field.startswith(OTHER) and resources != "all":
            continue
        is_pay = field.rpartition(".")[2] in PAY_COMPONENTS and field.startswith("peer_worker.")
        if basis == "pay" and field.startswith("peer_worker.components.") and not is_pay:
            continue
        factor, unit = _model_unit(q, year, pay_index if is_pay and pay_index else index)
        params.append(Parameter(COSTS, field, q, factor, unit))
    components = costs.peer_worker.components
    additions = {} if components is None else components.given()
    additions.pop("salary", None)
    if basis == "pay":
        additions = {n: q for n, q in additions.items() if n in PAY_COMPONENTS}
    return ModelSpec(
        studies=tuple(structure),
        parameters=tuple(params),
        weighting=weighting,
        peer_worker_form="total" if costs.peer_worker.total is not None else "components",
        peer_worker_rates=tuple(n for n, q in additions.items() if q.unit == "proportion"),
        peer_worker_amounts=tuple(n for n, q in additions.items() if q.unit != "proportion"),
        price_year=year,
        currency=costs.currency,
        cost_basis=basis,
        resources=resources,
    )
