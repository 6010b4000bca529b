"""Shared paths and helpers for the test suite."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from peervalue.model.spec import ModelSpec
from peervalue.service.inputs import prepare
from peervalue.service.requests import RunRequest

DATA = Path(__file__).parent / "data"
SYNTHETIC = DATA / "synthetic"
SYNTHETIC_SECONDARY = DATA / "synthetic_secondary"
SYNTHETIC_COSTS = DATA / "synthetic_costs.yaml"


@pytest.fixture
def synthetic_copy(tmp_path: Path) -> Path:
    """A writable copy of the synthetic evidence folder."""
    target = tmp_path / "evidence"
    shutil.copytree(SYNTHETIC, target)
    return target


def edit_yaml(path: Path, edit: Any) -> None:
    """Load ``path``, apply ``edit(data)`` in place, write it back."""
    data = yaml.safe_load(path.read_text())
    edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def spec_of(evidence: Path | None = None, costs: Path | None = None) -> ModelSpec:
    """The model spec the service builds for these files (``None``: bundled defaults)."""
    return prepare(RunRequest(evidence=evidence, costs=costs)).spec


def study_document(study_id: str, author: str, country: str = "England") -> dict[str, Any]:
    """A minimal valid study (80 patients, 4.5 bed-days saved each, 2 FTE for a year) whose
    author and country are given: the tests put hostile text there (markup, formulas)."""
    audit = {"citation": author, "url": "javascript:alert(1)"}
    return {
        "id": study_id,
        "citation": {"authors": [author], "year": 2025, "title": author},
        "country": country,
        "design": "before-after",
        "peer_role": "additional",
        "setting": "acute ward",
        "follow_up": {"value": 12, "unit": "months", "status": "reported", "source": audit},
        "arms": {
            "intervention": {"value": 80, "unit": "patients", "status": "reported", "source": audit}
        },
        "outcome": {
            "kind": "bed_days_saved_per_patient",
            "saved_per_patient": {
                "value": 4.5,
                "unit": "bed-days/patient",
                "status": "reported",
                "source": audit,
            },
        },
        "peer_input": {
            "fte": {"value": 2, "unit": "FTE", "status": "reported", "source": audit},
            "employment_duration": {
                "value": 1,
                "unit": "years",
                "status": "reported",
                "source": audit,
            },
        },
    }
