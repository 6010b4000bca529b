"""Evidence sets side by side (``peervalue compare``): the 2013 answer beside the 2026 one.

Each set is run as the reference analysis (deterministic pooled ratios) and as the
Monte Carlo (intervals and the probability that benefits exceed costs), at the same
costs, draws and seed. The first set is the baseline: the result names the studies
the others add or drop and says in plain words what moved the answer. The results
here are light pydantic models; the runs import numpy when they run.
"""

from __future__ import annotations

from typing import Any

from peervalue.model.methods import DOMINANT_SHARE, METHOD_TITLES
from peervalue.results.compare import EvidenceComparison, MethodSummary, SetSide, StudyLine
from peervalue.service.requests import (
    AnalysisRequest,
    EvidenceComparisonRequest,
    PsaRequest,
)

__all__ = ["EvidenceComparison", "MethodSummary", "SetSide", "StudyLine", "explain", "run_compare"]


def _pct(p: float) -> str:
    return f"{100 * p:.0f}%"


def _moves(before: str, after: str, lower: bool) -> str:
    """``falls from A to B``, ``rises from A to B``, or ``stays at B`` when the two figures
    read the same as printed (``lower``: the new figure is the smaller)."""
    if before == after:
        return f"stays at {after}"
    return f"{'falls' if lower else 'rises'} from {before} to {after}"


def explain(base: SetSide, other: SetSide) -> list[str]:
    """Plain sentences on how ``other`` differs from ``base`` and why its answer moved.

    Built only from the two results: which studies were added, how much of each pooled
    ratio's weight they carry (patients for the weighted mean, FTE-years for the ratio of
    sums), their quality, and the size and direction of the move.
    """
    base_ids = {s.id for s in base.studies}
    added = [s for s in other.studies if s.id not in base_ids]
    dropped = [s for s in base.studies if s.id not in {t.id for t in other.studies}]
    lines: list[str] = []
    if added:
        lines.append(
            f"{other.evidence_set} pools {len(other.studies)} studies against "
            f"{len(base.studies)} in {base.evidence_set}: it adds "
            + ", ".join(f"{s.citation} ({s.country}, {s.design})" for s in added)
            + "."
        )
    if dropped:
        lines.append(
            f"It leaves out {', '.join(s.citation for s in dropped)}, pooled in "
            f"{base.evidence_set}."
        )
    if other.not_pooled:
        count = len(other.not_pooled)
        lines.append(
            f"It also records {count} {'study' if count == 1 else 'studies'} that cannot be "
            "pooled "
            f"({', '.join(other.not_pooled)}): they report no hospital-use figure that converts "
            "to bed-days, or the figure could not be found, so they never enter the arithmetic."
        )
    for m in ("weighted", "sums"):
        a, b = base.pooled[m], other.pooled[m]
        ratio = _moves(f"{a.ratio:.2f}", f"{b.ratio:.2f}", b.ratio < a.ratio)
        prob = _moves(
            _pct(a.prob_net_benefit_positive),
            _pct(b.prob_net_benefit_positive),
            b.prob_net_benefit_positive < a.prob_net_benefit_positive,
        )
        lines.append(
            f"The {METHOD_TITLES[m]} {ratio} : 1 (Monte Carlo 95% interval {b.p2_5:.2f} to "
            f"{b.p97_5:.2f}), and the probability that benefits exceed costs {prob}."
        )
    if added:
        total_w = sum(s.pooling_weight for s in other.studies)
        total_f = sum(s.fte_years for s in other.studies)
        heaviest = max(other.studies, key=lambda s: s.pooling_weight)
        share = heaviest.pooling_weight / total_w
        # a study's share of the weighted mean is w_i r_i / sum(w r)
        weighted = {s.id: s.ratio * s.pooling_weight for s in other.studies}
        total_wr = sum(weighted.values())
        driver = max(other.studies, key=lambda s: weighted[s.id])
        mean_line = (
            f"Why the weighted mean moves: it weights each study's ratio by its patients. "
            f"{heaviest.citation} carries {heaviest.pooling_weight:,.0f} of "
            f"{total_w:,.0f} patients ({_pct(share)} of the weight) with a ratio of "
            f"{heaviest.ratio:.2f}"
        )
        if share >= DOMINANT_SHARE:
            mean_line += (
                f", so the pooled ratio ({other.pooled['weighted'].ratio:.2f}) is pulled "
                "towards its own"
            )
        if driver.id != heaviest.id and total_wr > 0:
            mean_line += (
                f", while {driver.citation} supplies {_pct(weighted[driver.id] / total_wr)} "
                f"of the weighted sum from {_pct(driver.pooling_weight / total_w)} of the "
                f"patients (ratio {driver.ratio:.2f})"
            )
        lines.append(mean_line + ".")
        most_fte = max(other.studies, key=lambda s: s.fte_years)
        # with one cost per FTE-year, a study's share of all benefit is r_i F_i / sum(r F)
        benefit = {s.id: s.ratio * s.fte_years for s in other.studies}
        total_b = sum(benefit.values())
        biggest = max(other.studies, key=lambda s: benefit[s.id])
        sums_line = (
            f"Why the ratio of sums moves: it weights each study's ratio by its peer input "
            f"(FTE-years). {most_fte.citation} accounts for {most_fte.fte_years:,.1f} of "
            f"{total_f:,.1f} FTE-years ({_pct(most_fte.fte_years / total_f)}) with a ratio of "
            f"{most_fte.ratio:.2f}"
        )
        if biggest.id != most_fte.id and total_b > 0:
            sums_line += (
                f", while {biggest.citation} supplies {_pct(benefit[biggest.id] / total_b)} of "
                f"all the benefit from {_pct(biggest.fte_years / total_f)} of the FTE-years "
                f"(ratio {biggest.ratio:.2f})"
            )
        lines.append(sums_line + ".")
        rct = [s for s in added if s.randomisation not in (None, "none")]
        high = [s for s in added if s.risk_of_bias == "high"]
        bundled = [s for s in added if s.bundled]
        converted = [s for s in added if s.outcome.startswith("readmission_")]
        quality = (
            f"Of the {len(added)} added studies, {len(rct)} "
            f"{'is' if len(rct) == 1 else 'are'} randomised and {len(high)} "
            f"{'is' if len(high) == 1 else 'are'} at high risk of bias"
        )
        if bundled:
            one = len(bundled) == 1
            quality += (
                f"; {', '.join(s.citation for s in bundled)} "
                f"{'bundles' if one else 'bundle'} more than peer support, so "
                f"{'its ratio overstates' if one else 'their ratios overstate'} what peer "
                "support alone returns"
            )
        if converted:
            quality += (
                f"; {', '.join(s.citation for s in converted)} "
                f"{'is' if len(converted) == 1 else 'are'} converted from readmission risks "
                "with a cited, ranged length of stay"
            )
        lines.append(quality + ".")
    return lines


def _side(name: str, request: EvidenceComparisonRequest) -> SetSide:
    from peervalue.service.inputs import resolve_evidence
    from peervalue.service.runs import run_analysis, run_psa

    common: dict[str, Any] = {
        "evidence": request.evidence,
        "evidence_set": name,
        "resources": request.resources,
        "costs": request.costs,
        "weighting": request.weighting,
        "price_year": request.price_year,
        "indexation": request.indexation,
        "cost_basis": request.cost_basis,
    }
    analysis = run_analysis(AnalysisRequest(**common))
    psa = run_psa(PsaRequest(**common, draws=request.draws, seed=request.seed))
    evidence = resolve_evidence(AnalysisRequest(**common))
    by_id = {s.id: s for s in evidence.studies}
    ratios = {
        "weighted": analysis.pooled.weighted_mean_ratio,
        "sums": analysis.pooled.ratio_of_sums,
    }
    lines = []
    for r in analysis.studies:
        study = by_id[r.id]
        q = study.quality
        lines.append(
            StudyLine(
                id=r.id,
                citation=r.citation,
                country=r.country,
                design=r.design,
                randomisation=None if q is None else q.randomisation.value,
                risk_of_bias=None if q is None else q.risk_of_bias.value,
                bundled=None if q is None else q.bundled,
                outcome=study.outcome.kind,
                pooling_weight=r.pooling_weight,
                fte_years=r.fte_years,
                ratio=r.ratio,
            )
        )
    return SetSide(
        evidence_set=name,
        label=evidence.origin,
        pooled={
            m: MethodSummary(
                ratio=ratios[m],
                median=psa.pooled[m].ratio.median,
                p2_5=psa.pooled[m].ratio.p2_5,
                p97_5=psa.pooled[m].ratio.p97_5,
                prob_net_benefit_positive=psa.pooled[m].prob_net_benefit_positive,
            )
            for m in ("weighted", "sums")
        },
        studies=lines,
        not_pooled={
            s.id: " ".join(getattr(s.outcome, "reason", "").split()) for s in evidence.excluded
        },
        counted_resources=analysis.counted_resources,
    )


def run_compare(request: EvidenceComparisonRequest) -> EvidenceComparison:
    """Run every set of the request at the same costs, draws and seed; explain the change."""
    from peervalue.service.inputs import prepare

    sides = [_side(name, request) for name in request.evidence_sets]
    first = prepare(
        AnalysisRequest(
            evidence=request.evidence,
            evidence_set=request.evidence_sets[0],
            resources=request.resources,
            costs=request.costs,
            price_year=request.price_year,
            indexation=request.indexation,
            cost_basis=request.cost_basis,
        )
    )
    base_ids = {s.id for s in sides[0].studies}
    later = {s.id for side in sides[1:] for s in side.studies}
    # left out by at least one later set (the union 'later' kept a study any set pools)
    in_every_later = set.intersection(*({s.id for s in side.studies} for side in sides[1:]))
    what_changed = [line for side in sides[1:] for line in explain(sides[0], side)]
    return EvidenceComparison(
        costs=first.costs.name,
        cost_basis=first.spec.cost_basis,
        price_year=first.spec.price_year,
        currency=first.spec.currency,
        draws=request.draws,
        seed=request.seed,
        sides=sides,
        added=sorted(later - base_ids),
        dropped=sorted(base_ids - in_every_later),
        what_changed=what_changed,
        counted_resources=(
            list({c: None for side in sides for c in side.counted_resources or []})
            if request.resources == "all"
            else None
        ),
        notes=[
            "Every set is run at the same unit costs, price year, cost basis, draws and seed; "
            "only the studies differ.",
            "The weighted mean of ratios is the 2013 report's method (weights: patients); the "
            "ratio of sums divides all benefit by all cost (weights: FTE-years of peer work).",
        ],
    )
