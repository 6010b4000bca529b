"""The business case's own sensitivity: a tornado of its economic and cash net present value."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Final

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from peervalue.figures import style
from peervalue.figures.charts import _money

if TYPE_CHECKING:
    from peervalue.scenario.case_sensitivity import CaseTornadoResult


#: characters on a line of an input's name before it wraps
LABEL_WIDTH: Final = 48


def _name_and_range(name: str, span: str) -> str:
    """One line when it fits; else the name wrapped and its range whole on a line of its own
    (not "(0.25 to" on one line and "1)" on the next)."""
    if len(name) + 1 + len(span) <= LABEL_WIDTH:
        return f"{name} {span}"
    return f"{textwrap.fill(name, LABEL_WIDTH)}\n{span}"


def case_tornado(result: CaseTornadoResult, top: int = 10) -> Figure:
    """Economic NPV (left) and cash NPV (right) at each input's low and high, the inputs
    that move the result's own outcome most first."""
    key = "cash_swing" if result.outcome == "cash" else "swing"
    rows = [r for r in result.inputs if np.isfinite(getattr(r, key))][:top]
    fig = Figure(figsize=(11.0, 0.38 * max(len(rows), 1) + 2.4), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    ys = np.arange(len(rows))[::-1]
    panels = (
        ("Economic NPV (all bed-days)", result.base_npv, "npv_at_low", "npv_at_high"),
        ("Cash NPV (cash released)", result.base_cash_npv, "cash_npv_at_low", "cash_npv_at_high"),
    )
    for ax, (title, base, low, high) in zip(axes, panels, strict=True):
        for y, r in zip(ys, rows, strict=True):
            ax.barh(y, getattr(r, low) - base, left=base, color=style.SKY, height=0.6)
            ax.barh(y, getattr(r, high) - base, left=base, color=style.BLUE, height=0.6)
        ax.axvline(base, color=style.BLACK, linewidth=1)
        ax.axvline(0, color=style.LOSS, linewidth=1.2, linestyle="--")
        # at most five ticks: a half-width panel held "-£600k-£500k-...-£100k £0" edge to edge
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
        ax.xaxis.set_major_formatter(_money(result.currency))
        ax.set_title(title)
        ax.set_xlabel(f"{result.price_year} prices, {result.horizon_years} years, discounted")
        ax.grid(axis="y", visible=False)
    # a long name wraps onto a second line: cut at 48 characters it lost its closing
    # bracket ("Bed-days saved per patient-year (the effect, 95% (13 to 32.5)")
    axes[0].set_yticks(
        ys,
        [_name_and_range(r.label, f"({r.low_value:.3g} to {r.high_value:.3g})") for r in rows],
    )
    from matplotlib.patches import Patch

    fig.legend(
        handles=[
            Patch(color=style.SKY, label="input at its low value"),
            Patch(color=style.BLUE, label="input at its high value"),
        ],
        loc="outside lower center",
        ncol=2,
    )
    fig.suptitle(f"{result.name}: inputs that move the net present value most")
    return fig
