"""Typed results of the deterministic reference analysis (pydantic; JSON and pandas)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from peervalue.model.methods import METHOD_LABELS, Classification, CostBasis, Weighting
from peervalue.reference import PublishedReference
from peervalue.results import ResultModel, frame

if TYPE_CHECKING:
    import pandas as pd


# --- leave-one-out and subgroups (computed by peervalue.uncertainty.influence) ----------


class GroupResult(ResultModel):
    group: str
    studies: list[str]
    patients: float
    weighted_mean_ratio: float
    ratio_of_sums: float
    mc_mean_ratio: float
    prob_net_benefit_positive: float


class InfluenceResult(ResultModel):
    kind: str  #: "leave-one-out" or "subgroup:<field>"
    draws: int
    seed: int
    price_year: str
    currency: str
    probability_method: str = METHOD_LABELS["weighted"]
    all_studies: GroupResult
    groups: list[GroupResult]

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per group, all studies first; ``studies`` joined by commas."""
        rows = [g.model_dump() for g in (self.all_studies, *self.groups)]
        for row in rows:
            row["studies"] = ", ".join(row["studies"])
        return rows

    def to_pandas(self) -> pd.DataFrame:
        return frame(self.rows(), list(GroupResult.model_fields))


class StudyResult(ResultModel):
    """One study's row of the reference analysis (money in the result's price year)."""

    id: str
    citation: str
    country: str
    design: str
    peer_role: str
    #: the study's weight in the weighted mean of ratios: all its patients, or only
    #: those who had peer support (``weighting``); not a sample size of its own
    pooling_weight: float
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
    classification: Classification
    assumed_inputs: list[str] = Field(default_factory=list)


class PooledResult(ResultModel):
    """Both pooled ratios, and how many studies fall in each of the report's classes."""

    weighted_mean_ratio: float
    ratio_of_sums: float
    weighting: Weighting
    weighting_note: str
    ratio_of_sums_note: str
    above_one: int
    between_zero_and_one: int  #: 0 < ratio <= 1
    negative: int
    zero: int  #: ratio exactly 0: no effect (often assumed), in none of the report's classes


class BreakEven(ResultModel):
    """Bed-days a peer worker must save per FTE-year to pay for themself."""

    bed_days_saved_per_fte_year: float
    formula: str = "cost_per_fte_year / cost_per_bed_day"


class CostSummary(ResultModel):
    """The unit costs used, at the result's price year."""

    name: str
    basis: CostBasis
    basis_note: str
    cost_per_bed_day: float
    cost_per_fte_year: float
    components: dict[str, float]
    rebased_from: dict[str, str]
    assumed_inputs: list[str]


class OtherBasis(ResultModel):
    """The pooled result on the other cost basis, shown beside the main one."""

    basis: CostBasis
    basis_note: str
    cost_per_fte_year: float
    weighted_mean_ratio: float
    ratio_of_sums: float
    break_even_bed_days_per_fte_year: float


class AnalysisResult(ResultModel):
    """The reference analysis on one evidence base at one set of unit costs.

    ``influence`` holds leave-one-out and subgroup results when they were asked
    for (``AnalysisRequest.leave_one_out`` / ``subgroup``), else it is empty.
    """

    price_year: str
    currency: str
    evidence: str  #: where the studies came from
    studies: list[StudyResult]
    pooled: PooledResult
    break_even: BreakEven
    costs: CostSummary
    published_reference: PublishedReference | None = None
    #: the same analysis on the other cost basis, when asked for (``reproduce`` does)
    other_cost_basis: OtherBasis | None = None
    influence: list[InfluenceResult] = Field(default_factory=list)
    #: what the benefits count, when a run counts more than bed-days (``--resources all``):
    #: "bed-days" and each other resource category; left out of outputs otherwise
    counted_resources: list[str] | None = None
    #: priced at a forecast year of the index: says so, with the index's assumed growth
    price_index_note: str | None = None
    omit_when_none: ClassVar[frozenset[str]] = frozenset({"counted_resources", "price_index_note"})

    @property
    def break_even_bed_days_per_fte_year(self) -> float:
        return self.break_even.bed_days_saved_per_fte_year

    def study_rows(self) -> list[dict[str, Any]]:
        """One flat row per study; ``assumed_inputs`` joined by commas."""
        rows = [s.model_dump() for s in self.studies]
        for row in rows:
            row["assumed_inputs"] = ", ".join(row["assumed_inputs"])
        return rows

    def to_pandas(self) -> pd.DataFrame:
        """One row per study, indexed by study id; pooled values are in ``.attrs``."""
        table = frame(self.study_rows(), list(StudyResult.model_fields)).set_index("id")
        table.attrs["pooled"] = self.pooled.model_dump()
        table.attrs["price_year"] = self.price_year
        table.attrs["currency"] = self.currency
        return table

    def pooled_frame(self) -> pd.DataFrame:
        """The pooled ratios as a two-column frame (method, ratio)."""
        return frame(
            [
                {"method": "weighted_mean_ratio", "ratio": self.pooled.weighted_mean_ratio},
                {"method": "ratio_of_sums", "ratio": self.pooled.ratio_of_sums},
            ]
        )
