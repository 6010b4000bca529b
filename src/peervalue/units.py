"""The units peervalue understands, and conversions between durations.

Every quantity in a data file names its unit from :data:`UNITS`. A field of a
schema accepts only the units of its dimension (a follow-up period accepts
any duration, an arm size accepts only ``patients``), so a unit typed in the
wrong place is caught on load rather than silently mis-scaled.
"""

from __future__ import annotations

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


def to_years(value: float, unit: str) -> float:
    """Convert a duration to years (months are twelfths of a year, days 1/365.25)."""
    return value * YEARS_PER[unit]
