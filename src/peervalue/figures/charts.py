"""The figures, each a pure function from typed results to a matplotlib ``Figure``.

No pyplot: figures are built with ``matplotlib.figure.Figure`` directly, so they hold
no global state and need no display. Call them inside ``style_context()`` (the
catalogue does).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from peervalue.figures import style
from peervalue.figures.input_names import input_label
from peervalue.figures.labels import MoneyFormatter, money_value, percent, plain

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from peervalue.model.results import AnalysisResult
    from peervalue.results.cumulative import CumulativeResult
    from peervalue.results.evppi import EvppiResult
    from peervalue.results.reconcile import ReconcileResult
    from peervalue.scenario.results import ScenarioResult
    from peervalue.synthesis.results import FunnelPoint, SynthesisResult
    from peervalue.uncertainty.results import (
        InfluenceResult,
        MetaRunResult,
        PsaResult,
        SensitivityResult,
        TwoWayResult,
    )


@contextmanager
def style_context() -> Iterator[None]:
    with mpl.rc_context(style.RC):  # type: ignore[arg-type]
        yield


def _money(currency: str) -> MoneyFormatter:
    """Money ticks chosen together (no two alike, never scientific); called with one
    value, the same words as a label (:func:`~peervalue.figures.labels.money_value`)."""
    return MoneyFormatter(currency)


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def _finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)


def _num(x: float) -> str:
    """A value for a label: thousands with separators, small values to 3 figures."""
    return plain(x)


def _short(label: str) -> str:
    """A method label without its parenthesis: 'ratio of sums (total ...)' -> 'ratio of sums'."""
    return label.split(" (")[0]


def _legend_below(ax: Axes, columns: int = 2, handles: Sequence[object] | None = None) -> None:
    """The legend under the figure, outside every axes (the constrained layout makes room
    for it), so no line, bar or label can run through it."""
    fig = ax.get_figure()
    assert isinstance(fig, Figure)
    if handles is None:
        fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=columns)
    else:
        fig.legend(handles=handles, loc="outside lower center", ncol=columns)


# --- forest plot ---------------------------------------------------------------------


def forest(analysis: AnalysisResult, psa: PsaResult, meta: MetaRunResult | None) -> Figure:
    """Each study's ratio with its 95% Monte Carlo interval, its marker's area in proportion
    to its weight in the weighted mean (the weight printed in a column on the right), then
    the pooled ratios by method, each labelled with the number of studies it pools (k).
    A meta-analysis row is drawn only when it pools two studies or more: one study is not
    a pooled result. A line at 1 (benefits equal costs) and the published 4.8 marked."""
    intervals = {s.id: s.ratio for s in psa.studies}
    total_weight = sum(s.pooling_weight for s in analysis.studies)
    rows: list[tuple[str, float, float, float, str, float]] = []
    for s in analysis.studies:
        iv = intervals.get(s.id)
        lo, hi = (iv.p2_5, iv.p97_5) if iv is not None else (math.nan, math.nan)
        share = s.pooling_weight / total_weight if total_weight > 0 else math.nan
        rows.append((s.citation, s.ratio, lo, hi, "study", share))
    k_all = sum(1 for s in analysis.studies if _finite(s.ratio))
    for p in psa.pooled.values():
        rows.append(
            (
                f"Pooled: {_short(p.label)} (k = {k_all})",
                p.ratio.deterministic,
                p.ratio.p2_5,
                p.ratio.p97_5,
                "pooled",
                math.nan,
            )
        )
    left_out: list[str] = []
    if meta is not None:
        for r in meta.pooling_comparison.rows:
            if not r.method.startswith("meta-analysis"):
                continue
            name = r.method.replace("meta-analysis (", "meta, ").replace(")", "")
            if r.studies < 2:
                left_out.append(name.removeprefix("meta, "))
                continue
            rows.append(
                (
                    f"Pooled: {name} (k = {r.studies})",
                    r.ratio,
                    r.ratio_ci_low,
                    r.ratio_ci_high,
                    "meta",
                    math.nan,
                )
            )
    fig, ax = _figure(8.5, 0.36 * len(rows) + 2.4)
    ys = np.arange(len(rows))[::-1]
    colours = {"study": style.BLACK, "pooled": style.BLUE, "meta": style.GREEN}
    markers = {"study": "s", "pooled": "D", "meta": "o"}
    largest = max((r[5] for r in rows if _finite(r[5])), default=1.0)
    for y, (_label, point, lo, hi, kind, share) in zip(ys, rows, strict=True):
        if _finite(lo) and _finite(hi):
            ax.hlines(y, lo, hi, color=colours[kind], linewidth=1.6)
        size = 6.0
        if kind == "study" and _finite(share) and largest > 0:
            # marker area in proportion to weight: its side goes with the square root
            size = max(2.5, FOREST_MARKER_MAX * math.sqrt(share / largest))
        if _finite(point):
            ax.plot(
                point, y, marker=markers[kind], color=colours[kind], markersize=size, linestyle=""
            )
        if kind == "study":
            ax.annotate(
                f"{100 * share:.1f}%" if _finite(share) else "n/a",
                (1.0, y),
                xycoords=("axes fraction", "data"),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                ha="left",
                fontsize=style.SMALL,
            )
    ax.annotate(
        "weight in the\nweighted mean",
        (1.0, 1.0),
        xycoords="axes fraction",
        xytext=(6, 2),
        textcoords="offset points",
        va="bottom",
        ha="left",
        fontsize=style.SMALL,
        fontweight="bold",
    )
    ax.axvline(
        1.0, color=style.LOSS, linewidth=1.2, linestyle="--", label="ratio 1: benefits = costs"
    )
    ref = analysis.published_reference
    if ref is not None:
        ax.axvline(
            ref.weighted_mean_ratio,
            color=style.ORANGE,
            linewidth=1.2,
            linestyle=":",
            label=f"published {ref.weighted_mean_ratio:g} : 1 (2013)",
        )
    ax.set_yticks(ys, [r[0] for r in rows])
    xlabel = f"Benefit : cost ratio ({psa.price_year} prices); marker area: weight"
    if left_out:
        xlabel += (
            f"\nNot drawn: {len(left_out)} meta-analysis row{'s' if len(left_out) > 1 else ''}"
            " that pool fewer than 2 studies"
        )
    ax.set_xlabel(xlabel)
    ax.set_title("Ratio by study and pooled (95% intervals)")
    ax.grid(axis="y", visible=False)
    _legend_below(ax)
    return fig


#: the largest study's marker side, in points (the others scale by the square root of weight)
FOREST_MARKER_MAX = 13.0


# --- tornado -------------------------------------------------------------------------


def tornado(result: SensitivityResult, top: int = 12) -> Figure:
    """Pooled net benefit per FTE-year at each input's low and high value, widest first."""
    rows = [r for r in result.inputs if _finite(r.swing)][:top]
    fig, ax = _figure(8.5, 0.34 * max(len(rows), 1) + 2.2)
    base = result.base_net_benefit_per_fte_year
    ys = np.arange(len(rows))[::-1]
    for y, r in zip(ys, rows, strict=True):
        for value, colour in (
            (r.net_benefit_at_low, style.SKY),
            (r.net_benefit_at_high, style.BLUE),
        ):
            ax.barh(y, value - base, left=base, color=colour, height=0.6)
    from matplotlib.patches import Patch

    handles: list[object] = [
        Patch(color=style.SKY, label="input at its low value"),
        Patch(color=style.BLUE, label="input at its high value"),
    ]
    handles.append(
        ax.axvline(
            base,
            color=style.BLACK,
            linewidth=1,
            label=f"base case {money_value(base, result.currency)}",
        )
    )
    handles.append(
        ax.axvline(0, color=style.LOSS, linewidth=1.2, linestyle="--", label="net benefit 0")
    )
    ax.set_yticks(
        ys, [input_label(r.parameter, r.low_value, r.high_value, result.currency) for r in rows]
    )
    ax.xaxis.set_major_formatter(_money(result.currency))
    ax.set_xlabel(f"Pooled net benefit per FTE-year ({result.price_year} prices)")
    ax.set_title("Inputs that move net benefit most")
    ax.grid(axis="y", visible=False)
    _legend_below(ax, handles=handles)
    return fig


# --- Monte Carlo distribution --------------------------------------------------------


def ratio_distribution(psa: PsaResult, method: str = "weighted") -> Figure:
    """Histogram of the pooled ratio's draws over the range that holds all but the outer
    0.1% at each end; the draws beyond it are counted in the axis label, never piled into
    the end bars. The share above 1 is given in the legend, worded as everywhere else."""
    if psa.kept_draws is None:
        raise ValueError("the Monte Carlo result has no kept draws (PsaRequest(keep_draws=True))")
    draws = np.asarray(psa.kept_draws.pooled_ratio[method], dtype=float)
    draws = draws[np.isfinite(draws)]
    summary = psa.pooled[method]  # type: ignore[index]
    lo, hi = np.quantile(draws, [0.001, 0.999]) if draws.size else (0.0, 1.0)
    edges = np.linspace(min(lo, 0.9), max(hi, 1.1), 61)
    fig, ax = _figure(7.5, 4.2)
    counts, _ = np.histogram(draws, bins=edges)  # draws outside the edges are not counted
    share = counts / max(draws.size, 1)
    centres = (edges[:-1] + edges[1:]) / 2
    colours = [style.GAIN if c >= 1 else style.LOSS for c in centres]
    ax.bar(centres, share, width=np.diff(edges), color=colours, edgecolor="white", linewidth=0.3)
    ax.axvline(1.0, color=style.BLACK, linewidth=1.2, linestyle="--", label="ratio 1")
    ax.axvline(
        summary.ratio.deterministic,
        color=style.ORANGE,
        linewidth=1.5,
        label=f"deterministic {summary.ratio.deterministic:.2f}",
    )
    ax.axvline(
        summary.ratio.mean,
        color=style.PURPLE,
        linewidth=1.5,
        linestyle=":",
        label=f"Monte Carlo mean {summary.ratio.mean:.2f}",
    )
    from matplotlib.patches import Patch

    handles, _labels = ax.get_legend_handles_labels()
    handles.append(
        Patch(
            color=style.GAIN,
            label=f"ratio above 1 in {percent(summary.prob_ratio_above_one)} of draws",
        )
    )
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    ax.set_xlabel(
        f"Pooled benefit : cost ratio ({_short(summary.label)})\n"
        + tails_note(int(np.sum(draws < edges[0])), int(np.sum(draws > edges[-1])), edges.tolist())
    )
    ax.set_ylabel("Share of draws")
    ax.set_title(f"How sure: {psa.draws:,} Monte Carlo draws of the pooled ratio")
    _legend_below(ax, handles=handles)
    return fig


def tails_note(below: int, above: int, edges: Sequence[float]) -> str:
    """What the histogram leaves out at each end, in words."""
    if below == 0 and above == 0:
        return "every draw is shown"
    parts = []
    if below:
        parts.append(f"{below:,} draw{'s' if below != 1 else ''} below {edges[0]:.2f}")
    if above:
        parts.append(f"{above:,} draw{'s' if above != 1 else ''} above {edges[-1]:.2f}")
    return "not shown: " + " and ".join(parts)


# --- acceptability-style curves ------------------------------------------------------


def acceptability(psa: PsaResult) -> Figure:
    """P(net benefit > 0) against the cost per bed-day and against the caseload."""
    fig = Figure(figsize=(8.5, 3.6), layout="constrained")
    left, right = fig.subplots(1, 2, sharey=True)
    bed = psa.curves.bed_day_cost
    left.plot(
        bed.cost_per_bed_day,
        bed.prob_net_benefit_positive_weighted,
        color=style.BLUE,
        label="weighted mean of ratios",
    )
    left.plot(
        bed.cost_per_bed_day,
        bed.prob_net_benefit_positive_sums,
        color=style.ORANGE,
        linestyle="--",
        label="ratio of sums",
    )
    left.xaxis.set_major_formatter(_money(psa.currency))
    left.set_xlabel(f"Cost per bed-day ({psa.price_year} prices)")
    left.set_ylabel("P(benefits exceed costs)")
    left.set_title("Against the cost of a bed-day")
    _legend_below(left)
    case = psa.curves.caseload
    by_caseload = [math.nan if p is None else p for p in case.prob_net_benefit_positive]
    right.plot(case.caseload, by_caseload, color=style.GREEN)
    right.set_xlabel("Patients supported at once per FTE (caseload)")
    right.set_title("Against the caseload")
    for ax in (left, right):
        ax.set_ylim(-0.02, 1.02)
        ax.axhline(0.5, color=style.GREY, linewidth=0.8, linestyle=":")
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    return fig


# --- two-way heat map ----------------------------------------------------------------


def two_way(result: TwoWayResult) -> Figure:
    """Net benefit over a grid of two inputs, with the break-even contour and the base case."""
    fig, ax = _figure(6.5, 5.0)
    z = np.asarray(result.net_benefit, dtype=float).T  # rows: y, columns: x
    limit = float(np.nanmax(np.abs(z))) if np.isfinite(z).any() else 1.0
    mesh = ax.pcolormesh(
        result.x_values, result.y_values, z, cmap="RdBu", vmin=-limit, vmax=limit, shading="nearest"
    )
    if np.nanmin(z) < 0 < np.nanmax(z):
        ax.contour(
            result.x_values, result.y_values, z, levels=[0.0], colors=style.BLACK, linewidths=1.5
        )
    ax.plot(
        result.x_base,
        result.y_base,
        marker="*",
        color=style.YELLOW,
        markersize=14,
        markeredgecolor=style.BLACK,
        linestyle="",
        label=two_way_base_note(result) or "base case",
    )
    bar = fig.colorbar(mesh, ax=ax, format=_money(result.currency))
    bar.set_label(f"{result.outcome} ({result.price_year} prices)")
    ax.set_xlabel(result.x_label)
    ax.set_ylabel(result.y_label)
    ax.set_title("Two-way sensitivity (black line: break-even)")
    ax.grid(visible=False)
    _legend_below(ax, columns=1)
    return fig


def two_way_base_note(result: TwoWayResult) -> str:
    """Why the reference analysis's base case sits where it does on a caseload axis: there
    the base is the caseload the studies' own staffing implies (pooled bed-days saved per
    FTE-year over pooled bed-days saved per patient-year of support), not the caseload
    assumed for the studies that report no staffing. Empty for a business case, whose base
    is its stated caseload."""
    if result.outcome != REFERENCE_OUTCOME:
        return ""
    axes = {result.x: result.x_base, result.y: result.y_base}
    if "caseload" not in axes:
        return ""
    return (
        f"base case: {axes['caseload']:.1f} patients per FTE, the caseload the studies' own\n"
        "staffing implies (pooled bed-days saved per FTE-year divided by pooled\n"
        "bed-days saved per patient-year of support), not the caseload assumed\n"
        "for studies that report no staffing; elsewhere on the map one common\n"
        "caseload replaces every study's own staffing"
    )


#: the two-way outcome of the reference analysis (:mod:`peervalue.service.two_way`)
REFERENCE_OUTCOME = "pooled net benefit per FTE-year"


# --- scenario payback ----------------------------------------------------------------


def payback_interval(payback_by_year: dict[str, float]) -> tuple[float, float]:
    """The 2.5th and 97.5th percentiles of the payback year from its cumulative shares
    (NaN where that share of draws never pays back within the horizon)."""
    years = sorted((int(k), v) for k, v in payback_by_year.items())

    def quantile(q: float) -> float:
        return next((float(y) for y, share in years if share >= q), math.nan)

    return quantile(0.025), quantile(0.975)


def payback(result: ScenarioResult) -> Figure:
    """Cumulative discounted net benefit by year, the yearly 95% interval of net benefit,
    and the payback year with its interval."""
    fig, ax = _figure(7.5, 4.0)
    years = [y.year for y in result.years]
    cumulative = [y.cumulative_discounted_net_benefit for y in result.years]
    ax.bar(
        years,
        [y.discounted_net_benefit for y in result.years],
        color=style.SKY,
        width=0.6,
        label="discounted net benefit in the year",
    )
    ax.errorbar(
        years,
        [y.discounted_net_benefit for y in result.years],
        yerr=[
            [
                y.discount_factor * (y.net_benefit - y.net_benefit_interval.p2_5)
                for y in result.years
            ],
            [
                y.discount_factor * (y.net_benefit_interval.p97_5 - y.net_benefit)
                for y in result.years
            ],
        ],
        fmt="none",
        ecolor=style.GREY,
        capsize=3,
        label="95% interval of the year's net benefit",
    )
    ax.plot(
        years,
        cumulative,
        color=style.BLUE,
        marker="o",
        linewidth=2,
        label="cumulative discounted net benefit",
    )
    ax.axhline(0, color=style.LOSS, linewidth=1.2, linestyle="--")
    pay = result.totals.payback_year
    if _finite(pay):
        lo, hi = payback_interval(result.uncertainty.payback_by_year)
        text = f"pays back in year {pay:.0f}"
        if _finite(lo) and lo == hi:
            text += f" (95% of draws: in year {lo:.0f})"
        elif _finite(lo):
            text += f" (95%: year {lo:.0f} to " + (
                f"{hi:.0f})" if _finite(hi) else "not within the horizon)"
            )
        ax.axvline(pay, color=style.GREEN, linewidth=1.5, linestyle=":", label=text)
    ax.set_xticks(years, [y.label for y in result.years])
    ax.yaxis.set_major_formatter(_money(result.currency))
    ax.set_ylabel(f"{result.price_year} prices, discounted at {result.discount_rate:.1%}")
    ax.set_title(f"{result.name}: when does it pay back?")
    _legend_below(ax)
    return fig


# --- leave-one-out -------------------------------------------------------------------


def leave_one_out(result: InfluenceResult) -> Figure:
    """The pooled ratio with each study left out in turn, beside all studies."""
    groups = [result.all_studies, *result.groups]
    fig, ax = _figure(7.5, 0.42 * len(groups) + 1.6)
    ys = np.arange(len(groups))[::-1]
    ax.scatter(
        [g.weighted_mean_ratio for g in groups],
        ys,
        marker="s",
        color=style.BLUE,
        label="weighted mean of ratios",
        zorder=3,
    )
    ax.scatter(
        [g.ratio_of_sums for g in groups],
        ys,
        marker="D",
        color=style.ORANGE,
        label="ratio of sums",
        zorder=3,
    )
    ax.axvline(1.0, color=style.LOSS, linewidth=1.2, linestyle="--")
    ax.set_yticks(ys, [g.group for g in groups])
    for y, g in zip(ys, groups, strict=True):
        ax.annotate(
            f"P(net benefit > 0) {percent(g.prob_net_benefit_positive)}",
            (1.0, y),
            xycoords=("axes fraction", "data"),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=style.SMALL,
            color=style.GREY,
        )
    ax.set_xlabel("Pooled benefit : cost ratio")
    ax.set_title("Leave one study out: does one study carry the answer?")
    ax.grid(axis="y", visible=False)
    _legend_below(ax)
    return fig


# --- bridge to the published 4.8 ------------------------------------------------------


def bridge(result: ReconcileResult) -> Figure:
    """A waterfall from our ratio to the published one, one named step at a time."""
    labels = ["our result", *[s.step for s in result.steps], "unexplained", "published"]
    fig, ax = _figure(7.5, 4.0)
    x = np.arange(len(labels))
    ax.bar(x[0], result.start_ratio, color=style.GREY, width=0.6)
    level = result.start_ratio
    for i, s in enumerate(result.steps, start=1):
        ax.bar(
            x[i],
            s.change_in_ratio,
            bottom=level,
            width=0.6,
            color=style.GAIN if s.change_in_ratio >= 0 else style.LOSS,
        )
        ax.annotate(
            f"{s.change_in_ratio:+.2f}\n({s.share_of_gap:.0%})",
            (x[i], level + max(s.change_in_ratio, 0)),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            fontsize=style.SMALL,
        )
        level = s.ratio_after
    ax.bar(
        x[-2],
        result.remaining_gap,
        bottom=level,
        width=0.6,
        color=style.YELLOW,
        edgecolor=style.BLACK,
        hatch="//",
    )
    ax.bar(x[-1], result.published_ratio, color=style.ORANGE, width=0.6)
    for xi, v in ((x[0], result.start_ratio), (x[-1], result.published_ratio)):
        ax.annotate(f"{v:.2f}", (xi, v), xytext=(0, 3), textcoords="offset points", ha="center")
    top = max(result.published_ratio, result.start_ratio, *[s.ratio_after for s in result.steps])
    ax.set_ylim(0, top * 1.15)
    ax.set_xticks(x, labels, rotation=15, ha="right")
    ax.set_ylabel("Weighted mean benefit : cost ratio")
    ax.set_title("From our result to the published 4.8 : 1, one assumption at a time")
    ax.grid(axis="x", visible=False)
    return fig


# --- EVPPI ---------------------------------------------------------------------------


#: the least an EVPPI axis spans, in currency units per FTE-year
MIN_EVPPI_AXIS: Final = 1.0


def evppi(result: EvppiResult) -> Figure:
    """The value of learning each group of inputs exactly, per FTE-year, beside the EVPI."""
    rows = [*result.groups]
    fig, ax = _figure(7.5, 0.42 * (len(rows) + 1) + 1.6)
    names = ["all inputs (EVPI)", *[r.name for r in rows]]
    values = [result.evpi_per_fte_year, *[r.evppi_per_fte_year for r in rows]]
    ys = np.arange(len(names))[::-1]
    ax.barh(ys, values, color=[style.GREY, *[style.BLUE] * len(rows)], height=0.6)
    for y, v in zip(ys, values, strict=True):
        ax.annotate(
            money_value(v, result.currency),
            (v, y),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=style.SMALL,
        )
    ax.set_yticks(ys, names)
    # the axis spans at least one pound: when nothing is worth learning (every value under a
    # penny) a regression's residue of £0.0000003 filled the whole width as if it mattered,
    # beside ticks that all read "£0"
    left, right = ax.get_xlim()
    ax.set_xlim(left, max(right, MIN_EVPPI_AXIS))
    ax.xaxis.set_major_formatter(_money(result.currency))
    ax.set_xlabel(
        f"Expected value of perfect information per FTE-year ({result.price_year} prices)"
    )
    ax.set_title("What further research is worth, by group of inputs (EVPPI)")
    ax.grid(axis="y", visible=False)
    return fig


def labels_of(fig: Figure) -> Sequence[str]:
    """The y tick labels of a figure's first axes (for checks and alt text)."""
    return [t.get_text() for t in fig.axes[0].get_yticklabels()]


# --- cumulative analysis -------------------------------------------------------------


def cumulative(result: CumulativeResult) -> Figure:
    """The pooled ratio by each method as studies are added (with 95% Monte Carlo bands),
    and below it the probability that benefits exceed costs."""
    fig = Figure(figsize=(8.5, 6.0), layout="constrained")
    top, bottom = fig.subplots(2, 1, height_ratios=(3, 2))
    steps = np.arange(1, len(result.steps) + 1)
    lines = (
        ("weighted", style.BLUE, "-", "weighted mean of ratios"),
        ("sums", style.ORANGE, "--", "ratio of sums"),
    )
    for method, colour, dash, label in lines:
        pooled = [s.pooled[method] for s in result.steps]  # type: ignore[index]
        top.fill_between(
            steps, [p.p2_5 for p in pooled], [p.p97_5 for p in pooled], color=colour, alpha=0.15
        )
        top.plot(
            steps,
            [p.deterministic for p in pooled],
            color=colour,
            linestyle=dash,
            marker="o",
            label=label,
        )
        bottom.plot(
            steps,
            [p.prob_net_benefit_positive for p in pooled],
            color=colour,
            linestyle=dash,
            marker="o",
            label=label,
        )
    top.axhline(1.0, color=style.LOSS, linewidth=1.2, linestyle=":")
    top.set_ylabel("Pooled benefit : cost ratio")
    top.set_xticks(steps, [str(k) for k in steps])
    top.set_xlabel("Studies pooled")
    order = "publication year" if result.order == "year" else "weight"
    top.set_title(f"As studies are added (by {order}): pooled ratio with 95% interval")
    _legend_below(top)
    bottom.set_ylim(-0.02, 1.02)
    bottom.axhline(0.5, color=style.GREY, linewidth=0.8, linestyle=":")
    bottom.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    bottom.set_ylabel("P(benefits exceed costs)")
    bottom.set_xticks(steps, [f"+ {s.citation}" for s in result.steps], rotation=45, ha="right")
    bottom.set_xlabel("Study added, in order")
    return fig


# --- funnel plot ---------------------------------------------------------------------


def funnel(result: SynthesisResult) -> Figure:
    """Each study's effect against its standard error (inverted: precise studies on top),
    imputed SEs as open markers, trim-and-fill's filled studies in grey, the fixed-effect
    mean's pseudo 95% funnel and the posterior mean of the synthesis."""
    ss = result.small_study
    fig, ax = _figure(7.5, 5.5)
    max_se = max([p.se for p in ss.funnel] + [p.se for p in _filled(result)]) * 1.1
    h = result.heterogeneity
    centre = h.fixed_effect if h is not None else result.main.mu.mean
    ses = np.linspace(0.0, max_se, 50)
    ax.plot(centre - 1.96 * ses, ses, color=style.GREY, linestyle="--", linewidth=1.0)
    ax.plot(
        centre + 1.96 * ses,
        ses,
        color=style.GREY,
        linestyle="--",
        linewidth=1.0,
        label="pseudo 95% funnel (fixed effect)",
    )
    ax.axvline(
        result.main.mu.mean,
        color=style.BLUE,
        linewidth=1.4,
        label="posterior mean (random effects)",
    )
    reported = [p for p in ss.funnel if not p.imputed]
    imputed = [p for p in ss.funnel if p.imputed]
    if reported:
        ax.plot(
            [p.effect for p in reported],
            [p.se for p in reported],
            "o",
            color=style.BLACK,
            label="study",
        )
    if imputed:
        ax.plot(
            [p.effect for p in imputed],
            [p.se for p in imputed],
            "o",
            markerfacecolor="none",
            color=style.BLACK,
            label="study (imputed SE)",
        )
    filled = _filled(result)
    if filled:
        ax.plot(
            [p.effect for p in filled],
            [p.se for p in filled],
            "o",
            markerfacecolor="none",
            color=style.GREY,
            label="filled (trim-and-fill)",
        )
    ax.set_ylim(max_se, 0.0)
    ax.set_xlabel(result.unit)
    ax.set_ylabel("Standard error")
    title = f"Funnel plot, {result.scale} scale ({len(ss.funnel)} studies)"
    if ss.warnings:
        title += ": too few studies to test"
    ax.set_title(title, loc="left")
    _legend_below(ax)
    _label_clear_of_lines(ax, [(p.id, p.effect, p.se) for p in ss.funnel])
    return fig


#: where a point's label may go, in points from the point: right and above first, then the
#: other three corners (text alignment follows, so the label grows away from the point)
LABEL_SPOTS: Final = (
    (5, 3, "left", "bottom"),
    (-5, 3, "right", "bottom"),
    (5, -3, "left", "top"),
    (-5, -3, "right", "top"),
)


def _label_clear_of_lines(ax: Axes, points: Sequence[tuple[str, float, float]]) -> None:
    """Label each point at the first corner where its text crosses no drawn line and no
    label already placed (the funnel's dashed edges and the mean's line ran through
    'sledge2011' and 'core2018' on the all-2026 studies); the first corner if none is
    clear. The figure is laid out once first, so the boxes are the ones drawn."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = ax.get_figure()
    assert isinstance(fig, Figure)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # type: ignore[no-untyped-call]
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    lines = [
        line.get_transform().transform_path(line.get_path())
        for line in ax.get_lines()
        if line.get_linestyle() not in ("None", "", " ")
    ]
    placed: list[Any] = []
    for text, x, y in points:
        for i, (dx, dy, ha, va) in enumerate(LABEL_SPOTS):
            label = ax.annotate(
                text,
                (x, y),
                textcoords="offset points",
                xytext=(dx, dy),
                ha=ha,
                va=va,
                fontsize=style.SMALL,
            )
            label.set_in_layout(False)  # the labels never move the axes
            box = label.get_window_extent(renderer)
            clear = not any(p.intersects_bbox(box, filled=False) for p in lines) and not any(
                box.overlaps(b) for b in placed
            )
            if clear or i == len(LABEL_SPOTS) - 1:
                if not clear:  # none is clear: the first corner, as before
                    label.remove()
                    label = ax.annotate(
                        text,
                        (x, y),
                        textcoords="offset points",
                        xytext=(5, 3),
                        fontsize=style.SMALL,
                    )
                    label.set_in_layout(False)
                placed.append(label.get_window_extent(renderer))
                break
            label.remove()


def _filled(result: SynthesisResult) -> list[FunnelPoint]:
    tf = result.small_study.trim_fill
    return [] if tf is None else list(tf.filled)
