"""The reference method as pure functions over numpy arrays.

Every function here broadcasts: study quantities have shape ``(..., S)`` with
one column per study and any leading axes (Monte Carlo draws, scenarios);
unit costs have shape ``(...)`` or ``(..., 1)``. Nothing here reads files,
prints or knows about pydantic, so the deterministic analysis and the Monte
Carlo run the very same code.

Notation follows Trachtenberg et al. (2013) as set out in docs/method.md:
``d`` bed-days saved per patient, ``n`` patients, ``D = d * n`` bed-days saved,
``F`` FTE-years of peer work, ``b = D / F`` bed-days saved per FTE-year,
``c_bed`` cost per bed-day, ``c_psw`` cost per peer worker FTE-year,
``r = b * c_bed / c_psw`` the benefit:cost ratio.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]

#: codes returned by :func:`classify` (labels: ``peervalue.model.methods.CLASS_LABELS``)
NEGATIVE, BETWEEN_ZERO_AND_ONE, ABOVE_ONE, ZERO = -1, 0, 1, 2


def _f(x: ArrayLike) -> Array:
    return np.asarray(x, dtype=np.float64)


def difference(control: ArrayLike, intervention: ArrayLike) -> Array:
    """Bed-days saved per patient: control (or "before") minus intervention."""
    return _f(control) - _f(intervention)


def bed_days_from_admissions(admissions: ArrayLike, length_of_stay: ArrayLike) -> Array:
    """Bed-days per patient = admissions per patient x mean days per admission."""
    return _f(admissions) * _f(length_of_stay)


def fte_years_from_fte(fte: ArrayLike, duration_years: ArrayLike) -> Array:
    """FTE-years = FTE employed x years employed."""
    return _f(fte) * _f(duration_years)


def fte_years_from_caseload(
    n_intervention: ArrayLike, duration_years: ArrayLike, caseload: ArrayLike
) -> Array:
    """FTE-years = patients x years each was supported / patients per FTE at one time."""
    return _f(n_intervention) * _f(duration_years) / _f(caseload)


def total_saved(saved_per_patient: ArrayLike, n_intervention: ArrayLike) -> Array:
    """Total bed-days saved ``D = d * n`` among the patients who had peer support."""
    return _f(saved_per_patient) * _f(n_intervention)


def per_fte_year(total_bed_days: ArrayLike, fte_years: ArrayLike) -> Array:
    """Bed-days saved per FTE-year of peer work, ``b = D / F``."""
    return _f(total_bed_days) / _f(fte_years)


def peer_worker_cost(
    salary: ArrayLike, rates: Sequence[ArrayLike] = (), amounts: Sequence[ArrayLike] = ()
) -> Array:
    """Cost per FTE-year = salary x (1 + sum of rates) + sum of amounts.

    ``rates`` are additions as proportions of salary (employer national insurance,
    superannuation, overheads ... as older PSSRU manuals build staff costs);
    ``amounts`` are additions in pounds a year (as the 2022-2024 Manuals give
    overheads and capital). Each sum adds its terms in the order given.
    """
    cost = _f(salary)
    if rates:
        total = _f(rates[0])
        for rate in rates[1:]:
            total = total + _f(rate)
        cost = cost * (1.0 + total)
    for amount in amounts:
        cost = cost + _f(amount)
    return cost


def benefit(bed_days_per_fte_year: ArrayLike, cost_per_bed_day: ArrayLike) -> Array:
    """Value of bed-days saved per FTE-year, ``b * c_bed`` (currency per FTE-year)."""
    return _f(bed_days_per_fte_year) * _f(cost_per_bed_day)


def ratio(benefit_per_fte_year: ArrayLike, cost_per_fte_year: ArrayLike) -> Array:
    """Benefit:cost ratio ``r = b * c_bed / c_psw``."""
    return _f(benefit_per_fte_year) / _f(cost_per_fte_year)


def classify(ratios: ArrayLike) -> NDArray[np.int8]:
    """-1 for a negative ratio, 2 for exactly 0 (no effect), 0 for 0 < r <= 1, 1 for r > 1.

    The 2013 report's classes are "substantially in excess of one", "positive but less
    than one" and "negative"; a ratio of exactly 0 (a study whose effect is nil, often by
    assumption) is none of these and gets its own class (``methods.CLASS_LABELS``).
    """
    r = _f(ratios)
    classes = np.where(r > 1, ABOVE_ONE, BETWEEN_ZERO_AND_ONE)
    return np.where(r < 0, NEGATIVE, np.where(r == 0, ZERO, classes)).astype(np.int8)


def sum_studies(values: ArrayLike) -> Array:
    """Sum over the last (study) axis, adding the studies one at a time in order.

    ``np.sum`` adds a contiguous axis pairwise but a strided one in sequence, so
    its last digits would depend on the memory layout (and so on how many draws
    a chunk holds); a fixed order gives the same bits for any shape.
    """
    x = _f(values)
    if x.shape[-1] == 0:
        return np.zeros(x.shape[:-1])
    total = x[..., 0].copy()
    for j in range(1, x.shape[-1]):
        total += x[..., j]
    return total


def weighted_mean(values: ArrayLike, weights: ArrayLike) -> Array:
    """Weighted mean over the last (study) axis: ``sum(w * r) / sum(w)``."""
    v, w = _f(values), _f(weights)
    return sum_studies(v * w) / sum_studies(w)


def break_even_bed_days(cost_per_fte_year: ArrayLike, cost_per_bed_day: ArrayLike) -> Array:
    """Bed-days a peer worker must save per FTE-year to pay for themself: ``c_psw / c_bed``."""
    return _f(cost_per_fte_year) / _f(cost_per_bed_day)


def per_patient_year(saved_per_patient: ArrayLike, support_years: ArrayLike) -> Array:
    """Bed-days saved per patient-year of peer support, ``e = d / T``.

    With a caseload ``k`` (patients supported at once per FTE), ``b = k * e``:
    this is the quantity a common caseload multiplies.
    """
    return _f(saved_per_patient) / _f(support_years)


def net_benefit(
    bed_days_per_fte_year: ArrayLike, cost_per_bed_day: ArrayLike, cost_per_fte_year: ArrayLike
) -> Array:
    """Net benefit per FTE-year, ``b * c_bed - c_psw`` (currency per FTE-year)."""
    return _f(bed_days_per_fte_year) * _f(cost_per_bed_day) - _f(cost_per_fte_year)


def break_even_cost_per_bed_day(
    cost_per_fte_year: ArrayLike, bed_days_per_fte_year: ArrayLike
) -> Array:
    """Cost per bed-day at which ``b`` bed-days pay for a peer worker: ``c_psw / b``.

    NaN where ``b <= 0``: no cost per bed-day makes a harmful or null effect pay.
    """
    b = _f(bed_days_per_fte_year)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _f(np.where(b > 0, _f(cost_per_fte_year) / b, np.nan))


def break_even_caseload(
    cost_per_fte_year: ArrayLike, cost_per_bed_day: ArrayLike, saved_per_patient_year: ArrayLike
) -> Array:
    """Patients per FTE at which a peer worker pays: ``c_psw / (c_bed * e)``; NaN if ``e <= 0``."""
    e = _f(saved_per_patient_year)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _f(np.where(e > 0, _f(cost_per_fte_year) / (_f(cost_per_bed_day) * e), np.nan))
