"""Terminal tables (rich) for the evidence synthesis (``peervalue synthesis``)."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from peervalue.report.registry import renderer
from peervalue.report.table_analysis import titled_table
from peervalue.synthesis.results import BayesSummary, Interval, SynthesisResult


def _f(x: float | None, digits: int = 3) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{x:.{digits}f}" if abs(x) < 1000 else f"{x:,.0f}"


def _pct(p: float) -> str:
    return "n/a" if not math.isfinite(p) else f"{100 * p:.1f}%"


def _range(i: Interval, digits: int = 3) -> str:
    return f"{_f(i.low, digits)} to {_f(i.high, digits)}"


def _ratio(i: Interval) -> str:
    """The interval as ratios (``exp``), for the relative scale."""
    return f"{math.exp(i.median):.2f} ({math.exp(i.low):.2f} to {math.exp(i.high):.2f})"


def _summary_row(s: BayesSummary, relative: bool) -> list[str]:
    cells = [s.label, str(s.k), _f(s.mu.mean), _range(s.mu)]
    if relative:
        cells.append(_ratio(s.mu))
    cells += [_range(s.predictive), _f(s.tau.median), _pct(s.p_reduces), _pct(s.p_reduces_new)]
    return cells


def _summary_columns(relative: bool, level: float) -> list[str]:
    pct = f"{100 * level:g}%"
    cols = ["Analysis", "k", "Mean effect", f"{pct} interval"]
    if relative:
        cols.append("Ratio (median, interval)")
    cols += [f"New setting {pct}", "tau (median)", "P(reduces)", "P(reduces, new)"]
    return cols


@renderer(SynthesisResult, "table")
def synthesis_table(result: SynthesisResult, **_: Any) -> RenderableType:
    relative = result.scale == "relative"
    parts: list[RenderableType] = []
    studies = titled_table(
        f"Studies on the {result.scale} scale ({result.unit}; {result.direction})",
        ["Study", "Design", "Measure", "Effect", "SE", "SE from", "Shrunken (95%)"],
        {"Study", "Design", "Measure", "SE from"},
    )
    shrunk = {s.id: s.shrunken for s in result.shrunken}
    for e in result.effects:
        se_from: str = e.se_basis
        if e.se_basis == "imputed":
            se_from = f"imputed ({_f(e.se_low)} to {_f(e.se_high)})"
        effect = _f(e.effect)
        if e.ratio is not None:
            effect += f" (ratio {e.ratio:.2f})"
        sh = shrunk[e.id]
        studies.add_row(
            f"{e.citation}\n{e.id}",
            e.design + (", at risk of bias" if e.at_risk_of_bias else ""),
            e.measure,
            effect,
            _f(e.se),
            se_from,
            f"{_f(sh.median)} ({_range(sh)})",
        )
    parts.append(studies)
    if result.excluded:
        out = titled_table(
            "Studies that cannot enter this scale", ["Study", "Why"], {"Study", "Why"}
        )
        for sid, why in result.excluded.items():
            out.add_row(sid, why)
        parts.append(out)
    m = result.main
    lines = [
        f"Bayesian random-effects model (exact, integrated over tau): priors tau ~ "
        f"{m.tau_prior}, mean ~ {m.mu_prior}.",
        f"Mean effect {_f(m.mu.mean)} (median {_f(m.mu.median)}, {100 * result.level:g}% "
        f"interval {_range(m.mu)}); P(peer support reduces bed-days) {_pct(m.p_reduces)}.",
        f"New setting (predictive): median {_f(m.predictive.median)}, interval "
        f"{_range(m.predictive)}; P(reduces) {_pct(m.p_reduces_new)}.",
        f"Heterogeneity tau: median {_f(m.tau.median)} (interval {_range(m.tau)}).",
    ]
    if relative:
        lines.insert(
            2,
            f"As a ratio of bed-days (peer support over control): {_ratio(m.mu)}; "
            f"new setting {_ratio(m.predictive)}.",
        )
    h = result.heterogeneity
    if h is not None:
        lines.append(
            f"Frequentist check: Q = {_f(h.q, 2)} on {h.q_df} df (p = {_f(h.q_p_value)}), "
            f"I^2 = {_pct(h.i2)}, REML tau = {_f(h.tau_reml)}; fixed effect "
            f"{_f(h.fixed_effect)} (se {_f(h.fixed_effect_se)})."
        )
    if result.imputation.imputed_studies:
        spreads = "; ".join(
            f"{measure} {_f(mid)} ({_f(lo)} to {_f(hi)})"
            for measure, (mid, lo, hi) in result.imputation.unit_sd.items()
        )
        lines.append(
            f"Imputed SEs ({', '.join(result.imputation.imputed_studies)}): "
            f"{result.imputation.note}. Unit SDs: {spreads}."
        )
    parts.append(Text("\n".join(lines)))
    rows = titled_table(
        "The synthesis and its variants", _summary_columns(relative, result.level), {"Analysis"}
    )
    for row in [m, *result.variants]:
        rows.add_row(*_summary_row(row, relative))
    parts.append(rows)
    if result.bias_prior is not None:
        b = result.bias_prior
        parts.append(
            Text(
                f"Bias prior: N({b.mean:g}, {b.sd:g}^2), sd shown from {b.sd_range[0]:g} to "
                f"{b.sd_range[1]:g}. {b.source}"
            )
        )
    sens = titled_table(
        "Prior sensitivity (heterogeneity prior)",
        _summary_columns(relative, result.level),
        {"Analysis"},
    )
    for row in result.prior_sensitivity:
        sens.add_row(*_summary_row(row, relative))
    parts.append(sens)
    reg = titled_table(
        "Meta-regression",
        ["Covariate", "Term", "Meaning", "Mean", f"{100 * result.level:g}% interval", "P(< 0)"],
        {"Covariate", "Term", "Meaning"},
    )
    for r in result.meta_regression:
        if r.not_estimable:
            reg.add_row(r.covariate, "", f"not estimable: {r.not_estimable}", "", "", "")
        for t in r.terms:
            reg.add_row(
                r.covariate,
                t.covariate,
                t.meaning,
                _f(t.estimate.mean),
                _range(t.estimate),
                _pct(t.p_negative),
            )
    parts.append(reg)
    ss = result.small_study
    small: list[str] = [f"Warning: {w}" for w in ss.warnings]
    if ss.egger is not None:
        eg = ss.egger
        small.append(
            f"Egger's test: intercept {_f(eg.intercept)} (se {_f(eg.intercept_se)}), t = "
            f"{_f(eg.t, 2)} on {eg.df} df, p = {_f(eg.p_value)}."
        )
    else:
        small.append("Egger's test: needs at least 3 studies.")
    if ss.trim_fill is not None:
        tf = ss.trim_fill
        small.append(
            f"Trim-and-fill (L0, fixed effect): {tf.missing} studies estimated missing on the "
            f"{tf.side}; filled estimate {_f(tf.filled_estimate)} ({_f(tf.filled_ci_low)} to "
            f"{_f(tf.filled_ci_high)})."
        )
    parts.append(Text("Small-study checks\n" + "\n".join(small)))
    if ss.influence:
        infl = titled_table(
            "Leave-one-out and influence (Baujat)",
            [
                "Without",
                "Mean effect",
                f"{100 * result.level:g}% interval",
                "New setting",
                "P(reduces)",
                "Contribution to Q",
                "Influence",
            ],
            {"Without"},
        )
        for i in ss.influence:
            w = i.without
            infl.add_row(
                i.id,
                _f(w.mu.mean),
                _range(w.mu),
                _range(w.predictive),
                _pct(w.p_reduces),
                _f(i.baujat_q, 2),
                _f(i.baujat_influence, 2),
            )
        parts.append(infl)
    funnel = titled_table("Funnel plot data", ["Study", "Effect", "SE", "Imputed"], {"Study"})
    for p in ss.funnel:
        funnel.add_row(p.id, _f(p.effect), _f(p.se), "imputed" if p.imputed else "")
    parts.append(funnel)
    if result.notes:
        parts.append(Text("\n".join(f"Note: {n}" for n in result.notes)))
    parts.append(Text(f"Evidence: {result.evidence}"))
    return Group(*parts)
