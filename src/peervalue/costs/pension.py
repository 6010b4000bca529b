"""NHS Pension Scheme employer contribution rates by financial year
(``data/pay/nhs-pension-employer.yaml``): the share a trust pays itself, which the
``trust-cash`` perspective costs a post with (14% to 2014-15, 14.3% for 2015-16 and
2016-17, 14.38% from 2017-18), and the full rate, the public sector's cost.

A price year takes the latest row not after it; a year before the first row is refused.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import Field

from peervalue.errors import input_error
from peervalue.provenance import PriceYear, Quantity, Source, Status, StrictModel

Rate = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class PensionYear(StrictModel):
    trust: Rate  #: the share the trust pays itself
    full: Rate  #: the whole employer rate, the public sector's cost
    status: Status
    source: Source
    note: str | None = None


class PensionTable(StrictModel):
    description: str = Field(min_length=1)
    unit: str
    years: dict[PriceYear, PensionYear] = Field(min_length=1)


def pension_file() -> Path:
    return Path(str(resources.files("peervalue") / "data" / "pay" / "nhs-pension-employer.yaml"))


@cache
def pension_table() -> PensionTable:
    from peervalue.fileio import read_mapping, validate

    path = pension_file()
    return validate(PensionTable, read_mapping(path), path)


def _row(price_year: str) -> tuple[str, PensionYear]:
    years = pension_table().years
    earlier = sorted(y for y in years if y <= price_year)
    if not earlier:
        raise input_error(
            pension_file(),
            "years",
            f"no employer pension rate for {price_year!r}",
            f"a price year from {min(years)} on",
        )
    return earlier[-1], years[earlier[-1]]


def trust_pension_at(price_year: str) -> Quantity:
    """The employer pension a trust pays at ``price_year``, a proportion of salary, with
    the row's source (and, for a year after the row's first, how it was chosen)."""
    first, row = _row(price_year)
    note = row.note or ""
    if first != price_year:
        note = f"The rate from {first}, the latest not after {price_year}. {note}".strip()
    return Quantity(
        value=row.trust,
        unit="proportion",
        status=row.status,
        source=row.source,
        note=note or None,
    )
