"""A business case's effect from the evidence synthesis: the relative effect, drawn from
the synthesis's exact posterior, applied to the scenario's baseline.

For each relative source (:data:`peervalue.scenario.schema.RELATIVE_SOURCES`):

* ``predictive``: all studies on the relative scale, the effect in a new setting;
* ``posterior-mean``: the same synthesis, its mean effect ``mu``;
* ``randomised-only``: the randomised studies only, the effect in a new setting;
* ``bias-adjusted``: every non-randomised or high-risk study shifted by the default bias
  prior (:data:`peervalue.synthesis.priors.DEFAULT_BIAS_RELATIVE`), the effect in a new
  setting.

The priors are the synthesis's defaults on the relative scale (``peervalue synthesis``
prints the same figures). The point value is the median of the log ratio (so the point
ratio is the median ratio); the draws take one uniform and two normals per draw from
streams keyed by the seed alone, shared by every source: common random numbers
(:mod:`peervalue.synthesis.draws`). Bed-days saved per patient-year of support are
``(1 - exp(theta)) x D`` (:mod:`peervalue.scenario.baseline`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from peervalue.model.core import Array
from peervalue.scenario import baseline
from peervalue.synthesis.results import BayesSummary, EffectSize, Interval

if TYPE_CHECKING:
    from peervalue.evidence.schema import Study
    from peervalue.synthesis.bayes import Fit

OWNER: Final = "scenario"
#: the streams of the synthesis draws (shared by every relative source)
STREAMS: Final = ("scenario:effect:tau", "scenario:effect:mu", "scenario:effect:new")
LABELS: Final = {
    "predictive": "Bayesian predictive (a new service)",
    "posterior-mean": "Bayesian mean effect",
    "randomised-only": "randomised trials only (predictive)",
    "bias-adjusted": "bias-adjusted (predictive)",
    "pooled-weighted": "2013 method: weighted mean",
    "pooled-sums": "ratio of sums",
    "own": "the service's own estimate",
}


class NoRelativeEffect(ValueError):
    """No study (of those a source takes) gives a relative effect."""


@dataclass(frozen=True)
class Synthesised:
    """One synthesis behind a relative source."""

    summary: BayesSummary
    fit: Fit
    effects: list[EffectSize]


@dataclass(frozen=True)
class RelativeEffect:
    """A relative source's effect: the log ratio's point (median) and draws, and what they
    come from."""

    source: str
    point: float  #: median log ratio (of mu for ``posterior-mean``, else of a new setting)
    interval: Interval  #: its posterior (or predictive) summary
    drawn: Array  #: (n,) log ratios
    summary: BayesSummary

    @property
    def ratio(self) -> float:
        return float(np.exp(self.point))


def synthesis_for(source: str, studies: Sequence[Study]) -> Synthesised:
    """The synthesis a relative source takes, of ``studies`` on the relative scale."""
    from peervalue.synthesis.analysis import Options, summarise
    from peervalue.synthesis.effects import effect_sizes
    from peervalue.synthesis.priors import DEFAULT_BIAS_RELATIVE, DEFAULT_MU, DEFAULT_TAU

    effects, excluded, _ = effect_sizes(list(studies), "relative")
    if source == "randomised-only":
        effects = [e for e in effects if e.randomised]
    if not effects:
        why = "; ".join(f"{k}: {v}" for k, v in excluded.items()) or "no studies"
        which = "randomised study" if source == "randomised-only" else "study"
        raise NoRelativeEffect(
            f"no {which} gives a relative effect (a log ratio of bed-days or of readmission) "
            f"for source {source!r} ({why})"
        )
    opts = Options(
        scale="relative", tau_prior=DEFAULT_TAU["relative"], mu_prior=DEFAULT_MU["relative"]
    )
    shift = extra = None
    if source == "bias-adjusted":
        bias = DEFAULT_BIAS_RELATIVE
        shift = [bias.mean if e.at_risk_of_bias else 0.0 for e in effects]
        extra = [bias.sd**2 if e.at_risk_of_bias else 0.0 for e in effects]
    with np.errstate(all="ignore"):
        summary, fit = summarise(effects, opts, LABELS[source], shift=shift, extra_var=extra)
    return Synthesised(summary, fit, effects)


def common_numbers(seed: int, n: int) -> tuple[Array, Array, Array]:
    """The uniform and two standard normals of every draw, shared by every relative source."""
    from peervalue.uncertainty.distributions import parameter_stream

    u = parameter_stream(seed, STREAMS[0]).random(n)
    z_mu = parameter_stream(seed, STREAMS[1]).standard_normal(n)
    z_new = parameter_stream(seed, STREAMS[2]).standard_normal(n)
    return u, z_mu, z_new


def relative_effect(
    source: str, studies: Sequence[Study], numbers: tuple[Array, Array, Array]
) -> RelativeEffect:
    """The log ratio of ``source``: its median and its draws (one per common number)."""
    from peervalue.synthesis.draws import grid_draws

    s = synthesis_for(source, studies)
    mu, theta = grid_draws(s.fit, *numbers)
    if source == "posterior-mean":
        interval, drawn = s.summary.mu, mu
    else:
        interval, drawn = s.summary.predictive, theta
    return RelativeEffect(source, interval.median, interval, drawn, s.summary)


def baseline_of(values: Mapping[str, Array]) -> Array:
    """Bed-days per patient-year of support without peer support, per draw (or point)."""

    def v(path: str) -> Array:
        return np.asarray(values[f"{OWNER}:{path}"], dtype=np.float64)

    out: Array = baseline.baseline_bed_days(
        v(baseline.ADMISSIONS), v(baseline.LENGTH_OF_STAY), v(baseline.SUPPORT_MONTHS)
    )
    return out


def saved(log_ratio: Array | float, values: Mapping[str, Array]) -> Array:
    """Bed-days saved per patient-year of support: ``(1 - exp(theta)) x D``."""
    out: Array = baseline.bed_days_saved(np.exp(np.asarray(log_ratio)), baseline_of(values))
    return out
