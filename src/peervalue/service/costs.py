"""Runs about unit costs: rebasing an amount, listing the bundled sets, rebasing against
re-costing. Each takes a request (:mod:`peervalue.service.requests`) and returns a typed
result (:mod:`peervalue.costs.results`)."""

from __future__ import annotations

from pathlib import Path

from peervalue.costs.indices import PriceIndex, nhs_indexes
from peervalue.costs.load import bundled_cost_sets, load_costs
from peervalue.costs.results import (
    CostComparison,
    CostLine,
    CostSetList,
    CostSetSummary,
    RebaseResult,
)
from peervalue.costs.schema import CostFile
from peervalue.errors import field_error, field_ref, quote
from peervalue.service.requests import CostComparisonRequest, RebaseRequest


def unit_cost_values(
    costs: CostFile, index: PriceIndex, price_year: str | None = None
) -> tuple[float, float]:
    """(cost per bed-day, cost per peer worker FTE-year) of ``costs`` at ``price_year``."""
    from peervalue.model.evaluate import point_value, unit_costs
    from peervalue.model.spec import build_spec

    spec = build_spec([], costs, index, price_year=price_year)
    values = {name: [value] for name, value in spec.point_values().items()}
    c_bed, c_psw = unit_costs(spec, values)
    return point_value(c_bed), point_value(c_psw)


def run_rebase(request: RebaseRequest) -> RebaseResult:
    """``value`` at ``from_year`` prices, at ``to_year`` prices by the chosen series."""
    indexes = nhs_indexes()
    index = indexes.get(request.series)
    factor = index.factor(request.from_year, request.to_year)
    return RebaseResult(
        value=request.value,
        from_year=request.from_year,
        to_year=request.to_year,
        factor=factor,
        result=request.value * factor,
        series=request.series,
        index_name=index.name,
        edition=indexes.edition,
        provisional_years=list(index.provisional),
        formula=f"value x level({request.to_year}) / level({request.from_year})",
        forecast_note=forecast_notes(index, request.from_year, request.to_year),
    )


def forecast_notes(index: PriceIndex, *years: str) -> str | None:
    """The forecast note of each forecast year among ``years`` (``None``: none is)."""
    notes = [n for y in dict.fromkeys(years) if (n := index.forecast_note(y)) is not None]
    return "; ".join(notes) or None


def run_cost_sets() -> CostSetList:
    """Every bundled cost set with its two unit costs at its own price year."""
    index = nhs_indexes().get("pay-and-prices")
    summaries = []
    for name, path in bundled_cost_sets().items():
        costs = load_costs(path)
        c_bed, c_psw = unit_cost_values(costs, index)
        summaries.append(
            CostSetSummary(
                name=name,
                title=costs.name,
                price_year=costs.price_year,
                cost_per_bed_day=c_bed,
                cost_per_fte_year=c_psw,
                peer_worker_built_from="total" if costs.peer_worker.total else "components",
                file=str(Path("peervalue/data/costs") / path.name),
            )
        )
    return CostSetList(cost_sets=summaries)


def run_cost_comparison(request: CostComparisonRequest) -> CostComparison:
    """The older set rebased to the newer set's year by the index, beside the newer set."""
    from peervalue.service.requests import AnalysisRequest
    from peervalue.service.runs import run_analysis

    older, newer = load_costs(request.older), load_costs(request.newer)
    if older.price_year > newer.price_year:
        raise field_error(
            "older",
            f"{quote(older.name)} is at {older.price_year} prices, after "
            f"{field_ref('newer')}'s {newer.price_year}",
            f"the older cost set first, as {field_ref('older')}, then the newer as "
            + field_ref("newer"),
        )
    index = nhs_indexes().get("pay-and-prices")
    to_year = newer.price_year
    old_bed, old_psw = unit_cost_values(older, index)
    rebased_bed, rebased_psw = unit_cost_values(older, index, to_year)
    new_bed, new_psw = unit_cost_values(newer, index)
    lines = [
        _line("cost per bed-day", "GBP/bed-day", old_bed, rebased_bed, new_bed),
        _line("peer worker cost per FTE-year", "GBP/FTE-year", old_psw, rebased_psw, new_psw),
    ]
    common = {
        "evidence": request.evidence,
        "evidence_set": request.evidence_set,
        "resources": request.resources,
        "weighting": request.weighting,
    }
    rebased = run_analysis(AnalysisRequest(costs=request.older, price_year=to_year, **common))
    recosted = run_analysis(AnalysisRequest(costs=request.newer, **common))
    factor = index.factor(older.price_year, to_year)
    bed_growth = new_bed / old_bed
    psw_growth = new_psw / old_psw
    explanation = [
        f"The NHS pay and prices index rose by a factor of {factor:.3f} from "
        f"{older.price_year} to {to_year}; rebasing moves every cost by that factor, so it "
        "leaves the benefit:cost ratio and the break-even bed-days unchanged.",
        f"The published cost per bed-day rose by a factor of {bed_growth:.3f} and the peer "
        f"worker's cost per FTE-year by {psw_growth:.3f} over the same years: re-costing "
        "moves the two by different amounts, so the ratio changes.",
    ]
    if bed_growth > factor:
        text = (
            "The bed-day cost has risen faster than general NHS inflation, which is why "
            "re-costing raises the ratio more than rebasing does."
        )
        if older.name == load_costs("england-2011-12").name and newer.price_year >= "2023-24":
            # the bundled sets' definitions differ (said only where it is true)
            text += (
                " Part of the rise may be a change of definition: the 2011-12 figure is an "
                "average of mental health care-cluster reference costs, today's is the "
                "National Cost Collection's adult acute provider-spell cost."
            )
        explanation.append(text)
    return CostComparison(
        older=older.name,
        newer=newer.name,
        from_year=older.price_year,
        to_year=to_year,
        index_factor=factor,
        index_name=index.name,
        lines=lines,
        evidence=recosted.evidence,
        ratio_rebased=rebased.pooled.weighted_mean_ratio,
        ratio_recosted=recosted.pooled.weighted_mean_ratio,
        break_even_rebased=rebased.break_even.bed_days_saved_per_fte_year,
        break_even_recosted=recosted.break_even.bed_days_saved_per_fte_year,
        explanation=explanation,
    )


def _line(item: str, unit: str, older: float, rebased: float, published: float) -> CostLine:
    return CostLine(
        item=item,
        unit=unit,
        older_value=older,
        rebased=rebased,
        published=published,
        difference=published - rebased,
        difference_share=(published - rebased) / rebased,
    )
