"""The published result of Trachtenberg et al. (2013), shown beside ours as a reference.

The bundled record (``data/reference/trachtenberg2013.yaml``) is validated by
:class:`PublishedReferenceFile` like any other data file; :func:`trachtenberg2013`
turns it into the :class:`PublishedReference` that results carry.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import Field

from peervalue.provenance import PriceYear, Status, StrictModel
from peervalue.results import ResultModel


class ReportedRatio(StrictModel):
    value: float = Field(allow_inf_nan=False)
    status: Status
    note: str = Field(min_length=1)


class Classification(StrictModel):
    """How many study ratios fell in each of the report's classes."""

    above_one: int = Field(ge=0)
    between_zero_and_one: int = Field(ge=0)
    negative: int = Field(ge=0)


class PublishedReferenceFile(StrictModel):
    """Schema of the bundled record of a published result."""

    citation: str = Field(min_length=1)
    url: str = Field(min_length=1)
    price_year: PriceYear
    weighted_mean_ratio: ReportedRatio
    classification: Classification
    differences: str = Field(min_length=1)


class PublishedReference(ResultModel):
    """The published figures, as results show them beside ours (never a target)."""

    citation: str
    url: str
    price_year: str
    weighted_mean_ratio: float
    classification: dict[str, int]
    why_results_differ: str
    note: str = Field(exclude=True)


def reference_file() -> Path:
    return Path(str(resources.files("peervalue") / "data" / "reference" / "trachtenberg2013.yaml"))


def published_reference(path: Path) -> PublishedReference:
    """Read and validate a published-reference file."""
    from peervalue.fileio import read_mapping, validate

    data = validate(PublishedReferenceFile, read_mapping(path), path)
    return PublishedReference(
        citation=data.citation,
        url=data.url,
        price_year=data.price_year,
        weighted_mean_ratio=data.weighted_mean_ratio.value,
        classification=data.classification.model_dump(),
        why_results_differ=" ".join(data.differences.split()),
        note=" ".join(data.weighted_mean_ratio.note.split()),
    )


@cache
def trachtenberg2013() -> PublishedReference:
    """The bundled record of the 2013 report's published figures."""
    return published_reference(reference_file())
