"""Typed results about unit costs: rebasing, the bundled cost sets, rebasing against re-costing."""

from __future__ import annotations

from typing import Any, ClassVar

from peervalue.results import ResultModel


class RebaseResult(ResultModel):
    """One amount moved between price years: ``value x level(to) / level(from)``."""

    value: float
    from_year: str
    to_year: str
    factor: float
    result: float
    series: str  #: "pay-and-prices", "pay" or "prices"
    index_name: str
    edition: str
    provisional_years: list[str]  #: years of the series the edition marks provisional
    formula: str
    #: set when either year is a forecast year: its index and the range drawn from
    forecast_note: str | None = None

    omit_when_none: ClassVar[frozenset[str]] = frozenset({"forecast_note"})

    def rows(self) -> list[dict[str, Any]]:
        return [self.model_dump(exclude={"provisional_years"})]


class CostSetSummary(ResultModel):
    """One cost set at its own price year: what a bed-day and a peer worker cost."""

    name: str  #: the name ``--costs`` accepts
    title: str  #: the file's own ``name``
    price_year: str
    cost_per_bed_day: float
    cost_per_fte_year: float
    peer_worker_built_from: str  #: "components" or "total"
    file: str


class CostSetList(ResultModel):
    cost_sets: list[CostSetSummary]

    def rows(self) -> list[dict[str, Any]]:
        return [c.model_dump() for c in self.cost_sets]


class CostLine(ResultModel):
    """One unit cost two ways: an older figure rebased by the index, and today's figure."""

    item: str
    unit: str
    older_value: float  #: at the older set's price year
    rebased: float  #: the older value at the newer set's price year, by the index
    published: float  #: the newer set's own figure
    difference: float  #: published - rebased
    difference_share: float  #: (published - rebased) / rebased


class CostComparison(ResultModel):
    """Rebasing an older cost set by NHS inflation, against re-costing at published figures.

    ``lines`` compare the unit costs; ``ratio_rebased`` and ``ratio_recosted`` give the
    reference analysis's weighted mean ratio (and ``break_even_*`` its break-even
    bed-days per FTE-year) under each, on the same evidence.
    """

    older: str
    newer: str
    from_year: str
    to_year: str
    index_factor: float
    index_name: str
    lines: list[CostLine]
    evidence: str
    ratio_rebased: float
    ratio_recosted: float
    break_even_rebased: float
    break_even_recosted: float
    explanation: list[str]

    def rows(self) -> list[dict[str, Any]]:
        return [line.model_dump() for line in self.lines]
