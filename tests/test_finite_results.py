"""Every result finite or null, and every drawn figure within what its file says
(issue 23, item 1 "every result finite", and the distribution-within-range check).

The property test drives the main library functions (reference analysis, a Monte Carlo
with few draws, thresholds, sensitivity and a business case) over inputs at the edges of
their schema bounds and checks every float of each result: finite or NaN in Python (NaN
is "cannot be computed", shown as null), never an infinity, and finite or null in JSON.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

import peervalue
from peervalue.provenance import Quantity

DATA = Path(peervalue.__file__).parent / "data"


# --- a distribution within its figure's range ----------------------------------------------


def _quantity(**distribution: object) -> dict[str, object]:
    return {
        "value": 2,
        "unit": "FTE",
        "status": "assumed",
        "range": [1, 3],
        "rationale": "x",
        "distribution": distribution,
    }


@pytest.mark.parametrize(
    ("low", "high"),
    [(0.5, 3), (1, 3.5), (0, 10)],
)
@pytest.mark.parametrize("kind", ["uniform", "triangular", "pert"])
def test_a_bounded_distribution_wider_than_the_range_is_refused(
    kind: str, low: float, high: float
) -> None:
    with pytest.raises(ValueError, match=rf"its {kind} distribution runs over \[{low:g}, "):
        Quantity.model_validate(_quantity(kind=kind, low=low, high=high))


@pytest.mark.parametrize(("low", "high"), [(1, 3), (1.5, 2.5), (2, 2)])
def test_a_bounded_distribution_within_the_range_is_accepted(low: float, high: float) -> None:
    q = Quantity.model_validate(_quantity(kind="pert", low=low, high=high))
    assert q.distribution is not None and (q.distribution.low, q.distribution.high) == (low, high)
    # without low and high, the distribution runs over the range
    assert Quantity.model_validate(_quantity(kind="uniform")).distribution is not None


def test_every_bundled_file_still_loads() -> None:
    from peervalue.costs.load import load_costs
    from peervalue.evidence.load import load_evidence
    from peervalue.scenario.load import load_scenario, national_defaults

    studies = [*sorted((DATA / "evidence").glob("*.yaml"))]
    studies += sorted((DATA / "evidence-2026").glob("*.yaml"))
    assert len(studies) >= 17
    for path in studies:
        assert load_evidence(path).listed, path
    costs = sorted((DATA / "costs").glob("*.yaml"))
    assert len(costs) >= 3
    for path in costs:
        load_costs(path)
    national_defaults()
    load_scenario(DATA / "scenarios" / "template.toml")


def _floats(x: Any, path: str = "") -> list[tuple[str, float]]:
    if isinstance(x, float):
        return [(path, x)]
    if isinstance(x, dict):
        return [f for k, v in x.items() for f in _floats(v, f"{path}.{k}")]
    if isinstance(x, list | tuple):
        return [f for i, v in enumerate(x) for f in _floats(v, f"{path}[{i}]")]
    return []


def assert_finite_or_null(result: Any) -> None:
    """No infinity in the result (Python mode); JSON floats finite (NaN and inf are null)."""
    infinite = [(p, v) for p, v in _floats(result.model_dump()) if math.isinf(v)]
    assert not infinite, infinite[:5]
    assert all(math.isfinite(v) for _, v in _floats(result.model_dump(mode="json")))
