"""Loading a unit-cost file and bringing every cost to its price year."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from peervalue.costs.indices import PriceIndex, nhs_pay_and_prices
from peervalue.costs.schema import CostFile
from peervalue.fileio import read_mapping, validate


def bundled_costs_file() -> Path:
    """The default cost file: England at 2011-12 prices."""
    return Path(str(resources.files("peervalue") / "data" / "costs" / "england-2011-12.yaml"))


def load_costs(path: str | Path | None = None, index: PriceIndex | None = None) -> CostFile:
    """Read and validate a cost file; ``None`` loads the bundled 2011-12 costs.

    Every price year in the file (the output year and each cost's own year)
    must be covered by the price index, so that costs can be rebased.
    """
    file = bundled_costs_file() if path is None else Path(path)
    costs = validate(CostFile, read_mapping(file), file)
    index = index or nhs_pay_and_prices()
    index.check_year(costs.price_year, file, "price_year")
    for field, quantity in costs.quantities().items():
        if quantity.price_year is not None:
            index.check_year(quantity.price_year, file, f"{field}.price_year")
    return costs
