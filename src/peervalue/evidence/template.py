"""Templates for new study files (``peervalue evidence new``): one per outcome kind.

The template is data (``peervalue/data/templates``): a commented study file with the
outcome block of the chosen kind put in. Every template is a valid study as written,
so ``evidence validate`` reads it before any edit, and warns of every text still saying
REPLACE (:func:`unedited_fields`); every figure is an example to replace.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from peervalue.errors import field_error, quote
from peervalue.evidence.load import OUTCOME_KINDS
from peervalue.evidence.schema import STUDY_ID, Study

#: the word the templates put in every text to replace
PLACEHOLDER = "REPLACE"


def _templates() -> Path:
    return Path(str(resources.files("peervalue") / "data" / "templates"))


def template_kinds() -> list[str]:
    """The outcome kinds a template can be written for, sorted."""
    return sorted(p.stem for p in (_templates() / "outcomes").glob("*.yaml"))


def study_template(kind: str, study_id: str) -> str:
    """A commented study file for an outcome of ``kind``, with id ``study_id``."""
    if kind not in OUTCOME_KINDS or kind not in template_kinds():
        raise field_error("outcome", f"got {quote(kind)}", f"one of {', '.join(template_kinds())}")
    base = (_templates() / "study.yaml").read_text(encoding="utf-8")
    outcome = (_templates() / "outcomes" / f"{kind}.yaml").read_text(encoding="utf-8")
    return base.replace("{id}", study_id).replace("{outcome}\n", outcome)


def id_for(path: Path) -> str:
    """A study id from a file name (``Core 2018.yaml`` -> ``core2018``), or ``newstudy``."""
    stem = re.sub(r"[^a-z0-9_-]", "", path.stem.lower())
    return stem if re.match(STUDY_ID, stem) else "newstudy"


def unedited_fields(study: Study) -> list[str]:
    """The dotted paths of a study's texts that still hold the template's placeholder
    (``REPLACE``): a template validated or pooled before it was edited."""
    found: list[str] = []

    def walk(value: object, path: str) -> None:
        if isinstance(value, str):
            if PLACEHOLDER in value:
                found.append(path)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{path}.{k}" if path else str(k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{path}[{i}]")

    walk(study.model_dump(mode="json"), "")
    return found
