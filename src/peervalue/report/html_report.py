"""The report as one self-contained HTML file: figures inline as SVG (with alt text), styles
inline, no scripts, fonts or anything fetched; readable on a phone and printable.

It lays out a :class:`~peervalue.report.data.ReportContent` and the figures the service
drew for it, and computes nothing of its own beyond counting and sorting what the
results hold. Every piece of text that came
from an input file (study names, citations, organisation, notes) is escaped.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from html import escape
from importlib import resources
from typing import TYPE_CHECKING

from peervalue.figures.catalogue import FIGURES
from peervalue.figures.sizing import readable_width
from peervalue.report.words import money, percent

if TYPE_CHECKING:
    from peervalue.model.results import AnalysisResult
    from peervalue.report.data import ReportContent
    from peervalue.scenario.results import ScenarioResult
    from peervalue.uncertainty.results import PsaResult

CSS = """
:root { --ink: #1a1a1a; --muted: #555; --rule: #ddd; --accent: #0072B2; --warn: #D55E00; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: var(--ink); line-height: 1.5; margin: 0 auto; max-width: 62rem; padding: 1rem; }
h1 { font-size: 1.7rem; line-height: 1.2; margin: 0.5rem 0; }
h2 { font-size: 1.3rem; border-bottom: 2px solid var(--accent); padding-bottom: 0.2rem;
  margin-top: 2.2rem; }
h3 { font-size: 1.05rem; }
.lede { font-size: 1.15rem; background: #eef5fb; border-left: 5px solid var(--accent);
  padding: 0.8rem 1rem; }
.meta, figcaption, .note { color: var(--muted); font-size: 0.9rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; margin: 0.6rem 0; }
th, td { border-bottom: 1px solid var(--rule); padding: 0.35rem 0.5rem; text-align: left;
  vertical-align: top; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 1.2rem 0; break-inside: avoid; page-break-inside: avoid; }
figure svg { width: 100%; height: auto; max-width: 100%; }
nav ol { columns: 2; font-size: 0.95rem; }
code { font-size: 0.85rem; word-break: break-all; }
@media (max-width: 40rem) { nav ol { columns: 1; } body { padding: 0.6rem; } }
@media print {
  body { max-width: none; font-size: 10pt; }
  h2 { break-before: page; page-break-before: always; }
  h2.first { break-before: auto; page-break-before: auto; }
  a { color: inherit; text-decoration: none; }
}
@media print { nav a::after { content: leader('.') target-counter(attr(href), page); } }
@page { size: A4; margin: 18mm 15mm; @bottom-center { content: counter(page); } }
"""
#: phone and print rules (stacked tables, figures kept readable, the contents list in
#: print), after the rules above so they take precedence
CSS += (resources.files("peervalue.report") / "report.css").read_text(encoding="utf-8")

#: CHEERS 2022 (Husereau et al. 2022): where each item is addressed, or why not applicable
CHEERS: tuple[tuple[int, str, str], ...] = (
    (1, "Title", "Report title"),
    (2, "Abstract", "The answer"),
    (3, "Background and objectives", "The answer; Method"),
    (
        4,
        "Health economic analysis plan",
        "Not applicable: no plan was registered; the method follows Trachtenberg et al. (2013)",
    ),
    (5, "Study population", "Evidence"),
    (6, "Setting and location", "Evidence (country); Method"),
    (7, "Comparators", "Method (usual care without peer workers, as in each study)"),
    (8, "Perspective", "Method (NHS hospital bed-days only)"),
    (9, "Time horizon", "Method (each study's follow-up); Business case (its horizon)"),
    (10, "Discount rate", "Business case (the scenario's rate); not applicable to one-year ratios"),
    (11, "Selection of outcomes", "Method (inpatient bed-days saved)"),
    (12, "Measurement of outcomes", "Evidence; Method"),
    (13, "Valuation of outcomes", "Method (cost per bed-day)"),
    (14, "Measurement and valuation of resources and costs", "Method; Appendix: inputs"),
    (15, "Currency, price date and conversion", "Method (price year and index)"),
    (16, "Rationale and description of model", "Method"),
    (17, "Analytics and assumptions", "Method; Evidence (assumed inputs)"),
    (18, "Characterising heterogeneity", "Limitations (heterogeneity); leave-one-out figure"),
    (19, "Characterising distributional effects", "Not addressed: no data on who benefits"),
    (20, "Characterising uncertainty", "Uncertainty"),
    (
        21,
        "Approach to engagement with patients and others affected",
        "Not addressed by this software",
    ),
    (22, "Study parameters", "Appendix: inputs (and the evidence files)"),
    (23, "Summary of main results", "Results"),
    (24, "Effect of uncertainty", "Uncertainty"),
    (25, "Effect of engagement with patients and others affected", "Not addressed"),
    (26, "Study findings, limitations, generalisability and current knowledge", "Limitations"),
    (27, "Source of funding", "Not applicable: to be completed by the report's author"),
    (28, "Conflicts of interest", "Not applicable: to be completed by the report's author"),
)

UK = {"england", "scotland", "wales", "northern ireland", "uk", "united kingdom"}


def e(text: object) -> str:
    """Escape text from any input for HTML (element content and attribute values)."""
    return escape(str(text), quote=True)


def _num(x: float, places: int = 2) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:,.{places}f}"


def _table(head: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    th = "".join(f"<th scope='col'>{h}</th>" for h in head)
    # each cell names its column (data-label): on a phone a wide table stacks its rows
    # and prints those names beside the values (report.css), so no column is lost
    labels = [f" data-label='{e(re.sub(r'<[^>]+>', '', h))}'" for h in head]
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='num'{labels[i]}>{c}</td>" if i in numeric else f"<td{labels[i]}>{c}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    stack = " class='stack'" if len(head) >= STACK_FROM_COLUMNS else ""
    table = f"<table{stack}><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"
    return f"<div class='scroll'>{table}</div>"


def _structural(sc: ScenarioResult) -> str:
    """The business case under each effect choice (structural uncertainty)."""
    from peervalue.report.structural_cells import HEAD, NUMERIC, structural_cells

    rows, words = structural_cells(sc)
    if not rows:
        return ""
    cells = [[e(c) for c in row] for row in rows]
    return f"<h3>Under each choice of effect</h3><p>{e(words)}</p>" + _table(HEAD, cells, NUMERIC)


#: tables this wide stack their rows on a phone (report.css); narrower ones fit or scroll
STACK_FROM_COLUMNS = 5


def inline_svg(svg: bytes, alt: str) -> str:
    """An SVG file's markup for inlining: no XML prolog or doctype, the alt text as its
    accessible name, and ids made unique by the caller's prefix."""
    text = svg.decode("utf-8")
    text = text[text.index("<svg") :]
    return text.replace("<svg ", f'<svg role="img" aria-label="{e(alt)}" ', 1)


def _figure(data: ReportContent, svg_file: bytes, name: str, number: int) -> str:
    spec = FIGURES[name]
    alt = spec.alt(data.inputs)
    svg = inline_svg(svg_file, alt)
    # matplotlib's ids repeat from figure to figure: prefix them so each stays its own
    svg = re.sub(r'id="([^"]+)"', rf'id="f{number}-\1"', svg)
    svg = re.sub(r'(href|clip-path|mask)=(["\'])(url\()?#([^"\')]+)', rf"\1=\2\3#f{number}-\4", svg)
    # at least as wide as its smallest text needs (figures/sizing.py); on a phone the
    # figure scrolls sideways inside its own box
    readable = readable_width(svg_file)
    return (
        f"<figure id='figure-{e(name)}'><div class='figure-scroll' "
        f"style='--readable: {readable}px'>{svg}</div><figcaption>Figure {number}. "
        f"{e(spec.title)}. {e(alt)}</figcaption></figure>"
    )


def _answer(a: AnalysisResult, p: PsaResult, data: ReportContent) -> str:
    w = p.pooled["weighted"]
    sentence1 = (
        f"On {len(a.studies)} published studies, each £1 spent on peer support workers is "
        f"estimated to save about £{w.ratio.deterministic:.2f} in psychiatric inpatient "
        f"bed-days ({a.price_year} prices, {a.costs.basis} cost of a peer worker)."
        if a.currency == "GBP"
        else f"On {len(a.studies)} studies the benefit : cost ratio is {w.ratio.deterministic:.2f}."
    )
    sentence2 = (
        f"Allowing for uncertainty in every input, the probability that the savings exceed "
        f"the cost is {percent(w.prob_net_benefit_positive)}."
    )
    text = f"{sentence1} {sentence2}"
    sc = data.inputs.scenario
    if sc is not None:
        from peervalue.report.words import scenario_headline as case_headline

        text += f" For {sc.organisation or sc.name}'s business case: {case_headline(sc)}"
    return f"<p class='lede'>{e(text)}</p>"


def _limitations(data: ReportContent) -> str:
    a, p, s = data.inputs.analysis, data.inputs.psa, data.inputs.sensitivity
    assert a is not None and p is not None
    n = len(a.studies)
    non_uk = [st for st in a.studies if st.country.strip().lower() not in UK]
    non_rct = [st for st in a.studies if st.design != "rct"]
    items = [
        f"{len(non_uk)} of {n} studies are from outside the UK "
        f"({e(', '.join(sorted({st.country for st in non_uk})) or 'none')}); services, bed use "
        "and costs differ.",
        f"{len(non_rct)} of {n} studies are not randomised trials "
        f"({e(', '.join(st.id for st in non_rct) or 'none')}).",
    ]
    assumed = {r.parameter for r in p.distributions if r.why.startswith("assumed")}
    if s is not None and s.inputs:
        total = sum(r.swing**2 for r in s.inputs if math.isfinite(r.swing))
        from_assumed = sum(
            r.swing**2 for r in s.inputs if r.parameter in assumed and math.isfinite(r.swing)
        )
        if total > 0:
            items.append(
                f"{from_assumed / total:.0%} of the one-way variation in net benefit (sum of "
                "squared swings) comes from inputs that are assumptions, not reported figures: "
                f"{len(assumed)} inputs in all."
            )
    meta = data.inputs.meta
    if meta is not None:
        table = meta.meta_analysis
        k = len(table.studies)
        dl = table.results.get("dersimonian-laird")
        if k < 2 or dl is None:
            items.append(
                f"Heterogeneity cannot be estimated: only {k} of {n} studies report an outcome "
                "with a standard error, so no meta-analysis pools more than one study."
            )
        else:
            items.append(
                f"Between-study heterogeneity among the {k} studies with standard errors: "
                f"I² {dl.i2:.0%}, tau² {dl.tau2:.3g}."
            )
    items.append(
        "Only inpatient bed-days are counted: other costs and benefits (community contacts, "
        "quality of life, the peer workers' own outcomes) are left out."
    )
    return "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def render_html(data: ReportContent, figures: Mapping[str, bytes]) -> str:
    """The page; ``figures`` holds each of ``data.figures`` drawn as an SVG file."""
    a, p = data.inputs.analysis, data.inputs.psa
    assert a is not None and p is not None
    drawn: list[str] = []

    def fig(name: str) -> str:
        """The figure, numbered in the order the report shows them (none if not drawn)."""
        if name not in data.figures:
            return ""
        drawn.append(name)
        return _figure(data, figures[name], name, len(drawn))

    sections: list[tuple[str, str, str]] = []
    sections.append(
        (
            "method",
            "Method in plain words",
            f"<p>For each study, peervalue estimates the psychiatric inpatient bed-days saved "
            f"per full-time-equivalent (FTE) peer worker per year, values them at "
            f"{money(a.costs.cost_per_bed_day, a.currency)} per bed-day and divides by the "
            f"cost of a peer worker ({money(a.costs.cost_per_fte_year, a.currency)} per FTE-year, "
            f"{e(a.costs.basis)} basis: {e(a.costs.basis_note)}). A ratio above 1 means the "
            f"bed-days saved are worth more than the peer worker costs. The studies are pooled "
            f"as in Trachtenberg et al. (2013), by a weighted mean of ratios, and also by the "
            f"ratio of sums. Prices are {e(a.price_year)} {e(a.currency)}; costs: "
            f"{e(a.costs.name)}. The comparator in each study is care without the peer "
            f"workers; the perspective is the NHS's, counting bed-days only.</p>",
        )
    )
    evidence_rows = [
        [e(s.citation), e(s.design), e(s.country), e(", ".join(s.assumed_inputs) or "none")]
        for s in a.studies
    ]
    sections.append(
        (
            "evidence",
            "Evidence",
            _table(["Study", "Design", "Country", "Assumed inputs"], evidence_rows)
            + f"<p class='note'>Evidence: {e(a.evidence)}.</p>",
        )
    )
    result_rows = []
    for s in p.pooled.values():
        result_rows.append(
            [
                e(s.label),
                _num(s.ratio.deterministic),
                _num(s.ratio.mean),
                f"{_num(s.ratio.p2_5)} to {_num(s.ratio.p97_5)}",
                percent(s.prob_ratio_above_one),
            ]
        )
    ref = a.published_reference
    if ref is not None:
        result_rows.append(
            [
                f"Published: {e(ref.citation)} (weighted mean, {e(ref.price_year)})",
                _num(ref.weighted_mean_ratio),
                "",
                "",
                "",
            ]
        )
    c = a.pooled
    classes = (
        f"<p>Studies with a ratio above 1: {c.above_one}; between 0 and 1: "
        f"{c.between_zero_and_one}; exactly 0 (a nil effect): {c.zero}; negative: {c.negative}."
    )
    if ref is not None:
        published = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in ref.classification.items())
        classes += f" The 2013 report: {e(published)}."
        classes += f"</p><p class='note'>{e(ref.why_results_differ)}"
    classes += "</p>"
    sections.append(
        (
            "results",
            "Results",
            _table(
                ["Pooling", "Ratio", "Monte Carlo mean", "95% interval", "P(ratio > 1)"],
                result_rows,
                {1, 2, 3, 4},
            )
            + classes
            + fig("forest")
            + fig("bridge"),
        )
    )
    sections.append(
        (
            "uncertainty",
            "Uncertainty",
            f"<p>{p.draws:,} Monte Carlo draws (seed {p.seed}) of every uncertain input.</p>"
            + fig("ratio-distribution")
            + fig("acceptability")
            + fig("tornado")
            + fig("two-way")
            + fig("leave-one-out")
            + fig("cumulative")
            + fig("evppi"),
        )
    )
    sc = data.inputs.scenario
    if sc is not None:
        years = [
            [
                e(y.label),
                _num(y.filled_fte, 1),
                money(y.total_cost, sc.currency),
                money(y.gross_benefit, sc.currency),
                money(y.net_benefit, sc.currency),
                money(y.cumulative_discounted_net_benefit, sc.currency),
                percent(y.prob_paid_back),
                money(y.cash_releasing, sc.currency),
                money(y.cash_net_benefit, sc.currency),
                money(y.cumulative_discounted_cash_net_benefit, sc.currency),
                percent(y.prob_cash_paid_back),
            ]
            for y in sc.years
        ]
        cash_years = [
            [
                e(y.label),
                money(y.cost, sc.currency),
                money(y.cash_released, sc.currency),
                money(y.net_cash, sc.currency),
                f"{money(y.net_cash_interval.p2_5, sc.currency)} to "
                f"{money(y.net_cash_interval.p97_5, sc.currency)}",
                money(y.cumulative_net_cash, sc.currency),
            ]
            for y in sc.affordability.years
        ]
        from peervalue.report.words import scenario_headline as case_headline

        sections.append(
            (
                "business-case",
                f"Business case: {e(sc.name)}",
                f"<p>{e(sc.organisation)}; {sc.horizon_years} years from {e(sc.start or 'year 1')}"
                f", {e(sc.price_year)} prices, discounted at {e(sc.discounting)}.</p>"
                + (f"<p>Note: {e(sc.price_index_note)}.</p>" if sc.price_index_note else "")
                + f"<p>{e(case_headline(sc))}</p>"
                + _table(
                    [
                        "Year",
                        "FTE in post",
                        "Cost",
                        "Benefit",
                        "Net benefit",
                        "Cumulative (discounted)",
                        "P(value covers cost)",
                        "Cash released",
                        "Cash net",
                        "Cumulative cash (discounted)",
                        "P(paid back in cash)",
                    ],
                    years,
                    {1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
                )
                + f"<h3>Financial case: cash by year at each year's own prices</h3><p>Pay awards "
                f"{sc.affordability.pay_award:.1%} a year on the costs, NHS cost inflation "
                f"{sc.affordability.price_inflation:.1%} a year on the cash released; not "
                "discounted.</p>"
                + _table(
                    [
                        "Year",
                        "Cost",
                        "Cash released",
                        "Net cash",
                        "95% interval",
                        "Cumulative net cash",
                    ],
                    cash_years,
                    {1, 2, 3, 4, 5},
                )
                + fig("payback")
                + fig("case-tornado")
                + fig("case-two-way")
                + _structural(sc),
            )
        )
    sections.append(("limitations", "Limitations", _limitations(data)))
    sections.append(
        (
            "cheers",
            "CHEERS 2022 checklist",
            _table(
                ["Item", "Topic", "Where addressed"],
                [[str(n), e(t), e(w)] for n, t, w in CHEERS],
            ),
        )
    )
    files = [
        [e(f.role), f"<code>{e(f.path)}</code>", f"<code>{f.sha256}</code>"] for f in data.files
    ]
    sections.append(
        (
            "appendix",
            "Reproducibility",
            f"<p>peervalue {e(data.version)}; seed {data.seed}; "
            f"{data.draws:,} draws "
            f"(EVPPI on {data.evppi_draws:,}). To reproduce this report:</p>"
            f"<p><code>{e(data.command)}</code></p>" + _table(["Input", "File", "SHA-256"], files),
        )
    )
    toc = "".join(f"<li><a href='#{sid}'>{title}</a></li>" for sid, title, _ in sections)
    body = "".join(
        f"<section id='{sid}'><h2{' class=first' if i == 0 else ''}>{title}</h2>{html}</section>"
        for i, (sid, title, html) in enumerate(sections)
    )
    today = dt.date.today().isoformat()
    title = "Do peer support workers pay for themselves?"
    if sc is not None:
        title += f" A business case for {e(sc.organisation or sc.name)}"
    return (
        "<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{title}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{title}</h1><p class='meta'>peervalue {e(data.version)}, {today}; "
        f"{e(a.evidence)}; costs {e(a.costs.name)}; {e(a.price_year)} prices.</p></header>"
        f"<h2 class='first' id='answer'>The answer</h2>{_answer(a, p, data)}"
        f"<nav aria-label='Contents'><h3>Contents</h3><ol>{toc}</ol></nav>{body}</body></html>"
    )
