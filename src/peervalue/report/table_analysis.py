"""Terminal tables (rich) for the reference analysis, evidence lists and study details."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from peervalue.costs.schema import CostFile
from peervalue.evidence.load import Evidence
from peervalue.evidence.schema import NoUsableOutcome, Study
from peervalue.evidence.sets import EvidenceSets
from peervalue.model.methods import METHOD_TITLES
from peervalue.model.results import AnalysisResult, InfluenceResult
from peervalue.report.registry import renderer
from peervalue.report.rows import quantity_rows, study_summary
from peervalue.report.words import money


def num(x: float, digits: int = 1) -> str:
    if not math.isfinite(x):
        return "n/a"
    return f"{x:,.{digits}f}"


def pct(p: float) -> str:
    """A probability as a percentage to one decimal place (n/a when unknown)."""
    return "n/a" if not math.isfinite(p) else f"{100 * p:.1f}%"


def titled_table(title: str, columns: list[str], text: set[str], **options: Any) -> Table:
    """A table titled on the left: ``text`` columns left-aligned, the rest (numbers) right."""
    table = Table(title=title, title_justify="left", **options)
    for name in columns:
        table.add_column(name, justify="left" if name in text else "right")
    return table


def figure(x: float) -> str:
    """A plain number for a table: thousands separated, else four significant figures."""
    if not math.isfinite(x):
        return "n/a"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.4g}"


def _short_field(path: str) -> str:
    return path.split(".", 1)[-1] if path.startswith(("outcome.", "peer_input.")) else path


@renderer(AnalysisResult, "table")
def analysis_table(result: AnalysisResult, title: str = "Analysis", **_: Any) -> RenderableType:
    """The per-study table, pooled ratios, break-even, the reference and any influence."""
    parts = _analysis_parts(result, title)
    parts += [influence_table(i) for i in result.influence]
    return Group(*parts)


def _analysis_parts(result: AnalysisResult, title: str) -> list[RenderableType]:
    cur = result.currency
    table = titled_table(
        title,
        [
            "Study",
            "Design",
            "Weight",
            "Saved per patient",
            "FTE-years",
            "Saved per FTE-year",
            "Benefit per FTE-year",
            "Cost per FTE-year",
            "Ratio",
            "Assumed inputs",
        ],
        {"Study", "Design", "Assumed inputs"},
        show_lines=False,
    )
    for s in result.studies:
        ratio_style = "green" if s.ratio > 1 else ("red" if s.ratio < 0 else "yellow")
        table.add_row(
            f"{escape(s.citation)}\n[dim]{s.id}[/dim]",
            s.design,
            f"{s.pooling_weight:,.0f}",
            num(s.bed_days_saved_per_patient),
            num(s.fte_years, 2),
            num(s.bed_days_saved_per_fte_year),
            money(s.benefit_per_fte_year, cur),
            money(s.cost_per_fte_year, cur),
            Text(num(s.ratio, 2), style=ratio_style),
            ", ".join(_short_field(f) for f in s.assumed_inputs) or "none",
        )
    p = result.pooled
    lines = [
        f"[bold]{METHOD_TITLES['weighted'].capitalize()}[/bold]: "
        f"{num(p.weighted_mean_ratio, 2)} : 1  "
        f"[dim]({p.weighting_note})[/dim]",
        f"[bold]{METHOD_TITLES['sums'].capitalize()}[/bold]: {num(p.ratio_of_sums, 2)} : 1  "
        f"[dim]({p.ratio_of_sums_note})[/dim]",
        f"Studies with ratio > 1: {p.above_one}; between 0 and 1: {p.between_zero_and_one}; "
        f"exactly 0 (no effect): {p.zero}; "
        f"negative: {p.negative}",
        f"[bold]Break-even[/bold]: a peer worker pays for themself by saving "
        f"{num(result.break_even.bed_days_saved_per_fte_year)} bed-days per FTE-year "
        f"({money(result.costs.cost_per_fte_year, cur)} per FTE-year / "
        f"{money(result.costs.cost_per_bed_day, cur)} per bed-day)",
        f"Peer worker cost basis: {result.costs.basis_note}.",
        f"[dim]Prices: {result.price_year}, {cur}. Costs: {result.costs.name}; "
        f"assumed cost inputs: {', '.join(result.costs.assumed_inputs) or 'none'}.[/dim]",
    ]
    if result.price_index_note is not None:
        lines.append(f"[bold]Forecast prices[/bold]: {result.price_index_note}.")
    if result.counted_resources is not None:
        lines.append(
            f"[bold]Benefits count[/bold]: {', '.join(result.counted_resources)} (other "
            "resources valued at the cost file's unit costs, shown as bed-day equivalents)."
        )
    other = result.other_cost_basis
    if other is not None:
        lines.append(
            f"On the {other.basis} basis ({money(other.cost_per_fte_year, cur)} per FTE-year): "
            f"weighted mean {num(other.weighted_mean_ratio, 2)} : 1, ratio of sums "
            f"{num(other.ratio_of_sums, 2)} : 1, break-even "
            f"{num(other.break_even_bed_days_per_fte_year)} bed-days per FTE-year."
        )
    parts: list[RenderableType] = [table, Panel("\n".join(lines), title="Pooled", expand=False)]
    if result.published_reference is not None:
        ref = result.published_reference
        cls = ref.classification
        text = (
            f"Published (Trachtenberg et al. 2013, {ref.price_year} prices): "
            f"[bold]{ref.weighted_mean_ratio:g} : 1[/bold] weighted mean; "
            f"{cls['above_one']} studies > 1, {cls['between_zero_and_one']} between 0 and 1, "
            f"{cls['negative']} negative.\n"
            f"This analysis: [bold]{num(p.weighted_mean_ratio, 2)} : 1[/bold]; "
            f"{p.above_one} > 1, {p.between_zero_and_one} between 0 and 1, {p.negative} negative, "
            f"and {p.zero} exactly 0 (a nil effect, in none of the report's classes).\n"
            f"[dim]Why they differ: {ref.why_results_differ}[/dim]"
        )
        parts.append(Panel(text, title="Reference (not a target)", expand=False))
    return parts


@renderer(Evidence, "table")
def evidence_table(evidence: Evidence, view: str = "list", **_: Any) -> RenderableType:
    """The studies, one row each; with ``view="validate"``, headed by an OK line."""
    table = _evidence_list(evidence)
    if view != "validate":
        return table
    listed = len(evidence.excluded)
    extra = f" ({listed} recorded without a usable outcome, not pooled)" if listed else ""
    head = Text(
        f"OK: {len(evidence.listed)} valid study files in {evidence.origin}{extra}",
        style="green",
    )
    return Group(head, table)


def _evidence_list(evidence: Evidence) -> Table:
    table = Table(title=f"Evidence: {evidence.origin}", title_justify="left")
    for col in [
        "id",
        "Study",
        "Country",
        "Design",
        "Randomised",
        "Peer role",
        "Bundled",
        "Risk of bias",
        "n (int/ctrl)",
        "Follow-up",
        "Outcome",
        "Reported / derived / assumed",
        "Pooled",
    ]:
        table.add_column(col)
    for study in evidence.listed:
        s = study_summary(study)
        ctrl = "-" if s["n_control"] is None else f"{s['n_control']:g}"
        bundled = s["bundled"]
        table.add_row(
            s["id"],
            s["citation"],
            s["country"],
            s["design"],
            s["randomisation"] or "-",
            s["peer_role"],
            "-" if bundled is None else ("yes" if bundled else "no"),
            s["risk_of_bias"] or "-",
            f"{s['n_intervention']:g} / {ctrl}",
            s["follow_up"],
            s["outcome"],
            f"{s['reported']} / {s['derived']} / {s['assumed']}",
            "yes" if s["pooled"] else "no",
        )
    if evidence.excluded:
        reasons = [
            f"{s.id}: {' '.join(s.outcome.reason.split())}"
            for s in evidence.excluded
            if isinstance(s.outcome, NoUsableOutcome)
        ]
        table.caption = "Not pooled (listed only):\n" + "\n".join(reasons)
        table.caption_justify = "left"
    return table


@renderer(EvidenceSets, "table")
def evidence_sets_table(result: EvidenceSets, **_: Any) -> RenderableType:
    """One row per evidence set: its rule, what it pools and lists, and why."""
    table = Table(title="Evidence sets", title_justify="left", show_lines=True)
    for col in ["Name", "Title", "Rule", "Pooled", "Listed, not pooled", "Why"]:
        table.add_column(col)
    for s in result.sets:
        table.add_row(
            s.name,
            escape(s.title),
            escape(s.rule),
            " ".join(s.pooled),
            " ".join(s.not_pooled) or "-",
            escape(s.why),
        )
    return table


@renderer(Study, "table")
def study_table(study: Study, **_: Any) -> RenderableType:
    c = study.citation
    head = (
        f"[bold]{c.short()}[/bold]  ({study.id})\n{', '.join(c.authors)}. {c.title}. "
        f"{c.journal or ''} {('doi:' + c.doi) if c.doi else ''}\n{c.url or ''}\n\n"
        f"Country: {study.country}   Design: {study.design.value}"
        + (f" ({study.design_basis})" if study.design_basis else "")
        + f"   Peer role: {study.peer_role.value}\nSetting: {study.setting}"
    )
    if study.intervention:
        head += f"\nIntervention: {study.intervention}"
    if study.inclusion:
        head += f"\n[dim]Inclusion: {' '.join(study.inclusion.split())}[/dim]"
    q = study.quality
    if q is not None:
        head += (
            f"\nRandomisation: {q.randomisation.value}   Bundled: {'yes' if q.bundled else 'no'}"
            f"   Comparison: {escape(q.comparison)}\nRisk of bias: {q.risk_of_bias.value} "
            f"({escape(' '.join(q.risk_of_bias_reason.split()))})"
        )
    outcome = study.outcome
    if isinstance(outcome, NoUsableOutcome):
        head += f"\n[bold]Not pooled:[/bold] {escape(' '.join(outcome.reason.split()))}"
        if outcome.reported:
            head += f"\nReported: {escape(outcome.reported)}"
        for where in outcome.searched:
            head += f"\nSearched: {escape(where)}"
    return _with_quantities(head, study)


@renderer(CostFile, "table")
def cost_file_table(costs: CostFile, **_: Any) -> RenderableType:
    head = f"[bold]{costs.name}[/bold]\nPrices: {costs.price_year} {costs.currency}"
    return _with_quantities(head, costs)


def _with_quantities(head: str, document: Study | CostFile) -> RenderableType:
    """A heading, every quantity with its provenance, and the document's notes."""
    rows = quantity_rows(document)
    years = any("price_year" in r for r in rows)
    table = Table(title="Quantities", title_justify="left", show_lines=True)
    columns = ["Field", "Value", "Unit", *(["Price year"] if years else []), "Status", "Range"]
    for col in [*columns, "Source / formula / rationale"]:
        table.add_column(col)
    for r in rows:
        style = {"reported": "green", "derived": "cyan", "assumed": "yellow"}[str(r["status"])]
        why = [str(r[k]) for k in ("source", "locator", "url") if isinstance(r[k], str)]
        if isinstance(r["source_kind"], str):
            why[0] = f"({r['source_kind']} source) {why[0]}"
        for label in ("formula", "rationale"):
            if isinstance(r[label], str):
                why.append(f"{label}: {r[label]}")
        table.add_row(
            str(r["field"]),
            f"{r['value']:g}",
            str(r["unit"]),
            *([str(r["price_year"] or "")] if years else []),
            Text(str(r["status"]), style=style),
            r["range"] or "",
            Text("\n".join(why)),  # user text: no rich markup
        )
    notes = "\n".join(f"- {n}" for n in document.notes)
    parts: list[RenderableType] = [Panel(head, expand=False), table]
    if notes:
        parts.append(Panel(notes, title="Notes", expand=False))
    return Group(*parts)


def plain_text(renderable: RenderableType) -> str:
    """Render to plain text (no colour, 170 columns) for a file or a pipe."""
    import io

    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, width=170, no_color=True, highlight=False).print(renderable)
    return buffer.getvalue()


def influence_table(result: InfluenceResult) -> RenderableType:
    title = (
        "Leave-one-out"
        if result.kind == "leave-one-out"
        else f"Subgroups by {result.kind.split(':', 1)[1]}"
    )
    table = titled_table(
        f"{title}: pooled ratios and probability that pooled net benefit is positive",
        [
            "Group",
            "Studies",
            "Patients",
            METHOD_TITLES["weighted"].capitalize(),
            METHOD_TITLES["sums"].capitalize(),
            "MC mean ratio",
            "P(net benefit > 0)",
        ],
        {"Group", "Studies"},
    )
    for g in [result.all_studies, *result.groups]:
        table.add_row(
            g.group,
            ", ".join(g.studies),
            f"{g.patients:,.0f}",
            num(g.weighted_mean_ratio, 2),
            num(g.ratio_of_sums, 2),
            num(g.mc_mean_ratio, 2),
            pct(g.prob_net_benefit_positive),
        )
    note = Text(
        f"Probabilities from {result.draws:,} Monte Carlo draws (seed {result.seed}), "
        f"pooling by the {METHOD_TITLES['weighted']}."
    )
    return Group(table, note)
