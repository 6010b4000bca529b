"""Run a local business case: resolve the scenario over the national defaults, draw every
uncertain input, project year by year, and summarise (:class:`ScenarioResult`).

The evidence's effect (bed-days saved per patient-year of support) and the unit costs
come from the same parameter draws as ``peervalue psa`` (same distributions, same
streams keyed by name and seed); the scenario's own figures are drawn by the same
rules (an assumed figure with a range is a PERT over it with its value as the mode,
unless the file declares another distribution; a bare number is fixed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from peervalue.costs.indices import PriceIndex, nhs_indexes
from peervalue.costs.load import load_costs
from peervalue.costs.schema import CostFile, PeerWorkerCost
from peervalue.errors import input_error, quote
from peervalue.evidence.load import load_evidence
from peervalue.evidence.schema import Study
from peervalue.model.core import Array
from peervalue.model.evaluate import evaluate, unit_costs
from peervalue.model.methods import DOMINANT_SHARE
from peervalue.model.spec import ModelSpec, Parameter, build_spec
from peervalue.provenance import Quantity
from peervalue.scenario import model
from peervalue.scenario.load import LoadedScenario, from_document, load_scenario, national_defaults
from peervalue.scenario.results import (
    EffectUsed,
    Override,
    ResolvedInput,
    ScenarioResult,
    ScenarioTotals,
    ScenarioUncertainty,
    ScenarioYear,
)
from peervalue.scenario.schema import ScenarioFile
from peervalue.service.requests import ScenarioRequest
from peervalue.uncertainty.distributions import (
    ParameterDistribution,
    distributions_of,
    first_draws,
)
from peervalue.uncertainty.summary import percentiles

OWNER = "scenario"
#: the scenario figures drawn as parameters, with the name the model inputs use
SCENARIO_FIGURES = {
    "staffing.vacancy_rate": "vacancy_rate",
    "staffing.turnover_rate": "turnover_rate",
    "staffing.caseload": "caseload",
    "costs.set_up": "set_up",
    "costs.recruitment_per_post": "recruitment_per_post",
    "costs.training_per_post": "training_per_post",
    "costs.supervision_per_year": "supervision_per_year",
    "evidence.transferability": "transferability",
    "benefits.cash_releasing_share": "cash_releasing_share",
    "benefits.optimism_bias": "optimism_bias",
}


def _resolve(path: str, folder: Path | None) -> Path:
    p = Path(path)
    if folder is not None and not p.is_absolute() and (folder / p).exists():
        return folder / p
    return p


def _existing(loaded: LoadedScenario, field: str, path: str, what: str) -> Path:
    """``path`` from the scenario (relative to its folder), refused by name if it is missing."""
    found = _resolve(path, loaded.folder)
    if not found.exists():
        where = loaded.folder if loaded.folder is not None else Path.cwd()
        raise input_error(
            loaded.source,
            field,
            f"{what} {quote(str(path))} does not exist (looked in {where})",
            f"the path of an existing {what}, relative to the scenario file or absolute",
        )
    return found


def _cost_document(loaded: LoadedScenario) -> CostFile:
    """The cost set with the scenario's own unit costs put in place of its figures."""
    from peervalue.costs.load import bundled_cost_sets

    s = loaded.scenario.costs
    bundled = bundled_cost_sets().get(s.set)
    if bundled is not None:  # a bundled set's name is never looked up as a path
        base = load_costs(bundled)
    elif s.set.endswith((".yaml", ".yml", ".toml")):
        base = load_costs(_existing(loaded, "costs.set", s.set, "cost file"))
    else:
        base = load_costs(s.set)
    update: dict[str, object] = {}
    if s.cost_per_bed_day is not None:
        update["bed_day"] = s.cost_per_bed_day
    if s.cost_per_fte_year is not None:
        update["peer_worker"] = PeerWorkerCost(total=s.cost_per_fte_year)
    elif s.salary is not None or s.band is not None:
        salary = s.salary if s.salary is not None else _band_salary(loaded)
        if base.peer_worker.components is None:
            raise input_error(
                loaded.source,
                "costs.salary" if s.salary is not None else "costs.band",
                f"the cost set {quote(s.set)} gives a total cost per FTE-year, not a salary "
                "to replace",
                "'cost_per_fte_year' instead, or a cost set built from components",
            )
        comps = base.peer_worker.components.model_copy(update={"salary": salary})
        update["peer_worker"] = PeerWorkerCost(components=comps)
    return base.model_copy(update=update) if update else base


def _band_salary(loaded: LoadedScenario) -> Quantity:
    from peervalue.costs.pay import band_salary, bands, pay_table

    band = loaded.scenario.costs.band or ""
    year = loaded.scenario.scenario.price_year
    salary = band_salary(band, year)
    first = min(pay_table().years)
    if salary is None and band in bands() and year < first:
        raise input_error(
            loaded.source,
            "costs.band",
            f"the bundled pay table starts in {first}, after the price year {year}",
            f"a price year from {first}, or 'salary' (with its price year) in place of 'band'",
        )
    if salary is None:
        raise input_error(
            loaded.source,
            "costs.band",
            f"no Agenda for Change band {quote(band)} in the pay table up to {year}",
            f"one of: {', '.join(bands())}",
        )
    return salary


def _studies(loaded: LoadedScenario) -> tuple[list[Study], str]:
    ev = loaded.scenario.evidence
    if ev.source == "own":
        return [], "the scenario's own estimate"
    folder = _existing(loaded, "evidence.folder", ev.folder, "study folder") if ev.folder else None
    if ev.set is not None:
        from peervalue.evidence.sets import load_library, select_set

        evidence = select_set(ev.set, load_library(folder))
    else:
        evidence = load_evidence(folder)
    studies = list(evidence.studies)
    if ev.subgroup:
        field, _, value = ev.subgroup.partition("=")
        chosen = [s for s in studies if _field(s, field) == value]
        if not chosen:
            values = sorted({_field(s, field) for s in studies})
            raise input_error(
                loaded.source,
                "evidence.subgroup",
                f"no study has {field} = {quote(value)}",
                f"one of: {', '.join(f'{field}={v}' for v in values)}",
            )
        studies = chosen
    return studies, evidence.origin + (f", {ev.subgroup}" if ev.subgroup else "")


def _field(study: Study, field: str) -> str:
    value = getattr(study, field)
    return str(getattr(value, "value", value))


def _scenario_parameters(s: ScenarioFile, index: PriceIndex) -> list[Parameter]:
    """The scenario's own figures as model parameters at its price year."""
    figures = s.quantities()
    params = []
    for path, _name in SCENARIO_FIGURES.items():
        q = figures[path]
        factor = 1.0
        if q.price_year is not None and q.price_year != s.scenario.price_year:
            factor = index.factor(q.price_year, s.scenario.price_year)
        params.append(Parameter(OWNER, path, q, factor, q.unit))
    if s.evidence.saved_per_patient_year is not None:
        q = s.evidence.saved_per_patient_year
        params.append(Parameter(OWNER, "evidence.saved_per_patient_year", q, 1.0, q.unit))
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


def _dominant_study(
    spec: ModelSpec, values: Mapping[str, Array], source: str, studies: list[str]
) -> str | None:
    """A note when one study carries at least half of the pooled effect's weight (patients
    for ``pooled-weighted``, patient-years of support for ``pooled-sums``), else ``None``."""
    if source == "own" or len(studies) < 2:
        return None
    out = evaluate(spec, values)
    if source == "pooled-sums":
        weight, what = out.n_intervention * out.support_years, "patient-years of support"
    else:
        weight, what = out.weight, "patients"
    w = np.asarray(weight, dtype=np.float64).reshape(len(studies), -1)[:, 0]
    if not np.isfinite(w).all() or w.sum() <= 0:
        return None
    top = int(np.argmax(w))
    share = float(w[top] / w.sum())
    if share < DOMINANT_SHARE:
        return None
    return (
        f"{studies[top]} carries {share:.0%} of the {what} that weight the pooled effect, "
        "so the answer leans heavily on that one study; see its quality with "
        f"'peervalue evidence show {studies[top]} --evidence-set all-2026'."
    )


def _column(values: Mapping[str, Array], name: str, n: int) -> Array:
    """A parameter's draws as a ``(n, 1)`` column (a fixed one broadcast)."""
    return np.broadcast_to(np.asarray(values[name], dtype=np.float64).reshape(-1, 1), (n, 1))


def _inputs(
    s: ScenarioFile, spec: ModelSpec, values: Mapping[str, Array], n: int, effect: Array
) -> model.ScenarioInputs:
    def v(path: str) -> Array:
        return _column(values, f"{OWNER}:{path}", n)

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
        set_up=v("costs.set_up"),
        recruitment_per_post=v("costs.recruitment_per_post"),
        training_per_post=v("costs.training_per_post"),
        supervision_per_year=v("costs.supervision_per_year"),
        cash_releasing_share=v("benefits.cash_releasing_share"),
        optimism_bias=v("benefits.optimism_bias"),
        extra_rates=[v(f"extra[{i}].avoided_per_patient_year") for i in range(len(s.extra))],
        extra_costs=[v(f"extra[{i}].unit_cost") for i in range(len(s.extra))],
        discount_rate=s.scenario.discount_rate,
    )


def _interval(point: float, draws: Array) -> dict[str, float]:
    finite = draws[np.isfinite(draws)]
    if finite.size == 0 or not np.isfinite(point):
        nan = float("nan")
        return {"deterministic": point, "mean": nan, "median": nan, "p2_5": nan, "p97_5": nan}
    low, median, high = percentiles(np.asarray(draws, dtype=np.float64))
    return {
        "deterministic": point,
        "mean": float(np.mean(draws)),
        "median": median,
        "p2_5": low,
        "p97_5": high,
    }


def _label(start: dt.date | None, year: int) -> str:
    if start is None:
        return f"year {year}"
    first = start.year if start.month >= 4 else start.year - 1  # financial years start in April
    y = first + year - 1
    return f"{y}-{(y + 1) % 100:02d}"


def _source_text(q: Quantity) -> str:
    if q.source is not None:
        return q.source.citation + (f", {q.source.locator}" if q.source.locator else "")
    if q.formula:
        return f"formula: {q.formula}"
    return q.rationale or ""


def _shown(q: Quantity | None) -> str:
    if q is None:
        return "(none)"
    text = f"{q.value:g} {q.unit}"
    return text + (
        f" [{q.range[0]:g}, {q.range[1]:g}]" if q.range and q.range[0] != q.range[1] else ""
    )


def _overrides(loaded: LoadedScenario) -> list[Override]:
    """The figures the scenario sets that differ from the national defaults."""
    defaults = national_defaults()
    mine_q, their_q = loaded.scenario.quantities(), defaults.quantities()
    mine_all, their_all = _flat(loaded.scenario.model_dump()), _flat(defaults.model_dump())
    rows = []
    for path in loaded.overrides:
        if path.startswith("monte_carlo"):
            continue  # how the uncertainty is run, not a figure of the business case
        if path in mine_q or path in their_q:
            q = mine_q.get(path)
            if q == their_q.get(path):
                continue
            rows.append(
                Override(
                    field=path,
                    default=_shown(their_q.get(path)),
                    scenario=_shown(q),
                    status=q.status.value if q else "",
                    source=_source_text(q) if q else "",
                )
            )
        elif mine_all.get(path) != their_all.get(path):
            rows.append(
                Override(
                    field=path,
                    default=_plain(their_all.get(path)),
                    scenario=_plain(mine_all.get(path)),
                    status="set",
                    source="the scenario file",
                )
            )
    return rows


def _flat(data: dict[str, object]) -> dict[str, object]:
    """``{"staffing": {"funded_fte": 2}}`` -> ``{"staffing.funded_fte": 2, "staffing": {...}}``."""
    out: dict[str, object] = dict(data)
    for table, block in data.items():
        if isinstance(block, dict):
            out.update({f"{table}.{k}": v for k, v in block.items()})
    return out


def _plain(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_plain(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    return (
        ""
        if value is None
        else str(
            getattr(value, "name", value) if not isinstance(value, str | int | dt.date) else value
        )
    )


@dataclass(frozen=True)
class PreparedScenario:
    """A scenario resolved over the defaults, with its point values and its draws."""

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


def _loaded(request: ScenarioRequest) -> tuple[LoadedScenario, PriceIndex]:
    """A scenario read and checked, its price years among them, with the price index."""
    loaded = (
        load_scenario(request.scenario)
        if isinstance(request.scenario, Path)
        else from_document(request.scenario)
    )
    s = loaded.scenario
    index = nhs_indexes().get("pay-and-prices")
    if not index.covers(s.scenario.price_year):
        raise input_error(
            loaded.source,
            "scenario.price_year",
            f"price year {s.scenario.price_year!r} is not covered by the {index.name}",
            index.expected_years(),
        )
    for path, q in s.quantities().items():
        if q.price_year is not None and not index.covers(q.price_year):
            raise input_error(
                loaded.source,
                path,
                f"price year {q.price_year!r} is not covered by the {index.name}",
                index.expected_years(),
            )
    return loaded, index


def check_scenario(request: ScenarioRequest) -> list[Path]:
    """Read and check a scenario and every file it names (its cost file, its studies)
    without drawing or running anything, so that a run of several scenarios refuses a
    mistake in any of them before the first runs. Returns the files and folders the run
    reads (the scenario, a cost file, a study folder), for an output to be checked against."""
    loaded, _ = _loaded(request)
    _cost_document(loaded)
    _studies(loaded)
    read: list[Path] = [request.scenario] if isinstance(request.scenario, Path) else []
    costs, evidence = loaded.scenario.costs, loaded.scenario.evidence
    if costs.set.endswith((".yaml", ".yml", ".toml")):
        read.append(_resolve(costs.set, loaded.folder))
    if evidence.folder and evidence.source != "own":
        read.append(_resolve(evidence.folder, loaded.folder))
    return read


def prepare_scenario(request: ScenarioRequest) -> PreparedScenario:
    """Resolve a scenario, check its price year, and draw every uncertain input once."""
    loaded, index = _loaded(request)
    s = loaded.scenario
    draws = request.draws if request.draws is not None else s.monte_carlo.draws
    seed = request.seed if request.seed is not None else s.monte_carlo.seed
    costs = _cost_document(loaded)
    studies, evidence_label = _studies(loaded)
    spec = build_spec(studies, costs, index, price_year=s.scenario.price_year)
    parameters = [*spec.parameters, *_scenario_parameters(s, index)]
    dists = distributions_of(parameters)
    with np.errstate(all="ignore"):
        point_values = {d.name: np.array([d.value]) for d in dists}
        drawn = {d.name: first_draws(d, seed, draws) for d in dists}
        point_effect, drawn_effect = _effects(s, spec, point_values, drawn, draws)
    return PreparedScenario(
        loaded,
        spec,
        parameters,
        dists,
        point_values,
        drawn,
        point_effect,
        drawn_effect,
        studies,
        evidence_label,
        draws,
        seed,
    )


def run_scenario(request: ScenarioRequest) -> ScenarioResult:
    """The business case of a scenario, year by year, with its uncertainty."""
    p = prepare_scenario(request)
    s = p.loaded.scenario
    with np.errstate(all="ignore"):
        point = model.project(p.inputs(drawn=False))
        without = model.project(
            p.inputs(drawn=False, overrides={"transferability": np.ones((1, 1))})
        )
        mc = model.project(p.inputs(drawn=True))
        effect = EffectUsed(
            source=s.evidence.source,
            bed_days_saved_per_patient_year=float(p.point_effect.reshape(-1)[0]),
            transferability=s.evidence.transferability.value,
            studies=[st.id for st in p.studies],
            evidence=p.evidence_label,
        )
        return _summarise(
            p.loaded,
            p.spec,
            p.parameters,
            p.dists,
            effect,
            (point, without, mc),
            p.point_values,
            (p.draws, p.seed),
        )


def _effects(
    s: ScenarioFile, spec: ModelSpec, point: Mapping[str, Array], drawn: Mapping[str, Array], n: int
) -> tuple[Array, Array]:
    if s.evidence.source == "own":
        name = f"{OWNER}:evidence.saved_per_patient_year"
        return np.asarray(point[name]), np.broadcast_to(np.asarray(drawn[name]), (n,))
    point_effect = _effect(spec, point, s.evidence.source)
    drawn_effect = np.broadcast_to(_effect(spec, drawn, s.evidence.source), (n,))
    if not np.isfinite(point_effect).all():
        raise input_error(
            "evidence",
            "",
            "the pooled effect per patient-year of support cannot be computed from these studies",
            "studies that give bed-days per patient with their peer input (or source 'own')",
        )
    return point_effect, drawn_effect


def _summarise(
    loaded: LoadedScenario,
    spec: ModelSpec,
    parameters: list[Parameter],
    dists: list[ParameterDistribution],
    effect: EffectUsed,
    projections: tuple[model.Projection, model.Projection, model.Projection],
    point_values: Mapping[str, Array],
    run: tuple[int, int],
) -> ScenarioResult:
    """The typed result from the point, no-transferability and Monte Carlo projections."""
    from peervalue.uncertainty.results import Interval

    point, without, mc = projections
    draws, seed = run
    s = loaded.scenario
    funded = s.funded_fte_by_year()
    payback_draws = mc.payback_year()
    in_credit = mc.in_credit()
    years = []
    for t in range(s.scenario.horizon_years):

        def at(a: Array, t: int = t) -> float:
            return float(np.asarray(a)[0, t])

        cost = at(point.total_cost)
        years.append(
            ScenarioYear(
                year=t + 1,
                label=_label(s.scenario.start, t + 1),
                funded_fte=funded[t],
                filled_fte=at(point.filled_fte),
                patient_years=at(point.patient_years),
                bed_days_saved=at(point.bed_days_saved),
                gross_benefit=at(point.gross_benefit),
                cash_releasing=at(point.cash_releasing),
                capacity=at(point.capacity),
                staff_cost=at(point.staff_cost),
                one_off_cost=at(point.one_off_cost),
                running_cost=at(point.running_cost),
                total_cost=cost,
                net_benefit=at(point.net_benefit),
                benefit_cost_ratio=at(point.gross_benefit) / cost if cost > 0 else float("nan"),
                discount_factor=float(point.discount_factor[t]),
                discounted_net_benefit=at(point.discounted_net_benefit),
                cumulative_discounted_net_benefit=at(point.cumulative_discounted_net_benefit),
                net_benefit_interval=Interval(
                    **_interval(at(point.net_benefit), np.asarray(mc.net_benefit)[:, t])
                ),
                prob_paid_back=float(np.mean(in_credit[:, t])),
            )
        )
    d_benefit = float(point.discounted_total(point.gross_benefit)[0])
    d_cost = float(point.discounted_total(point.total_cost)[0])
    npv = float(point.discounted_total(point.net_benefit)[0])
    caseload = point_values[f"{OWNER}:staffing.caseload"]
    c_bed = float(unit_costs(spec, point_values)[0].reshape(-1)[0])
    c_psw = float(unit_costs(spec, point_values)[1].reshape(-1)[0])
    totals = ScenarioTotals(
        gross_benefit=float(np.sum(point.gross_benefit)),
        total_cost=float(np.sum(point.total_cost)),
        net_benefit=float(np.sum(point.net_benefit)),
        discounted_benefit=d_benefit,
        discounted_cost=d_cost,
        net_present_value=npv,
        benefit_cost_ratio=d_benefit / d_cost if d_cost > 0 else float("nan"),
        net_return_per_pound=npv / d_cost if d_cost > 0 else float("nan"),
        payback_year=float(point.payback_year()[0]),
        break_even_caseload=float(model.break_even_caseload(point, caseload)[0]),
        break_even_cost_per_bed_day=float(
            model.break_even_bed_day_cost(point, np.array([c_bed]))[0]
        ),
        net_present_value_without_transferability=float(
            without.discounted_total(without.net_benefit)[0]
        ),
    )
    mc_benefit = mc.discounted_total(mc.gross_benefit)
    mc_cost = mc.discounted_total(mc.total_cost)
    mc_npv = np.asarray(mc.discounted_total(mc.net_benefit))
    with np.errstate(divide="ignore", invalid="ignore"):
        mc_bcr = np.where(mc_cost > 0, mc_benefit / mc_cost, np.nan)
    paid = np.isfinite(payback_draws)
    uncertainty = ScenarioUncertainty(
        draws=draws,
        seed=seed,
        net_present_value=Interval(**_interval(npv, mc_npv)),
        prob_net_present_value_positive=float(np.mean(mc_npv > 0)),
        benefit_cost_ratio=Interval(**_interval(totals.benefit_cost_ratio, mc_bcr)),
        payback_by_year={
            str(t): float(np.mean(paid & (payback_draws <= t)))
            for t in range(1, s.scenario.horizon_years + 1)
        },
        prob_never_pays_back=float(np.mean(~paid)),
        payback_year_median=float(np.median(np.where(paid, payback_draws, np.inf)))
        if np.mean(paid) >= 0.5
        else float("nan"),
    )
    inputs = [
        ResolvedInput(
            field=d.name,
            value=d.value,
            unit=p.model_unit,
            price_year=spec.price_year if p.quantity.price_year else None,
            status=p.quantity.status.value,
            source=_source_text(p.quantity),
            distribution=d.describe(),
        )
        for d, p in zip(dists, parameters, strict=True)
    ]
    categories = ["inpatient bed-days"] + [e.name for e in s.extra]
    notes = []
    if draws < 1000:
        notes.append(f"Only {draws:,} draws: the intervals and probabilities are rough.")
    dominant = _dominant_study(spec, point_values, s.evidence.source, effect.studies)
    if dominant is not None:
        notes.append(dominant)
    return ScenarioResult(
        name=s.scenario.name,
        organisation=s.scenario.organisation,
        scenario_file=loaded.source,
        price_year=s.scenario.price_year,
        currency="GBP",
        start=s.scenario.start.isoformat() if s.scenario.start else None,
        horizon_years=s.scenario.horizon_years,
        discount_rate=s.scenario.discount_rate,
        cost_set=s.costs.set,
        cost_per_bed_day=c_bed,
        cost_per_fte_year=c_psw,
        effect=effect,
        benefit_categories=categories,
        years=years,
        totals=totals,
        uncertainty=uncertainty,
        overrides=_overrides(loaded),
        inputs=inputs,
        notes=notes,
    )


def save_inputs_text(path: Path, result: ScenarioResult) -> str:
    """The complete scenario behind ``result`` as TOML, headed by every resolved input.

    The tables hold every figure (defaults included), with the draws and seed that
    were used, so running the saved file reproduces ``result`` exactly.
    """
    from peervalue.scenario.toml_out import scenario_to_toml

    loaded = load_scenario(path)
    scenario = loaded.scenario
    costs, evidence = scenario.costs, scenario.evidence
    # files named relative to the scenario are saved with their full path
    if costs.set.endswith((".yaml", ".yml", ".toml")):
        costs = costs.model_copy(update={"set": str(_resolve(costs.set, loaded.folder).resolve())})
    if evidence.folder:
        folder = str(_resolve(evidence.folder, loaded.folder).resolve())
        evidence = evidence.model_copy(update={"folder": folder})
    scenario = scenario.model_copy(
        update={
            "costs": costs,
            "evidence": evidence,
            "monte_carlo": scenario.monte_carlo.model_copy(
                update={"draws": result.uncertainty.draws, "seed": result.uncertainty.seed}
            ),
        }
    )
    header = [
        f"Every input of the business case {result.name!r}, as peervalue resolved it from",
        f"{path} over the national defaults. Running this file again gives the same result.",
        "",
        "Inputs as the run used them (at the scenario's prices):",
        *(
            f"  {i.field} = {i.value:.10g} {i.unit} ({i.status}; {i.distribution})"
            + (f"; {i.source}" if i.source else "")
            for i in result.inputs
        ),
    ]
    return scenario_to_toml(scenario, header)
