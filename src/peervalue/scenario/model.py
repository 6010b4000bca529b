"""The business case year by year, as pure functions over numpy arrays.

Every input is an array of shape ``(draws, 1)`` (one value per Monte Carlo draw;
``draws`` is 1 for the deterministic case) except the funded posts, shape
``(years,)``; outputs have shape ``(draws, years)``. For year ``t`` (1 to H):

* filled posts ``f_t = F_t x (1 - vacancy)``; newcomers ``n_t = new_t + refilled_t``
  (posts created, ``max(F_t - F_{t-1}, 0)``, and refilled after turnover,
  ``F_t x turnover`` from year 2); posts in effect ``e_t = max(f_t - (1 - vacancy) x n_t x
  lag / 12, 0)`` (``lag``: months before a new worker is fully effective); patient-years
  of support ``p_t = e_t x caseload`` (a full-time worker supports ``caseload`` people at
  a time, all year);
* bed-days saved ``b_t = p_t x e x transferability`` (``e``: bed-days saved per
  patient-year of support);
* gross benefit ``(b_t x c_bed + sum_j p_t x r_j x c_j) x (1 - optimism)``, of
  which ``cash share`` is cash-releasing and the rest capacity;
* costs: filled posts x cost per FTE-year, and the scenario's cost lines, each by
  when it is spent (its :class:`CostLine` timing): ``once``, in year 1 (set-up);
  ``per-post``, for each newcomer ``n_t`` (recruitment, training); ``per-year``,
  in each year with funded posts (supervision); every cost line (staff, one-off,
  running) times ``(1 + cost optimism)``, the Green Book's uplift for optimism;
* net benefit (the economic case: every bed-day saved valued) ``gross_t - cost_t`` and
  cash net benefit (the financial case: only the cash-releasing part)
  ``cash_t - cost_t``, each discounted by the factor ``D_t`` of year ``t`` (year 1
  undiscounted, as the Green Book's year 0; :mod:`peervalue.scenario.discounting`:
  ``D_t = D_{t-1} / (1 + r(t))``, ``r`` the schedule's rate of year ``t``, or
  ``(1 + r)^-(t - 1)`` at a constant rate), and their running totals. The payback year
  (economic or cash) is the first year whose cumulative discounted net benefit is 0 or
  more, once anything has been spent or gained (leading years without posts or costs do
  not count).

The projection also keeps each benefit line (``bed_days``, ``extra[i]``) and each cost line
(``posts``, ``costs.set_up`` ...) by year, with the cash-releasing share, so that the case
can be split by who pays and who gains (:mod:`peervalue.scenario.organisations`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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
    #: uplift to every cost for optimism (0: none)
    cost_optimism: Array | float = 0.0
    #: months before a new worker is fully effective (0 to 12)
    effect_lag_months: Array | float = 0.0
    #: the discount schedule's bands (first year counted as year 0, rate); None: every
    #: year at ``discount_rate``
    discount_bands: tuple[tuple[int, float], ...] | None = None


#: the Projection's fields that hold the case line by line (for
#: :mod:`peervalue.scenario.organisations`) rather than one figure a year: the workbook's
#: Business case sheet has a row for every other field
LINE_FIELDS: tuple[str, ...] = ("benefit_lines", "cost_by_line", "cash_releasing_share")


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
    effective_fte: Array  #: filled posts less newcomers' months without effect
    cash_net_benefit: Array  #: cash-releasing benefit less every cost (the financial case)
    discounted_cash_net_benefit: Array
    cumulative_discounted_cash_net_benefit: Array
    #: each benefit line's gross benefit (``bed_days``, ``extra[0]`` ...) and each cost
    #: line's cost (``posts``: the filled posts; the cost lines by their path), by year;
    #: they add up to ``gross_benefit`` and ``total_cost`` (for
    #: :mod:`peervalue.scenario.organisations`)
    benefit_lines: Mapping[str, Array] = field(default_factory=dict)
    cost_by_line: Mapping[str, Array] = field(default_factory=dict)
    cash_releasing_share: Array | float = 0.0  #: (draws, 1): the share of each benefit

    def discounted_total(self, a: Array) -> Array:
        """Sum over years of ``a`` discounted (shape ``(draws,)``)."""
        total: Array = np.sum(a * self.discount_factor, axis=-1)
        return total

    def in_credit(self, cash: bool = False) -> npt.NDArray[np.bool_]:
        """Whether cumulative discounted net benefit (``cash``: cash net benefit) is 0 or
        more in each year, counting only years from the first in which anything is spent
        or gained (``(draws, years)``)."""
        active = (np.asarray(self.total_cost) != 0) | (np.asarray(self.gross_benefit) != 0)
        started = np.cumsum(active, axis=-1) > 0
        running = (
            self.cumulative_discounted_cash_net_benefit
            if cash
            else self.cumulative_discounted_net_benefit
        )
        return np.asarray((running >= 0) & started)

    def payback_year(self, cash: bool = False) -> Array:
        """First year (1-based) with cumulative discounted net benefit (``cash``: cash net
        benefit) >= 0; NaN if none.

        Leading years in which nothing is spent or gained yet (posts funded from a later
        year) do not count as paid back: the case has nothing to pay back until then.
        """
        paid = self.in_credit(cash)
        first = np.argmax(paid, axis=-1).astype(np.float64) + 1.0
        return np.where(paid.any(axis=-1), first, np.nan)


def _f(x: ArrayLike) -> Array:
    return np.asarray(x, dtype=np.float64)


def discount_factors(
    years: int, rate: float, bands: tuple[tuple[int, float], ...] | None = None
) -> Array:
    """``(1 + rate)^-(t - 1)`` for t = 1..years: year 1 is not discounted; with ``bands``
    (a schedule, :func:`peervalue.scenario.discounting.schedule_factors`) the running
    product of each year's rate."""
    if bands is not None:
        from peervalue.scenario.discounting import schedule_factors

        return schedule_factors(years, bands)
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
    refilled = funded * _f(x.turnover_rate) * (np.arange(years) > 0)
    newcomers = new_posts(funded) + refilled
    lost = (1.0 - _f(x.vacancy_rate)) * newcomers * _f(x.effect_lag_months) / 12.0
    effective = np.maximum(filled - lost, 0.0)
    patient_years = effective * _f(x.caseload)
    bed_days = patient_years * _f(x.effect) * _f(x.transferability)
    keep = 1.0 - _f(x.optimism_bias)
    benefit_bed_days = bed_days * _f(x.cost_per_bed_day) * keep
    benefit_extra = np.zeros_like(benefit_bed_days)
    benefit_lines = {"bed_days": benefit_bed_days}
    for i, (rate, cost) in enumerate(zip(x.extra_rates, x.extra_costs, strict=True)):
        benefit_lines[f"extra[{i}]"] = patient_years * _f(rate) * _f(cost) * keep
        benefit_extra = benefit_extra + benefit_lines[f"extra[{i}]"]
    gross = benefit_bed_days + benefit_extra
    cash = gross * _f(x.cash_releasing_share)
    # each timing's lines are added first, then spread over the years
    sums = {"once": _f(0.0), "per-post": _f(0.0), "per-year": _f(0.0)}
    for line in x.cost_lines.values():
        if line.timing not in sums:
            raise ValueError(
                f"a cost line's timing is once, per-post or per-year, not {line.timing!r}"
            )
        sums[line.timing] = sums[line.timing] + _f(line.amount)
    uplift = 1.0 + _f(x.cost_optimism)
    once = sums["once"] * (np.arange(years) == 0)
    one_off = (once + newcomers * sums["per-post"]) * uplift
    staff = filled * _f(x.cost_per_fte_year) * uplift
    running = np.broadcast_to(sums["per-year"] * uplift, staff.shape) * (funded > 0)
    total_cost = staff + running + one_off
    spread = {
        "once": np.arange(years) == 0,
        "per-post": newcomers,
        "per-year": np.asarray(funded > 0, dtype=np.float64),
    }
    cost_by_line = {"posts": staff} | {
        path: _f(line.amount) * uplift * spread[line.timing] for path, line in x.cost_lines.items()
    }
    net = gross - total_cost
    cash_net = cash - total_cost
    factors = discount_factors(years, x.discount_rate, x.discount_bands)
    discounted = net * factors
    shape = np.broadcast_shapes(gross.shape, total_cost.shape, cash_net.shape)
    cash_discounted = np.broadcast_to(cash_net * factors, shape)
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
        effective_fte=np.broadcast_to(effective, shape),
        cash_net_benefit=np.broadcast_to(cash_net, shape),
        discounted_cash_net_benefit=cash_discounted,
        cumulative_discounted_cash_net_benefit=np.cumsum(cash_discounted, axis=-1),
        benefit_lines={k: np.broadcast_to(v, shape) for k, v in benefit_lines.items()},
        cost_by_line={k: np.broadcast_to(v, shape) for k, v in cost_by_line.items()},
        cash_releasing_share=_f(x.cash_releasing_share),
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
