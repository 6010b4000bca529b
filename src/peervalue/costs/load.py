"""Loading a unit-cost file and checking that every cost can be brought to its price year."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from peervalue.costs.indices import PriceIndex, nhs_pay_and_prices
from peervalue.costs.schema import CostFile
from peervalue.errors import InputError, Problem
from peervalue.fileio import read_mapping, validate


def bundled_costs_file() -> Path:
    """The default cost file: England at 2011-12 prices."""
    return Path(str(resources.files("peervalue") / "data" / "costs" / "england-2011-12.yaml"))


def price_year_problems(costs: CostFile, index: PriceIndex | None = None) -> list[Problem]:
    """Every price year in ``costs`` (the output year and each cost's own) the index lacks."""
    index = index or nhs_pay_and_prices()
    years = {"price_year": costs.price_year}
    years.update(
        {
            f"{field}.price_year": q.price_year
            for field, q in costs.quantities().items()
            if q.price_year
        }
    )
    return [
        Problem(
            field,
            f"price year {year!r} is not covered by the {index.name}",
            index.expected_years(),
        )
        for field, year in years.items()
        if not index.covers(year)
    ]


def load_costs(path: str | Path | None = None, index: PriceIndex | None = None) -> CostFile:
    """Read and validate a cost file; ``None`` loads the bundled 2011-12 costs.

    Every price year in the file (the output year and each cost's own year)
    must be covered by the price index, so that costs can be rebased.
    """
    file = bundled_costs_file() if path is None else Path(path)
    costs = validate(CostFile, read_mapping(file), file)
    problems = price_year_problems(costs, index)
    if problems:
        raise InputError(file, problems)
    return costs
