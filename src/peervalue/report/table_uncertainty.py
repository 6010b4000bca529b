"""Terminal tables (rich) for the uncertainty results: psa, sensitivity, threshold,
leave-one-out and subgroups, meta-analysis."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from peervalue.model.methods import METHOD_TITLES
from peervalue.report.registry import renderer
from peervalue.report.rows import PsaView, Row, columns_of, psa_rows
from peervalue.report.table_analysis import figure, num, titled_table
from peervalue.report.table_analysis import pct as _pct
from peervalue.report.words import money
from peervalue.results.compare import EvidenceComparison, StudyLine
from peervalue.results.cumulative import CumulativeResult
from peervalue.results.evppi import EvppiResult, EvppiRow
from peervalue.uncertainty.results import (
    MEAN_VERSUS_POINT,
    Interval,
    MetaRunResult,
    PsaResult,
    SamplerError,
    SensitivityResult,
    ThresholdResult,
    TwoWayResult,
)


def _interval_cells(i: Interval, fmt: str = "ratio", currency: str = "GBP") -> list[str]:
    def f(x: float) -> str:
        return num(x, 2) if fmt == "ratio" else money(x, currency)

    return [f(i.deterministic), f(i.mean), f(i.median), f"{f(i.p2_5)} to {f(i.p97_5)}"]


@renderer(PsaResult, "table")
def psa_table(
    result: PsaResult, title: str = "Monte Carlo", view: PsaView = "summary", **_: Any
) -> RenderableType:
    """The summary tables, or one part (``view``) as a plain table."""
    if view != "summary":
        return rows_table(psa_rows(result, view), view)
    studies = titled_table(
        title,
        ["Study", "Ratio (point)", "MC mean", "MC median", "95% interval", "P(ratio > 1)"],
        {"Study"},
        expand=False,
    )
    for s in result.studies:
        studies.add_row(s.id, *_interval_cells(s.ratio), _pct(s.prob_ratio_above_one))
    pooled = titled_table(
        "Pooled",
        [
            "Method",
            "Ratio (point)",
            "MC mean",
            "MC median",
            "95% interval",
            "P(ratio > 1)",
            "Net benefit per FTE-year (point)",
            "MC mean",
            "95% interval",
            "P(net benefit > 0)",
            "EVPI per FTE-year",
        ],
        {"Method"},
    )
    for p in result.pooled.values():
        nb = _interval_cells(p.net_benefit_per_fte_year, "money", result.currency)
        pooled.add_row(
            METHOD_TITLES[p.method],
            *_interval_cells(p.ratio),
            _pct(p.prob_ratio_above_one),
            nb[0],
            nb[1],
            nb[3],
            _pct(p.prob_net_benefit_positive),
            money(p.evpi_per_fte_year, result.currency),
        )
    pop = result.value_of_information
    fixed = result.fixed_inputs
    lines = [
        f"{result.draws:,} draws, seed {result.seed}; prices {result.price_year} "
        f"{result.currency}; peer worker cost basis: {result.cost_basis}.",
        f"EVPI for {pop.fte:g} FTE over {pop.horizon_years} years at {pop.discount_rate:.1%}: "
        + ", ".join(
            f"{METHOD_TITLES[p.method]} {money(p.evpi_population, result.currency)}"
            for p in result.pooled.values()
        )
        + ".",
        MEAN_VERSUS_POINT,
        *(
            f"{METHOD_TITLES[p.method].capitalize()}: deterministic {num(p.ratio.deterministic, 2)}"
            f", at input means {num(p.ratio_at_input_means, 2)} (skewed inputs), Monte Carlo "
            f"mean {num(p.ratio.mean, 2)} (non-linearity)."
            for p in result.pooled.values()
        ),
        "Inputs whose distribution's mean is not their point value: "
        + ("; ".join(result.lopsided_inputs) or "none")
        + ".",
        f"Inputs held fixed (no stated uncertainty): {', '.join(fixed) or 'none'}.",
    ]
    if result.price_index_note is not None:
        lines.append(f"Forecast prices: {result.price_index_note}.")
    if result.counted_resources is not None:
        lines.append(
            f"Benefits count: {', '.join(result.counted_resources)} (other resources valued at "
            "the cost file's unit costs, as bed-day equivalents)."
        )
    qmc = result.sampler_error
    if qmc is not None:
        lines.insert(
            1,
            (
                f"Quasi-random draws: {qmc.scramblings} independently scrambled Sobol sequences; "
                if qmc.sampler == "sobol"
                else f"Pseudo-random draws in {qmc.scramblings} consecutive batches; "
            )
            + _conditioned(qmc)
            + "from their spread, P(ratio > 1) "
            + ", ".join(
                f"{METHOD_TITLES[m]} {_pct(p.prob_ratio_above_one)} +/- "
                f"{qmc.t_95 * qmc.prob_ratio_above_one_se[m]:.2%}"
                for m, p in result.pooled.items()
            )
            + " (95%, t with "
            + f"{qmc.scramblings - 1} df); standard error of mean net benefit "
            + ", ".join(
                f"{METHOD_TITLES[m]} {money(qmc.net_benefit_mean_se[m], result.currency)}"
                for m in result.pooled
            )
            + ".",
        )
    parts: list[RenderableType] = [studies, pooled, Panel(Text("\n".join(lines)), title="Notes")]
    if result.warnings:
        parts.append(Panel(Text("\n".join(result.warnings), style="yellow"), title="Warnings"))
    return Group(*parts)


def _conditioned(qmc: SamplerError) -> str:
    """How a conditional run's pooled probabilities were estimated (empty for shares)."""
    if qmc.probability != "conditional" or not qmc.conditioned_on:
        return ""
    given = "; ".join(
        f"{METHOD_TITLES[m]} given every input but {name}" if name else f"{METHOD_TITLES[m]} share"
        for m, name in qmc.conditioned_on.items()
    )
    return f"P(ratio > 1) averaged as a probability ({given}); "


def rows_table(rows: list[Row], title: str) -> RenderableType:
    """Rows as a table: numeric columns right-aligned, floats formatted by :func:`figure`."""
    table = Table(title=title, title_justify="left")
    columns = columns_of(rows)
    for column in columns:
        values = [row.get(column) for row in rows]
        numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
        table.add_column(column, justify="right" if numeric else "left")
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    return table


def _cell(value: object) -> str:
    if value is None:
        return "n/a"
    return figure(value) if isinstance(value, float) else str(value)


@renderer(SensitivityResult, "table")
def sensitivity_table(result: SensitivityResult, **_: Any) -> RenderableType:
    table = titled_table(
        f"One-way sensitivity: pooled net benefit per FTE-year "
        f"({METHOD_TITLES[result.method]}), {result.price_year} {result.currency}, "
        f"{result.cost_basis} cost basis",
        ["Input", "Low", "High", "Net benefit at low", "at high", "Swing"],
        {"Input"},
    )
    for r in result.inputs:
        table.add_row(
            r.parameter,
            figure(r.low_value),
            figure(r.high_value),
            money(r.net_benefit_at_low, result.currency),
            money(r.net_benefit_at_high, result.currency),
            money(r.swing, result.currency),
        )
    note = Text(
        f"Base: net benefit {money(result.base_net_benefit_per_fte_year, result.currency)} "
        "per FTE-year "
        f"(ratio {num(result.base_ratio, 2)} : 1). Low and high are each input's range, or the "
        f"central 95% of its distribution. Not varied (fixed): "
        f"{', '.join(result.fixed_inputs) or 'none'}."
    )
    return Group(table, note)


@renderer(ThresholdResult, "table")
def threshold_table(result: ThresholdResult, **_: Any) -> RenderableType:
    table = titled_table(
        f"Break-even values ({METHOD_TITLES[result.method]}), "
        f"{result.price_year} {result.currency}, {result.cost_basis} cost basis",
        ["Input", "Current", "Break-even", "Pays when", "Pays now?", "Formula"],
        {"Input", "Pays when", "Pays now?", "Formula"},
    )
    for t in result.thresholds:
        is_money = t.unit.startswith(result.currency)

        def cell(x: float, is_money: bool = is_money) -> str:
            return money(x, result.currency) if is_money else num(x, 1)

        pays = {True: "yes", False: "no", None: "n/a"}[t.pays_now]
        table.add_row(
            f"{t.quantity} ({t.unit})",
            cell(t.current),
            cell(t.break_even),
            t.pays_when + " break-even",
            pays,
            t.formula,
        )
    head = Text(
        f"Pooled net benefit per FTE-year at the point values: "
        f"{money(result.net_benefit_per_fte_year, result.currency)}."
    )
    return Group(table, head, Text(" ".join(result.notes)))


@renderer(MetaRunResult, "table")
def meta_table(result: MetaRunResult, **_: Any) -> RenderableType:
    table = result.meta_analysis
    rows = result.pooling_comparison.rows
    caseload = result.pooling_comparison.caseload
    parts: list[RenderableType] = []
    level = f"{100 * table.level:.4g}%"
    studies = titled_table(
        "Bed-days saved per patient-year of peer support, by study",
        ["Study", "Effect", "SE", "Support (years)"],
        {"Study"},
    )
    for s in table.studies:
        studies.add_row(s.id, num(s.effect, 2), num(s.se, 2), num(s.support_years, 2))
    parts.append(studies)
    if table.excluded:
        excluded = "; ".join(f"{k}: {v}" for k, v in table.excluded.items())
        parts.append(Text(f"Not pooled: {excluded}."))
    if table.message:
        parts.append(Text(table.message, style="yellow"))
    if table.results:
        first = next(iter(table.results.values()))
        results = titled_table(
            f"Meta-analysis (confidence interval: {first.interval}; prediction interval: "
            f"{'t with k - 2 df' if first.prediction == 't' else 'normal'}; I^2 from "
            f"{'Q' if first.i2_from == 'q' else 'each tau^2'})",
            [
                "Method",
                "Studies",
                "Estimate",
                f"{level} CI",
                f"{level} prediction interval",
                "tau^2",
                "Q (p)",
                "I^2",
            ],
            {"Method"},
        )
        for method, r in table.results.items():
            results.add_row(
                method,
                str(r.k),
                num(r.estimate, 2),
                f"{num(r.ci_low, 2)} to {num(r.ci_high, 2)}",
                f"{num(r.pi_low, 2)} to {num(r.pi_high, 2)}",
                num(r.tau2, 3),
                f"{num(r.q, 2)} ({num(r.q_p_value, 3)})",
                _pct(r.i2),
            )
        parts.append(results)
    pooling = titled_table(
        f"Pooled ratio by method (caseload {caseload:g} patients at a time per FTE)",
        ["Method", "Studies", "Bed-days saved per FTE-year", "Ratio", f"{level} CI"],
        {"Method"},
    )
    for row in rows:
        ci = (
            f"{num(row.ratio_ci_low, 2)} to {num(row.ratio_ci_high, 2)}"
            if math.isfinite(row.ratio_ci_low)
            else ""
        )
        pooling.add_row(
            row.method,
            str(row.studies),
            num(row.bed_days_saved_per_fte_year, 1),
            num(row.ratio, 2),
            ci,
        )
    parts.append(pooling)
    for measure, rt in (result.readmission or {}).items():
        readmission = titled_table(
            f"Readmission: {rt.unit}",
            ["Method", "Studies", "Estimate", f"{level} CI", "tau^2", "I^2"],
            {"Method"},
        )
        for method, r in rt.results.items():
            readmission.add_row(
                method,
                ", ".join(s.id for s in rt.studies),
                num(r.estimate, 3),
                f"{num(r.ci_low, 3)} to {num(r.ci_high, 3)}",
                num(r.tau2, 3),
                _pct(r.i2),
            )
        parts.append(readmission if rt.results else Text(rt.message or measure))
    return Group(*parts)


@renderer(CumulativeResult, "table")
def cumulative_table(result: CumulativeResult, **_: Any) -> RenderableType:
    """One row per step: the study added, then each method's ratio, interval and P(benefit)."""
    order = "publication year" if result.order == "year" else "weight (largest first)"
    table = titled_table(
        f"Cumulative analysis of {result.evidence}, studies added by {order}",
        [
            "Step",
            "Added",
            "Year",
            *(
                col
                for m in ("weighted", "sums")
                for col in (
                    f"{METHOD_TITLES[m].capitalize()}",
                    "95% interval",
                    "P(benefit > cost)",
                )
            ),
        ],
        {"Added"},
    )
    for s in result.steps:
        cells = [str(s.step), f"{s.citation}\n{s.added}", str(s.year)]
        for m in ("weighted", "sums"):
            p = s.pooled[m]
            cells += [
                num(p.deterministic, 2),
                f"{num(p.p2_5, 2)} to {num(p.p97_5, 2)}",
                _pct(p.prob_net_benefit_positive),
            ]
        table.add_row(*cells)
    notes = [
        f"Ratios are benefit : cost at {result.price_year} prices ({result.cost_basis} cost "
        f"basis, costs {result.costs}); intervals and probabilities from {result.draws:,} "
        f"Monte Carlo draws (seed {result.seed}), the same draws at every step.",
    ]
    if result.not_pooled:
        notes.append(f"Recorded but never pooled: {', '.join(result.not_pooled)}.")
    if result.counted_resources is not None:
        notes.append(f"Benefits count: {', '.join(result.counted_resources)}.")
    return Group(table, Text(" ".join(notes)))


@renderer(EvidenceComparison, "table")
def evidence_comparison_table(result: EvidenceComparison, **_: Any) -> RenderableType:
    """The sets side by side, the studies that differ, and what changed in words."""
    table = titled_table(
        f"Evidence sets compared ({result.price_year} prices, {result.cost_basis} cost basis, "
        f"{result.draws:,} draws, seed {result.seed})",
        [
            "Evidence set",
            "Studies pooled",
            "Not pooled",
            *(
                col
                for m in ("weighted", "sums")
                for col in (METHOD_TITLES[m].capitalize(), "95% interval", "P(benefit > cost)")
            ),
        ],
        {"Evidence set"},
    )
    for side in result.sides:
        cells = [side.evidence_set, str(len(side.studies)), str(len(side.not_pooled))]
        for m in ("weighted", "sums"):
            p = side.pooled[m]
            cells += [
                num(p.ratio, 2),
                f"{num(p.p2_5, 2)} to {num(p.p97_5, 2)}",
                _pct(p.prob_net_benefit_positive),
            ]
        table.add_row(*cells)
    studies = titled_table(
        "Studies that differ from the first set",
        [
            "Study",
            "Change",
            "Country",
            "Design",
            "Risk of bias",
            "Outcome",
            "Weight",
            "FTE-years",
            "Ratio",
        ],
        {"Study", "Change"},
    )
    first = result.sides[0]
    base = {s.id for s in first.studies}
    # added: pooled by a later set, not by the first; left out: pooled by the first, not
    # by a later set (the weight and ratio are those of the set that pools the study)
    changes: dict[str, tuple[StudyLine, list[str], list[str]]] = {}
    for side in result.sides[1:]:
        ids = {s.id for s in side.studies}
        for s in side.studies:
            if s.id not in base:
                changes.setdefault(s.id, (s, [], []))[1].append(side.evidence_set)
        for s in first.studies:
            if s.id not in ids:
                changes.setdefault(s.id, (s, [], []))[2].append(side.evidence_set)
    for s, added_in, left_out_of in changes.values():
        change = (
            f"added in {', '.join(added_in)}"
            if added_in
            else f"left out of {', '.join(left_out_of)}"
        )
        studies.add_row(
            f"{s.citation}\n{s.id}",
            change,
            s.country,
            s.design + (" (bundled)" if s.bundled else ""),
            s.risk_of_bias or "-",
            s.outcome,
            f"{s.pooling_weight:,.0f}",
            num(s.fte_years, 2),
            num(s.ratio, 2),
        )
    parts: list[RenderableType] = [table, studies]
    parts.append(Panel(Text("\n".join(result.what_changed)), title="What changed, and why"))
    parts.append(Text(" ".join(result.notes), style="dim"))
    return Group(*parts)


@renderer(TwoWayResult, "table")
def two_way_table(result: TwoWayResult, **_: Any) -> RenderableType:
    """The heat-map data as two grids: net benefit (point values) and P(net benefit > 0)."""

    def grid(title: str, cells: list[list[float]], cell: Any) -> Table:
        table = Table(title=title, title_justify="left")
        table.add_column(f"{result.x} \\ {result.y}", justify="right")
        for y in result.y_values:
            table.add_column(figure(y), justify="right")
        for x, row in zip(result.x_values, cells, strict=True):
            table.add_row(figure(x), *(cell(v) for v in row))
        return table

    head = (
        f"Two-way sensitivity of the {result.outcome} ({result.subject}), "
        f"{result.price_year} {result.currency}: rows {result.x} ({result.x_label}; now "
        f"{figure(result.x_base)}), columns {result.y} ({result.y_label}; now "
        f"{figure(result.y_base)})."
    )
    return Group(
        Text(head),
        grid(
            "Net benefit at the point values (thousands)",
            result.net_benefit,
            lambda v: "n/a" if not math.isfinite(v) else f"{v / 1000:,.0f}",
        ),
        grid(
            f"Probability that it is positive ({result.draws:,} draws, seed {result.seed})",
            result.prob_positive,
            lambda v: _pct(v),
        ),
    )


@renderer(EvppiResult, "table")
def evppi_table(result: EvppiResult, **_: Any) -> RenderableType:
    cur = result.currency

    def table_of(title: str, rows: list[EvppiRow]) -> Table:
        table = titled_table(
            title,
            ["Inputs", "EVPPI per FTE-year", "For the population", "Share of EVPI", "Estimator"],
            {"Inputs", "Estimator"},
        )
        for r in rows:
            table.add_row(
                r.name,
                money(r.evppi_per_fte_year, cur),
                money(r.evppi_population, cur),
                _pct(r.share_of_evpi),
                r.estimator,
            )
        return table

    head = Text(
        f"Expected value of perfect information: {money(result.evpi_per_fte_year, cur)} per "
        f"FTE-year, {money(result.evpi_population, cur)} for the population (x "
        f"{result.population_multiplier:,.1f}); {result.draws:,} draws, seed {result.seed}; "
        f"{result.method}; {result.price_year} prices, {result.cost_basis} cost basis."
    )
    return Group(
        head,
        table_of("What learning each group of inputs exactly is worth", result.groups),
        table_of("What learning each input exactly is worth", result.inputs),
        Text(result.note, style="dim"),
    )
