"""Golden file: ``peervalue reproduce --format json`` on the bundled evidence.

Any change to the bundled data, the unit costs or the arithmetic moves these
numbers, and this test makes the change visible in review. When a change is
intended, regenerate with::

    PEERVALUE_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_golden.py

and say in the commit message which numbers moved and why.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.cli_helpers import run_cli

GOLDEN = Path(__file__).parent / "golden" / "reproduce.json"
#: floats are compared to 1e-9 relative: the arithmetic is a handful of products and
#: quotients, so anything larger is a real change rather than rounding.
RTOL = 1e-9


def _compare(got: Any, want: Any, where: str = "$") -> None:
    if isinstance(want, dict):
        assert isinstance(got, dict) and set(got) == set(want), where
        for key in want:
            _compare(got[key], want[key], f"{where}.{key}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _compare(g, w, f"{where}[{i}]")
    elif isinstance(want, float):
        assert got == pytest.approx(want, rel=RTOL), where
    else:
        assert got == want, where


def test_reproduce_matches_golden(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "reproduce", "--format", "json")
    assert run.code == 0, run.err
    got = json.loads(run.out)
    if os.environ.get("PEERVALUE_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(got, indent=2) + "\n")
    _compare(got, json.loads(GOLDEN.read_text()))
