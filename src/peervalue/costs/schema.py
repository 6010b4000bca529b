"""The unit-cost file schema: cost of a bed-day and of a peer support worker."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from peervalue.provenance import NonNegative, Positive, PriceYear, Quantity, StrictModel, unit_check

BedDayCost = Annotated[Quantity, unit_check("GBP/bed-day"), Positive]
Salary = Annotated[Quantity, unit_check("GBP/year"), Positive]
Rate = Annotated[Quantity, unit_check("proportion"), NonNegative]
CostPerFteYear = Annotated[Quantity, unit_check("GBP/FTE-year"), Positive]


class PeerWorkerComponents(StrictModel):
    """A peer worker's annual cost built the PSSRU way: salary plus rates of salary.

    cost per FTE-year = salary x (1 + employer_national_insurance
    + employer_superannuation + overheads + capital_overheads)
    """

    salary: Salary
    employer_national_insurance: Rate
    employer_superannuation: Rate
    overheads: Rate
    capital_overheads: Rate


class PeerWorkerCost(StrictModel):
    """Either a total cost per FTE-year, or the components that build it."""

    total: CostPerFteYear | None = None
    components: PeerWorkerComponents | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        if (self.total is None) == (self.components is None):
            raise ValueError("give exactly one of 'total' or 'components'")
        return self


class CostFile(StrictModel):
    """Unit costs at one price year (the year results are expressed in)."""

    name: str = Field(min_length=1)
    currency: Literal["GBP"]
    price_year: PriceYear
    bed_day: BedDayCost
    peer_worker: PeerWorkerCost
    notes: list[str] = Field(default_factory=list)

    def quantities(self) -> dict[str, Quantity]:
        """Every cost quantity keyed by its dotted field path."""
        found = {"bed_day": self.bed_day}
        if self.peer_worker.total is not None:
            found["peer_worker.total"] = self.peer_worker.total
        if self.peer_worker.components is not None:
            comps = self.peer_worker.components
            for name in type(comps).model_fields:
                found[f"peer_worker.components.{name}"] = getattr(comps, name)
        return found
