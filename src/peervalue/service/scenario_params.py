"""A business case's parameters: the scenario's own figures drawn beside the evidence's and
the cost set's (the same distributions and streams as ``peervalue psa``), the effect per
draw, and the model inputs at the point values or the draws (:class:`PreparedScenario`).

The scenario figures drawn and the cost lines are those its schema declares
(:mod:`peervalue.scenario.inputs`), never a list of their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from peervalue.costs.indices import PriceIndex, nhs_indexes
from peervalue.errors import input_error
from peervalue.evidence.schema import Study
from peervalue.model.core import Array
from peervalue.model.evaluate import evaluate, unit_costs
from peervalue.model.methods import DOMINANT_SHARE
from peervalue.model.spec import ModelSpec, Parameter, build_spec
from peervalue.provenance import Quantity
from peervalue.scenario import model
from peervalue.scenario.catalogue import cost_lines, drawn_figures
from peervalue.scenario.load import LoadedScenario
from peervalue.scenario.schema import RELATIVE_SOURCES, ScenarioFile
from peervalue.service.requests import ScenarioRequest
from peervalue.service.scenario_effects import RelativeEffect
from peervalue.service.scenario_forecast import with_forecast_draws
from peervalue.service.scenario_resolve import ResolvedFiles, resolve_scenario
from peervalue.uncertainty.distributions import (
    ParameterDistribution,
    distributions_of,
    first_draws,
)

OWNER = "scenario"
#: the scenario figures drawn as parameters, by their place in the file (from the schema)
SCENARIO_FIGURES: tuple[str, ...] = tuple(drawn_figures())
#: the cost lines, by their place in the file, with when each is spent (from the schema)
COST_LINES = cost_lines()
#: the share of overheads and capital a trust adds (drawn with perspective "trust-cash")
OVERHEAD_SHARE = "costs.trust_overhead_share"


def overhead_share(s: ScenarioFile) -> Quantity:
    """The share of overheads and capital a trust adds: the scenario's, else the national
    defaults' (a document sent to the API need not give it)."""
    if s.costs.trust_overhead_share is not None:
        return s.costs.trust_overhead_share
    from peervalue.scenario.load import national_defaults

    share = national_defaults().costs.trust_overhead_share
    assert share is not None  # the bundled defaults give it
    return share


def _scenario_parameters(s: ScenarioFile, index: PriceIndex) -> list[Parameter]:
    """The scenario's own figures as model parameters at its price year: those its schema
    draws (an optional one only when set), then each ``[[extra]]`` resource's."""
    figures = s.quantities()
    params = []
    for path in SCENARIO_FIGURES:
        q = figures.get(path)
        if path == OVERHEAD_SHARE:
            if s.costs.perspective != "trust-cash":
                continue  # counted only from the trust's perspective
            q = overhead_share(s)
        if q is None:
            continue  # an optional figure the scenario leaves unset
        factor = 1.0
        if q.price_year is not None and q.price_year != s.scenario.price_year:
            factor = index.factor(q.price_year, s.scenario.price_year)
        params.append(Parameter(OWNER, path, q, factor, q.unit))
    for i, extra in enumerate(s.extra):
        params.append(
            Parameter(
                OWNER,
                f"extra[{i}].avoided_per_patient_year",
                extra.avoided_per_patient_year,
                1.0,
                extra.avoided_per_patient_year.unit,
            )
        )
        q = extra.unit_cost
        factor = index.factor(q.price_year, s.scenario.price_year) if q.price_year else 1.0
        params.append(Parameter(OWNER, f"extra[{i}].unit_cost", q, factor, q.unit))
    return params


def _effect(spec: ModelSpec, values: Mapping[str, Array], source: str) -> Array:
    """Bed-days saved per patient-year of support, per draw, from the evidence."""
    out = evaluate(spec, values)
    if source == "pooled-sums":
        from peervalue.model.core import sum_studies

        patient_years = out.n_intervention * out.support_years
        return np.asarray(sum_studies(out.total_saved) / sum_studies(patient_years))
    return np.asarray(out.pooled_saved_per_patient_year)


def dominant_study(
    spec: ModelSpec,
    values: Mapping[str, Array],
    source: str,
    studies: list[str],
    own_folder: bool = False,
) -> str | None:
    """A note when one study carries at least half of the pooled effect's weight (patients
    for ``pooled-weighted``, patient-years of support for ``pooled-sums``), else ``None``;
    two studies at half each are named together. ``own_folder``: the studies are the
    user's own files (the note sends the reader to them, not to the bundled evidence)."""
    if source == "own" or source in RELATIVE_SOURCES or len(studies) < 2:
        return None
    out = evaluate(spec, values)
    if source == "pooled-sums":
        weight, what = out.n_intervention * out.support_years, "patient-years of support"
    else:
        weight, what = out.weight, "patients"
    w = np.asarray(weight, dtype=np.float64).reshape(len(studies), -1)[:, 0]
    if not np.isfinite(w).all() or w.sum() <= 0:
        return None
    shares = w / w.sum()
    heavy = [i for i in np.argsort(-shares, kind="stable") if shares[i] >= DOMINANT_SHARE]
    if not heavy:
        return None
    where = "in the scenario's evidence folder" if own_folder else "in the bundled evidence"
    if len(heavy) > 1:  # two studies at half each
        names = " and ".join(studies[i] for i in heavy)
        return (
            f"{names} each carry {float(shares[heavy[0]]):.0%} of the {what} that weight the "
            "pooled effect, so the answer leans heavily on those two studies; check their "
            f"design and risk of bias before relying on the answer (their records {where}, "
            "under the same ids)."
        )
    top = heavy[0]
    return (
        f"{studies[top]} carries {float(shares[top]):.0%} of the {what} that weight the pooled "
        "effect, so the answer leans heavily on that one study; check its design and risk of "
        f"bias before relying on the answer (its record {where}, under the same id)."
    )


def _column(values: Mapping[str, Array], name: str, n: int) -> Array:
    """A parameter's draws as a ``(n, 1)`` column (a fixed one broadcast)."""
    return np.broadcast_to(np.asarray(values[name], dtype=np.float64).reshape(-1, 1), (n, 1))


def _inputs(
    s: ScenarioFile, spec: ModelSpec, values: Mapping[str, Array], n: int, effect: Array
) -> model.ScenarioInputs:
    def v(path: str) -> Array:
        return _column(values, f"{OWNER}:{path}", n)

    def v_or_0(path: str) -> Array:
        """An optional figure's column; unset: 0 (no lag, no uplift)."""
        name = f"{OWNER}:{path}"
        return _column(values, name, n) if name in values else np.zeros((n, 1))

    c_bed, c_psw = unit_costs(spec, values)
    return model.ScenarioInputs(
        funded_fte=np.asarray(s.funded_fte_by_year(), dtype=np.float64),
        vacancy_rate=v("staffing.vacancy_rate"),
        turnover_rate=v("staffing.turnover_rate"),
        caseload=v("staffing.caseload"),
        effect=np.broadcast_to(np.asarray(effect, dtype=np.float64).reshape(-1, 1), (n, 1)),
        transferability=v("evidence.transferability"),
        cost_per_bed_day=np.broadcast_to(np.asarray(c_bed).reshape(-1, 1), (n, 1)),
        cost_per_fte_year=np.broadcast_to(np.asarray(c_psw).reshape(-1, 1), (n, 1)),
        cash_releasing_share=v("benefits.cash_releasing_share"),
        optimism_bias=v("benefits.optimism_bias"),
        cost_lines={path: model.CostLine(timing, v(path)) for path, timing in COST_LINES.items()},
        extra_rates=[v(f"extra[{i}].avoided_per_patient_year") for i in range(len(s.extra))],
        extra_costs=[v(f"extra[{i}].unit_cost") for i in range(len(s.extra))],
        discount_rate=s.scenario.discount_rate,
        cost_optimism=v_or_0("costs.optimism_bias"),
        effect_lag_months=v_or_0("staffing.effect_lag_months"),
        discount_bands=discount_bands(s),
    )


def discount_bands(s: ScenarioFile) -> tuple[tuple[int, float], ...] | None:
    """The scenario's discount schedule as bands (None: every year at its rate)."""
    from peervalue.scenario.discounting import bands_of

    schedule = s.scenario.resolved_schedule()
    return None if schedule == "constant" else bands_of(schedule, s.scenario.discount_rate)


@dataclass(frozen=True)
class PreparedScenario:
    """A scenario resolved over the defaults, with its point values and its draws."""

    files: ResolvedFiles
    loaded: LoadedScenario
    spec: ModelSpec
    parameters: list[Parameter]
    dists: list[ParameterDistribution]
    point_values: dict[str, Array]
    drawn: dict[str, Array]
    point_effect: Array
    drawn_effect: Array
    studies: list[Study]
    evidence_label: str
    draws: int
    seed: int
    #: the effect's point and draws, with the synthesis behind a relative source
    effects: Effects | None = None

    def inputs(
        self, drawn: bool, overrides: Mapping[str, Array] | None = None
    ) -> model.ScenarioInputs:
        """Model inputs at the point values or the draws; ``overrides`` replace any of
        ``caseload``, ``effect``, ``cost_per_bed_day``, ``cost_per_fte_year``,
        ``transferability`` (arrays that broadcast against ``(draws, 1)``)."""
        values = self.drawn if drawn else self.point_values
        n = self.draws if drawn else 1
        effect = self.drawn_effect if drawn else self.point_effect
        base = _inputs(self.loaded.scenario, self.spec, values, n, effect)
        if not overrides:
            return base
        changes: dict[str, Any] = {k: np.asarray(v, dtype=np.float64) for k, v in overrides.items()}
        return replace(base, **changes)


def prepare_scenario(
    request: ScenarioRequest, files: ResolvedFiles | None = None
) -> PreparedScenario:
    """Resolve a scenario (or take ``files``, resolved already from ``request.scenario``)
    and draw every uncertain input once."""
    files = files if files is not None else resolve_scenario(request.scenario)
    loaded = files.loaded
    s = loaded.scenario
    draws = request.draws if request.draws is not None else s.monte_carlo.draws
    seed = request.seed if request.seed is not None else s.monte_carlo.seed
    index = nhs_indexes().get("pay-and-prices")
    spec = build_spec(files.studies, files.costs, index, price_year=s.scenario.price_year)
    if s.costs.perspective == "trust-cash":
        spec = replace(spec, peer_worker_overhead_share=f"{OWNER}:{OVERHEAD_SHARE}")
    parameters = [*spec.parameters, *_scenario_parameters(s, index)]
    dists = distributions_of(parameters)
    with np.errstate(all="ignore"):
        point_values = {d.name: np.array([d.value]) for d in dists}
        drawn = {d.name: first_draws(d, seed, draws) for d in dists}
        drawn = with_forecast_draws(parameters, drawn, index, s.scenario.price_year, seed, draws)
        effects = effects_for(
            s.evidence.source, spec, files.studies, point_values, drawn, draws, seed, loaded.source
        )
    return PreparedScenario(
        files,
        loaded,
        spec,
        parameters,
        dists,
        point_values,
        drawn,
        effects.point,
        effects.drawn,
        files.studies,
        files.evidence_label,
        draws,
        seed,
        effects,
    )


@dataclass(frozen=True)
class Effects:
    """One effect choice's bed-days saved per patient-year of support: at the point values
    ``(1,)`` and per draw ``(n,)``, with the synthesis behind a relative choice."""

    source: str
    point: Array
    drawn: Array
    relative: RelativeEffect | None = None


def effects_for(
    source: str,
    spec: ModelSpec,
    studies: list[Study],
    point: Mapping[str, Array],
    drawn: Mapping[str, Array],
    n: int,
    seed: int,
    where: str = "evidence",
) -> Effects:
    """The effect of ``source`` on these studies, at the point values and per draw.

    A relative source (:data:`~peervalue.scenario.schema.RELATIVE_SOURCES`) takes the
    synthesis's log ratio (its median, and draws from the common numbers of ``seed``) times
    the baseline; the 2013 methods pool the studies' bed-days; ``own`` takes the figure."""
    if source == "own":
        name = f"{OWNER}:evidence.saved_per_patient_year"
        return Effects(
            source, np.asarray(point[name]), np.broadcast_to(np.asarray(drawn[name]), (n,))
        )
    if source in RELATIVE_SOURCES:
        from peervalue.service.scenario_effects import (
            NoRelativeEffect,
            common_numbers,
            relative_effect,
            saved,
        )

        try:
            rel = relative_effect(source, studies, common_numbers(seed, n))
        except NoRelativeEffect as exc:
            raise input_error(
                where,
                "evidence.source",
                str(exc),
                "evidence with a study that gives a log ratio of bed-days or of readmission "
                "(such as the all-2026 set), or source 'pooled-weighted', 'pooled-sums' or 'own'",
            ) from None
        point_effect = np.asarray(saved(rel.point, point), dtype=np.float64).reshape(-1)
        drawn_effect = np.broadcast_to(np.asarray(saved(rel.drawn, drawn)), (n,))
        return Effects(source, point_effect, drawn_effect, rel)
    point_effect = _effect(spec, point, source)
    drawn_effect = np.broadcast_to(_effect(spec, drawn, source), (n,))
    if not np.isfinite(point_effect).all():
        raise input_error(
            where,
            "",
            "the pooled effect per patient-year of support cannot be computed from these studies",
            "studies that give bed-days per patient with their peer input (or source 'own')",
        )
    return Effects(source, point_effect, drawn_effect)
