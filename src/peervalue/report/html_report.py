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
from peervalue.figures.input_names import field_name
from peervalue.figures.sizing import readable_width
from peervalue.report import narrative
from peervalue.report.data import SET_IN_SCENARIO
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
.nw { white-space: nowrap; }
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

#: CHEERS 2022 (Husereau et al. 2022), graded: each item's status (addressed, partly, not
#: addressed) and where in the report, or why not. Item 10 depends on a business case.
CHEERS: tuple[tuple[int, str, str, str], ...] = (
    (1, "Title", "addressed", "Report title"),
    (2, "Abstract", "partly", "The answer (a summary, not a structured abstract)"),
    (3, "Background and objectives", "partly", "The answer; Method (no wider background)"),
    (4, "Health economic analysis plan", "not addressed", "No plan was registered"),
    (5, "Study population", "partly", "Evidence (patients, country, design per study)"),
    (6, "Setting and location", "addressed", "Evidence (country); Method"),
    (7, "Comparators", "addressed", "Method (care without the peer workers)"),
    (8, "Perspective", "addressed", "Method (NHS, bed-days only)"),
    (9, "Time horizon", "addressed", "Evidence (each study's follow-up); Method"),
    (10, "Discount rate", "partly", "Ratios per FTE-year are not discounted"),
    (11, "Selection of outcomes", "addressed", "Method (inpatient bed-days saved)"),
    (12, "Measurement of outcomes", "addressed", "Evidence (outcome, effect); Appendix: inputs"),
    (13, "Valuation of outcomes", "addressed", "Method (cost per bed-day); Appendix: inputs"),
    (
        14,
        "Measurement and valuation of resources and costs",
        "addressed",
        "Method; Appendix: inputs",
    ),
    (15, "Currency, price date and conversion", "addressed", "Method; Appendix: inputs"),
    (16, "Rationale and description of model", "partly", "Method (in words, no diagram)"),
    (17, "Analytics and assumptions", "addressed", "Method; Appendix: inputs; Limitations"),
    (
        18,
        "Characterising heterogeneity",
        "partly",
        "Limitations (I², tau²); leave-one-out figure; no subgroup analysis",
    ),
    (19, "Characterising distributional effects", "not addressed", "No data on who benefits"),
    (20, "Characterising uncertainty", "addressed", "Uncertainty; Appendix: inputs"),
    (
        21,
        "Approach to engagement with patients and others affected",
        "not addressed",
        "No engagement was part of this analysis",
    ),
    (22, "Study parameters", "addressed", "Appendix: inputs; Evidence"),
    (23, "Summary of main results", "addressed", "Results"),
    (24, "Effect of uncertainty", "addressed", "Uncertainty"),
    (
        25,
        "Effect of engagement with patients and others affected",
        "not addressed",
        "No engagement was part of this analysis",
    ),
    (
        26,
        "Study findings, limitations, generalisability and current knowledge",
        "partly",
        "Limitations; Results (beside the 2013 report)",
    ),
    (
        27,
        "Source of funding",
        "not addressed",
        "Not known to the software: the report's author must state it",
    ),
    (
        28,
        "Conflicts of interest",
        "not addressed",
        "Not known to the software: the report's author must state them",
    ),
)


def cheers_rows(business_case: bool) -> list[tuple[int, str, str, str]]:
    """The graded checklist; with a business case, its discount rate addresses item 10."""
    return [
        (n, topic, "addressed", "Business case (its discount rate)")
        if n == 10 and business_case
        else (n, topic, status, where)
        for n, topic, status, where in CHEERS
    ]


UK = {"england", "scotland", "wales", "northern ireland", "uk", "united kingdom"}


def e(text: object) -> str:
    """Escape text from any input for HTML (element content and attribute values)."""
    return escape(str(text), quote=True)


def field_breaks(field: str) -> str:
    """A field name (``peer_input.support_duration``) escaped, with line-break chances
    after its dots and underscores, so a narrow column (A4, a phone) wraps it instead of
    running off the page."""
    return re.sub(r"([._])", r"\1<wbr>", e(field))


#: a negative amount of money as the report writes it: "-£315,696", "-£0.5m", "-USD 12"
NEGATIVE_AMOUNT = re.compile(r"-(?:£|[A-Z]{3} )[0-9][0-9,]*(?:\.[0-9]+)?[km]?")
#: elements whose text is not the page's prose (figures, styles, the title bar)
_NOT_PROSE = re.compile(r"<(/?)(svg|style|title|script)\b", re.IGNORECASE)


def keep_amounts_whole(html: str) -> str:
    """Every negative amount in the page's text inside a span that does not wrap: a line
    may break after a hyphen-minus, and "-£315,696" printed as "-" at a line's end and
    "£315,696", a loss read as a gain, at the start of the next. Tags, attribute values
    and the text of figures, styles and the title are left alone."""
    out = []
    depth = 0  # inside an svg, style, title or script element
    for part in re.split(r"(<[^>]*>)", html):
        if part.startswith("<"):
            found = _NOT_PROSE.match(part)
            if found and not part.endswith("/>"):
                depth += -1 if found.group(1) else 1
            out.append(part)
        elif depth > 0 or "-" not in part:
            out.append(part)
        else:
            out.append(NEGATIVE_AMOUNT.sub(lambda m: f"<span class='nw'>{m.group(0)}</span>", part))
    return "".join(out)


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


def _headed_table(
    heading: str, rows: list[list[str]], words: str, head: list[str], numeric: set[int]
) -> str:
    """A heading, the sentence that reads the table, then the table; nothing without rows."""
    if not rows:
        return ""
    cells = [[e(c) for c in row] for row in rows]
    return f"{heading}<p>{e(words)}</p>" + _table(head, cells, numeric)


def _structural(sc: ScenarioResult) -> str:
    """The business case under each effect choice (structural uncertainty)."""
    from peervalue.report.structural_cells import HEAD, NUMERIC, structural_cells

    rows, words = structural_cells(sc)
    return _headed_table("<h4>Under each choice of effect</h4>", rows, words, HEAD, NUMERIC)


def _options(sc: ScenarioResult) -> str:
    """The options appraisal, when the case has options."""
    from peervalue.report.options_cells import HEAD, NUMERIC, options_cells

    rows, words = options_cells(sc)
    return _headed_table("<h3>Options appraisal</h3>", rows, words, HEAD, NUMERIC)


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
    what = narrative.studies_phrase(data.studies, [s.id for s in a.studies])
    sentence1 = (
        f"On {what}, each £1 spent on peer support workers is "
        f"estimated to save about £{w.ratio.deterministic:.2f} in psychiatric inpatient "
        f"bed-days ({a.price_year} prices, {a.costs.basis} cost of a peer worker)."
        if a.currency == "GBP"
        else f"On {what} the benefit : cost ratio is {w.ratio.deterministic:.2f}."
    )
    sentence2 = (
        f"{narrative.uncertainty_phrase(p)}, the probability that the savings exceed "
        f"the cost is {percent(w.prob_net_benefit_positive)}."
    )
    text = f"{sentence1} {sentence2}"
    sc = data.inputs.scenario
    if sc is not None:
        from peervalue.report.words import scenario_headline as case_headline

        text += f" For {sc.organisation or sc.name}'s business case: {case_headline(sc)}"
    warnings = narrative.page_one_warnings(a, p)
    warned = (
        "<ul class='warnings'>" + "".join(f"<li>{e(w)}</li>" for w in warnings) + "</ul>"
        if warnings
        else ""
    )
    scope = f"<p class='note'>{e(data.scope)}</p>" if data.scope else ""
    return f"<p class='lede'>{e(text)}</p>{warned}{scope}"


def _are(k: int) -> str:
    return "studies is" if k == 1 else "studies are"  # "1 of 2 studies is ..."


def _limitations(data: ReportContent) -> str:
    a, p, s = data.inputs.analysis, data.inputs.psa, data.inputs.sensitivity
    assert a is not None and p is not None
    n = len(a.studies)
    non_uk = [st for st in a.studies if st.country.strip().lower() not in UK]
    non_rct = [st for st in a.studies if st.design != "rct"]
    items = []  # a limitation only where there is one: no "0 of 2 studies ... (none)"
    if non_uk:
        items.append(
            f"{len(non_uk)} of {n} {_are(len(non_uk))} from outside the UK "
            f"({e(', '.join(sorted({st.country for st in non_uk})))}); services, bed use "
            "and costs differ."
        )
    if non_rct:
        items.append(
            f"{len(non_rct)} of {n} {_are(len(non_rct))} not "
            f"{'a randomised trial' if len(non_rct) == 1 else 'randomised trials'} "
            f"({e(', '.join(st.id for st in non_rct))})."
        )
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


def _evpi(p: PsaResult) -> str:
    """The expected value of perfect information, per FTE-year and for the population."""
    w = p.pooled.get("weighted")
    if w is None or not math.isfinite(w.evpi_population):
        return ""
    v = p.value_of_information
    return (
        f"<p>Expected value of perfect information: {money(w.evpi_per_fte_year, p.currency)} "
        f"per FTE-year; for a population of {v.fte:,.0f} FTE over {v.horizon_years} years, "
        f"discounted at {v.discount_rate:.1%}, {money(w.evpi_population, p.currency)} "
        "(the most that removing all uncertainty could be worth to that decision).</p>"
    )


def _inputs_appendix(data: ReportContent) -> str:
    """Every model input: value, range, distribution, source and status."""
    rows = [
        [
            f"<code class='field'>{field_breaks(r.name)}</code>",
            e(r.value),
            e(r.range or "none"),
            e(r.distribution),
            e(r.source or "not stated"),
            e(r.status),
        ]
        for r in data.input_rows
    ]
    return (
        f"<p>The {len(rows)} inputs of the model, as the evidence and cost files give them "
        "(values in the files' own units; the Monte Carlo draws each as shown, "
        "and holds an input marked fixed at its value).</p>"
        + _table(["Input", "Value", "Range", "Distribution", "Source", "Status"], rows)
        + _case_inputs(data)
    )


def _case_inputs(data: ReportContent) -> str:
    """A business case's own inputs, those its scenario file set marked as such."""
    if not data.case_input_rows:
        return ""
    rows = [
        [
            f"<code class='field'>{field_breaks(r.name)}</code>",
            e(r.value),
            e(r.range or "none"),
            e(r.distribution),
            e(r.source or "not stated"),
            e(r.status),
        ]
        for r in data.case_input_rows
    ]
    changed = sum(SET_IN_SCENARIO in r.status for r in data.case_input_rows)
    return (
        "<h3 id='inputs-of-the-case'>The business case's inputs</h3>"
        f"<p>The {len(rows)} inputs of the business case, by their place in the scenario "
        f"file: {changed} set in the scenario file, the rest the national defaults "
        "(a value the file changed shows the default beside it).</p>"
        + _table(["Input", "Value", "Range", "Distribution", "Source", "Status"], rows)
    )


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
            f"{e(a.costs.basis_note)}). A ratio above 1 means the "
            f"bed-days saved are worth more than the peer worker costs. The studies are pooled "
            f"as in Trachtenberg et al. (2013), by a weighted mean of ratios, and also by the "
            f"ratio of sums. Prices are {e(a.price_year)} {e(a.currency)}; costs: "
            f"{e(a.costs.name)}. The comparator in each study is care without the peer "
            f"workers; the perspective is the NHS's, counting bed-days only.</p>"
            + (
                f"<p>Note: {e(a.price_index_note)}.</p>"  # a forecast price year
                if a.price_index_note is not None
                else ""
            ),
        )
    )
    facts = {f.id: f for f in data.studies}
    shares = narrative.weight_shares(a)
    evidence_rows = []
    for row in a.studies:
        f = facts.get(row.id)
        n = f"{row.n_intervention:,.0f}" + (
            f" / {row.n_control:,.0f}" if math.isfinite(row.n_control) and row.n_control else ""
        )
        evidence_rows.append(
            [
                e(row.citation) + ("" if f is None or f.published else " (unpublished)"),
                e(row.design),
                e(row.country),
                n,
                e(f.follow_up if f else ""),
                e(f.outcome if f else ""),
                _num(row.bed_days_saved_per_patient, 1),
                _num(row.fte_years, 1),
                _num(row.ratio),
                # one decimal, as the forest plot's weight column: "0%" read as left out
                f"{100 * shares[row.citation]:.1f}%"
                if math.isfinite(shares[row.citation])
                else "n/a",
                # in words ("length of peer support"), not field ids ("peer_input.support_duration")
                e(", ".join(field_name(f) for f in row.assumed_inputs) or "none"),
            ]
        )
    not_pooled = narrative.not_pooled_items(data.studies)
    left_out = (
        "<h3>Studies recorded but not pooled</h3><ul>"
        + "".join(f"<li>{e(x)}</li>" for x in not_pooled)
        + "</ul>"
        if not_pooled
        else ""
    )
    sections.append(
        (
            "evidence",
            "Evidence",
            _table(
                [
                    "Study",
                    "Design",
                    "Country",
                    "Patients (peer / control)",
                    "Follow-up",
                    "Outcome",
                    "Bed-days saved per patient",
                    "FTE-years",
                    "Ratio",
                    "Weight",
                    "Assumed inputs",
                ],
                evidence_rows,
                {3, 6, 7, 8, 9},
            )
            + f"<p class='note'>Evidence: {e(data.evidence_label or a.evidence)}.</p>"
            + left_out,
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
        classes += f"</p><p class='note'>{e(narrative.differences(a))}"
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
            f"<p>{p.draws:,} Monte Carlo draws (seed {p.seed}) of the "
            f"{narrative.plural(narrative.drawn_inputs(p), 'input')} given a range or "
            "distribution; "
            f"{narrative.plural(len(p.fixed_inputs), 'input')} held fixed (Appendix: inputs).</p>"
            + _evpi(p)
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
        from peervalue.report.five_case import five_cases
        from peervalue.report.words import scenario_headline as case_headline

        economic = (
            _table(
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
            + fig("payback")
            + fig("case-tornado")
            + fig("case-two-way")
            + _structural(sc)
        )
        financial = (
            f"<h4>Cash by year at each year's own prices</h4><p>Pay awards "
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
        )
        sections.append(
            (
                "business-case",
                f"Business case: {e(sc.name)}",
                f"<p>{e(sc.organisation)}; {sc.horizon_years} years from {e(sc.start or 'year 1')}"
                f", {e(sc.price_year)} prices, discounted at {e(sc.discounting)}. Set out as "
                "HM Treasury's Five Case Model: the economic and financial cases from the "
                "results, the strategic, commercial and management cases in the authors' "
                "own words.</p>"
                + (f"<p>Note: {e(sc.price_index_note)}.</p>" if sc.price_index_note else "")
                + f"<p>{e(case_headline(sc))}</p>"
                + five_cases(
                    sc, data.inputs.case_tornado, data.case_text, economic, financial, _table
                )
                + _options(sc),
            )
        )
    sections.append(("limitations", "Limitations", _limitations(data)))
    sections.append(
        (
            "cheers",
            "CHEERS 2022 checklist",
            _table(
                ["Item", "Topic", "Status", "Where (or why not)"],
                [[str(n), e(t), e(s), e(w)] for n, t, s, w in cheers_rows(sc is not None)],
            ),
        )
    )
    sections.append(("inputs", "Appendix: inputs", _inputs_appendix(data)))
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
    return keep_amounts_whole(
        "<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{title}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{title}</h1><p class='meta'>peervalue {e(data.version)}, {today}; "
        f"{e(data.evidence_label or a.evidence)}; costs {e(a.costs.name)}; "
        f"{e(a.price_year)} prices.</p></header>"
        f"<h2 class='first' id='answer'>The answer</h2>{_answer(a, p, data)}"
        f"<nav aria-label='Contents'><h3>Contents</h3><ol>{toc}</ol></nav>{body}</body></html>"
    )
