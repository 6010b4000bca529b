"""The business case year by year, as pure functions over numpy arrays.

Every input is an array of shape ``(draws, 1)`` (one value per Monte Carlo draw;
``draws`` is 1 for the deterministic case) except the funded posts, shape
``(years,)``; outputs have shape ``(draws, years)``. For year ``t`` (1 to H):

* filled posts ``f_t = F_t x (1 - vacancy)``; patient-years of support
  ``p_t = f_t x caseload`` (a full-time worker supports ``caseload`` people at a
  time, all year);
* bed-days saved ``b_t = p_t x e x transferability`` (``e``: bed-days saved per
  patient-year of support);
* gross benefit ``(b_t x c_bed + sum_j p_t x r_j x c_j) x (1 - optimism)``, of
  which ``cash share`` is cash-releasing and the rest capacity;
* costs: filled posts x cost per FTE-year, and the scenario's cost lines, each by
  when it is spent (its :class:`CostLine` timing): ``once``, in year 1 (set-up);
  ``per-post``, for each new post (``max(F_t - F_{t-1}, 0)``) and each post refilled
  after turnover (``F_t x turnover`` from year 2) (recruitment, training); ``per-year``,
  in each year with funded posts (supervision);
* net benefit, discounted at ``(1 + r)^-(t - 1)`` (year 1 undiscounted, as the
  Green Book's year 0), and its running total. The payback year is the first
  year whose cumulative discounted net benefit is 0 or more, once anything has
  been spent or gained (leading years without posts or costs do not count).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from numpy.typing import ArrayLike

from peervalue.model.core import Array

if TYPE_CHECKING:
    from peervalue.scenario.inputs import Timing


@dataclass(frozen=True)
class CostLine:
    """One cost line of the business case: its amount (per draw) and when it is spent."""

    timing: Timing  #: "once" (year 1), "per-post" (each new or refilled post), "per-year"
    amount: Array


@dataclass(frozen=True)
class ScenarioInputs:
    """Arrays of one or more draws (see the module docstring for shapes and meaning)."""

    funded_fte: Array  #: (years,)
    vacancy_rate: Array
    turnover_rate: Array
    caseload: Array
    effect: Array  #: bed-days saved per patient-year of support
    transferability: Array
    cost_per_bed_day: Array
    cost_per_fte_year: Array
    cash_releasing_share: Array
    optimism_bias: Array
    #: the scenario's cost lines by their path (``costs.set_up``), in the schema's order
    cost_lines: Mapping[str, CostLine]
    extra_rates: Sequence[Array] = ()  #: events avoided per patient-year, per resource
    extra_costs: Sequence[Array] = ()  #: unit cost of each resource's event
    discount_rate: float = 0.035


@dataclass(frozen=True)
class Projection:
    """The business case by year (shape ``(draws, years)``) and its totals (``(draws,)``)."""

    filled_fte: Array
    patient_years: Array
    bed_days_saved: Array
    benefit_bed_days: Array
    benefit_extra: Array
    gross_benefit: Array
    cash_releasing: Array
    capacity: Array
    staff_cost: Array
    one_off_cost: Array
    running_cost: Array
    total_cost: Array
    net_benefit: Array
    discount_factor: Array  #: (years,)
    discounted_net_benefit: Array
    cumulative_discounted_net_benefit: Array

    def discounted_total(self, a: Array) -> Array:
        """Sum over years of ``a`` discounted (shape ``(draws,)``)."""
        total: Array = np.sum(a * self.discount_factor, axis=-1)
        return total

    def in_credit(self) -> npt.NDArray[np.bool_]:
        """Whether cumulative discounted net benefit is 0 or more in each year, counting only
        years from the first in which anything is spent or gained (``(draws, years)``)."""
        active = (np.asarray(self.total_cost) != 0) | (np.asarray(self.gross_benefit) != 0)
        started = np.cumsum(active, axis=-1) > 0
        return np.asarray((self.cumulative_discounted_net_benefit >= 0) & started)

    def payback_year(self) -> Array:
        """First year (1-based) with cumulative discounted net benefit >= 0; NaN if none.

        Leading years in which nothing is spent or gained yet (posts funded from a later
        year) do not count as paid back: the case has nothing to pay back until then.
        """
        paid = self.in_credit()
        first = np.argmax(paid, axis=-1).astype(np.float64) + 1.0
        return np.where(paid.any(axis=-1), first, np.nan)


def _f(x: ArrayLike) -> Array:
    return np.asarray(x, dtype=np.float64)


def discount_factors(years: int, rate: float) -> Array:
    """``(1 + rate)^-(t - 1)`` for t = 1..years: year 1 is not discounted."""
    return (1.0 + rate) ** -np.arange(years, dtype=np.float64)


def new_posts(funded_fte: ArrayLike) -> Array:
    """Posts created each year: ``max(F_t - F_{t-1}, 0)`` with ``F_0 = 0``."""
    f = _f(funded_fte)
    return np.maximum(np.diff(f, prepend=0.0), 0.0)


def project(x: ScenarioInputs) -> Projection:
    """Project the business case for every draw (see the module docstring)."""
    funded = _f(x.funded_fte)
    years = funded.shape[-1]
    filled = funded * (1.0 - _f(x.vacancy_rate))
    patient_years = filled * _f(x.caseload)
    bed_days = patient_years * _f(x.effect) * _f(x.transferability)
    keep = 1.0 - _f(x.optimism_bias)
    benefit_bed_days = bed_days * _f(x.cost_per_bed_day) * keep
    benefit_extra = np.zeros_like(benefit_bed_days)
    for rate, cost in zip(x.extra_rates, x.extra_costs, strict=True):
        benefit_extra = benefit_extra + patient_years * _f(rate) * _f(cost) * keep
    gross = benefit_bed_days + benefit_extra
    cash = gross * _f(x.cash_releasing_share)
    refilled = funded * _f(x.turnover_rate) * (np.arange(years) > 0)
    # each timing's lines are added first, then spread over the years
    sums = {"once": _f(0.0), "per-post": _f(0.0), "per-year": _f(0.0)}
    for line in x.cost_lines.values():
        if line.timing not in sums:
            raise ValueError(
                f"a cost line's timing is once, per-post or per-year, not {line.timing!r}"
            )
        sums[line.timing] = sums[line.timing] + _f(line.amount)
    once = sums["once"] * (np.arange(years) == 0)
    one_off = once + (new_posts(funded) + refilled) * sums["per-post"]
    staff = filled * _f(x.cost_per_fte_year)
    running = np.broadcast_to(sums["per-year"], staff.shape) * (funded > 0)
    total_cost = staff + running + one_off
    net = gross - total_cost
    factors = discount_factors(years, x.discount_rate)
    discounted = net * factors
    shape = np.broadcast_shapes(gross.shape, total_cost.shape)
    return Projection(
        filled_fte=np.broadcast_to(filled, shape),
        patient_years=np.broadcast_to(patient_years, shape),
        bed_days_saved=np.broadcast_to(bed_days, shape),
        benefit_bed_days=np.broadcast_to(benefit_bed_days, shape),
        benefit_extra=np.broadcast_to(benefit_extra, shape),
        gross_benefit=np.broadcast_to(gross, shape),
        cash_releasing=np.broadcast_to(cash, shape),
        capacity=np.broadcast_to(gross - cash, shape),
        staff_cost=np.broadcast_to(staff, shape),
        one_off_cost=np.broadcast_to(one_off, shape),
        running_cost=np.broadcast_to(running, shape),
        total_cost=np.broadcast_to(total_cost, shape),
        net_benefit=np.broadcast_to(net, shape),
        discount_factor=factors,
        discounted_net_benefit=np.broadcast_to(discounted, shape),
        cumulative_discounted_net_benefit=np.cumsum(np.broadcast_to(discounted, shape), axis=-1),
    )


def break_even_caseload(p: Projection, caseload: ArrayLike) -> Array:
    """Caseload at which the discounted total net benefit is zero.

    Benefits are proportional to the caseload and costs do not depend on it, so the
    break-even is ``caseload x discounted costs / discounted benefits`` (NaN when the
    benefits are not positive).
    """
    benefit = p.discounted_total(p.gross_benefit)
    cost = p.discounted_total(p.total_cost)
    k = _f(caseload).reshape(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(benefit > 0, k * cost / benefit, np.nan)


def break_even_bed_day_cost(p: Projection, cost_per_bed_day: ArrayLike) -> Array:
    """Cost per bed-day at which the discounted total net benefit is zero (NaN if the
    bed-days saved are not positive): the other benefits and the costs held fixed."""
    bed_benefit = p.discounted_total(p.benefit_bed_days)
    other = p.discounted_total(p.benefit_extra)
    cost = p.discounted_total(p.total_cost)
    c_bed = _f(cost_per_bed_day).reshape(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_pound = bed_benefit / c_bed  # discounted bed-day benefit per pound of bed-day cost
        return np.where(per_pound > 0, (cost - other) / per_pound, np.nan)
