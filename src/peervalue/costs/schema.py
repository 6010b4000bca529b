"""The unit-cost file schema: cost of a bed-day and of a peer support worker."""

from __future__ import annotations

from typing import Annotated, Final, Literal, Self

from pydantic import Field, model_validator

from peervalue.provenance import (
    NonNegative,
    Positive,
    PriceYear,
    Quantity,
    StrictModel,
    at_least,
    at_most,
    unit_check,
)
from peervalue.units import (
    MAX_COST_PER_FTE_YEAR,
    MAX_ON_COST_SHARE,
    MAX_OVERHEAD_SHARE,
    MAX_SALARY,
    MIN_COST_PER_FTE_YEAR,
    MIN_SALARY,
    Bound,
)

BedDayCost = Annotated[Quantity, unit_check("GBP/bed-day"), Positive]
Salary = Annotated[
    Quantity, unit_check("GBP/year"), Positive, at_least(MIN_SALARY), at_most(MAX_SALARY)
]
#: an addition to salary: a proportion of it, or pounds a year
Addition = Annotated[Quantity, unit_check("proportion", "GBP/year"), NonNegative]
CostPerFteYear = Annotated[
    Quantity,
    unit_check("GBP/FTE-year"),
    Positive,
    at_least(MIN_COST_PER_FTE_YEAR),
    at_most(MAX_COST_PER_FTE_YEAR),
]
#: the unit cost of one event of another resource (an emergency visit, a crisis contact)
EventCost = Annotated[Quantity, unit_check("GBP/event"), Positive]

#: the components that are pay (salary and employer on-costs); the rest are overheads
PAY_COMPONENTS: Final = frozenset(
    {"salary", "employer_national_insurance", "employer_superannuation", "on_costs"}
)


class PeerWorkerComponents(StrictModel):
    """A peer worker's annual cost built the PSSRU way: salary plus additions.

    Each addition is either a proportion of salary (unit ``proportion``) or an
    amount in pounds a year (unit ``GBP/year``, with its price year), so both the
    older rate-based build and the PSSRU Manuals' pound components can be entered::

        cost per FTE-year = salary x (1 + sum of proportions) + sum of amounts

    Employer on-costs are either ``employer_national_insurance`` and
    ``employer_superannuation``, or one ``on_costs`` figure; overheads are either
    one ``overheads`` figure, or ``management_and_administration`` and
    ``non_staff_overheads`` (as the PSSRU Manuals give them); ``capital_overheads``
    is always given.
    """

    salary: Salary
    employer_national_insurance: Addition | None = None
    employer_superannuation: Addition | None = None
    on_costs: Addition | None = None
    overheads: Addition | None = None
    management_and_administration: Addition | None = None
    non_staff_overheads: Addition | None = None
    capital_overheads: Addition

    @model_validator(mode="after")
    def _one_form_each(self) -> Self:
        split_on_costs = [self.employer_national_insurance, self.employer_superannuation]
        if self.on_costs is not None:
            if any(q is not None for q in split_on_costs):
                raise ValueError(
                    "give employer on-costs once: either 'on_costs', or "
                    "'employer_national_insurance' and 'employer_superannuation'"
                )
        elif any(q is None for q in split_on_costs):
            raise ValueError(
                "employer on-costs are missing: give 'employer_national_insurance' and "
                "'employer_superannuation', or one 'on_costs' figure"
            )
        split_overheads = [self.management_and_administration, self.non_staff_overheads]
        if self.overheads is not None:
            if any(q is not None for q in split_overheads):
                raise ValueError(
                    "give overheads once: either 'overheads', or "
                    "'management_and_administration' and 'non_staff_overheads'"
                )
        elif any(q is None for q in split_overheads):
            raise ValueError(
                "overheads are missing: give 'management_and_administration' and "
                "'non_staff_overheads', or one 'overheads' figure"
            )
        self._shares_of_salary()
        return self

    def _shares_of_salary(self) -> None:
        """Each addition, as a share of salary (a proportion, or pounds over the salary),
        within its stated bound; the employer on-costs within it in all."""
        salary = self.salary.value
        on_costs = 0.0
        for name, q in self.given().items():
            if name == "salary":
                continue
            bound = MAX_ON_COST_SHARE if name in PAY_COMPONENTS else MAX_OVERHEAD_SHARE
            share = q.value if q.unit == "proportion" else q.value / salary
            if name in PAY_COMPONENTS:
                on_costs += share
            _share_within(f"{name}", q, share, bound)
        if on_costs > MAX_ON_COST_SHARE.limit:
            raise ValueError(
                f"employer on-costs come to {on_costs:.1%} of salary in all, above the "
                f"plausible {MAX_ON_COST_SHARE.limit:.0%} ({MAX_ON_COST_SHARE.reason})"
            )

    def given(self) -> dict[str, Quantity]:
        """The components present, in field order, keyed by field name."""
        return {
            name: q for name in type(self).model_fields if (q := getattr(self, name)) is not None
        }


def _share_within(name: str, q: Quantity, share: float, bound: Bound) -> None:
    if share > bound.limit:
        given = f"{q.value:g}" if q.unit == "proportion" else f"{q.value:,.10g} GBP/year, "
        raise ValueError(
            f"{name}: {given}{share:.0%} of salary, is above the plausible "
            f"{bound.limit:.0%} ({bound.reason})"
            if q.unit != "proportion"
            else f"{name}: {given} is {share:.0%} of salary, above the plausible "
            f"{bound.limit:.0%} ({bound.reason}); write 14% as 0.14"
        )


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
    """Unit costs at one price year (the year results are expressed in).

    ``basis`` is the file's default cost basis: ``full`` (every component) or ``pay``
    (salary and employer on-costs only, which needs the cost built from components).
    """

    name: str = Field(min_length=1)
    currency: Literal["GBP"]
    price_year: PriceYear
    basis: Literal["full", "pay"] = "full"
    bed_day: BedDayCost
    peer_worker: PeerWorkerCost
    #: unit costs of resources other than a bed-day, by category (``--resources all``)
    other_resources: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")], EventCost] = Field(
        default_factory=dict
    )
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _pay_needs_components(self) -> Self:
        if self.basis == "pay" and self.peer_worker.components is None:
            raise ValueError(
                "basis 'pay' counts salary and on-costs only, so the peer worker cost must "
                "be given as 'components', not a 'total'"
            )
        return self

    def quantities(self) -> dict[str, Quantity]:
        """Every cost quantity keyed by its dotted field path."""
        found = {"bed_day": self.bed_day}
        if self.peer_worker.total is not None:
            found["peer_worker.total"] = self.peer_worker.total
        if self.peer_worker.components is not None:
            for name, q in self.peer_worker.components.given().items():
                found[f"peer_worker.components.{name}"] = q
        for category, q in self.other_resources.items():
            found[f"other_resources.{category}"] = q
        return found
