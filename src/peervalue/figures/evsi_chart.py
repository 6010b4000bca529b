"""The EVSI figure: EVSI per FTE-year and ENBS against the trial's size per arm.

A pure function from :class:`~peervalue.results.evsi.EvsiResult` to a matplotlib
``Figure`` (call it inside ``charts.style_context()``; the catalogue does)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matplotlib.figure import Figure

from peervalue.figures import style
from peervalue.figures.charts import _money

if TYPE_CHECKING:
    from peervalue.results.evsi import EvsiResult


def evsi_curve(result: EvsiResult) -> Figure:
    """Top: EVSI per FTE-year with its 95% bootstrap band, and the EVPPI of the effect it
    rises towards (dashed). Bottom: ENBS for the population with its band, the trial's
    cost, and the best size marked."""
    fig = Figure(figsize=(7.5, 6.4), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    n = [p.n_per_arm for p in result.points]
    top.fill_between(
        n,
        [p.evsi_per_fte_year_low for p in result.points],
        [p.evsi_per_fte_year_high for p in result.points],
        color=style.BLUE,
        alpha=0.2,
        linewidth=0,
    )
    top.plot(n, [p.evsi_per_fte_year for p in result.points], "o-", color=style.BLUE, label="EVSI")
    top.axhline(
        result.evppi_effect_per_fte_year,
        color=style.GREY,
        linestyle="--",
        label="EVPPI of the effect (perfect information)",
    )
    top.yaxis.set_major_formatter(_money(result.currency))
    top.set_ylabel("EVSI per FTE-year")
    top.set_xlabel("patients per arm")
    top.tick_params(labelbottom=True)
    top.set_ylim(bottom=0)
    top.set_title(f"Value of a {result.design_label}")
    bottom.fill_between(
        n,
        [p.enbs_low for p in result.points],
        [p.enbs_high for p in result.points],
        color=style.BLUE,
        alpha=0.2,
        linewidth=0,
    )
    bottom.plot(n, [p.enbs for p in result.points], "o-", color=style.BLUE, label="ENBS")
    bottom.plot(n, [p.trial_cost for p in result.points], "-", color=style.LOSS, label="trial cost")
    if result.optimal_n_per_arm is not None:
        bottom.axvline(
            result.optimal_n_per_arm,
            color=style.GREY,
            linestyle=":",
            label=f"best size: {result.optimal_n_per_arm:,} per arm",
        )
    bottom.axhline(0, color="black", linewidth=0.8)
    bottom.yaxis.set_major_formatter(_money(result.currency))
    bottom.set_xscale("log")
    bottom.set_xticks(n, [f"{x:,}" for x in n])
    bottom.minorticks_off()
    bottom.set_xlabel("patients per arm")
    bottom.set_ylabel(f"ENBS, {result.population_fte:,.0f} FTE over {result.horizon} years")
    # one legend under both panels, and the best size in it rather than written beside its
    # line: inside the axes the bands fill the width, and a legend or label there crossed them
    handles, labels = top.get_legend_handles_labels()
    more, more_labels = bottom.get_legend_handles_labels()
    fig.legend(handles + more, labels + more_labels, loc="outside lower center", ncol=2)
    return fig
