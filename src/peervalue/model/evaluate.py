"""Evaluate the model for any number of parameter draws at once.

``values`` maps each parameter name of a :class:`~peervalue.model.spec.ModelSpec`
to an array of shape ``(...)`` (one entry per draw; shape ``()`` or ``(1,)`` for
the deterministic analysis). Study results come back with shape ``(..., S)``,
pooled results with shape ``(...)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from peervalue.costs.schema import PAY_COMPONENTS
from peervalue.evidence.schema import NOT_POOLED
from peervalue.model import conversions, core
from peervalue.model.core import Array
from peervalue.model.methods import PoolingMethod
from peervalue.model.spec import COSTS, OTHER, ModelSpec, StudySpec


@dataclass(frozen=True)
class ModelOutputs:
    """Every per-study and pooled quantity, as arrays (see module docstring for shapes)."""

    n_intervention: Array
    n_control: Array
    weight: Array
    saved_per_patient: Array
    total_saved: Array
    fte_years: Array
    bed_days_per_fte_year: Array
    cost_per_bed_day: Array
    cost_per_fte_year: Array
    benefit_per_fte_year: Array
    net_benefit_per_fte_year: Array
    ratio: Array
    #: years each supported patient had peer support: the caseload form's
    #: support_duration, else the follow-up (see ``Study.support_quantity``)
    support_years: Array
    saved_per_patient_year: Array
    weighted_mean_ratio: Array
    ratio_of_sums: Array
    break_even_bed_days: Array
    #: pooled bed-days saved per FTE-year behind each pooled ratio: the weighted
    #: mean of the studies' ``b`` (weighted mean of ratios) and ``sum(D) / sum(F)``
    pooled_bed_days_weighted: Array
    pooled_bed_days_sums: Array
    #: weighted mean of bed-days saved per patient-year of support, where it is known
    pooled_saved_per_patient_year: Array

    def pooled_bed_days(self, method: PoolingMethod) -> Array:
        """Pooled bed-days saved per FTE-year for ``method``."""
        return self.pooled_bed_days_weighted if method == "weighted" else self.pooled_bed_days_sums

    def pooled_ratio(self, method: PoolingMethod) -> Array:
        """Pooled benefit:cost ratio for ``method``."""
        return self.weighted_mean_ratio if method == "weighted" else self.ratio_of_sums

    def pooled_net_benefit(self, method: PoolingMethod) -> Array:
        """Pooled net benefit per FTE-year: ``c_bed * b_pooled - c_psw``."""
        return core.net_benefit(
            self.pooled_bed_days(method), self.cost_per_bed_day, self.cost_per_fte_year
        )


def _study_columns(
    s: StudySpec, values: Mapping[str, ArrayLike]
) -> tuple[Array, Array, Array, Array, Array, Array, Array]:
    """(n_int, n_ctrl, d, D, F, b, T) for one study; T is years of support per patient."""

    def v(field: str) -> Array:
        return np.asarray(values[f"{s.id}:{field}"], dtype=np.float64)

    nan = np.float64(np.nan)
    n_int = v("arms.intervention")
    n_ctrl = v("arms.control") if s.has_control else np.zeros_like(n_int)
    support = v(s.support_field)

    if s.peer_form == "fte":
        fte_years = core.fte_years_from_fte(
            v("peer_input.fte"), v("peer_input.employment_duration")
        )
    elif s.peer_form == "caseload":
        fte_years = core.fte_years_from_caseload(
            n_int, v("peer_input.support_duration"), v("peer_input.caseload")
        )
    elif s.peer_form == "fte_years":
        fte_years = v("peer_input.fte_years")
    else:
        fte_years = np.full_like(n_int, nan)

    kind = s.outcome_kind
    if s.other_resources:
        # other resources as bed-day equivalents: (control - peer) x unit cost / c_bed
        c_bed = np.asarray(values[f"{COSTS}:bed_day"], dtype=np.float64)
        beds = np.zeros_like(n_int) if kind == NOT_POOLED else _bed_days_per_patient(kind, v, n_int)
        d = beds
        for i, category in s.other_resources:
            saved = core.difference(
                v(f"{OTHER}[{i}].control_mean"), v(f"{OTHER}[{i}].intervention_mean")
            )
            unit_cost = np.asarray(values[f"{COSTS}:{OTHER}.{category}"], dtype=np.float64)
            d = d + conversions.bed_day_equivalents(saved, unit_cost, c_bed)
        big_d = core.total_saved(d, n_int)
        return n_int, n_ctrl, d, big_d, fte_years, core.per_fte_year(big_d, fte_years), support
    if kind == "bed_days_saved_per_fte_year":
        b = v("outcome.saved_per_fte_year")
        big_d = b * fte_years
        d = big_d / n_int
        return n_int, n_ctrl, d, big_d, fte_years, b, support
    d = _bed_days_per_patient(kind, v, n_int)
    big_d = core.total_saved(d, n_int)
    return n_int, n_ctrl, d, big_d, fte_years, core.per_fte_year(big_d, fte_years), support


def _bed_days_per_patient(kind: str, v: Callable[[str], Array], n_int: Array) -> Array:
    """Bed-days saved per patient, ``d``, for every outcome kind measured per patient."""
    if kind == "mean_bed_days":
        d = core.difference(v("outcome.control_mean"), v("outcome.intervention_mean"))
    elif kind == "admissions_and_length_of_stay":
        d = core.difference(
            core.bed_days_from_admissions(
                v("outcome.control_admissions"), v("outcome.control_length_of_stay")
            ),
            core.bed_days_from_admissions(
                v("outcome.intervention_admissions"), v("outcome.intervention_length_of_stay")
            ),
        )
    elif kind == "bed_days_saved_per_patient":
        d = v("outcome.saved_per_patient")
    elif kind == "total_bed_days_saved":
        d = v("outcome.total") / n_int
    elif kind == "readmission_counts":
        # the spec gives the readmitted counts as proportions of their arms
        d = conversions.bed_days_from_readmission(
            v("outcome.control_readmitted"),
            v("outcome.intervention_readmitted"),
            v("outcome.length_of_stay"),
        )
    elif kind in {"readmission_odds_ratio", "readmission_risk_ratio"}:
        p_control = v("outcome.control_risk")
        p_peer = (
            conversions.risk_from_odds_ratio(p_control, v("outcome.odds_ratio"))
            if kind == "readmission_odds_ratio"
            else conversions.risk_from_risk_ratio(p_control, v("outcome.risk_ratio"))
        )
        d = conversions.bed_days_from_readmission(p_control, p_peer, v("outcome.length_of_stay"))
    elif kind == "length_of_stay_difference":
        d = conversions.bed_days_from_length_of_stay(
            v("outcome.length_of_stay_saved"), v("outcome.admissions")
        )
    else:  # pragma: no cover - the schema admits no other kind
        raise ValueError(f"unknown outcome kind {kind!r}")
    return d


def patient_year_effect_known(spec: ModelSpec) -> bool:
    """Whether any study gives bed-days saved per patient-year (the effect a caseload
    multiplies): not when every study gives only bed-days per FTE-year."""
    return any(not _per_fte_year_only(s) for s in spec.studies)


def _per_fte_year_only(s: StudySpec) -> bool:
    return s.outcome_kind == "bed_days_saved_per_fte_year" and s.peer_form == "none"


def _stack(columns: list[Array]) -> Array:
    # Studies are the last axis, but each study's draws are kept contiguous (a
    # transposed view): sums over studies then add whole columns, which is several
    # times faster than reducing many short rows.
    shape = np.broadcast_shapes(*(c.shape for c in columns))
    out = np.empty((len(columns), *shape))
    for row, column in zip(out, columns, strict=True):
        row[...] = column
    return np.moveaxis(out, 0, -1)


def unit_costs(spec: ModelSpec, values: Mapping[str, ArrayLike]) -> tuple[Array, Array]:
    """Cost per bed-day and cost per peer worker FTE-year, for every draw in ``values``."""

    def c(field: str) -> Array:
        return np.asarray(values[f"{COSTS}:{field}"], dtype=np.float64)

    c_bed = c("bed_day")
    if spec.peer_worker_form == "total":
        return c_bed, c("peer_worker.total")
    if spec.peer_worker_overhead_share is not None:
        return c_bed, _shared_overheads_cost(spec, values, c)
    c_psw = core.peer_worker_cost(
        c("peer_worker.components.salary"),
        [c(f"peer_worker.components.{name}") for name in spec.peer_worker_rates],
        [c(f"peer_worker.components.{name}") for name in spec.peer_worker_amounts],
    )
    return c_bed, c_psw


def _shared_overheads_cost(
    spec: ModelSpec, values: Mapping[str, ArrayLike], c: Callable[[str], Array]
) -> Array:
    """Cost per FTE-year with only a share of the overheads and capital: salary x (1 +
    pay rates + share x overhead rates) + share x overhead amounts."""
    share = np.asarray(values[spec.peer_worker_overhead_share or ""], dtype=np.float64)

    def scaled(name: str) -> Array:
        x = c(f"peer_worker.components.{name}")
        return x if name in PAY_COMPONENTS else share * x

    return core.peer_worker_cost(
        c("peer_worker.components.salary"),
        [scaled(name) for name in spec.peer_worker_rates],
        [scaled(name) for name in spec.peer_worker_amounts],
    )


def evaluate(spec: ModelSpec, values: Mapping[str, ArrayLike]) -> ModelOutputs:
    """Run the reference method for every draw in ``values``."""
    cols = [_study_columns(s, values) for s in spec.studies]
    n_int, n_ctrl, d, big_d, fte_years, b, support = (
        _stack([c[i] for c in cols]) for i in range(7)
    )
    c_bed, c_psw = unit_costs(spec, values)
    c_bed_col, c_psw_col = c_bed[..., np.newaxis], c_psw[..., np.newaxis]
    benefit = core.benefit(b, c_bed_col)
    ratio = core.ratio(benefit, c_psw_col)
    weight = n_int + n_ctrl if spec.weighting == "all" else n_int
    per_patient_year = core.per_patient_year(d, support)
    # Common unit costs factor out of both pooled ratios: pool bed-days first.
    pooled_weighted = core.weighted_mean(b, weight)
    pooled_sums = core.per_fte_year(core.sum_studies(big_d), core.sum_studies(fte_years))
    # Bed-days per patient-year are unknown only where a study gives bed-days per
    # FTE-year without its peer input; that is fixed by the files, not by the draws.
    known = [i for i, s in enumerate(spec.studies) if not _per_fte_year_only(s)]
    if len(known) == len(spec.studies):
        pooled_patient_year = core.weighted_mean(per_patient_year, weight)
    elif known:
        pooled_patient_year = core.weighted_mean(per_patient_year[..., known], weight[..., known])
    else:
        pooled_patient_year = np.full(pooled_weighted.shape, np.nan)
    return ModelOutputs(
        n_intervention=n_int,
        n_control=n_ctrl,
        weight=weight,
        saved_per_patient=d,
        total_saved=big_d,
        fte_years=fte_years,
        bed_days_per_fte_year=b,
        cost_per_bed_day=c_bed,
        cost_per_fte_year=c_psw,
        benefit_per_fte_year=benefit,
        net_benefit_per_fte_year=benefit - c_psw_col,
        ratio=ratio,
        weighted_mean_ratio=core.ratio(core.benefit(pooled_weighted, c_bed), c_psw),
        ratio_of_sums=core.ratio(core.benefit(pooled_sums, c_bed), c_psw),
        break_even_bed_days=core.break_even_bed_days(c_psw, c_bed),
        support_years=support,
        saved_per_patient_year=per_patient_year,
        pooled_bed_days_weighted=pooled_weighted,
        pooled_bed_days_sums=pooled_sums,
        pooled_saved_per_patient_year=pooled_patient_year,
    )


def point_outputs(spec: ModelSpec) -> ModelOutputs:
    """Evaluate ``spec`` once, at its point values (arrays of shape ``(1,)``)."""
    return evaluate(spec, {k: np.array([v]) for k, v in spec.point_values().items()})


def point_value(a: Array) -> float:
    """The single value of a one-draw output (shape ``()`` or ``(1,)``)."""
    return float(a.reshape(-1)[0])
