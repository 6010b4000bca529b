"""Result objects of the deterministic analysis, convertible to pandas and JSON."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd


def clean_json(x: Any) -> Any:
    """JSON-safe: NaN and infinities become None; tuples become lists."""
    if isinstance(x, float):
        return None if not math.isfinite(x) else x
    if isinstance(x, dict):
        return {k: clean_json(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [clean_json(v) for v in x]
    return x


@dataclass(frozen=True)
class StudyResult:
    """One study's row of the reference analysis (money in the result's price year)."""

    id: str
    citation: str
    country: str
    design: str
    peer_role: str
    n: float  #: patients used as the pooling weight
    n_intervention: float
    n_control: float
    bed_days_saved_per_patient: float
    total_bed_days_saved: float
    fte_years: float
    bed_days_saved_per_fte_year: float
    benefit_per_fte_year: float
    cost_per_fte_year: float
    net_benefit_per_fte_year: float
    ratio: float
    classification: str
    assumed_inputs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PooledResult:
    weighted_mean_ratio: float
    ratio_of_sums: float
    weighting: str
    weighting_note: str
    ratio_of_sums_note: str
    above_one: int
    between_zero_and_one: int
    negative: int


@dataclass(frozen=True)
class CostSummary:
    name: str
    cost_per_bed_day: float
    cost_per_fte_year: float
    components: dict[str, float]
    rebased_from: dict[str, str]
    assumed_inputs: list[str]


@dataclass(frozen=True)
class AnalysisResult:
    """The reference analysis on one evidence base at one set of unit costs."""

    studies: list[StudyResult]
    pooled: PooledResult
    break_even_bed_days_per_fte_year: float
    price_year: str
    currency: str
    costs: CostSummary
    evidence_origin: str
    reference: dict[str, Any] | None = None

    def to_pandas(self) -> pd.DataFrame:
        """One row per study, indexed by study id; pooled values are in ``.attrs``."""
        frame = pd.DataFrame([asdict(s) for s in self.studies]).set_index("id")
        frame["assumed_inputs"] = frame["assumed_inputs"].map(", ".join)
        frame.attrs["pooled"] = asdict(self.pooled)
        frame.attrs["price_year"] = self.price_year
        frame.attrs["currency"] = self.currency
        return frame

    def pooled_frame(self) -> pd.DataFrame:
        """The pooled ratios as a two-column frame (method, ratio)."""
        return pd.DataFrame(
            {
                "method": ["weighted_mean_ratio", "ratio_of_sums"],
                "ratio": [self.pooled.weighted_mean_ratio, self.pooled.ratio_of_sums],
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: ``studies``, ``pooled``, ``break_even``, costs and price year."""
        out: dict[str, Any] = {
            "price_year": self.price_year,
            "currency": self.currency,
            "evidence": self.evidence_origin,
            "studies": [asdict(s) for s in self.studies],
            "pooled": asdict(self.pooled),
            "break_even": {
                "bed_days_saved_per_fte_year": self.break_even_bed_days_per_fte_year,
                "formula": "cost_per_fte_year / cost_per_bed_day",
            },
            "costs": asdict(self.costs),
        }
        if self.reference is not None:
            out["published_reference"] = self.reference
        return clean_json(out)  # type: ignore[no-any-return]
