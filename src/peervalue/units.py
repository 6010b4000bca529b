"""The units peervalue understands, and conversions between durations.

Every quantity in a data file names its unit from :data:`UNITS`. A field of a
schema accepts only the units of its dimension (a follow-up period accepts
any duration, an arm size accepts only ``patients``), so a unit typed in the
wrong place is caught on load rather than silently mis-scaled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

#: unit -> one-line meaning, shown in error messages and in docs/evidence-format.md
UNITS: Final[dict[str, str]] = {
    "patients": "number of people",
    "FTE": "full-time-equivalent peer support workers",
    "FTE-years": "full-time-equivalent years of peer support work",
    "bed-days": "psychiatric inpatient bed-days (a total)",
    "bed-days/patient": "inpatient bed-days per patient over the follow-up",
    "bed-days/FTE-year": "inpatient bed-days per FTE-year of peer support work",
    "admissions/patient": "psychiatric admissions per patient over the follow-up",
    "days/admission": "mean length of stay per admission",
    "patients/FTE": "patients supported at one time by one full-time peer worker (caseload)",
    "days": "duration in days",
    "weeks": "duration in weeks",
    "months": "duration in months",
    "years": "duration in years",
    "GBP/bed-day": "pounds sterling per inpatient bed-day",
    "GBP/FTE-year": "pounds sterling per full-time-equivalent year",
    "GBP/year": "pounds sterling per year (a salary)",
    "proportion": "a rate relative to a base (0.14 means 14% of salary)",
    "bed-days/patient-year": "inpatient bed-days saved per patient-year of peer support",
    "ratio": "a multiplier (1 leaves a figure unchanged)",
    "GBP": "pounds sterling (a one-off amount)",
    "GBP/FTE": "pounds sterling per full-time-equivalent post (a one-off amount)",
    "events/patient-year": "events (such as A&E attendances) per patient-year of peer support",
    "GBP/event": "pounds sterling per event",
    "events/patient": "events (such as emergency department visits) per patient over the follow-up",
    "admissions/patient-year": "hospital admissions per person-year, without peer support",
}

#: length of one unit of each duration, in years
YEARS_PER: Final[dict[str, float]] = {
    "days": 1.0 / 365.25,
    "weeks": 7.0 / 365.25,
    "months": 1.0 / 12.0,
    "years": 1.0,
}

DURATION_UNITS: Final[frozenset[str]] = frozenset(YEARS_PER)
CURRENCY_UNITS: Final[frozenset[str]] = frozenset(u for u in UNITS if u.startswith("GBP"))


#: smallest non-zero magnitude accepted in any unit: a figure closer to zero than
#: this (other than zero itself) is a slip, and dividing by it would overflow
SMALLEST_NONZERO: Final[float] = 1e-6


@dataclass(frozen=True)
class Bound:
    """The largest magnitude a figure in one unit may have, and why."""

    limit: float
    reason: str


_CENTURY_DAYS = 36_525.0

#: unit -> plausibility bound on the magnitude of a value, its range, and its
#: distribution's ``low``, ``high`` and ``sd``. The bounds are deliberately
#: generous: they exist to catch slips (a figure typed in the wrong unit, a
#: string of zeros, 1e308) before they make the arithmetic overflow, not to
#: judge evidence. Documented in docs/evidence-format.md, section 4.2.
BOUNDS: Final[dict[str, Bound]] = {
    "patients": Bound(1e7, "more people than any study or service could enrol"),
    "FTE": Bound(1e5, "more peer workers than any health service employs"),
    "FTE-years": Bound(1e7, "100,000 FTE employed for a century"),
    "bed-days": Bound(1e12, "ten million patients in hospital for a century each"),
    "bed-days/patient": Bound(_CENTURY_DAYS, "a century of days: no one stays longer"),
    "bed-days/FTE-year": Bound(1e7, "a caseload of 10,000 people kept out of hospital all year"),
    "admissions/patient": Bound(1e4, "more than one admission every four days for a century"),
    "days/admission": Bound(_CENTURY_DAYS, "a century of days: no stay is longer"),
    "patients/FTE": Bound(1e4, "no one person supports more people at a time"),
    "days": Bound(_CENTURY_DAYS, "a century: longer than any follow-up or employment"),
    "weeks": Bound(5_220.0, "a century: longer than any follow-up or employment"),
    "months": Bound(1200.0, "a century: longer than any follow-up or employment"),
    "years": Bound(100.0, "a century: longer than any follow-up or employment"),
    "GBP/bed-day": Bound(1e6, "a thousand times the dearest NHS bed-day"),
    "GBP/FTE-year": Bound(1e7, "a hundred times any NHS salary with all its costs"),
    "GBP/year": Bound(1e7, "a hundred times any NHS salary"),
    "proportion": Bound(100.0, "10,000% of the base: far beyond any on-cost or overhead rate"),
    "bed-days/patient-year": Bound(366.0, "more than every day of the year in hospital"),
    "ratio": Bound(100.0, "a hundredfold change: far beyond any transfer between countries"),
    "GBP": Bound(1e9, "a billion pounds: more than any service's one-off costs"),
    "GBP/FTE": Bound(1e7, "a hundred times any NHS salary, for one post"),
    "events/patient-year": Bound(1e4, "more than one event every hour for a year"),
    "GBP/event": Bound(1e7, "ten million pounds for one event"),
    "events/patient": Bound(1e5, "more than one event every eight hours for a century"),
    "admissions/patient-year": Bound(366.0, "more than one admission a day"),
}


#: the smallest peer input a study or business case may state, and why: below these the
#: break-even and per-FTE figures explode (a caseload of 1e-9 puts break-even at 4e8)
MIN_FTE: Final[Bound] = Bound(
    0.01, "a hundredth of a full-time post is about 20 minutes' work a week, less than any post"
)
MIN_FTE_YEARS: Final[Bound] = Bound(
    0.01, "a hundredth of an FTE-year is under four days of one worker's time, too little to study"
)
MIN_CASELOAD: Final[Bound] = Bound(
    0.1,
    "one person shared by ten full-time workers; even a crisis house staffed day and night "
    "has about 0.7 guests per FTE",
)

#: a peer worker's salary, a year of one full-time post: stated bounds (any price year)
MIN_SALARY: Final[Bound] = Bound(
    5_000.0,
    "under half the lowest full-time Agenda for Change salary since it began in 2004 "
    "(band 1, about 11,000 a year)",
)
MAX_SALARY: Final[Bound] = Bound(
    250_000.0, "twice the top of Agenda for Change band 9 (about 125,000 a year in 2024-25)"
)
#: the whole cost of one FTE-year (salary, on-costs, overheads and capital)
MIN_COST_PER_FTE_YEAR: Final[Bound] = Bound(5_000.0, MIN_SALARY.reason)
MAX_COST_PER_FTE_YEAR: Final[Bound] = Bound(
    1_000_000.0, "four times the largest plausible salary with every on-cost and overhead"
)
#: employer on-costs (national insurance and pension) as a share of salary, each and in all
MAX_ON_COST_SHARE: Final[Bound] = Bound(
    0.6,
    "employer National Insurance and NHS pension contributions together were 37.5% of pay "
    "at most (13.8% + 23.7% in 2024-25)",
)
#: each overhead (management, non-staff, capital) as a share of salary
MAX_OVERHEAD_SHARE: Final[Bound] = Bound(
    2.0, "twice the salary; the PSSRU Manuals' overheads for band 4 staff are 73-98% of it"
)


def bound_problem(unit: str, value: float, what: str = "value") -> str | None:
    """Why ``value`` (a figure in ``unit``) is implausible, or ``None`` if it is not.

    ``what`` names the figure in the message (``value``, ``range low``, ...).
    """
    bound = BOUNDS.get(unit)
    size = abs(value)
    if bound is not None and size > bound.limit:
        return (
            f"{what} {value:g} is beyond the plausible bound for {unit}: at most "
            f"{bound.limit:,.10g} in magnitude ({bound.reason})"
        )
    if 0 < size < SMALLEST_NONZERO:
        return (
            f"{what} {value:g} is too close to zero to be a real figure in {unit}: "
            f"use 0 or a magnitude of at least {SMALLEST_NONZERO:g}"
        )
    return None


#: the stated minimum of a positive figure in each unit that has one (a positive figure in
#: GBP/year is a salary): what a spread-out distribution of the figure must not draw below
POSITIVE_MINIMA: Final[dict[str, Bound]] = {
    "FTE": MIN_FTE,
    "FTE-years": MIN_FTE_YEARS,
    "patients/FTE": MIN_CASELOAD,
    "GBP/year": MIN_SALARY,
    "GBP/FTE-year": MIN_COST_PER_FTE_YEAR,
}
