"""Price indices and rebasing costs between financial years.

Rebasing follows the usual rule ``value * level(target) / level(price_year)``;
a year outside the series is an error that lists the years available. The
bundled index file is validated by :class:`PriceIndexFile` like any other data
file.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from peervalue.provenance import PriceYear, Source, Status, StrictModel

IndexLevel = Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0)]
GrowthPercent = Annotated[float, Field(strict=True, allow_inf_nan=False, gt=-50, lt=100)]


class IndexSeries(StrictModel):
    """Index levels (or yearly growth) keyed by financial year, with their provenance."""

    unit: str = Field(min_length=1)
    status: Status
    source: Source
    formula: str | None = None


class LevelSeries(IndexSeries):
    values: dict[PriceYear, IndexLevel] = Field(min_length=1)


class GrowthSeries(IndexSeries):
    values: dict[PriceYear, GrowthPercent] = Field(min_length=1)
    #: years whose figure the edition marks as provisional
    provisional: list[PriceYear] = Field(default_factory=list)


class PriceIndexFile(StrictModel):
    """Schema of a price-index file: base levels, then yearly growth chained onto them.

    ``nhscii_growth_percent`` is the combined pay-and-prices growth; the optional pay
    and prices series, where the edition gives them, cover the same years.
    """

    description: str = Field(min_length=1)
    edition: str = Field(min_length=1)
    hchs_levels: LevelSeries
    nhscii_growth_percent: GrowthSeries
    nhscii_pay_growth_percent: GrowthSeries | None = None
    nhscii_prices_growth_percent: GrowthSeries | None = None

    @model_validator(mode="after")
    def _consecutive(self) -> Self:
        years = [*self.hchs_levels.values, *self.nhscii_growth_percent.values]
        starts = [int(y[:4]) for y in years]
        for before, after in pairwise(starts):
            if after != before + 1:
                raise ValueError(
                    f"years must run one after another, oldest first; {before}-"
                    f"{(before + 1) % 100:02d} is followed by {after}-{(after + 1) % 100:02d}"
                )
        unknown = [y for y in self.nhscii_growth_percent.provisional if y not in years]
        if unknown:
            raise ValueError(f"provisional years {unknown} are not in the series")
        for name in ("nhscii_pay_growth_percent", "nhscii_prices_growth_percent"):
            series = getattr(self, name)
            if series is not None and list(series.values) != list(
                self.nhscii_growth_percent.values
            ):
                raise ValueError(f"'{name}' must cover the same years as 'nhscii_growth_percent'")
        return self


IndexName = Literal["pay-and-prices", "pay", "prices"]
INDEX_NAMES: tuple[IndexName, ...] = ("pay-and-prices", "pay", "prices")


@dataclass(frozen=True)
class PriceIndex:
    """Index levels keyed by financial year (``"2011-12"``), oldest first."""

    name: str
    levels: dict[str, float]
    source: str
    provisional: tuple[str, ...] = ()

    @property
    def years(self) -> list[str]:
        return list(self.levels)

    def covers(self, year: str) -> bool:
        return year in self.levels

    def expected_years(self) -> str:
        return f"a financial year from {self.years[0]} to {self.years[-1]}"

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


def index_file() -> Path:
    return Path(str(resources.files("peervalue") / "data" / "indices" / "nhs_pay_and_prices.yaml"))


@dataclass(frozen=True)
class PriceIndexes:
    """The series of one index file, by name: pay and prices, pay, prices."""

    series: dict[IndexName, PriceIndex]
    edition: str

    def get(self, name: IndexName) -> PriceIndex:
        return self.series[name]


def load_price_indexes(path: Path) -> PriceIndexes:
    """Read and validate a price-index file into its series.

    Pay and prices series follow the combined HCHS levels up to the last HCHS year
    and chain their own growth after it; a file without them falls back to the
    combined series (and says so in the series' name).
    """
    from peervalue.fileio import read_mapping, validate

    data = validate(PriceIndexFile, read_mapping(path), path)
    base = dict(data.hchs_levels.values)
    provisional = tuple(data.nhscii_growth_percent.provisional)
    series: dict[IndexName, PriceIndex] = {
        "pay-and-prices": PriceIndex(
            "NHS pay and prices index (HCHS, then NHSCII)",
            chain_levels(base, dict(data.nhscii_growth_percent.values)),
            data.edition,
            provisional,
        )
    }
    parts: dict[IndexName, GrowthSeries | None] = {
        "pay": data.nhscii_pay_growth_percent,
        "prices": data.nhscii_prices_growth_percent,
    }
    for name, growth in parts.items():
        if growth is None:
            series[name] = replace(
                series["pay-and-prices"], name=f"NHS pay and prices index (no {name} series)"
            )
        else:
            series[name] = PriceIndex(
                f"NHS {name} index (HCHS pay and prices, then NHSCII {name})",
                chain_levels(base, dict(growth.values)),
                data.edition,
                tuple(growth.provisional),
            )
    return PriceIndexes(series, data.edition)


def load_price_index(path: Path) -> PriceIndex:
    """The combined pay-and-prices series of a price-index file."""
    return load_price_indexes(path).get("pay-and-prices")


@cache
def nhs_indexes() -> PriceIndexes:
    """The bundled NHS indices: pay and prices (HCHS to 2014-15, NHSCII after), pay, prices."""
    return load_price_indexes(index_file())


def nhs_pay_and_prices() -> PriceIndex:
    """The bundled NHS pay and prices index (HCHS to 2014-15, NHSCII after)."""
    return nhs_indexes().get("pay-and-prices")
