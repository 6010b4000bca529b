"""Agenda for Change pay bands: a band's salary for a scenario that names a band."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import Field

from peervalue.provenance import Distribution, PriceYear, Quantity, Source, Status, StrictModel

Pay = Annotated[float, Field(gt=0, le=1e6, allow_inf_nan=False)]


class PayYear(StrictModel):
    bands: dict[str, tuple[Pay, Pay]]
    status: Status
    source: Source
    formula: str | None = None


class PayTable(StrictModel):
    """Schema of the bundled pay table: entry and top of each band, by year."""

    description: str = Field(min_length=1)
    unit: str
    years: dict[PriceYear, PayYear] = Field(min_length=1)


def pay_table_file() -> Path:
    return Path(str(resources.files("peervalue") / "data" / "pay" / "agenda-for-change.yaml"))


@cache
def pay_table() -> PayTable:
    from peervalue.fileio import read_mapping, validate

    path = pay_table_file()
    return validate(PayTable, read_mapping(path), path)


def band_salary(band: str, price_year: str) -> Quantity | None:
    """The middle of ``band`` at the latest year of the table not after ``price_year``, as a
    quantity with its own price year and the band's range (``None``: no such band or year)."""
    table = pay_table()
    years = sorted(y for y in table.years if y <= price_year and band in table.years[y].bands)
    if not years:
        return None
    year = years[-1]
    entry = table.years[year]
    low, high = entry.bands[band]
    middle = (low + high) / 2
    return Quantity(
        value=middle,
        unit="GBP/year",
        price_year=year,
        status=Status.DERIVED,
        formula=f"middle of Agenda for Change band {band} in {year}: ({low:g} + {high:g}) / 2",
        range=(low, high),
        source=entry.source,
        note="the band's entry and top points are its range",
        distribution=Distribution(
            kind="triangular",
            rationale="the band's floor and ceiling bound the salary; its middle is the mode",
        ),
    )


def bands() -> list[str]:
    return sorted({b for y in pay_table().years.values() for b in y.bands})
