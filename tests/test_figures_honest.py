"""Figures that cannot mislead (issue 21, item 2): pooled rows only where something is
pooled, markers sized by weight, no line or bar through a legend or a label (checked from
the drawn artists' boxes), money ticks that never repeat or turn scientific, the
histogram's tails counted, one wording for probabilities, and the two-way map's base case
explained where it is not a stated input."""

from __future__ import annotations

import itertools
import math
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import QuadMesh
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox

from peervalue.figures.catalogue import FIGURES, FigureInputs
from peervalue.figures.charts import FOREST_MARKER_MAX, style_context
from peervalue.figures.labels import money_labels, money_value, plain
from peervalue.report.words import percent
from peervalue.scenario.schema import template_file
from peervalue.service.figures import collect, draw
from peervalue.service.requests import PlotRequest

DRAWS = 2_000

#: every figure in the catalogue, drawn from the reference analysis or from a business case
EVIDENCE_FIGURES = tuple(n for n, f in FIGURES.items() if f.scope != "scenario")
CASE_FIGURES = tuple(n for n, f in FIGURES.items() if f.scope in ("scenario", "any"))
#: on all-2026 (eleven studies pooled, three synthesised); the bridge is only for the six
ALL_2026_FIGURES = tuple(n for n in EVIDENCE_FIGURES if n != "bridge")


@pytest.fixture(scope="module")
def evidence() -> FigureInputs:
    """The reference analysis (no business case): its two-way map has a caseload axis."""
    return collect(PlotRequest(figures=EVIDENCE_FIGURES, draws=DRAWS, seed=3))


@pytest.fixture(scope="module")
def case() -> FigureInputs:
    return collect(PlotRequest(figures=CASE_FIGURES, scenario=template_file(), draws=DRAWS, seed=3))


@pytest.fixture(scope="module")
def all_2026() -> FigureInputs:
    """The all-2026 set: eleven cumulative steps, rotated labels, three funnel points."""
    return collect(
        PlotRequest(figures=ALL_2026_FIGURES, evidence_set="all-2026", draws=DRAWS, seed=3)
    )


def test_the_overlap_checks_cover_every_figure_in_the_catalogue() -> None:
    assert set(EVIDENCE_FIGURES) | set(CASE_FIGURES) == set(FIGURES)
    for name in ("bridge", "case-tornado", "cumulative", "funnel", "evsi"):
        assert name in EVIDENCE_FIGURES + CASE_FIGURES


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]  # type: ignore[attr-defined]


# --- crossings, from the drawn artists' boxes ------------------------------------------


def crossings(fig: Figure) -> list[str]:
    """Every line, collection line or bar that runs through a legend or a text label inside
    an axes, found from the boxes of the drawn artists in display coordinates."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # type: ignore[no-untyped-call]
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    boxes: list[tuple[str, Bbox]] = [
        ("legend", lg.get_window_extent(renderer)) for lg in fig.legends
    ]
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is not None:
            boxes.append(("legend", legend.get_window_extent(renderer)))
        boxes += [
            (f"text {t.get_text()!r}", t.get_window_extent(renderer))
            for t in ax.texts
            if t.get_visible() and t.get_text().strip()
        ]
    found: list[str] = []
    for ax in fig.axes:
        for name, box in boxes:
            inside = Bbox.intersection(box, ax.bbox)  # marks are clipped to their axes
            if inside is None or inside.width <= 0 or inside.height <= 0:
                continue
            for mark in _marks(ax, renderer):
                kind, hit = mark(inside)
                if hit:
                    found.append(f"{kind} crosses {name}")
    return found


def _marks(ax: Any, renderer: Any) -> list[Any]:
    marks: list[Any] = []
    for line in ax.get_lines():
        path = line.get_transform().transform_path(line.get_path())
        drawn_line = line.get_linestyle() not in ("None", "", " ")

        def hit(box: Bbox, path: Any = path, drawn_line: bool = drawn_line) -> tuple[str, bool]:
            if drawn_line and path.intersects_bbox(box, filled=False):
                return "line", True
            return "marker", bool(box.count_contains(path.vertices))

        marks.append(hit)
    for coll in ax.collections:
        if isinstance(coll, QuadMesh):  # the heat map's background, not a mark
            continue
        paths = [coll.get_transform().transform_path(p) for p in coll.get_paths()]
        marks.append(
            lambda box, paths=paths: (
                "collection",
                any(p.intersects_bbox(box, filled=False) for p in paths if len(p.vertices)),
            )
        )
    for patch in ax.patches:
        if isinstance(patch, Rectangle):
            extent = patch.get_window_extent(renderer)
            marks.append(lambda box, extent=extent: ("bar", extent.overlaps(box)))
    return marks


def test_the_crossing_check_finds_a_line_through_a_legend() -> None:
    """The check itself can fail: a legend in the upper left with a line drawn through it."""
    with style_context():
        fig = Figure(figsize=(4, 3))
        ax = fig.add_subplot()
        ax.plot([0, 1], [1, 1], label="a line along the top")
        ax.plot([0, 1], [0, 1.2], label="a rising line")
        ax.set_ylim(0, 1.1)
        ax.legend(loc="upper left")
        assert any("line crosses legend" in c for c in crossings(fig))
        clean = Figure(figsize=(4, 3))
        ax = clean.add_subplot()
        ax.plot([0, 1], [0, 0.2])
        ax.text(0.9, 1.0, "far away", ha="right", va="top")
        ax.set_ylim(0, 1.1)
        assert crossings(clean) == []


@pytest.mark.parametrize("name", EVIDENCE_FIGURES)
def test_nothing_crosses_a_legend_or_a_label(evidence: FigureInputs, name: str) -> None:
    assert crossings(draw(name, evidence)) == []


@pytest.mark.parametrize("name", ALL_2026_FIGURES)
def test_nothing_crosses_a_legend_or_a_label_on_all_2026(all_2026: FigureInputs, name: str) -> None:
    """The funnel's labels sat on its dashed edge and the mean's line ('sledge2011',
    'core2018'); the EVSI's legend and 'best' label sat on its band."""
    fig = draw(name, all_2026)
    assert crossings(fig) == []
    assert overlapping_texts(fig) == []


@pytest.mark.parametrize("name", CASE_FIGURES)
def test_nothing_crosses_a_legend_or_a_label_in_a_business_case(
    case: FigureInputs, name: str
) -> None:
    assert crossings(draw(name, case)) == []


# --- the forest plot ----------------------------------------------------------------------


def test_forest_pools_only_where_two_studies_or_more_are_pooled(evidence: FigureInputs) -> None:
    a, meta = evidence.analysis, evidence.meta
    assert a is not None and meta is not None
    fig = draw("forest", evidence)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    pooled = [label for label in labels if label.startswith("Pooled")]
    # the bundled six: only Sledge 2011 reports a standard error, so every meta-analysis
    # row pools one study and none is drawn; the two pooled ratios pool all six
    meta_rows = [r for r in meta.pooling_comparison.rows if r.method.startswith("meta")]
    assert meta_rows and all(r.studies == 1 for r in meta_rows)
    assert pooled == [
        "Pooled: weighted mean of ratios (k = 6)",
        "Pooled: ratio of sums (k = 6)",
    ]
    assert any(
        "Not drawn: 4 meta-analysis rows that pool fewer than 2 studies" in t for t in _texts(fig)
    )
    for label in pooled:
        k = int(re.search(r"\(k = (\d+)\)", label).group(1))  # type: ignore[union-attr]
        assert k >= 2


def test_forest_markers_and_weight_column_follow_the_weights(evidence: FigureInputs) -> None:
    a = evidence.analysis
    assert a is not None
    fig = draw("forest", evidence)
    ax = fig.axes[0]
    # weights by hand: each study's patients over all patients (the weighted mean's weights)
    total = sum(s.pooling_weight for s in a.studies)
    shares = [s.pooling_weight / total for s in a.studies]
    assert sum(shares) == pytest.approx(1.0)
    column = [t.get_text() for t in ax.texts if t.get_text().endswith("%")]
    assert column == [f"{100 * w:.1f}%" for w in shares]
    assert any(t.get_text().startswith("weight") for t in ax.texts)
    squares = [ln for ln in ax.get_lines() if ln.get_marker() == "s"]
    sizes = [ln.get_markersize() for ln in squares]
    largest = max(shares)
    # area (side squared) in proportion to weight, above the smallest drawable side
    for size, w in zip(sizes, shares, strict=True):
        expected = FOREST_MARKER_MAX * math.sqrt(w / largest)
        assert size == pytest.approx(max(2.5, expected))
    biggest = sizes[shares.index(largest)]
    assert biggest == pytest.approx(FOREST_MARKER_MAX) and biggest == max(sizes)


# --- money ticks and plain numbers ----------------------------------------------------------


def test_money_ticks_of_the_evppi_defect_read_differently() -> None:
    # the EVPPI axis read "£0 £0 £1 £2 £2 £2 £3 £4" for ticks 0, 0.5, ..., 3.5
    ticks = [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5]
    assert money_labels(ticks) == ["£0", "£0.5", "£1.0", "£1.5", "£2.0", "£2.5", "£3.0", "£3.5"]
    assert money_labels([-200_000, 0, 200_000]) == ["-£200k", "£0", "£200k"]
    assert money_labels([0, 500_000, 1_000_000, 1_500_000]) == ["£0", "£0.5m", "£1.0m", "£1.5m"]
    assert money_value(1440.4) == "£1,440" and money_value(0.44) == "£0.44"
    assert plain(1440.2) == "1,440" and plain(0.01234) == "0.0123" and plain(17.16) == "17.2"
    assert plain(1.0) == "1" and plain(0.5) == "0.5" and plain(-3.14159) == "-3.14"


@given(
    mantissa=st.sampled_from([1.0, 2.0, 2.5, 5.0]),
    power=st.integers(min_value=-2, max_value=7),
    start=st.integers(min_value=-20, max_value=20),
    n=st.integers(min_value=2, max_value=12),
)
def test_money_ticks_never_repeat_or_turn_scientific(
    mantissa: float, power: int, start: int, n: int
) -> None:
    step = mantissa * 10.0**power
    ticks = [(start + i) * step for i in range(n)]
    labels = money_labels(ticks)
    assert len(set(labels)) == n, labels
    assert not any(re.search(r"\de[+-]?\d", label) for label in labels), labels
    # and each reads its own value: the payback axis's 250k steps read "£0.2m £0.5m £0.8m"
    for tick, label in zip(ticks, labels, strict=True):
        assert _read_money(label) == pytest.approx(tick, rel=1e-9, abs=1e-9), (tick, label)


def _read_money(label: str) -> float:
    """A money label back to its value: "-£0.25m" -> -250,000."""
    found = re.fullmatch(r"(-?)£([0-9,]*\.?[0-9]*)([km]?)", label)
    assert found, label
    scale = {"": 1.0, "k": 1e3, "m": 1e6}[found.group(3)]
    return (-1 if found.group(1) else 1) * float(found.group(2).replace(",", "")) * scale


def test_quarter_million_steps_are_labelled_exactly() -> None:
    ticks = [0.0, 250_000.0, 500_000.0, 750_000.0, 1_000_000.0]
    assert money_labels(ticks) == ["£0", "£0.25m", "£0.50m", "£0.75m", "£1.00m"]


def test_drawn_money_axes_have_distinct_ticks(evidence: FigureInputs, case: FigureInputs) -> None:
    for fig in (draw("evppi", evidence), draw("payback", case), draw("two-way", evidence)):
        canvas = FigureCanvasAgg(fig)
        canvas.draw()  # type: ignore[no-untyped-call]
        for ax in fig.axes:
            for axis in (ax.xaxis, ax.yaxis):
                labels = [t.get_text() for t in axis.get_ticklabels() if t.get_text()]
                if any("£" in label for label in labels):
                    assert len(set(labels)) == len(labels), labels


def test_evppi_worth_nothing_is_drawn_as_nothing(evidence: FigureInputs) -> None:
    """The business case on two local studies, every draw above break-even: EVPI £0 and one
    group's regression residue £0.0000003 per FTE-year. Its bar filled the axis, whose ticks
    all read "£0", and its label said "£0.00" beside the others' "£0"."""
    from peervalue.figures.charts import evppi

    assert evidence.evppi is not None and len(evidence.evppi.groups) >= 2
    groups = [g.model_copy(update={"evppi_per_fte_year": 0.0}) for g in evidence.evppi.groups]
    groups[0] = groups[0].model_copy(update={"evppi_per_fte_year": 3e-7})
    result = evidence.evppi.model_copy(update={"evpi_per_fte_year": 0.0, "groups": groups})
    with style_context():
        fig = evppi(result)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # type: ignore[no-untyped-call]
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.xaxis.get_ticklabels() if t.get_text()]
    assert len(ticks) >= 2 and len(set(ticks)) == len(ticks), ticks
    left, right = ax.get_xlim()
    assert right - left >= 1.0  # at least £1 across, so £0.0000003 is a hairline
    assert {t.get_text() for t in ax.texts} == {"£0"}
    assert money_value(3e-7) == money_value(-1e-4) == money_value(0.0) == "£0"
    assert money_value(0.006) == "£0.01"


def crowded_ticks(fig: Figure, gap: float = 3.0) -> list[str]:
    """Neighbouring tick labels on one axis with less than ``gap`` pixels between them
    (their own, rotated, boxes grown by half the gap each)."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # type: ignore[no-untyped-call]
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    found = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            labels = [
                t.label1
                for t in axis._update_ticks()  # type: ignore[union-attr]
                if t.label1.get_visible() and t.label1.get_text().strip()
            ]
            shapes = [_text_corners(t, renderer, pad=gap / 2) for t in labels]
            for (a, sa), (b, sb) in itertools.pairwise(zip(labels, shapes, strict=True)):
                if _convex_overlap(sa, sb) > 0:
                    found.append(f"{a.get_text()!r} crowds {b.get_text()!r}")
    return found


def test_case_tornado_names_are_whole_and_its_ticks_apart(case: FigureInputs) -> None:
    """The business case on two local studies: an input's name cut at 48 characters lost
    its bracket, and the cash panel's ticks ran "-£600k-£500k-...-£100k £0" edge to edge."""
    from peervalue.figures.case_charts import case_tornado

    t = case.case_tornado
    assert t is not None and len(t.inputs) >= 3
    long = "Bed-days saved per patient-year (the effect, 95% interval)"  # 58 characters
    rows = [
        r.model_copy(
            update={
                # the other names as long as a line holds (the own studies' field names)
                "label": long if i == 0 else f"study{i}:outcome.intervention_admissions_x",
                "cash_npv_at_low": -576_269.0 + 1_000 * i,  # the own case's widest swing
                "cash_npv_at_high": 56_551.0 - 1_000 * i,
                "cash_swing": 632_820.0 - 2_000 * i,
            }
        )
        for i, r in enumerate(t.inputs)
    ]
    result = t.model_copy(update={"inputs": rows, "base_cash_npv": -315_696.0})
    with style_context():
        fig = case_tornado(result)
    drawn = [label.get_text() for label in fig.axes[0].get_yticklabels()]
    # the range is whole on one line ("(0.25 to" and "1)" were on two)
    assert all(re.search(r"\([^()\n]* to [^()\n]*\)$", t) for t in drawn), drawn
    names = [t.replace("\n", " ") for t in drawn]
    first = next(n for n in names if n.startswith("Bed-days saved"))
    assert first.startswith(long + " (")
    assert all(n.count("(") == n.count(")") for n in names), names
    assert crowded_ticks(fig) == []


def test_no_caption_or_label_is_in_scientific_notation(
    evidence: FigureInputs, case: FigureInputs
) -> None:
    for inputs in (evidence, case):
        for name, spec in FIGURES.items():
            if not all(getattr(inputs, need, None) is not None for need in spec.needs):
                continue
            if name == "leave-one-out" and not inputs.analysis.influence:  # type: ignore[union-attr]
                continue
            alt = spec.alt(inputs)
            assert not re.search(r"\d\.?\d*e[+-]\d", alt), (name, alt)
    # the two-way caption gave "1.44e+03" for a bed-day cost axis that reaches £1,440
    t = evidence.two_way
    assert t is not None
    alt = FIGURES["two-way"].alt(evidence)
    assert plain(t.y_values[-1]) in alt and "," in plain(max(t.y_values[-1], 1000.0))


# --- the histogram's tails and the wording of probabilities ---------------------------------


def test_histogram_counts_the_draws_beyond_its_range(evidence: FigureInputs) -> None:
    psa = evidence.psa
    assert psa is not None and psa.kept_draws is not None
    fig = draw("ratio-distribution", evidence)
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    draws = np.asarray(psa.kept_draws.pooled_ratio["weighted"], dtype=float)
    draws = draws[np.isfinite(draws)]
    low = bars[0].get_x()
    high = bars[-1].get_x() + bars[-1].get_width()
    below, above = int(np.sum(draws < low - 1e-12)), int(np.sum(draws > high + 1e-12))
    assert below + above > 0  # 0.1% of 2,000 draws lie beyond each end
    # the bars hold only the draws inside their range: nothing piled into the end bars
    inside = draws[(draws >= low - 1e-12) & (draws <= high + 1e-12)]
    heights = [b.get_height() for b in bars]
    assert sum(heights) == pytest.approx(inside.size / draws.size)
    first = np.sum((inside >= low - 1e-12) & (inside < bars[0].get_x() + bars[0].get_width()))
    assert heights[0] == pytest.approx(first / draws.size)
    assert f"{below:,} draw" in ax.get_xlabel() and f"{above:,} draw" in ax.get_xlabel()
    assert f"below {low:.2f}" in ax.get_xlabel() and f"above {high:.2f}" in ax.get_xlabel()


def test_probabilities_are_worded_as_in_the_reports(evidence: FigureInputs) -> None:
    psa, a = evidence.psa, evidence.analysis
    assert psa is not None and a is not None
    p = psa.pooled["weighted"].prob_ratio_above_one
    texts = _texts(draw("ratio-distribution", evidence))
    assert f"ratio above 1 in {percent(p)} of draws" in texts
    assert not any(re.search(r"\d+\.\d%", t) for t in texts if "of draws" in t)
    assert f"{percent(p)} of draws lie above 1" in FIGURES["ratio-distribution"].alt(evidence)
    loo = [t for t in _texts(draw("leave-one-out", evidence)) if t.startswith("P(net")]
    groups = next(g for g in a.influence if g.kind == "leave-one-out")
    expected = [groups.all_studies, *groups.groups]
    assert loo == [f"P(net benefit > 0) {percent(g.prob_net_benefit_positive)}" for g in expected]


def test_percent_never_rounds_to_certainty() -> None:
    assert percent(0.9996) == "over 99%" and percent(0.0004) == "under 1%"
    assert percent(0.953) == "95%" and percent(1.0) == "100%"


# --- the two-way map's base case ----------------------------------------------------------


def _star(fig: Figure) -> Line2D:
    return next(ln for ln in fig.axes[0].get_lines() if ln.get_marker() == "*")


def test_the_business_case_base_sits_at_its_stated_caseload(case: FigureInputs) -> None:
    t = case.two_way
    assert t is not None
    star = _star(draw("two-way", case))
    # the template states caseload = 15 (data/scenarios/template.toml)
    assert t.x == "caseload" and t.x_base == 15.0
    assert np.asarray(star.get_xdata(), dtype=float)[0] == 15.0
    assert star.get_label() == "base case"


def test_the_reference_base_explains_its_implied_caseload(evidence: FigureInputs) -> None:
    t, a = evidence.two_way, evidence.analysis
    assert t is not None and a is not None
    assert t.x == "caseload" and t.x_base != 15.0  # implied by the studies' staffing
    star = _star(draw("two-way", evidence))
    label = str(star.get_label())
    assert f"{t.x_base:.1f} patients per FTE" in label and "staffing implies" in label
    # and it is the base case: at the star, the map gives the analysis's own net benefit,
    # net = ratio x c_psw - c_psw (the weighted mean of ratios at the point values)
    # (caseload x effect x bed-day cost - c_psw is bilinear, so interpolating is exact)
    z = np.asarray(t.net_benefit)
    column = [float(np.interp(t.y_base, t.y_values, row)) for row in z]
    at_base = float(np.interp(t.x_base, t.x_values, column))
    c_psw = a.costs.cost_per_fte_year
    assert at_base == pytest.approx((a.pooled.weighted_mean_ratio - 1) * c_psw, rel=1e-6)


def overlapping_texts(fig: Figure) -> list[str]:
    """Pairs of texts (titles, labels, tick labels, annotations, legend entries) whose drawn
    boxes overlap."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # type: ignore[no-untyped-call]
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    from matplotlib.text import Text

    candidates: list[Text] = [*fig.texts]
    for lg in fig.legends:
        candidates += lg.get_texts()
    for ax in fig.axes:
        candidates += [ax.title, ax._left_title, ax._right_title]  # type: ignore[attr-defined]
        candidates += [ax.xaxis.label, ax.yaxis.label, *ax.texts]
        for axis in (ax.xaxis, ax.yaxis):  # the ticks drawn: those in view
            for tick in axis._update_ticks():  # type: ignore[union-attr]
                candidates += [tick.label1, tick.label2]
        if ax.get_legend() is not None:
            candidates += ax.get_legend().get_texts()  # type: ignore[union-attr]
    texts = [t for t in candidates if t.get_visible() and t.get_text().strip()]
    shapes = [(t.get_text(), _text_corners(t, renderer)) for t in texts]
    found = []
    for i, (a, corners_a) in enumerate(shapes):
        for b, corners_b in shapes[i + 1 :]:
            if _convex_overlap(corners_a, corners_b) > 1.0:
                found.append(f"{a!r} overlaps {b!r}")
    return found


def _text_corners(text: Any, renderer: Any, pad: float = 0.0) -> np.ndarray:
    """The four corners, in display pixels, of a text's own (rotated) box: a rotated tick
    label's upright bounding box holds empty corners that its neighbours' letters reach
    into without touching it. The box turns about its centre, which is also the centre of
    the upright box matplotlib reports."""
    box = text.get_window_extent(renderer)
    angle = math.radians(text.get_rotation())
    upright = text.get_rotation()
    text.set_rotation(0)
    flat = text.get_window_extent(renderer)
    text.set_rotation(upright)
    w, h = flat.width / 2 + pad, flat.height / 2 + pad
    c, s = math.cos(angle), math.sin(angle)
    centre = np.array([(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2])
    local = np.array([[-w, -h], [w, -h], [w, h], [-w, h]])
    corners: np.ndarray = centre + local @ np.array([[c, s], [-s, c]])
    return corners


def _convex_overlap(a: np.ndarray, b: np.ndarray) -> float:
    """How deep two convex polygons overlap, in pixels: the least overlap of their
    projections on every edge normal of either (separating axes); 0 when they are apart."""
    depth = math.inf
    for poly in (a, b):
        for i in range(len(poly)):
            edge = poly[(i + 1) % len(poly)] - poly[i]
            norm = math.hypot(*edge)
            if norm == 0:
                continue
            axis = np.array([-edge[1], edge[0]]) / norm
            pa, pb = a @ axis, b @ axis
            depth = min(depth, min(pa.max(), pb.max()) - max(pa.min(), pb.min()))
            if depth <= 0:
                return 0.0
    return depth


def test_the_overlap_check_follows_rotated_labels() -> None:
    """Two labels turned 45 degrees side by side: their upright boxes overlap, their letters
    do not; the same two labels drawn one over the other do overlap."""
    square = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]])
    assert _convex_overlap(square, square + 5) == pytest.approx(5.0)
    assert _convex_overlap(square, square + np.array([11.0, 0.0])) == 0.0
    with style_context():
        fig = Figure(figsize=(4, 3))
        ax = fig.add_subplot()
        ax.set_xticks([0, 1, 2], ["+ a long label one", "+ a long label two", "+ three"])
        ax.tick_params(axis="x", labelrotation=45)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
        assert overlapping_texts(fig) == []
        ax.set_xticks([0, 0.02], ["+ a long label one", "+ a long label two"])
        assert overlapping_texts(fig) != []


@pytest.mark.parametrize("name", EVIDENCE_FIGURES)
def test_no_text_overlaps_another(evidence: FigureInputs, name: str) -> None:
    assert overlapping_texts(draw(name, evidence)) == []


@pytest.mark.parametrize("name", CASE_FIGURES)
def test_no_text_overlaps_another_in_a_business_case(case: FigureInputs, name: str) -> None:
    assert overlapping_texts(draw(name, case)) == []


def test_tornado_names_inputs_in_words_with_units(evidence: FigureInputs) -> None:
    """The tornado's bars read 'min2007: length of peer support, 6 to 12 months', not the
    field id in model units ('min2007:peer_input.support_duration (0.5 to 1)')."""
    from peervalue.figures.input_names import input_label

    # 0.25 years x 12 = 3 months, 1 year x 12 = 12 months
    assert input_label("ward2024:peer_input.support_duration", 0.25, 1.0) == (
        "ward2024: length of peer support, 3 to 12 months"
    )
    # proportions as percentages: 0.72 x 100 = 72
    assert input_label("costs:peer_worker.components.overheads", 0.72, 0.99) == (
        "costs: overheads as a share of salary, 72% to 99%"
    )
    assert input_label("costs:bed_day", 318.0, 351.0) == "costs: cost per bed-day, £318 to £351"
    fig = draw("tornado", evidence)
    labels = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    assert labels and not [x for x in labels if "peer_input." in x or "outcome." in x]
    assert any("months" in x for x in labels)
    alt = FIGURES["tornado"].alt(evidence)
    assert "peer_input." not in alt and "outcome." not in alt
