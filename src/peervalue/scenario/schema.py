"""The scenario file: a local business case for employing peer support workers.

A scenario is a TOML file (documented for users in ``docs/scenarios.md``) that
layers a service's own figures over the national defaults
(``data/scenarios/national-defaults.toml``, the same format). Every figure is a
:class:`~peervalue.provenance.Quantity` block with its unit and status, or a bare
number, which stands for a figure the service sets itself, with no range.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, Field, field_validator, model_validator

from peervalue.errors import quote
from peervalue.provenance import (
    NonNegative,
    Positive,
    PriceYear,
    Quantity,
    StrictModel,
    at_least,
    at_most,
    on_zero_one,
    quantities_in,
    unit_check,
)
from peervalue.units import (
    MAX_COST_PER_FTE_YEAR,
    MAX_SALARY,
    MIN_CASELOAD,
    MIN_COST_PER_FTE_YEAR,
    MIN_FTE,
    MIN_SALARY,
)

#: the rationale given to a bare number: a figure the service sets itself
LOCAL_FIGURE = "set in the scenario file (a local figure, without a range)"

#: the unit of every figure, by its place in the file (``extra`` items: by field name)
UNIT_OF: dict[str, str] = {
    "staffing.vacancy_rate": "proportion",
    "staffing.turnover_rate": "proportion",
    "staffing.caseload": "patients/FTE",
    "costs.cost_per_bed_day": "GBP/bed-day",
    "costs.cost_per_fte_year": "GBP/FTE-year",
    "costs.salary": "GBP/year",
    "costs.set_up": "GBP",
    "costs.recruitment_per_post": "GBP/FTE",
    "costs.training_per_post": "GBP/FTE",
    "costs.supervision_per_year": "GBP/year",
    "evidence.saved_per_patient_year": "bed-days/patient-year",
    "evidence.transferability": "ratio",
    "benefits.cash_releasing_share": "proportion",
    "benefits.optimism_bias": "proportion",
    "extra.avoided_per_patient_year": "events/patient-year",
    "extra.unit_cost": "GBP/event",
}


def local_figure(value: float, unit: str, price_year: str | None) -> dict[str, Any]:
    """The quantity block a bare number stands for."""
    block: dict[str, Any] = {
        "value": value,
        "unit": unit,
        "status": "assumed",
        "range": [value, value],
        "rationale": LOCAL_FIGURE,
    }
    if unit.startswith("GBP") and price_year is not None:
        block["price_year"] = price_year
    return block


def expand_bare_numbers(data: Any) -> Any:
    """Replace each bare number where a figure belongs by its quantity block.

    Money figures take the scenario's price year. Anything unexpected is left for
    validation to report.
    """
    if not isinstance(data, dict):
        return data
    about = data.get("scenario")
    year = about.get("price_year") if isinstance(about, dict) else None
    year = year if isinstance(year, str) else None

    def is_number(x: Any) -> bool:
        return isinstance(x, int | float) and not isinstance(x, bool)

    out = dict(data)
    for path, unit in UNIT_OF.items():
        table, _, field = path.partition(".")
        if table == "extra":
            items = out.get("extra")
            if isinstance(items, list):
                out["extra"] = [
                    {**item, field: local_figure(item[field], unit, year)}
                    if isinstance(item, dict) and is_number(item.get(field))
                    else item
                    for item in items
                ]
            continue
        block = out.get(table)
        if isinstance(block, dict) and is_number(block.get(field)):
            out[table] = {**block, field: local_figure(block[field], unit, year)}
    return out


def _at_most_one(q: Quantity) -> Quantity:
    highs = [q.value, *(q.range or ())]
    if q.distribution is not None and q.distribution.high is not None:
        highs.append(q.distribution.high)
    if max(highs) > 1:
        raise ValueError(f"a share runs from 0 to 1, got {max(highs):g}")
    return q


Share = Annotated[
    Quantity, unit_check("proportion"), NonNegative, AfterValidator(_at_most_one), on_zero_one
]
Caseload = Annotated[Quantity, unit_check("patients/FTE"), Positive, at_least(MIN_CASELOAD)]
Effect = Annotated[Quantity, unit_check("bed-days/patient-year")]
Multiplier = Annotated[Quantity, unit_check("ratio"), Positive]
OneOff = Annotated[Quantity, unit_check("GBP"), NonNegative]
PerPost = Annotated[Quantity, unit_check("GBP/FTE"), NonNegative]
PerYear = Annotated[Quantity, unit_check("GBP/year"), NonNegative]
BedDayCost = Annotated[Quantity, unit_check("GBP/bed-day"), Positive]
FteYearCost = Annotated[
    Quantity,
    unit_check("GBP/FTE-year"),
    Positive,
    at_least(MIN_COST_PER_FTE_YEAR),
    at_most(MAX_COST_PER_FTE_YEAR),
]
Salary = Annotated[
    Quantity, unit_check("GBP/year"), Positive, at_least(MIN_SALARY), at_most(MAX_SALARY)
]
EventRate = Annotated[Quantity, unit_check("events/patient-year")]
EventCost = Annotated[Quantity, unit_check("GBP/event"), NonNegative]
Fte = Annotated[float, Field(strict=True, ge=0, le=1e5, allow_inf_nan=False)]

EffectSource = Literal["pooled-weighted", "pooled-sums", "own"]


class About(StrictModel):
    """Who the business case is for, when it starts and over what period."""

    name: str = Field(min_length=1, max_length=200)
    organisation: str = Field(default="", max_length=200)
    price_year: PriceYear
    #: labels the years (financial years from April); a typo such as year 202 or 20250
    #: would label them "201-02" or "20250-51"
    start: dt.date | None = Field(default=None, ge=dt.date(1948, 1, 1), le=dt.date(2100, 12, 31))
    horizon_years: int = Field(ge=1, le=50)
    discount_rate: Annotated[float, Field(ge=0, le=0.2, allow_inf_nan=False)]
    notes: list[str] = Field(default_factory=list)


class Staffing(StrictModel):
    """Funded peer worker posts by year, and how many are filled and for how long.

    ``funded_fte`` is one number (every year) or a list, one per year (a ramp-up);
    a list shorter than the horizon carries its last value on.
    """

    funded_fte: Fte | list[Fte]
    vacancy_rate: Share
    turnover_rate: Share
    caseload: Caseload

    @field_validator("funded_fte", mode="before")
    @classmethod
    def _fte_numbers(cls, value: Any) -> Any:
        # one clear message in place of one per member of the union
        items = value if isinstance(value, list) else [value]
        for i, x in enumerate(items):
            where = f"item {i + 1}: " if isinstance(value, list) else ""
            if isinstance(x, bool) or not isinstance(x, int | float):
                raise ValueError(
                    f"{where}got {quote(x)}; expected a number of FTE, or a list of them "
                    "(one a year)"
                )
            if not math.isfinite(x) or not 0 <= x <= 1e5:
                raise ValueError(f"{where}got {x!r}; expected FTE from 0 to 100,000")
            if 0 < x < MIN_FTE.limit:
                raise ValueError(
                    f"{where}got {x!r} FTE, below the smallest plausible post of "
                    f"{MIN_FTE.limit:g} FTE ({MIN_FTE.reason}); write 0 for a year without posts"
                )
        return value


class Costs(StrictModel):
    """Unit costs: a cost set (bundled name or file) and the scenario's own figures."""

    set: str = Field(min_length=1)
    cost_per_bed_day: BedDayCost | None = None
    cost_per_fte_year: FteYearCost | None = None
    salary: Salary | None = None
    #: an Agenda for Change band ("3" or "4"): the middle of the band as the salary
    band: str | None = Field(default=None, min_length=1, max_length=5)
    set_up: OneOff
    recruitment_per_post: PerPost
    training_per_post: PerPost
    supervision_per_year: PerYear

    @model_validator(mode="after")
    def _one_peer_cost(self) -> Self:
        given = [
            name
            for name in ("cost_per_fte_year", "salary", "band")
            if getattr(self, name) is not None
        ]
        if len(given) > 1:
            raise ValueError(
                f"give one of 'cost_per_fte_year' (the whole cost of a post), 'salary' or "
                f"'band' (to which the cost set's on-costs and overheads are added), not "
                f"{' and '.join(repr(g) for g in given)}"
            )
        return self


class Evidence(StrictModel):
    """The effect of peer support: pooled from studies, or the service's own estimate."""

    source: EffectSource
    #: a folder of study files (relative to the scenario file); default: the bundled six
    folder: str | None = Field(default=None, min_length=1)
    #: a bundled evidence set (``peervalue evidence sets``), e.g. ``all-2026``; with
    #: ``folder``, the set's studies are taken from that folder
    set: str | None = Field(default=None, min_length=1, max_length=100)
    #: pool only the studies with this value of a study field, e.g. ``design=rct``
    subgroup: str | None = Field(default=None, pattern=r"^(design|country|peer_role)=.+$")
    saved_per_patient_year: Effect | None = None
    transferability: Multiplier

    @model_validator(mode="after")
    def _own_needs_figure(self) -> Self:
        if self.source == "own" and self.saved_per_patient_year is None:
            raise ValueError(
                "source 'own' needs 'saved_per_patient_year' (bed-days saved per patient-year "
                "of peer support)"
            )
        if self.source == "own" and (self.folder or self.subgroup or self.set):
            raise ValueError(
                "'folder', 'set' and 'subgroup' choose studies to pool; source 'own' pools none"
            )
        if self.set is not None:
            from peervalue.evidence.sets import bundled_set_names

            if self.set not in bundled_set_names():
                raise ValueError(
                    f"'set' {quote(self.set)} is not a bundled evidence set; expected one of: "
                    f"{', '.join(bundled_set_names())}"
                )
        if self.source != "own" and self.saved_per_patient_year is not None:
            raise ValueError(
                f"'saved_per_patient_year' is used only with source 'own', not {self.source!r}"
            )
        return self


class Benefits(StrictModel):
    """How much of the saving is cash, and how much to trim for optimism."""

    cash_releasing_share: Share
    optimism_bias: Share


class ExtraResource(StrictModel):
    """Another resource the evidence does not cover, such as A&E attendances avoided."""

    name: str = Field(min_length=1, max_length=100)
    avoided_per_patient_year: EventRate
    unit_cost: EventCost


class MonteCarlo(StrictModel):
    """How many draws the business case's uncertainty takes, and from which seed."""

    draws: int = Field(default=10_000, ge=1, le=200_000)
    #: below 2**128, as every run's seed (service/requests.py): a larger one could be saved
    #: but never run
    seed: int = Field(default=1, ge=0, lt=2**128)


class ScenarioFile(StrictModel):
    """A complete scenario (the national defaults are one too)."""

    scenario: About
    monte_carlo: MonteCarlo = Field(default_factory=MonteCarlo)
    staffing: Staffing
    costs: Costs
    evidence: Evidence
    benefits: Benefits
    extra: list[ExtraResource] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _bare_numbers(cls, data: Any) -> Any:
        return expand_bare_numbers(data)

    @model_validator(mode="after")
    def _fte_fits_the_horizon(self) -> Self:
        fte = self.staffing.funded_fte
        if isinstance(fte, list):
            if not fte:
                raise ValueError("'staffing.funded_fte' is an empty list; give one FTE a year")
            if len(fte) > self.scenario.horizon_years:
                raise ValueError(
                    f"'staffing.funded_fte' gives {len(fte)} years but the horizon is "
                    f"{self.scenario.horizon_years}"
                )
        if not any(self.funded_fte_by_year()):
            raise ValueError(
                "'staffing.funded_fte' is 0 in every year: the case funds no posts; give the "
                "FTE funded in at least one year"
            )
        names = [e.name for e in self.extra]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(
                f"'extra' names {', '.join(repr(n) for n in twice)} more than once; give each "
                "resource once (with its own name)"
            )
        return self

    def quantities(self) -> dict[str, Quantity]:
        """Every figure by its dotted path (``staffing.caseload``, ``extra[0].unit_cost``)."""
        return quantities_in(self)

    def funded_fte_by_year(self) -> list[float]:
        """Funded FTE for each year of the horizon (a short list carries its last value on)."""
        fte = self.staffing.funded_fte
        years = self.scenario.horizon_years
        if isinstance(fte, list):
            return [fte[min(i, len(fte) - 1)] for i in range(years)]
        return [fte] * years


def bundled_defaults_file() -> Path:
    from importlib import resources

    return Path(str(resources.files("peervalue") / "data" / "scenarios" / "national-defaults.toml"))


def template_file() -> Path:
    from importlib import resources

    return Path(str(resources.files("peervalue") / "data" / "scenarios" / "template.toml"))
