"""The baseline a relative effect applies to, and the bed-days it saves.

A decision model takes relative effects from the evidence synthesis and applies them to a
baseline for the population and setting of the decision (NICE DSU Technical Support
Documents 2 and 5). Here the baseline is the hospital use, without peer support, of the
people a service supports (the ``[baseline]`` table of a scenario; national defaults in
``data/scenarios/national-defaults.toml``, shared with ``peervalue evsi``):

* ``a``, admissions per person in the year after peer support begins (the control arm of
  the UK trial CORE by default);
* ``LOS``, days in hospital per admission;
* ``T``, months of peer support per person.

A full-time worker with caseload ``K`` gives ``K`` patient-years of support a year, that is
``12 K / T`` people supported, each followed for a year. So, per patient-year of support,

    baseline bed-days  D = a x LOS x 12 / T
    bed-days saved     e = (1 - exp(theta)) x D

with ``theta`` the log ratio of hospital use, peer support over usual care (below 0:
fewer). Pure arithmetic on floats or numpy arrays (broadcast); nothing is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, TypeVar

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

MONTHS_PER_YEAR: Final = 12.0

#: the baseline's figures, by their place in a scenario
ADMISSIONS: Final = "baseline.admissions_per_patient_year"
LENGTH_OF_STAY: Final = "baseline.length_of_stay"
SUPPORT_MONTHS: Final = "baseline.support_months"
FIELDS: Final = (ADMISSIONS, LENGTH_OF_STAY, SUPPORT_MONTHS)

#: a float, or an array of them (the arithmetic broadcasts)
T = TypeVar("T", float, "npt.NDArray[np.float64]")


def baseline_bed_days(admissions: T, length_of_stay: T, support_months: T) -> T:
    """Bed-days per patient-year of support without peer support: ``a x LOS x 12 / T``."""
    return admissions * length_of_stay * MONTHS_PER_YEAR / support_months


def bed_days_saved(ratio: T, baseline: T) -> T:
    """Bed-days saved per patient-year of support: ``(1 - ratio) x baseline`` (``ratio``:
    hospital use with peer support over without, ``exp(theta)``)."""
    return (1.0 - ratio) * baseline
