"""Flat rows (lists of dicts) built from results and studies: what tables and CSV share.

Pure and light (no pandas): every renderer that shows a result as rows (CSV, a
terminal table of one part, a spreadsheet later) takes them from here, so the
columns are named once.
"""

from __future__ import annotations

from typing import Any, Literal

from peervalue.costs.schema import CostFile
from peervalue.evidence.load import Evidence
from peervalue.evidence.schema import NoUsableOutcome, Study
from peervalue.model.results import AnalysisResult
from peervalue.uncertainty.results import MetaRunResult, PsaResult

Row = dict[str, Any]
PsaView = Literal["summary", "bed-day-curve", "caseload-curve", "distributions"]


def study_summary(study: Study) -> Row:
    """The one-line facts about a study, as ``evidence list`` shows them: design and
    quality, whether it is pooled (and if not, why), and how many figures are
    reported, derived or assumed."""
    statuses = [q.status.value for q in study.quantities().values()]
    q = study.quality
    outcome = study.outcome
    return {
        "id": study.id,
        "citation": study.citation.short(),
        "country": study.country,
        "design": study.design.value,
        "peer_role": study.peer_role.value,
        "n_intervention": study.arms.intervention.value,
        "n_control": None if study.arms.control is None else study.arms.control.value,
        "follow_up": f"{study.follow_up.value:g} {study.follow_up.unit}",
        "outcome": outcome.kind,
        "reported": statuses.count("reported"),
        "derived": statuses.count("derived"),
        "assumed": statuses.count("assumed"),
        "randomisation": None if q is None else q.randomisation.value,
        "comparison": None if q is None else q.comparison,
        "bundled": None if q is None else q.bundled,
        "risk_of_bias": None if q is None else q.risk_of_bias.value,
        "risk_of_bias_reason": None if q is None else " ".join(q.risk_of_bias_reason.split()),
        "pooled": study.pooled,
        "not_pooled_reason": (
            " ".join(outcome.reason.split()) if isinstance(outcome, NoUsableOutcome) else None
        ),
    }


def evidence_rows(evidence: Evidence) -> list[Row]:
    """Every study of the evidence, pooled ones first, then those recorded but not pooled."""
    return [study_summary(s) for s in evidence.listed]


def quantity_rows(document: Study | CostFile) -> list[Row]:
    """Every quantity of a study or a cost file with its provenance, one row each
    (with a ``price_year`` column when any quantity has one)."""
    rows = []
    with_years = any(q.price_year for q in document.quantities().values())
    for field, q in document.quantities().items():
        rows.append(
            {
                "field": field,
                "value": q.value,
                "unit": q.unit,
                **({"price_year": q.price_year} if with_years else {}),
                "status": q.status.value,
                "range": None if q.range is None else f"{q.range[0]:g} to {q.range[1]:g}",
                "source": None if q.source is None else q.source.citation,
                "source_kind": None if q.source is None else q.source.kind,
                "url": None if q.source is None else q.source.url,
                "locator": None if q.source is None else q.source.locator,
                "formula": q.formula,
                "rationale": None if q.rationale is None else " ".join(q.rationale.split()),
            }
        )
    return rows


def analysis_rows(result: AnalysisResult) -> list[Row]:
    """One row per study, one per pooled ratio, one per influence group (``row_type``)."""
    rows: list[Row] = [{"row_type": "study", **row} for row in result.study_rows()]
    pooled = result.pooled
    rows.append(
        {"row_type": "pooled", "id": "weighted_mean_ratio", "ratio": pooled.weighted_mean_ratio}
    )
    rows.append({"row_type": "pooled", "id": "ratio_of_sums", "ratio": pooled.ratio_of_sums})
    for influence in result.influence:
        for g in influence.rows():
            rows.append({"row_type": "group", "id": g.pop("group"), **g})
    for row in rows:
        row["price_year"] = result.price_year
        row["currency"] = result.currency
        row["cost_basis"] = result.costs.basis
        if result.price_index_note is not None:  # a forecast price year
            row["price_index_note"] = result.price_index_note
    return rows


def psa_rows(result: PsaResult, view: PsaView = "summary") -> list[Row]:
    """The rows of one part of a Monte Carlo result."""
    if view == "bed-day-curve":
        return _columns_to_rows(result.curves.bed_day_cost.model_dump())
    if view == "caseload-curve":
        return _columns_to_rows(result.curves.caseload.model_dump())
    if view == "distributions":
        return [d.model_dump() for d in result.distributions]
    rows: list[Row] = [{"row_type": "study", **row} for row in result.study_rows()]
    for row in result.pooled_rows():
        rows.append({"row_type": "pooled", "id": row.pop("method"), **row})
    if result.price_index_note is not None:  # a forecast price year
        for row in rows:
            row["price_index_note"] = result.price_index_note
    return rows


def meta_rows(result: MetaRunResult) -> list[Row]:
    """Meta-analysis results (``row_type`` "meta"), then the pooled ratios by method."""
    rows: list[Row] = []
    for r in result.meta_analysis.results.values():
        rows.append({"row_type": "meta", **r.model_dump(), "weights": None})
    for p in result.pooling_comparison.rows:
        rows.append({"row_type": "pooling", **p.model_dump()})
    return rows


def _columns_to_rows(columns: dict[str, list[Any]]) -> list[Row]:
    names = list(columns)
    return [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def columns_of(rows: list[Row], last: tuple[str, ...] = ()) -> list[str]:
    """Every key of ``rows`` in order of first appearance, with ``last`` moved to the end."""
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return [c for c in seen if c not in last] + [c for c in last if c in seen]
