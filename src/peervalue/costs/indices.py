"""Price indices and rebasing costs between financial years.

Rebasing follows the usual rule ``value * level(target) / level(price_year)``;
a year outside the series is an error that lists the years available. The
bundled index file is validated by :class:`PriceIndexFile` like any other data
file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import Field, model_validator

from peervalue.provenance import PriceYear, Source, Status, StrictModel

if TYPE_CHECKING:  # numpy only for the type of drawn arrays; not imported at start-up
    import numpy as np
    from numpy.typing import NDArray

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


SeriesField = Literal["pay_and_prices", "pay", "prices"]


class LaterYear(StrictModel):
    """A year after the pinned edition: an estimate from published figures (held fixed) or
    a forecast (assumed growth with a range, drawn in a business case's Monte Carlo)."""

    kind: Literal["estimate", "forecast"]
    pay_and_prices: GrowthPercent
    pay: GrowthPercent
    prices: GrowthPercent
    #: low and high growth (per cent) of each series; required for a forecast
    range: dict[SeriesField, tuple[GrowthPercent, GrowthPercent]] | None = None
    status: Status
    formula: str | None = None
    rationale: str | None = None
    source: Source | None = None

    @model_validator(mode="after")
    def _ranged(self) -> Self:
        if self.kind == "forecast":
            missing = [
                f for f in ("pay_and_prices", "pay", "prices") if f not in (self.range or {})
            ]
            if missing:
                raise ValueError(f"a forecast year needs a 'range' for {', '.join(missing)}")
        for name, (low, high) in (self.range or {}).items():
            if not low <= getattr(self, name) <= high:
                raise ValueError(
                    f"range of {name}: {getattr(self, name)} is not within [{low}, {high}]"
                )
        return self


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
    #: years after the edition: estimates, then forecasts
    later_years: dict[PriceYear, LaterYear] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consecutive(self) -> Self:
        years = [*self.hchs_levels.values, *self.nhscii_growth_percent.values, *self.later_years]
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
        kinds = [y.kind for y in self.later_years.values()]
        if kinds != sorted(kinds):  # "estimate" < "forecast"
            raise ValueError("later years: every estimate must come before the forecasts")
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
    #: forecast years: (assumed growth, low, high), per cent into the year
    forecast: dict[str, tuple[float, float, float]] = field(default_factory=dict)

    @property
    def years(self) -> list[str]:
        return list(self.levels)

    def covers(self, year: str) -> bool:
        return year in self.levels

    def expected_years(self) -> str:
        text = f"a financial year from {self.years[0]} to {self.years[-1]}"
        if self.forecast:
            text += f" ({' and '.join(self.forecast)} are forecasts)"
        return text

    def is_forecast(self, year: str) -> bool:
        return year in self.forecast

    def level_range(self, year: str) -> tuple[float, float]:
        """The level of ``year`` at every forecast year's low and at every one's high
        growth (the point level twice for a year that is not forecast and follows none)."""
        low = high = self.levels[year]
        for y, (point, lo, hi) in self.forecast.items():
            if y <= year:
                low *= (1 + lo / 100) / (1 + point / 100)
                high *= (1 + hi / 100) / (1 + point / 100)
        return low, high

    def forecast_note(self, year: str) -> str | None:
        """A sentence saying that ``year`` is a forecast year, with its index and range;
        ``None`` for a year that is not forecast."""
        if not self.is_forecast(year):
            return None
        low, high = self.level_range(year)
        last = next(y for y in reversed(self.years) if y not in self.forecast)
        growth = "; ".join(
            f"{y} {p:g}% ({lo:g}% to {hi:g}%)"
            for y, (p, lo, hi) in self.forecast.items()
            if y <= year
        )
        return (
            f"priced at {year}, a forecast year: index {self.levels[year]:.1f} "
            f"(range {low:.1f} to {high:.1f}; {last} = {self.levels[last]:.1f}) of the "
            f"{self.name}, from assumed growth {growth}; a business case's Monte Carlo "
            "draws it within that range"
        )

    def forecast_ratio(
        self, from_year: str, to_year: str, growth: Mapping[str, NDArray[np.float64]]
    ) -> Any:
        """The drawn rebasing factor over the point one, ``factor(draws) / factor(point)``,
        for the forecast years in ``(from_year, to_year]``; ``growth`` holds each forecast
        year's drawn growth (per cent). 1.0 when no forecast year is crossed. Rebasing
        backwards from a forecast year divides instead."""
        lo, hi, sign = (from_year, to_year, 1) if from_year <= to_year else (to_year, from_year, -1)
        ratio: Any = 1.0
        for y, (point, _, _) in self.forecast.items():
            if lo < y <= hi:
                ratio = ratio * ((1 + growth[y] / 100) / (1 + point / 100)) ** sign
        return ratio

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
    later = data.later_years
    estimates = tuple(y for y, v in later.items() if v.kind == "estimate")

    def extended(field: SeriesField, growth: dict[str, float]) -> dict[str, float]:
        return {**growth, **{y: getattr(v, field) for y, v in later.items()}}

    def forecast(field: SeriesField) -> dict[str, tuple[float, float, float]]:
        return {
            y: (getattr(v, field), *(v.range or {})[field])
            for y, v in later.items()
            if v.kind == "forecast"
        }

    provisional = (*data.nhscii_growth_percent.provisional, *estimates)
    series: dict[IndexName, PriceIndex] = {
        "pay-and-prices": PriceIndex(
            "NHS pay and prices index (HCHS, then NHSCII)",
            chain_levels(base, extended("pay_and_prices", dict(data.nhscii_growth_percent.values))),
            data.edition,
            provisional,
            forecast("pay_and_prices"),
        )
    }
    parts: dict[IndexName, tuple[SeriesField, GrowthSeries | None]] = {
        "pay": ("pay", data.nhscii_pay_growth_percent),
        "prices": ("prices", data.nhscii_prices_growth_percent),
    }
    for name, (part, growth) in parts.items():
        if growth is None:
            series[name] = replace(
                series["pay-and-prices"], name=f"NHS pay and prices index (no {name} series)"
            )
        else:
            series[name] = PriceIndex(
                f"NHS {name} index (HCHS pay and prices, then NHSCII {name})",
                chain_levels(base, extended(part, dict(growth.values))),
                data.edition,
                (*growth.provisional, *estimates),
                forecast(part),
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
