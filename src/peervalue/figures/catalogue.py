"""Every figure by name: what it shows, which results it needs, how to draw it, and its
alt text. Importing this module loads no matplotlib (``peervalue plot --list`` is quick)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from peervalue.model.results import AnalysisResult
    from peervalue.results.cumulative import CumulativeResult
    from peervalue.results.evppi import EvppiResult
    from peervalue.results.evsi import EvsiResult
    from peervalue.results.reconcile import ReconcileResult
    from peervalue.scenario.case_sensitivity import CaseTornadoResult
    from peervalue.scenario.results import ScenarioResult
    from peervalue.synthesis.results import SynthesisResult
    from peervalue.uncertainty.results import (
        InfluenceResult,
        MetaRunResult,
        PsaResult,
        SensitivityResult,
        TwoWayResult,
    )

#: the results a figure can be drawn from
Need = Literal[
    "analysis",
    "psa",
    "meta",
    "sensitivity",
    "leave_one_out",
    "two_way",
    "scenario",
    "reconcile",
    "evppi",
    "cumulative",
    "synthesis",
    "evsi",
    "case_tornado",
    "case_two_way",
]


@dataclass(frozen=True)
class FigureInputs:
    """The results figures are drawn from; each is ``None`` until a figure needs it.

    ``analysis`` carries the leave-one-out results (``influence``) when they were
    asked for; ``psa`` carries its draws (``kept_draws``).
    """

    analysis: AnalysisResult | None = None
    psa: PsaResult | None = None
    meta: MetaRunResult | None = None
    sensitivity: SensitivityResult | None = None
    two_way: TwoWayResult | None = None
    scenario: ScenarioResult | None = None
    reconcile: ReconcileResult | None = None
    evppi: EvppiResult | None = None
    cumulative: CumulativeResult | None = None
    synthesis: SynthesisResult | None = None
    evsi: EvsiResult | None = None
    case_tornado: CaseTornadoResult | None = None
    case_two_way: TwoWayResult | None = None


def _get(inputs: FigureInputs, name: str) -> object:
    value = getattr(inputs, name)
    if value is None:
        raise ValueError(f"this figure needs the {name} result, which was not computed")
    return value


@dataclass(frozen=True)
class FigureSpec:
    name: str
    title: str
    needs: tuple[Need, ...]
    draw: Callable[[FigureInputs], Figure]
    alt: Callable[[FigureInputs], str]
    #: "scenario": drawn only for a business case (``--scenario``); "plot": drawn only by
    #: ``peervalue plot``, not in the report
    scope: Literal["evidence", "scenario", "any", "plot"] = "evidence"


def _forest(i: FigureInputs) -> Figure:
    from peervalue.figures.charts import forest

    return forest(i.analysis, i.psa, i.meta)  # type: ignore[arg-type]


def _forest_alt(i: FigureInputs) -> str:
    a: AnalysisResult = _get(i, "analysis")  # type: ignore[assignment]
    p: PsaResult = _get(i, "psa")  # type: ignore[assignment]
    total = sum(s.pooling_weight for s in a.studies) or float("nan")
    studies = "; ".join(
        f"{s.citation} {s.ratio:.2f} (weight {100 * s.pooling_weight / total:.1f}%)"
        for s in a.studies
    )
    k = sum(1 for s in a.studies if s.ratio == s.ratio)
    pooled = "; ".join(
        f"{s.label}, k = {k}: {s.ratio.deterministic:.2f} "
        f"(95% {s.ratio.p2_5:.2f} to {s.ratio.p97_5:.2f})"
        for s in p.pooled.values()
    )
    return (
        f"Forest plot of benefit to cost ratios. Studies: {studies}. Pooled: {pooled}. "
        "A dashed line marks a ratio of 1, where benefits equal costs."
    )


def _tornado(i: FigureInputs) -> Figure:
    from peervalue.figures.charts import tornado

    return tornado(i.sensitivity)  # type: ignore[arg-type]


def _tornado_alt(i: FigureInputs) -> str:
    from peervalue.figures.input_names import input_label

    s: SensitivityResult = _get(i, "sensitivity")  # type: ignore[assignment]
    top = "; ".join(
        f"{input_label(r.parameter, r.low_value, r.high_value, s.currency)}: net benefit "
        f"{r.net_benefit_at_low:,.0f} at the low value, {r.net_benefit_at_high:,.0f} at the high"
        for r in s.inputs[:3]
    )
    return (
        "Tornado chart of pooled net benefit per FTE-year (base "
        f"{s.base_net_benefit_per_fte_year:,.0f} {s.currency}). The three widest bars: {top}."
    )


def _distribution(i: FigureInputs) -> Figure:
    from peervalue.figures.charts import ratio_distribution

    return ratio_distribution(i.psa)  # type: ignore[arg-type]


def _distribution_alt(i: FigureInputs) -> str:
    from peervalue.figures.labels import percent

    p: PsaResult = _get(i, "psa")  # type: ignore[assignment]
    w = p.pooled["weighted"]
    return (
        f"Histogram of {p.draws:,} Monte Carlo draws of the pooled ratio ({w.label}): median "
        f"{w.ratio.median:.2f}, 95% interval {w.ratio.p2_5:.2f} to {w.ratio.p97_5:.2f}; "
        f"{percent(w.prob_ratio_above_one)} of draws lie above 1."
    )


def _acceptability(i: FigureInputs) -> Figure:
    from peervalue.figures.charts import acceptability

    return acceptability(i.psa)  # type: ignore[arg-type]


def _acceptability_alt(i: FigureInputs) -> str:
    p: PsaResult = _get(i, "psa")  # type: ignore[assignment]
    c = p.curves.bed_day_cost
    return (
        "Two line charts of the probability that benefits exceed costs: against the cost per "
        f"bed-day ({c.cost_per_bed_day[0]:,.0f} to {c.cost_per_bed_day[-1]:,.0f} {p.currency}) "
        "and against the caseload per FTE; both rise as the bed-day cost or caseload rises."
    )


def _two_way_drawn(name: Literal["two_way", "case_two_way"]) -> Callable[[FigureInputs], Figure]:
    """The heat map of the two-way result ``name`` (the evidence's or the business case's)."""

    def draw(i: FigureInputs) -> Figure:
        from peervalue.figures.charts import two_way

        return two_way(getattr(i, name))

    return draw


def _two_way_described(name: Literal["two_way", "case_two_way"]) -> Callable[[FigureInputs], str]:
    """The alt text of the heat map of the two-way result ``name``."""

    def alt(i: FigureInputs) -> str:
        from peervalue.figures.labels import plain

        t: TwoWayResult = _get(i, name)  # type: ignore[assignment]
        return (
            f"Heat map of {t.outcome} over {t.x_label} ({plain(t.x_values[0])} to "
            f"{plain(t.x_values[-1])}) and {t.y_label} ({plain(t.y_values[0])} to "
            f"{plain(t.y_values[-1])}); blue where it is positive, red where negative, a black "
            f"line at break-even and a star at the base case ({plain(t.x_base)}, "
            f"{plain(t.y_base)})."
        )

    return alt


def _payback(i: FigureInputs) -> Figure:
    from peervalue.figures.charts import payback

    return payback(i.scenario)  # type: ignore[arg-type]


def _payback_alt(i: FigureInputs) -> str:
    s: ScenarioResult = _get(i, "scenario")  # type: ignore[assignment]
    path = "; ".join(f"{y.label} {y.cumulative_discounted_net_benefit:,.0f}" for y in s.years)
    pay = s.totals.payback_year
    when = (
        f"the value of the bed-days saved covers the cost by year {pay:.0f}"
        if pay == pay
        else "the value of the bed-days saved does not cover the cost"
    )
    cash = s.totals.cash_payback_year
    paid = f"pays back in cash in year {cash:.0f}" if cash == cash else "does not pay back in cash"
    return (
        f"Cumulative discounted net benefit by year ({s.currency}): {path}; {when}. Counting "
        f"only the cash released (cash NPV {s.totals.cash_net_present_value:,.0f}), it {paid}."
    )


def _leave_one_out(i: FigureInputs) -> Figure:
    from peervalue.figures.charts import leave_one_out

    a: AnalysisResult = _get(i, "analysis")  # type: ignore[assignment]
    return leave_one_out(_influence(a))


def _influence(a: AnalysisResult) -> InfluenceResult:
    found = [r for r in a.influence if r.kind == "leave-one-out"]
    if not found:
        raise ValueError("the analysis was run without leave-one-out results")
    return found[0]


def _leave_one_out_alt(i: FigureInputs) -> str:
    a: AnalysisResult = _get(i, "analysis")  # type: ignore[assignment]
    r = _influence(a)
    rows = "; ".join(f"{g.group} {g.weighted_mean_ratio:.2f}" for g in r.groups)
    return (
        f"Dot plot of the pooled ratio with each study left out: all studies "
        f"{r.all_studies.weighted_mean_ratio:.2f}; {rows}."
    )


def _bridge(i: FigureInputs) -> Figure:
    from peervalue.figures.charts import bridge

    return bridge(i.reconcile)  # type: ignore[arg-type]


def _bridge_alt(i: FigureInputs) -> str:
    r: ReconcileResult = _get(i, "reconcile")  # type: ignore[assignment]
    steps = "; ".join(f"{s.step} to {s.ratio_after:.2f}" for s in r.steps)
    return (
        f"Waterfall from our ratio {r.start_ratio:.2f} to the published {r.published_ratio:g}: "
        f"{steps}; unexplained {r.remaining_gap:.2f}."
    )


def _evppi(i: FigureInputs) -> Figure:
    from peervalue.figures.charts import evppi

    return evppi(i.evppi)  # type: ignore[arg-type]


def _evppi_alt(i: FigureInputs) -> str:
    e: EvppiResult = _get(i, "evppi")  # type: ignore[assignment]
    rows = "; ".join(f"{g.name} {g.evppi_per_fte_year:,.0f}" for g in e.groups)
    return (
        f"Bar chart of the value of perfect information per FTE-year ({e.currency}): all "
        f"inputs {e.evpi_per_fte_year:,.0f}; {rows}."
    )


def _cumulative(i: FigureInputs) -> Figure:
    from peervalue.figures.charts import cumulative

    return cumulative(i.cumulative)  # type: ignore[arg-type]


def _cumulative_alt(i: FigureInputs) -> str:
    from peervalue.figures.labels import percent

    c: CumulativeResult = _get(i, "cumulative")  # type: ignore[assignment]
    path = "; ".join(
        f"{s.citation} {s.pooled['weighted'].deterministic:.2f}"
        f" ({percent(s.pooled['weighted'].prob_net_benefit_positive)})"
        for s in c.steps
    )
    return (
        "Line chart of the pooled benefit to cost ratio as studies are added, with 95% "
        f"bands, and the probability that benefits exceed costs below. Weighted mean of "
        f"ratios after each study (probability of benefit): {path}."
    )


def _funnel(i: FigureInputs) -> Figure:
    from peervalue.figures.charts import funnel

    return funnel(i.synthesis)  # type: ignore[arg-type]


def _funnel_alt(i: FigureInputs) -> str:
    from peervalue.figures.labels import plain

    r: SynthesisResult = _get(i, "synthesis")  # type: ignore[assignment]
    points = "; ".join(
        f"{p.id} {plain(p.effect)} (se {plain(p.se)}{', imputed' if p.imputed else ''})"
        for p in r.small_study.funnel
    )
    egger = r.small_study.egger
    test = (
        f" Egger's test p = {plain(egger.p_value)}." if egger is not None else " Too few for Egger."
    )
    warn = " " + r.small_study.warnings[0] + "." if r.small_study.warnings else ""
    return (
        f"Funnel plot of each study's effect ({r.unit}) against its standard error, with "
        f"the posterior mean {plain(r.main.mu.mean)} and a pseudo 95% funnel: {points}."
        + test
        + warn
    )


def _evsi(i: FigureInputs) -> Figure:
    from peervalue.figures.evsi_chart import evsi_curve

    return evsi_curve(i.evsi)  # type: ignore[arg-type]


def _evsi_alt(i: FigureInputs) -> str:
    e: EvsiResult = _get(i, "evsi")  # type: ignore[assignment]
    points = "; ".join(
        f"{p.n_per_arm:,} per arm: EVSI {p.evsi_per_fte_year:,.0f}, ENBS {p.enbs:,.0f}"
        for p in e.points
    )
    best = (
        f"the best size is {e.optimal_n_per_arm:,} per arm"
        if e.optimal_n_per_arm is not None
        else "no size has a positive ENBS"
    )
    return (
        f"Two line charts against patients per arm of a {e.design_label}: EVSI per FTE-year "
        f"({e.currency}) rising towards the EVPPI of the effect, "
        f"{e.evppi_effect_per_fte_year:,.0f}, and ENBS for the population: {points}; {best}."
    )


def _case_tornado(i: FigureInputs) -> Figure:
    from peervalue.figures.case_charts import case_tornado

    return case_tornado(i.case_tornado)  # type: ignore[arg-type]


def _case_tornado_alt(i: FigureInputs) -> str:
    t: CaseTornadoResult = _get(i, "case_tornado")  # type: ignore[assignment]
    top = "; ".join(
        f"{r.label} from {r.npv_at_low:,.0f} to {r.npv_at_high:,.0f} (cash {r.cash_npv_at_low:,.0f}"
        f" to {r.cash_npv_at_high:,.0f})"
        for r in t.inputs[:3]
    )
    return (
        f"Two tornado charts of the business case's net present value, economic (base "
        f"{t.base_npv:,.0f} {t.currency}) and cash (base {t.base_cash_npv:,.0f}). The three "
        f"widest: {top}."
    )


FIGURES: Final[dict[str, FigureSpec]] = {
    f.name: f
    for f in (
        FigureSpec(
            "forest",
            "Benefit : cost ratio by study and pooled",
            ("analysis", "psa", "meta"),
            _forest,
            _forest_alt,
        ),
        FigureSpec(
            "tornado",
            "One-way sensitivity of pooled net benefit",
            ("sensitivity",),
            _tornado,
            _tornado_alt,
        ),
        FigureSpec(
            "ratio-distribution",
            "Monte Carlo distribution of the pooled ratio",
            ("psa",),
            _distribution,
            _distribution_alt,
        ),
        FigureSpec(
            "acceptability",
            "Probability benefits exceed costs by bed-day cost and caseload",
            ("psa",),
            _acceptability,
            _acceptability_alt,
        ),
        FigureSpec(
            "two-way",
            "Two-way sensitivity heat map (caseload and bed-day cost)",
            ("two_way",),
            _two_way_drawn("two_way"),
            _two_way_described("two_way"),
            scope="any",
        ),
        FigureSpec(
            "payback",
            "Business case: cumulative discounted net benefit and payback",
            ("scenario",),
            _payback,
            _payback_alt,
            scope="scenario",
        ),
        FigureSpec(
            "case-tornado",
            "Business case: inputs that move its economic and cash NPV most",
            ("case_tornado",),
            _case_tornado,
            _case_tornado_alt,
            scope="scenario",
        ),
        FigureSpec(
            "case-two-way",
            "Business case: cash NPV by cash-releasing share and caseload",
            ("case_two_way",),
            _two_way_drawn("case_two_way"),
            _two_way_described("case_two_way"),
            scope="scenario",
        ),
        FigureSpec(
            "leave-one-out",
            "Pooled ratio with each study left out",
            ("leave_one_out",),
            _leave_one_out,
            _leave_one_out_alt,
        ),
        FigureSpec(
            "bridge",
            "Bridge from our result to the published 4.8 : 1",
            ("reconcile",),
            _bridge,
            _bridge_alt,
        ),
        FigureSpec(
            "evppi",
            "Value of further research by group of inputs (EVPPI)",
            ("evppi",),
            _evppi,
            _evppi_alt,
        ),
        FigureSpec(
            "cumulative",
            "The pooled ratio as studies are added, by publication year",
            ("cumulative",),
            _cumulative,
            _cumulative_alt,
        ),
        FigureSpec(
            "funnel",
            "Funnel plot of the synthesis (small-study check)",
            ("synthesis",),
            _funnel,
            _funnel_alt,
            scope="plot",
        ),
        FigureSpec(
            "evsi",
            "Value of a trial (EVSI) and its net benefit (ENBS) against size per arm",
            ("evsi",),
            _evsi,
            _evsi_alt,
            scope="plot",
        ),
    )
}
