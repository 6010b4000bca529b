"""Results and evidence as JSON and CSV text (no printing here)."""

from __future__ import annotations

import io
import json
from typing import Any

import pandas as pd

from peervalue.evidence.load import Evidence
from peervalue.evidence.schema import Study
from peervalue.model.results import AnalysisResult


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def frame_to_csv(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, float_format="%.10g", lineterminator="\n")
    return buffer.getvalue()


def analysis_csv(result: AnalysisResult, extra: list[pd.DataFrame] | None = None) -> str:
    """One row per study, then one row per pooled ratio (``row_type`` tells them apart).

    ``extra`` frames (leave-one-out, subgroups) follow with ``row_type`` "group".
    """
    studies = result.to_pandas().reset_index()
    studies.insert(0, "row_type", "study")
    pooled = result.pooled_frame().rename(columns={"method": "id"})
    pooled.insert(0, "row_type", "pooled")
    groups = [f.rename(columns={"group": "id"}).assign(row_type="group") for f in extra or []]
    frame = pd.concat([studies, pooled, *groups], ignore_index=True)
    frame["price_year"] = result.price_year
    frame["currency"] = result.currency
    return frame_to_csv(frame)


def study_summary(study: Study) -> dict[str, Any]:
    """The one-line facts about a study, as used by ``evidence list``."""
    statuses = [q.status.value for q in study.quantities().values()]
    return {
        "id": study.id,
        "citation": study.citation.short(),
        "country": study.country,
        "design": study.design.value,
        "peer_role": study.peer_role.value,
        "n_intervention": study.arms.intervention.value,
        "n_control": None if study.arms.control is None else study.arms.control.value,
        "follow_up": f"{study.follow_up.value:g} {study.follow_up.unit}",
        "outcome": study.outcome.kind,
        "reported": statuses.count("reported"),
        "derived": statuses.count("derived"),
        "assumed": statuses.count("assumed"),
    }


def evidence_frame(evidence: Evidence) -> pd.DataFrame:
    return pd.DataFrame([study_summary(s) for s in evidence])


def quantities_frame(study: Study) -> pd.DataFrame:
    """Every quantity of a study with its provenance, one row each."""
    rows = []
    for field, q in study.quantities().items():
        rows.append(
            {
                "field": field,
                "value": q.value,
                "unit": q.unit,
                "status": q.status.value,
                "range": None if q.range is None else f"{q.range[0]:g} to {q.range[1]:g}",
                "source": None if q.source is None else q.source.citation,
                "url": None if q.source is None else q.source.url,
                "locator": None if q.source is None else q.source.locator,
                "formula": q.formula,
                "rationale": None if q.rationale is None else " ".join(q.rationale.split()),
            }
        )
    return pd.DataFrame(rows)
