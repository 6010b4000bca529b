"""JSON: every result is its pydantic model dumped in JSON mode (NaN and infinity as null)."""

from __future__ import annotations

import json
from typing import Any

from peervalue.costs.schema import CostFile
from peervalue.evidence.load import Evidence
from peervalue.evidence.schema import Study
from peervalue.report.registry import renderer
from peervalue.report.rows import evidence_rows
from peervalue.report.safe_text import json_safe
from peervalue.results import ResultModel, clean_json


def to_json(data: Any) -> str:
    """Indented JSON text with a final newline; non-ASCII kept as is, but for control,
    bidirectional and other invisible format characters in user text, written as
    ``\\uXXXX`` escapes (:func:`peervalue.report.safe_text.json_safe`)."""
    return json_safe(json.dumps(clean_json(data), indent=2, ensure_ascii=False)) + "\n"


@renderer(ResultModel, "json")
def result_json(result: ResultModel, **_: Any) -> str:
    return to_json(result.model_dump(mode="json"))


@renderer(Study, "json")
@renderer(CostFile, "json")
def document_json(document: Study | CostFile, **_: Any) -> str:
    return to_json(document.model_dump(mode="json", exclude_none=True))


@renderer(Evidence, "json")
def evidence_json(evidence: Evidence, view: str = "list", **_: Any) -> str:
    rows = evidence_rows(evidence)
    return to_json({"valid": True, "studies": rows} if view == "validate" else rows)
