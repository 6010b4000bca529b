"""The result of the EVPPI analysis: what further research on each input is worth.

Computed by :func:`peervalue.service.evppi.run_evppi`; light pydantic models.
"""

from __future__ import annotations

from peervalue.results import ResultModel


class EvppiRow(ResultModel):
    name: str
    kind: str  #: "input" or "group"
    members: list[str]
    evppi_per_fte_year: float
    evppi_population: float
    share_of_evpi: float
    estimator: str


class EvppiResult(ResultModel):
    """EVPPI per input and per group, largest first, beside the EVPI."""

    method: str
    price_year: str
    currency: str
    cost_basis: str
    draws: int
    seed: int
    evpi_per_fte_year: float
    evpi_population: float
    population_multiplier: float
    groups: list[EvppiRow]
    inputs: list[EvppiRow]
    note: str = (
        "EVPPI = E[max(E[NB | inputs], 0)] - max(E[NB], 0), per FTE-year of pooled net "
        "benefit; one input by the ordering method (Strong & Oakley 2013), a group by "
        "regression that allows interactions: a second-order mean (squares and pairwise "
        "products) plus a Gaussian process (Strong, Oakley & Brennan 2014)."
    )

    def rows(self) -> list[dict[str, object]]:
        return [
            {**r.model_dump(), "members": ", ".join(r.members)}
            for r in [*self.groups, *self.inputs]
        ]
