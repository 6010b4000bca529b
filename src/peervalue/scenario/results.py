"""Typed results of a business case: year by year, totals, uncertainty, what was overridden."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import PrivateAttr

from peervalue.costs.perspective import CostBuildUp
from peervalue.results import ResultModel
from peervalue.scenario.options import OptionsAppraisal
from peervalue.scenario.organisation_results import ByOrganisation
from peervalue.scenario.schema import ScenarioFile
from peervalue.scenario.structural import StructuralPanel
from peervalue.uncertainty.results import Interval


class ScenarioYear(ResultModel):
    """One year of the business case at the point values (money at the scenario's prices),
    with the Monte Carlo spread of its net benefit and the chance it has paid back by then."""

    year: int
    label: str  #: the financial year where the scenario has a start date, else "year N"
    funded_fte: float
    filled_fte: float
    patient_years: float
    bed_days_saved: float
    gross_benefit: float
    cash_releasing: float
    capacity: float
    staff_cost: float
    one_off_cost: float
    running_cost: float
    total_cost: float
    net_benefit: float
    benefit_cost_ratio: float
    discount_factor: float
    discounted_net_benefit: float
    cumulative_discounted_net_benefit: float
    net_benefit_interval: Interval
    prob_paid_back: float  #: share of draws whose cumulative discounted net benefit is >= 0
    effective_fte: float  #: filled posts less newcomers' months without effect (the lag)
    cash_net_benefit: float  #: cash-releasing benefit less every cost (the financial case)
    discounted_cash_net_benefit: float
    cumulative_discounted_cash_net_benefit: float
    prob_cash_paid_back: float  #: share of draws whose cumulative discounted cash is >= 0


class ScenarioTotals(ResultModel):
    """The whole horizon at the point values."""

    gross_benefit: float
    total_cost: float
    net_benefit: float
    discounted_benefit: float
    discounted_cost: float
    net_present_value: float
    benefit_cost_ratio: float  #: discounted benefit / discounted cost
    net_return_per_pound: float  #: net present value / discounted cost
    payback_year: float  #: first year with cumulative discounted net benefit >= 0 (NaN: never)
    break_even_caseload: float
    break_even_cost_per_bed_day: float
    net_present_value_without_transferability: float
    #: the financial case: discounted cash-releasing benefit, and it less every cost
    discounted_cash_benefit: float
    cash_net_present_value: float
    #: first year with cumulative discounted cash net benefit >= 0 (NaN: never)
    cash_payback_year: float


class ScenarioUncertainty(ResultModel):
    """Monte Carlo summary of the whole business case."""

    draws: int
    seed: int
    net_present_value: Interval
    prob_net_present_value_positive: float
    benefit_cost_ratio: Interval
    payback_by_year: dict[str, float]  #: "1".."H" -> share of draws paid back by that year
    prob_never_pays_back: float
    payback_year_median: float  #: NaN when fewer than half the draws pay back
    cash_net_present_value: Interval
    prob_cash_net_present_value_positive: float
    cash_payback_by_year: dict[str, float]  #: "1".."H" -> share paid back in cash by then
    prob_cash_never_pays_back: float


class CashYear(ResultModel):
    """One financial year's cash at its own prices (nominal), for affordability."""

    year: int
    label: str
    cost: float  #: every cost, at the year's own prices (pay awards applied)
    cash_released: float  #: the cash-releasing benefit, at the year's own prices
    net_cash: float
    net_cash_interval: Interval
    cumulative_net_cash: float


class Affordability(ResultModel):
    """The financial case in each year's own prices, beside the real-terms economic case."""

    pay_award: float  #: a year, at the point value
    price_inflation: float  #: a year, at the point value
    years: list[CashYear]
    total_cost: float
    total_cash_released: float
    total_net_cash: float


class EffectUsed(ResultModel):
    """Where the effect came from. A relative source (the synthesis) also gives its ratio
    (peer support over usual care, at the median log ratio) with its 95% interval and the
    baseline bed-days per patient-year of support it applies to; ``studies`` are then those
    the synthesis takes."""

    source: str
    bed_days_saved_per_patient_year: float  #: the point value, before transferability
    transferability: float
    studies: list[str]
    evidence: str
    label: str | None = None
    ratio: float | None = None
    ratio_low: float | None = None
    ratio_high: float | None = None
    baseline_bed_days_per_patient_year: float | None = None
    synthesis: str | None = None
    omit_when_none: ClassVar[frozenset[str]] = frozenset(
        {
            "label",
            "ratio",
            "ratio_low",
            "ratio_high",
            "baseline_bed_days_per_patient_year",
            "synthesis",
        }
    )


class Override(ResultModel):
    """A figure the scenario sets in place of the national default."""

    field: str
    default: str
    scenario: str
    status: str
    source: str


class ResolvedInput(ResultModel):
    """Every input as the run used it, with where it came from."""

    field: str
    value: float
    unit: str
    price_year: str | None
    status: str
    source: str
    distribution: str


class ScenarioResult(ResultModel):
    """A local business case: what it costs and saves year by year, and how sure that is."""

    name: str
    organisation: str
    scenario_file: str
    price_year: str
    currency: str
    start: str | None
    horizon_years: int
    discount_rate: float
    #: the discount schedule used (green-book, green-book-health or constant), in words too
    discount_schedule: str
    discounting: str
    cost_set: str
    cost_per_bed_day: float
    cost_per_fte_year: float
    effect: EffectUsed
    benefit_categories: list[str]
    years: list[ScenarioYear]
    totals: ScenarioTotals
    uncertainty: ScenarioUncertainty
    affordability: Affordability
    overrides: list[Override]
    inputs: list[ResolvedInput]
    notes: list[str]
    #: set when the price year is a forecast year: its index and the range drawn from
    price_index_note: str | None = None
    #: with perspective "trust-cash": a post's cost built up both ways
    cost_build_up: CostBuildUp | None = None

    omit_when_none: ClassVar[frozenset[str]] = frozenset(
        {"price_index_note", "cost_build_up", "options", "by_organisation"}
    )
    #: the answer under each choice of effect, side by side (structural uncertainty)
    structural: StructuralPanel | None = None
    #: with ``[[options]]``: every option beside business as usual and the case itself
    options: OptionsAppraisal | None = None
    #: who pays and who gains: the case by organisation (``[organisations]``)
    by_organisation: ByOrganisation | None = None
    #: see :attr:`resolved` (private: not part of the JSON, the table or the schema)
    _resolved: ScenarioFile | None = PrivateAttr(default=None)

    @property
    def resolved(self) -> ScenarioFile | None:
        """The whole scenario the result was computed from (the defaults included, its files
        by their full paths, the run's draws and seed): ``--save-inputs`` writes it."""
        return self._resolved

    def with_resolved(self, scenario: ScenarioFile) -> ScenarioResult:
        """This result, carrying the scenario it was computed from."""
        out = self.model_copy()
        out._resolved = scenario
        return out

    def year_rows(self) -> list[dict[str, Any]]:
        """One flat row per year (the net benefit interval spread over columns)."""
        rows = []
        for y in self.years:
            row = y.model_dump(exclude={"net_benefit_interval"})
            interval = y.net_benefit_interval
            row["net_benefit_p2_5"] = interval.p2_5
            row["net_benefit_p97_5"] = interval.p97_5
            rows.append(row)
        return rows


class ScenarioComparison(ResultModel):
    """Several business cases run side by side."""

    scenarios: list[ScenarioResult]

    def rows(self) -> list[dict[str, Any]]:
        rows = []
        for s in self.scenarios:
            for row in s.year_rows():
                rows.append({"scenario": s.name, **row})
        return rows
