"""Structural uncertainty of a business case: its answer under each choice of effect, side
by side (``ScenarioResult.structural``).

The same evidence gives different answers depending on how its effect is taken: the 2013
weighted mean of bed-days saved, the ratio of sums, or the evidence synthesis's relative
effect (a new service's predictive effect, the mean effect, randomised trials only, or
adjusted for bias) applied to the baseline. Each row is the whole business case run with
that choice; every other input takes the same draws in every row (common random numbers:
each parameter's stream is keyed by its name and the seed, and the synthesis's draws share
one uniform and two normals), so the rows differ only by the choice.

:func:`structural_row` is pure: discounted benefit and cost totals in (the point values and
the draws), one row out. Light: numpy is imported by the function, not the module.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar, Final

from peervalue.results import ResultModel

if TYPE_CHECKING:
    from peervalue.model.core import Array

#: the effect choices of the panel, in the order shown
CHOICES: Final = (
    "pooled-weighted",
    "pooled-sums",
    "predictive",
    "posterior-mean",
    "randomised-only",
    "bias-adjusted",
)
#: the default choice and why
DEFAULT_CHOICE: Final = "predictive"
WHY_DEFAULT: Final = (
    "The default is the Bayesian predictive effect: a business case decides about a new "
    "service, whose effect differs from the studies' average by the heterogeneity between "
    "settings (Higgins, Thompson & Spiegelhalter 2009), and a relative effect applied to "
    "local admissions and length of stay transfers between countries where bed-days saved do "
    "not (NICE DSU Technical Support Documents 2 and 5)."
)


class StructuralRow(ResultModel):
    """The business case under one effect choice (money at the scenario's prices)."""

    source: str  #: the choice's name, as ``evidence.source`` takes it
    label: str
    #: bed-days saved per patient-year of support at the point values (before transferability)
    bed_days_saved_per_patient_year: float
    #: for a relative choice: the ratio (peer support over usual care) at its median
    ratio: float | None = None
    net_present_value: float  #: at the point values
    net_present_value_mean: float  #: Monte Carlo mean
    net_present_value_p2_5: float
    net_present_value_p97_5: float
    benefit_cost_ratio: float  #: discounted benefit / discounted cost, at the point values
    prob_net_present_value_positive: float
    is_default: bool = False
    is_scenario: bool = False  #: the choice the scenario's own answer uses
    #: why the row could not be computed (its figures are then missing)
    note: str | None = None
    omit_when_none: ClassVar[frozenset[str]] = frozenset({"ratio", "note"})


class StructuralPanel(ResultModel):
    """Every effect choice's answer, side by side, with the default named and why."""

    evidence: str  #: the studies every row takes
    default: str
    why_default: str
    scenario_source: str
    draws: int
    seed: int
    rows: list[StructuralRow]
    note: str = (
        "Each row runs the whole business case with that effect; every other input takes the "
        "same draws in every row (common random numbers)."
    )

    def row(self, source: str) -> StructuralRow:
        return next(r for r in self.rows if r.source == source)

    def table_rows(self) -> list[dict[str, Any]]:
        return [r.model_dump() for r in self.rows]


def structural_row(
    source: str,
    label: str,
    effect: float,
    point_benefit: float,
    point_cost: float,
    drawn_benefit: Array,
    drawn_cost: Array,
    ratio: float | None = None,
    scenario_source: str = DEFAULT_CHOICE,
) -> StructuralRow:
    """One row from discounted totals: NPV = benefit - cost and benefit:cost = benefit /
    cost at the point values; the Monte Carlo mean, 2.5th and 97.5th percentiles of the
    NPV draws (linear interpolation) and the share of draws with NPV above 0."""
    import numpy as np

    from peervalue.uncertainty.summary import percentiles

    npv = np.asarray(drawn_benefit, dtype=np.float64) - np.asarray(drawn_cost, dtype=np.float64)
    low, _, high = percentiles(npv)
    return StructuralRow(
        source=source,
        label=label,
        bed_days_saved_per_patient_year=effect,
        ratio=ratio,
        net_present_value=point_benefit - point_cost,
        net_present_value_mean=float(np.mean(npv)),
        net_present_value_p2_5=low,
        net_present_value_p97_5=high,
        benefit_cost_ratio=point_benefit / point_cost if point_cost > 0 else math.nan,
        prob_net_present_value_positive=float(np.mean(npv > 0)),
        is_default=source == DEFAULT_CHOICE,
        is_scenario=source == scenario_source,
    )


def missing_row(source: str, label: str, why: str, scenario_source: str) -> StructuralRow:
    """A choice the evidence cannot give (no randomised study, no bed-days to pool ...)."""
    nan = math.nan
    return StructuralRow(
        source=source,
        label=label,
        bed_days_saved_per_patient_year=nan,
        net_present_value=nan,
        net_present_value_mean=nan,
        net_present_value_p2_5=nan,
        net_present_value_p97_5=nan,
        benefit_cost_ratio=nan,
        prob_net_present_value_positive=nan,
        is_default=source == DEFAULT_CHOICE,
        is_scenario=source == scenario_source,
        note=why,
    )
