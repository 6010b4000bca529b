"""The result of the EVSI analysis: what a proposed trial is worth, by sample size.

Computed by :func:`peervalue.service.evsi.run_evsi`; light pydantic models.
"""

from __future__ import annotations

from peervalue.results import ResultModel


class Assumption(ResultModel):
    name: str
    value: float
    low: float | None
    high: float | None
    unit: str
    status: str  #: reported / derived / assumed / user
    source: str


class EvsiPoint(ResultModel):
    """EVSI and ENBS at one size per arm, with bootstrap intervals (2.5th, 97.5th)."""

    n_per_arm: int
    participants: int
    evsi_per_fte_year: float
    evsi_per_fte_year_low: float
    evsi_per_fte_year_high: float
    evsi_population: float
    trial_cost: float
    enbs: float
    enbs_low: float
    enbs_high: float
    #: ENBS at the smallest population and the dearest trial, and the reverse
    enbs_worst_case: float
    enbs_best_case: float
    share_of_evppi: float


class EvsiResult(ResultModel):
    design: str
    design_label: str
    follow_up_months: int
    evidence: str
    studies: list[str]
    currency: str
    price_year: str
    draws: int
    seed: int
    bootstrap: int
    effect_mean: float
    effect_low: float
    effect_high: float
    prob_net_benefit_positive: float
    mean_net_benefit_per_fte_year: float
    evpi_per_fte_year: float
    evppi_effect_per_fte_year: float
    evppi_effect_population: float
    population_fte: float
    population_low: float
    population_high: float
    horizon: int
    discount_rate: float
    population_multiplier: float
    points: list[EvsiPoint]
    optimal_n_per_arm: int | None
    optimal_n_low: int | None
    optimal_n_high: int | None
    optimal_enbs: float
    assumptions: list[Assumption]
    note: str = (
        "EVSI = E[max(E[NB | trial], 0)] - max(E[NB], 0) per FTE-year, by regression of net "
        "benefit on the trial's simulated estimate (Strong, Oakley, Brennan & Breeze 2015); "
        "ENBS = EVSI x population - trial cost. Intervals: bootstrap over the draws."
    )

    def rows(self) -> list[dict[str, object]]:
        return [p.model_dump() for p in self.points]
