"""Price indices and rebasing costs between financial years.

Rebasing follows the usual rule ``value * level(target) / level(price_year)``;
a year outside the series is an error that lists the years available.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from peervalue.errors import input_error
from peervalue.fileio import read_mapping


@dataclass(frozen=True)
class PriceIndex:
    """Index levels keyed by financial year (``"2011-12"``), oldest first."""

    name: str
    levels: dict[str, float]
    source: str

    @property
    def years(self) -> list[str]:
        return list(self.levels)

    def check_year(self, year: str, where: str | Path, field: str) -> None:
        """Raise a clear :class:`InputError` when ``year`` is not in the series."""
        if year not in self.levels:
            raise input_error(
                where,
                field,
                f"price year {year!r} is not covered by the {self.name}",
                f"a financial year from {self.years[0]} to {self.years[-1]}",
            )

    def factor(self, from_year: str, to_year: str) -> float:
        """Multiplier taking a cost at ``from_year`` prices to ``to_year`` prices."""
        return self.levels[to_year] / self.levels[from_year]


def chain_levels(base: dict[str, float], growth_percent: dict[str, float]) -> dict[str, float]:
    """Extend index ``base`` forward with annual percentage changes.

    The first growth year must follow the last base year; each later level is
    the previous level times ``1 + growth / 100``.
    """
    levels = dict(base)
    last = list(levels.values())[-1]
    for year, growth in growth_percent.items():
        last = last * (1.0 + growth / 100.0)
        levels[year] = last
    return levels


def _index_file() -> Path:
    return Path(str(resources.files("peervalue") / "data" / "indices" / "nhs_pay_and_prices.yaml"))


@cache
def nhs_pay_and_prices() -> PriceIndex:
    """The bundled NHS pay and prices index (HCHS to 2014-15, NHSCII after)."""
    path = _index_file()
    data = read_mapping(path)
    hchs = {str(k): float(v) for k, v in data["hchs_levels"]["values"].items()}
    growth = {str(k): float(v) for k, v in data["nhscii_growth_percent"]["values"].items()}
    return PriceIndex(
        name="NHS pay and prices index (HCHS, then NHSCII)",
        levels=chain_levels(hchs, growth),
        source=str(data["edition"]),
    )
