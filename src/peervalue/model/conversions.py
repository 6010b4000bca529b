"""Conversions of other hospital-use outcomes to bed-days saved per patient.

Pure functions over numpy arrays (they broadcast like :mod:`peervalue.model.core`),
with no I/O: the one home of every outcome conversion, used by the deterministic
analysis and the Monte Carlo alike. Each is documented in docs/evidence-format.md.

Readmission outcomes become bed-days through the mean length of a readmission:

    bed-days saved per patient = (p_control - p_intervention) x LOS

where ``p`` is the probability that a patient is readmitted during the follow-up and
LOS the mean days per readmission. This counts one readmission per readmitted
patient (a patient readmitted twice is counted once), so it understates a saving
when readmissions repeat; the length of stay's range carries that uncertainty.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from peervalue.model.core import Array


def _f(x: ArrayLike) -> Array:
    return np.asarray(x, dtype=np.float64)


def risk_from_events(events: ArrayLike, patients: ArrayLike) -> Array:
    """Probability of the event in an arm: ``events / patients``."""
    return _f(events) / _f(patients)


def risk_from_odds_ratio(control_risk: ArrayLike, odds_ratio: ArrayLike) -> Array:
    """Intervention risk from the control risk ``p`` and an odds ratio:
    ``OR p / (1 - p + OR p)`` (the odds ``p / (1 - p)`` times OR, back to a risk)."""
    p, odds = _f(control_risk), _f(odds_ratio)
    return odds * p / (1.0 - p + odds * p)


def risk_from_risk_ratio(control_risk: ArrayLike, risk_ratio: ArrayLike) -> Array:
    """Intervention risk from the control risk and a risk ratio: ``RR p``, at most 1
    (a drawn RR times a drawn risk can pass 1; a probability cannot)."""
    return np.minimum(_f(risk_ratio) * _f(control_risk), 1.0)


def bed_days_from_readmission(
    control_risk: ArrayLike, intervention_risk: ArrayLike, length_of_stay: ArrayLike
) -> Array:
    """Bed-days saved per patient: ``(p_control - p_intervention) x LOS``."""
    return (_f(control_risk) - _f(intervention_risk)) * _f(length_of_stay)


def bed_days_from_length_of_stay(length_of_stay_saved: ArrayLike, admissions: ArrayLike) -> Array:
    """Bed-days saved per patient: days saved per admission x admissions per patient."""
    return _f(length_of_stay_saved) * _f(admissions)


def risk_difference(control_risk: ArrayLike, intervention_risk: ArrayLike) -> Array:
    """Risk difference, control minus peer support (positive: fewer readmissions)."""
    return _f(control_risk) - _f(intervention_risk)


def log_odds_ratio(control_risk: ArrayLike, intervention_risk: ArrayLike) -> Array:
    """Log odds ratio, peer support over control (negative: fewer readmissions)."""
    pc, pi = _f(control_risk), _f(intervention_risk)
    return np.log(pi / (1.0 - pi)) - np.log(pc / (1.0 - pc))


def bed_day_equivalents(
    events_saved: ArrayLike, cost_per_event: ArrayLike, cost_per_bed_day: ArrayLike
) -> Array:
    """Another resource's saving per patient as bed-day equivalents:
    ``events saved x cost per event / cost per bed-day``. Multiplied back by the cost
    per bed-day, this adds ``events saved x cost per event`` to the benefit."""
    return _f(events_saved) * _f(cost_per_event) / _f(cost_per_bed_day)
