"""Figures: each one checked for its data (not only that it draws), the catalogue, the
image files, and ``peervalue plot``."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from peervalue.figures.catalogue import FIGURES, FigureInputs
from peervalue.figures.charts import labels_of, payback_interval
from peervalue.report.words import percent
from peervalue.scenario.schema import template_file
from peervalue.service.figures import collect, draw, figure_bytes
from peervalue.service.requests import PlotRequest
from tests.cli_helpers import run_cli

TEMPLATE = template_file()
DRAWS = 2_000


@pytest.fixture(scope="module")
def inputs() -> FigureInputs:
    return collect(PlotRequest(figures=tuple(FIGURES), scenario=TEMPLATE, draws=DRAWS, seed=3))


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]  # type: ignore[attr-defined]


def test_every_figure_draws_with_a_title_and_labelled_axes(inputs: FigureInputs) -> None:
    for name, spec in FIGURES.items():
        fig = draw(name, inputs)
        ax = fig.axes[0]
        assert ax.get_title(loc="left"), name
        fig.canvas.draw()  # tick labels get their text when drawn
        ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        assert ax.get_xlabel() or ticks, name
        assert ax.get_ylabel() or [t for t in ax.get_yticklabels() if t.get_text()], name
        assert len(spec.alt(inputs)) > 40, name


def test_forest_has_one_row_per_study_then_the_pooled_rows(inputs: FigureInputs) -> None:
    assert inputs.analysis is not None and inputs.psa is not None and inputs.meta is not None
    fig = draw("forest", inputs)
    labels = labels_of(fig)
    studies = [s.citation for s in inputs.analysis.studies]
    meta_rows = [
        r
        for r in inputs.meta.pooling_comparison.rows
        if r.method.startswith("meta") and r.studies >= 2  # one study is not a pooled row
    ]
    assert labels[: len(studies)] == studies
    assert len(labels) == len(studies) + 2 + len(meta_rows)
    assert labels[len(studies)] == f"Pooled: weighted mean of ratios (k = {len(studies)})"
    # each study's marker sits at its deterministic ratio, on its row (rows run top down)
    points = [
        (line.get_xdata()[0], line.get_ydata()[0])  # type: ignore[index]
        for line in fig.axes[0].get_lines()
        if line.get_marker() == "s"
    ]
    n = len(labels)
    for i, s in enumerate(inputs.analysis.studies):
        x, y = points[i]
        assert x == pytest.approx(s.ratio)
        assert y == n - 1 - i
    # the reference lines: a ratio of 1 and the published 4.8
    verticals = {
        line.get_xdata()[0]  # type: ignore[index]
        for line in fig.axes[0].get_lines()
        if len(line.get_xdata()) == 2 and line.get_linestyle() in {"--", ":"}  # type: ignore[arg-type]
    }
    assert {1.0, 4.8} <= verticals


def test_tornado_bars_run_from_the_base_to_each_end(inputs: FigureInputs) -> None:
    s = inputs.sensitivity
    assert s is not None
    fig = draw("tornado", inputs)
    bars = [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]
    top = s.inputs[0]
    ends = sorted(b.get_x() + b.get_width() for b in bars[:2])
    assert ends == pytest.approx(sorted([top.net_benefit_at_low, top.net_benefit_at_high]))
    assert all(b.get_x() == pytest.approx(s.base_net_benefit_per_fte_year) for b in bars)
    # the widest bar's label names its study (or costs) and then the input in words
    assert labels_of(fig)[0].startswith(top.parameter.split(":")[0] + ": ")


def test_distribution_states_the_share_above_one(inputs: FigureInputs) -> None:
    psa = inputs.psa
    assert psa is not None and psa.kept_draws is not None
    fig = draw("ratio-distribution", inputs)
    share = psa.pooled["weighted"].prob_ratio_above_one
    assert f"ratio above 1 in {percent(share)} of draws" in _texts(fig)
    # the bars are shares of all the draws: with the draws beyond the range (counted in
    # the axis label, tests/test_figures_honest.py) they add up to 1
    heights = [p.get_height() for p in fig.axes[0].patches if isinstance(p, Rectangle)]
    assert 0.99 <= sum(heights) <= 1.0
    draws = np.asarray(psa.kept_draws.pooled_ratio["weighted"])
    assert share == pytest.approx(float(np.mean(draws > 1)), abs=1 / DRAWS)


def test_payback_curve_crosses_zero_in_the_payback_year(inputs: FigureInputs) -> None:
    sc = inputs.scenario
    assert sc is not None
    fig = draw("payback", inputs)
    line = next(ln for ln in fig.axes[0].get_lines() if ln.get_marker() == "o")
    years = np.asarray(line.get_xdata(), dtype=float)
    cumulative = np.asarray(line.get_ydata(), dtype=float)
    assert cumulative == pytest.approx([y.cumulative_discounted_net_benefit for y in sc.years])
    first = years[np.argmax(cumulative >= 0)]
    assert first == sc.totals.payback_year
    assert any(f"pays back in year {first:.0f}" in t for t in _texts(fig))


def test_bridge_steps_add_up_to_the_published_ratio(inputs: FigureInputs) -> None:
    r = inputs.reconcile
    assert r is not None
    fig = draw("bridge", inputs)
    bars = [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]
    assert len(bars) == len(r.steps) + 3
    assert bars[0].get_height() == pytest.approx(r.start_ratio)
    tops = [b.get_y() + b.get_height() for b in bars[1:-1]]
    assert tops[-1] == pytest.approx(r.published_ratio)
    assert tops[:-1] == pytest.approx([s.ratio_after for s in r.steps])
    assert bars[-1].get_height() == pytest.approx(r.published_ratio)


def test_evppi_bars_are_the_evpi_then_each_group(inputs: FigureInputs) -> None:
    e = inputs.evppi
    assert e is not None
    fig = draw("evppi", inputs)
    widths = [p.get_width() for p in fig.axes[0].patches if isinstance(p, Rectangle)]
    assert widths == pytest.approx([e.evpi_per_fte_year, *[g.evppi_per_fte_year for g in e.groups]])


def test_two_way_marks_break_even(inputs: FigureInputs) -> None:
    t = inputs.two_way
    assert t is not None
    fig = draw("two-way", inputs)
    z = np.asarray(t.net_benefit)
    assert z.min() < 0 < z.max()  # the template's grid spans break-even
    assert (
        any(isinstance(c, LineCollection) for c in fig.axes[0].collections)
        or fig.axes[0].collections
    )


def test_leave_one_out_has_all_studies_then_one_row_each(inputs: FigureInputs) -> None:
    assert inputs.analysis is not None
    fig = draw("leave-one-out", inputs)
    names = [s.id for s in inputs.analysis.studies]
    assert labels_of(fig) == ["all studies", *[f"without {n}" for n in names]]


def test_payback_interval_from_cumulative_shares() -> None:
    assert payback_interval({"1": 0.01, "2": 0.5, "3": 0.98, "4": 0.99}) == (2.0, 3.0)
    lo, hi = payback_interval({"1": 0.5, "2": 0.9})
    assert lo == 1.0 and math.isnan(hi)


def test_svg_is_valid_repeatable_and_titled(inputs: FigureInputs) -> None:
    one = figure_bytes("bridge", inputs, "svg")
    assert one == figure_bytes("bridge", inputs, "svg")
    root = ET.fromstring(one)
    ns = {"svg": "http://www.w3.org/2000/svg", "dc": "http://purl.org/dc/elements/1.1/"}
    assert "Bridge" in "".join(root.itertext())
    assert root.find(".//dc:description", ns) is not None
    png = figure_bytes("bridge", inputs, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_command_writes_refuses_and_lists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = run_cli(capsys, "plot", "--list")
    assert listing.code == 0
    assert [line.split()[0] for line in listing.out.splitlines()] == list(FIGURES)
    out = tmp_path / "b.svg"
    assert run_cli(capsys, "plot", "bridge", "--out", str(out)).code == 0
    first = out.read_bytes()
    assert first.startswith(b"<?xml")
    again = run_cli(capsys, "plot", "bridge", "--out", str(out))
    assert again.code == 2 and "already exists" in again.err and "--force" in again.err
    assert out.read_bytes() == first
    forced = run_cli(capsys, "plot", "acceptability", "--out", str(out), "-n", "500", "--force")
    assert forced.code == 0 and out.read_bytes() != first
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left
