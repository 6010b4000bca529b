"""The published result of Trachtenberg et al. (2013), shown beside ours as a reference."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from peervalue.fileio import read_mapping


@dataclass(frozen=True)
class PublishedReference:
    citation: str
    url: str
    price_year: str
    weighted_mean_ratio: float
    above_one: int
    between_zero_and_one: int
    negative: int
    note: str
    differences: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "citation": self.citation,
            "url": self.url,
            "price_year": self.price_year,
            "weighted_mean_ratio": self.weighted_mean_ratio,
            "classification": {
                "above_one": self.above_one,
                "between_zero_and_one": self.between_zero_and_one,
                "negative": self.negative,
            },
            "why_results_differ": self.differences,
        }


@cache
def trachtenberg2013() -> PublishedReference:
    """Load the bundled record of the 2013 report's published figures."""
    path = Path(str(resources.files("peervalue") / "data" / "reference" / "trachtenberg2013.yaml"))
    data = read_mapping(path)
    cls = data["classification"]
    return PublishedReference(
        citation=str(data["citation"]),
        url=str(data["url"]),
        price_year=str(data["price_year"]),
        weighted_mean_ratio=float(data["weighted_mean_ratio"]["value"]),
        above_one=int(cls["above_one"]),
        between_zero_and_one=int(cls["between_zero_and_one"]),
        negative=int(cls["negative"]),
        note=" ".join(str(data["weighted_mean_ratio"]["note"]).split()),
        differences=" ".join(str(data["differences"]).split()),
    )
