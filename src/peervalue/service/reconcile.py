"""A bridge from our reference result to the published 4.8 : 1, one named change at a time.

Each step changes one assumption for a stated reason and reruns the analysis; the
result gives the ratio after each step and its share of the distance. The last step
does not change anything: it states what the rest of the distance would require (the
common caseload that would give the published ratio) and whether that is plausible
against the ranges the evidence files assume. Nothing here alters the defaults.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from peervalue.evidence.schema import Study
from peervalue.model.results import AnalysisResult
from peervalue.reference import trachtenberg2013
from peervalue.results.reconcile import BridgeStep, ReconcileResult
from peervalue.service.inputs import resolve_evidence
from peervalue.service.requests import AnalysisRequest, ReconcileRequest, ThresholdRequest
from peervalue.service.runs import run_analysis, run_threshold

__all__ = ["BridgeStep", "ReconcileResult", "run_reconcile"]


def _weighted(r: AnalysisResult) -> float:
    return r.pooled.weighted_mean_ratio


def not_the_six(evidence: Path | str | None) -> str | None:
    """Why ``evidence`` (a folder or file; ``None``: the bundled six) has no bridge to the
    2013 report's 4.8 : 1, or ``None`` when it holds exactly the report's six studies."""
    from peervalue.evidence.load import load_evidence
    from peervalue.service.inputs import resolve_evidence
    from peervalue.service.requests import EvidenceRequest

    if evidence is None:
        return None
    # through resolve_evidence: a report reads the folder once for this and its analyses
    bundled, chosen = load_evidence(None), resolve_evidence(EvidenceRequest(evidence=evidence))
    six = {s.id for s in (*bundled.studies, *bundled.excluded)}
    given = {s.id for s in (*chosen.studies, *chosen.excluded)}
    if given == six:
        return None
    others = sorted(given - six) or sorted(six - given)
    what = "holds studies the report did not use" if given - six else "lacks studies"
    listed = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
    return (
        "reconcile bridges the 2013 report's six studies to its 4.8 : 1, but this "
        f"evidence {what} ({listed})"
    )


def _refuse_other_studies(request: ReconcileRequest) -> None:
    """The bridge walks from the 2013 report's six studies to its 4.8 : 1: evidence that
    holds other studies has no bridge to that figure."""
    from peervalue.errors import input_error

    problem = not_the_six(request.evidence)
    if problem is not None:
        raise input_error(
            str(request.evidence),
            "",
            problem,
            "the six studies (leave out --evidence, or a folder of their files with your "
            "corrections); for other studies use analyse, or compare --evidence-set",
        )


def _refuse_other_costs(request: ReconcileRequest) -> None:
    """The bridge's shares are of a distance at the report's 2011-12 prices, and its first
    step moves a peer worker built from components to the pay basis: costs at another
    price year, or one total for the post, have no bridge (at 2024-25 its shares added to
    176%)."""
    from peervalue.errors import input_error
    from peervalue.service.inputs import resolve_costs
    from peervalue.service.requests import AnalysisRequest

    costs = resolve_costs(AnalysisRequest(costs=request.costs))
    where = str(request.costs) if request.costs is not None else "costs"
    if costs.price_year != "2011-12":
        raise input_error(
            where,
            "price_year",
            f"the bridge runs to the 2013 report's 4.8 : 1 at 2011-12 prices, but these costs "
            f"are at {costs.price_year} prices",
            "a cost file at 2011-12 prices (leave out --costs for the bundled one); other "
            "costs: use analyse",
        )
    if costs.peer_worker.components is None:
        raise input_error(
            where,
            "peer_worker",
            "the bridge's first step costs a peer worker on pay, but this cost file gives only "
            "a total cost per FTE-year",
            "a cost file whose peer worker cost is built from components (salary, on-costs)",
        )


def run_reconcile(request: ReconcileRequest) -> ReconcileResult:
    """Walk from our default analysis to the published 4.8 : 1."""
    published = trachtenberg2013().weighted_mean_ratio
    _refuse_other_studies(request)
    _refuse_other_costs(request)
    base = AnalysisRequest(evidence=request.evidence, costs=request.costs, cost_basis="full")
    start = run_analysis(base)
    r0 = _weighted(start)
    gap = published - r0
    steps: list[BridgeStep] = []
    current = r0

    def add(step: str, change: str, reason: str, result: AnalysisResult) -> None:
        nonlocal current
        after = _weighted(result)
        steps.append(
            BridgeStep(
                step=step,
                change=change,
                reason=reason,
                ratio_after=after,
                change_in_ratio=after - current,
                share_of_gap=(after - current) / gap if gap else float("nan"),
            )
        )
        current = after

    pay = base.model_copy(update={"cost_basis": "pay"})
    add(
        "cost basis",
        "cost a peer worker on pay (salary and employer on-costs), not the full PSSRU cost",
        "the report compares the savings with 'additional pay costs'",
        run_analysis(pay),
    )
    intervention = pay.model_copy(update={"weighting": "intervention"})
    add(
        "weighting",
        "weight each study by the patients who had peer support, not all its patients",
        "the report weights by 'the size of each study's patient sample', which allows "
        "either reading",
        run_analysis(intervention),
    )
    evidence = resolve_evidence(intervention)
    nil = [
        s.id
        for s, row in zip(evidence.studies, run_analysis(intervention).studies, strict=True)
        if row.classification == "0" and any(f.startswith("outcome.") for f in s.assumed_fields())
    ]
    kept = [s for s in evidence.studies if s.id not in nil]
    final = intervention
    if nil and kept:
        final = intervention.model_copy(
            update={
                "evidence": kept,
                "evidence_label": f"{evidence.origin} without {', '.join(nil)}",
            }
        )
        add(
            "assumed nil effects",
            f"leave out {', '.join(nil)}, whose effect is assumed nil (no reachable source "
            "reports it)",
            "a ratio of 0 by assumption is not evidence; the report had these studies' own "
            "figures from their authors (one negative, one between 0 and 1 by its count, "
            "which pull its mean down: this step overstates what they contributed)",
            run_analysis(final),
        )
    remaining = published - current
    threshold = run_threshold(
        ThresholdRequest(
            evidence=final.evidence,
            evidence_label=final.evidence_label,
            costs=final.costs,
            weighting=final.weighting,
            cost_basis="pay",
        )
    )
    caseload_be = threshold.thresholds[2].break_even
    implied = threshold.thresholds[2].current
    required = published * caseload_be
    assumed, low, high = _assumed_caseload(kept or list(evidence.studies))
    plausible = None if required != required else low <= required <= high
    explained = current - r0
    verdict = (
        f"Of the distance from {r0:.2f} to {published:g} ({gap:.2f}), the named steps explain "
        f"{explained:.2f} ({explained / gap:.0%}), reaching {current:.2f}. "
        + (
            f"The rest ({remaining:.2f}) would need every peer worker to support about "
            f"{required:.0f} patients at a time (a common caseload, in place of each study's "
            f"staffing, which implies about {implied:.0f}); the evidence files assume "
            f"{assumed:g}, within {low:g} to {high:g}, so "
            + (
                "that is within the assumed range."
                if plausible
                else "that is outside the "
                "assumed range: the staffing the report obtained from the authors must have "
                "been leaner than any reachable source suggests, or its outcomes larger."
            )
            if remaining > 0
            else "The named steps alone reach the published figure."
        )
        + (
            " Because the report counted the nil-effect studies with one negative ratio and one "
            "below 1, its other studies must have given more than this bridge shows: the "
            "remaining distance is a lower bound."
            if nil
            else ""
        )
    )
    return ReconcileResult(
        evidence=start.evidence,
        start_ratio=r0,
        start_basis="full cost, all patients as weights",
        published_ratio=published,
        gap=gap,
        steps=steps,
        remaining_gap=remaining,
        required_caseload=required,
        implied_caseload=implied,
        assumed_caseload=assumed,
        caseload_range=(low, high),
        caseload_plausible=plausible,
        verdict=verdict,
    )


def _assumed_caseload(studies: Sequence[Study]) -> tuple[float, float, float]:
    """The assumed caseload and its range, from the first study that assumes one."""
    for study in studies:
        pi = study.peer_input
        if pi is not None and pi.caseload is not None and pi.caseload.range is not None:
            return pi.caseload.value, pi.caseload.range[0], pi.caseload.range[1]
    return float("nan"), float("nan"), float("nan")
