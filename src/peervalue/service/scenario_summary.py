"""A business case's typed result from its projections: the years, the totals, the Monte
Carlo summary, what the scenario overrides and every input as the run used it."""

from __future__ import annotations

import datetime as dt

import numpy as np

from peervalue.costs.indices import nhs_indexes
from peervalue.costs.perspective import CostBuildUp
from peervalue.model.core import Array
from peervalue.model.evaluate import unit_costs
from peervalue.provenance import Quantity
from peervalue.scenario import model
from peervalue.scenario.affordability import nominal, years_after_price_year
from peervalue.scenario.discounting import first_rate, schedule_words
from peervalue.scenario.load import LoadedScenario, national_defaults
from peervalue.scenario.organisation_uncertainty import with_draws
from peervalue.scenario.organisations import line_owners, scenario_by_organisation
from peervalue.scenario.results import (
    Affordability,
    CashYear,
    EffectUsed,
    Override,
    ResolvedInput,
    ScenarioResult,
    ScenarioTotals,
    ScenarioUncertainty,
    ScenarioYear,
)
from peervalue.scenario.schema import ScenarioFile
from peervalue.service.scenario_params import (
    COST_LINES,
    OWNER,
    PreparedScenario,
    dominant_study,
    overhead_share,
)
from peervalue.service.scenario_resolve import with_full_paths
from peervalue.uncertainty.summary import percentiles


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
        if path.split(".")[0] in ("monte_carlo", "case") or path == "options":
            # how the uncertainty is run, the case in the authors' words (the report shows
            # it in full), other options (their own table): not figures of the business case
            continue
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


def summarise(
    p: PreparedScenario,
    effect: EffectUsed,
    projections: tuple[model.Projection, model.Projection, model.Projection],
) -> ScenarioResult:
    """The typed result from the point, no-transferability and Monte Carlo projections."""
    from peervalue.uncertainty.results import Interval

    loaded, spec, parameters, dists = p.loaded, p.spec, p.parameters, p.dists
    point_values, draws, seed = p.point_values, p.draws, p.seed
    point, without, mc = projections
    s = loaded.scenario
    funded = s.funded_fte_by_year()
    payback_draws = mc.payback_year()
    in_credit = mc.in_credit()
    cash_payback_draws = mc.payback_year(cash=True)
    cash_in_credit = mc.in_credit(cash=True)
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
                effective_fte=at(point.effective_fte),
                cash_net_benefit=at(point.cash_net_benefit),
                discounted_cash_net_benefit=at(point.discounted_cash_net_benefit),
                cumulative_discounted_cash_net_benefit=at(
                    point.cumulative_discounted_cash_net_benefit
                ),
                prob_cash_paid_back=float(np.mean(cash_in_credit[:, t])),
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
        discounted_cash_benefit=float(point.discounted_total(point.cash_releasing)[0]),
        cash_net_present_value=float(point.discounted_total(point.cash_net_benefit)[0]),
        cash_payback_year=float(point.payback_year(cash=True)[0]),
    )
    mc_benefit = mc.discounted_total(mc.gross_benefit)
    mc_cost = mc.discounted_total(mc.total_cost)
    mc_npv = np.asarray(mc.discounted_total(mc.net_benefit))
    with np.errstate(divide="ignore", invalid="ignore"):
        mc_bcr = np.where(mc_cost > 0, mc_benefit / mc_cost, np.nan)
    paid = np.isfinite(payback_draws)
    cash_paid = np.isfinite(cash_payback_draws)
    mc_cash_npv = np.asarray(mc.discounted_total(mc.cash_net_benefit))
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
        cash_net_present_value=Interval(**_interval(totals.cash_net_present_value, mc_cash_npv)),
        prob_cash_net_present_value_positive=float(np.mean(mc_cash_npv > 0)),
        cash_payback_by_year={
            str(t): float(np.mean(cash_paid & (cash_payback_draws <= t)))
            for t in range(1, s.scenario.horizon_years + 1)
        },
        prob_cash_never_pays_back=float(np.mean(~cash_paid)),
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
    schedule = s.scenario.resolved_schedule()
    categories = ["inpatient bed-days"] + [e.name for e in s.extra]
    notes = []
    if draws < 1000:
        notes.append(f"Only {draws:,} draws: the intervals and probabilities are rough.")
    dominant = dominant_study(
        spec, point_values, s.evidence.source, effect.studies, s.evidence.folder is not None
    )
    if dominant is not None:
        notes.append(dominant)
    breakdown = None
    if spec.peer_worker_overhead_share is not None:
        note, breakdown = trust_cash_note(loaded, c_psw)
        notes.append(note)
    forecast = nhs_indexes().get("pay-and-prices").forecast_note(s.scenario.price_year)
    if forecast is not None:
        notes.append(forecast[0].upper() + forecast[1:] + ".")
    return ScenarioResult(
        name=s.scenario.name,
        organisation=s.scenario.organisation,
        scenario_file=loaded.source,
        price_year=s.scenario.price_year,
        currency="GBP",
        start=s.scenario.start.isoformat() if s.scenario.start else None,
        horizon_years=s.scenario.horizon_years,
        discount_rate=first_rate(schedule, s.scenario.discount_rate),
        discount_schedule=schedule,
        discounting=schedule_words(schedule, s.scenario.discount_rate, s.scenario.horizon_years),
        cost_set=s.costs.set,
        cost_per_bed_day=c_bed,
        cost_per_fte_year=c_psw,
        effect=effect,
        benefit_categories=categories,
        years=years,
        totals=totals,
        uncertainty=uncertainty,
        affordability=affordability(p, point, mc),
        overrides=_overrides(loaded),
        inputs=inputs,
        notes=notes,
        price_index_note=forecast,
        cost_build_up=breakdown,
        by_organisation=with_draws(
            scenario_by_organisation(s, point, COST_LINES, [y.label for y in years]),
            mc,
            line_owners(s, COST_LINES),
        ),
    ).with_resolved(resolved_scenario(p))


def trust_cash_note(loaded: LoadedScenario, c_psw: float) -> tuple[str, CostBuildUp | None]:
    """What a post costs the trust (``c_psw``), beside its cost to the public sector, and the
    build-up of both (``None`` when the cost set gives a total)."""
    from peervalue.costs.indices import nhs_indexes
    from peervalue.costs.perspective import build_up
    from peervalue.model.spec import build_spec
    from peervalue.service.scenario_resolve import public_sector_costs

    s = loaded.scenario
    public = build_spec(
        [],
        public_sector_costs(loaded),
        nhs_indexes().get("pay-and-prices"),
        price_year=s.scenario.price_year,
    )
    values = {k: np.array([v]) for k, v in public.point_values().items()}
    full = float(unit_costs(public, values)[1].reshape(-1)[0])
    share, pension = overhead_share(s), s.costs.trust_pension_rate
    share_words = f"{share.value:.0%}"
    if share.range and share.range[0] != share.range[1]:
        share_words += f" (range {share.range[0]:.0%} to {share.range[1]:.0%})"
    if pension is None:  # the trust's share at the case's price year
        from peervalue.costs.pension import trust_pension_at

        pension = trust_pension_at(s.scenario.price_year)
    rate = pension.value
    note = (
        f"Costed as the trust pays (perspective trust-cash): employer pension {rate:.2%} of "
        f"salary and {share_words} of the cost set's overheads and capital, "
        f"{c_psw:,.0f} GBP per FTE-year; the public sector's cost of the same post (full "
        f"employer pension, every overhead and capital) is {full:,.0f} GBP per FTE-year."
    )
    prefix = "costs:peer_worker.components."
    comps = {
        k.removeprefix(prefix): v for k, v in public.point_values().items() if k.startswith(prefix)
    }
    if "salary" not in comps:
        return note, None
    salary = comps.pop("salary")
    rates = {n: comps[n] for n in public.peer_worker_rates}
    amounts = {n: comps[n] for n in public.peer_worker_amounts}
    breakdown = build_up(
        amounts, rates, salary, share.value, rate, s.costs.set, s.scenario.price_year
    )
    return note, breakdown


def resolved_scenario(p: PreparedScenario) -> ScenarioFile:
    """The scenario the run used: every figure (the defaults included), files it names
    relative to its own folder by their full paths, and the run's draws and seed."""
    s = with_full_paths(p.loaded) if p.loaded.folder is not None else p.loaded.scenario
    mc = s.monte_carlo.model_copy(update={"draws": p.draws, "seed": p.seed})
    return s.model_copy(update={"monte_carlo": mc})


def affordability(
    p: PreparedScenario, point: model.Projection, mc: model.Projection
) -> Affordability:
    """The financial case's cash by financial year at each year's own prices
    (:mod:`peervalue.scenario.affordability`), at the point values and over the draws."""
    from peervalue.uncertainty.results import Interval

    s = p.loaded.scenario
    k = years_after_price_year(s.scenario.start, s.scenario.price_year, s.scenario.horizon_years)

    def rises(values: dict[str, Array], n: int) -> tuple[Array, Array]:
        def column(path: str) -> Array:
            name = f"{OWNER}:affordability.{path}"
            if name not in values:  # unset: no rise
                return np.zeros((n, 1))
            a = np.asarray(values[name], dtype=np.float64)
            return np.broadcast_to(a.reshape(-1, 1), (n, 1))

        return column("pay_award"), column("price_inflation")

    pay, prices = rises(p.point_values, 1)
    cost = nominal(point.total_cost, pay, k)[0]
    cash = nominal(point.cash_releasing, prices, k)[0]
    mc_pay, mc_prices = rises(p.drawn, p.draws)
    mc_net = nominal(mc.cash_releasing, mc_prices, k) - nominal(mc.total_cost, mc_pay, k)
    net = cash - cost
    running = np.cumsum(net)
    years = [
        CashYear(
            year=t + 1,
            label=_label(s.scenario.start, t + 1),
            cost=float(cost[t]),
            cash_released=float(cash[t]),
            net_cash=float(net[t]),
            net_cash_interval=Interval(**_interval(float(net[t]), np.asarray(mc_net)[:, t])),
            cumulative_net_cash=float(running[t]),
        )
        for t in range(s.scenario.horizon_years)
    ]
    return Affordability(
        pay_award=float(np.asarray(pay).reshape(-1)[0]),
        price_inflation=float(np.asarray(prices).reshape(-1)[0]),
        years=years,
        total_cost=float(np.sum(cost)),
        total_cash_released=float(np.sum(cash)),
        total_net_cash=float(np.sum(net)),
    )
