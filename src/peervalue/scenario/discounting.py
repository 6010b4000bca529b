"""Discount schedules of HM Treasury's Green Book, and the yearly discount factors they give.

The Green Book counts the first year of an appraisal as year 0 (undiscounted) and discounts
each later year at the rate of the band it falls in, the factor of year ``t`` being the
running product ``D_0 = 1``, ``D_t = D_{t-1} / (1 + r(t))`` (so from year 31 the standard
schedule's factor is ``1.035^-30 x 1.03^-(t - 30)``, not ``1.03^-t``).

* ``green-book``: the standard declining schedule (Green Book 2022, Table 6.1 / Annex A6):
  3.5% for years 0-30, 3.0% for 31-75, 2.5% for 76-125, 2.0% for 126-200, 1.5% for 201-300,
  1.0% after. Within 30 years it is 3.5% every year.
* ``green-book-health``: the schedule for health effects (the standard one without its
  wealth-effect term): 1.5% for years 0-30, 1.29% for 31-75, 1.07% for 76-125, 0.86%,
  0.64%, 0.43% (secondary: the R package greenbook, ``inst/extdata/stpr_schedule.csv``,
  citing the Green Book 2022 Annex A6).
* ``constant``: every year at the scenario's ``discount_rate``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from peervalue.model.core import Array

# numpy is imported inside the functions: the schema imports this module, and importing
# peervalue (or running evidence list) loads no numerical library

DiscountSchedule = Literal["green-book", "green-book-health", "constant"]

#: each schedule's bands: (first year of the band, counting the first year as year 0; rate)
SCHEDULES: dict[str, tuple[tuple[int, float], ...]] = {
    "green-book": ((0, 0.035), (31, 0.030), (76, 0.025), (126, 0.020), (201, 0.015), (301, 0.010)),
    "green-book-health": (
        (0, 0.015),
        (31, 0.0129),
        (76, 0.0107),
        (126, 0.0086),
        (201, 0.0064),
        (301, 0.0043),
    ),
}

#: the choices in words (the form's select; blank: unset, see ``About.discount_schedule``)
SCHEDULE_WORDS: tuple[tuple[str, str], ...] = (
    ("", "Green Book (3.5%, then 3.0% after 30 years), or the rate below if you change it"),
    ("green-book", "Green Book: 3.5% a year to year 30, then 3.0% (to year 75)"),
    ("green-book-health", "Green Book, health: 1.5% a year to year 30, then 1.29%"),
    ("constant", "The same rate every year (the discount rate below)"),
)


def bands_of(schedule: str, rate: float) -> tuple[tuple[int, float], ...]:
    """The bands of ``schedule`` (``constant``: one band at ``rate``)."""
    if schedule == "constant":
        return ((0, rate),)
    if schedule not in SCHEDULES:
        raise ValueError(
            f"the discount schedule is one of {', '.join(sorted([*SCHEDULES, 'constant']))}, "
            f"not {schedule!r}"
        )
    return SCHEDULES[schedule]


def yearly_rates(years: int, bands: tuple[tuple[int, float], ...]) -> Array:
    """The rate that discounts year ``t`` back to year ``t - 1``, for t = 0..years-1 (year
    0's rate is never used: its factor is 1)."""
    import numpy as np

    t = np.arange(years)
    out = np.empty(years, dtype=np.float64)
    for start, rate in bands:
        out[t >= start] = rate
    return out


def schedule_factors(years: int, bands: tuple[tuple[int, float], ...]) -> Array:
    """Discount factors for years 0..years-1: ``D_0 = 1``, ``D_t = D_{t-1} / (1 + r(t))``,
    computed band by band as powers (``D_t = D_{s-1} x (1 + r)^-(t - s + 1)`` in the band
    starting at year ``s``), so that the first band is exactly ``(1 + r)^-t``."""
    import numpy as np

    t = np.arange(years, dtype=np.float64)
    out = np.empty(years, dtype=np.float64)
    anchor, anchor_year = 1.0, 0  # the factor at the year before the band (year 0: 1)
    for i, (start, rate) in enumerate(bands):
        end = bands[i + 1][0] if i + 1 < len(bands) else years
        if start >= years:
            break
        first = max(start, 1) if i == 0 else start
        if i == 0:
            out[0] = 1.0
        inside = slice(first, min(end, years))
        out[inside] = anchor * (1.0 + rate) ** -(t[inside] - anchor_year)
        last = min(end, years) - 1
        anchor, anchor_year = float(out[last]), last
    return out


def rate_words(rate: float) -> str:
    """``0.035`` -> ``3.5%``, ``0.03`` -> ``3.0%``, ``0.0129`` -> ``1.29%``."""
    text = f"{rate * 100:.2f}".rstrip("0")
    return (text + "0" if text.endswith(".") else text) + "%"


def first_rate(schedule: str, rate: float) -> float:
    """The rate of the first 30 years (the rate a result quotes)."""
    return bands_of(schedule, rate)[0][1]


def schedule_words(schedule: str, rate: float, years: int) -> str:
    """``3.5% a year (years 1-30), 3.0% (years 31-40)`` for the years a case runs, counting
    its first year as year 1 (the Green Book's year 0)."""
    parts = []
    bands = bands_of(schedule, rate)
    for i, (start, r) in enumerate(bands):
        if start >= years:
            break
        end = min(bands[i + 1][0] - 1 if i + 1 < len(bands) else years - 1, years - 1)
        label = rate_words(r)
        parts.append(f"{label} (years {start + 1}-{end + 1})" if len(bands) > 1 else label)
    if len(parts) == 1:
        return parts[0].split(" (")[0] + " a year"
    return parts[0].replace("%", "% a year", 1) + ", then " + ", then ".join(parts[1:])
