"""Same seed, same bytes, whatever the chunk size: for 1 to 20 studies and any chunking.

numpy adds a contiguous axis pairwise and a strided one in sequence, so sums over
studies (8 or more) and over draws could change their last digits with the chunk
size; the model adds studies one by one and draws in fixed blocks. This test draws
evidence of 1-20 studies, a number of draws and genuinely different chunk sizes (one
leaving a last chunk of a single draw, one a chunk per draw), and compares the JSON
of the whole Monte Carlo summary byte for byte.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peervalue.costs.indices import nhs_pay_and_prices
from peervalue.costs.load import load_costs
from peervalue.evidence.load import Evidence
from peervalue.evidence.schema import Study
from peervalue.model.spec import build_spec
from peervalue.uncertainty.psa import run_psa
from peervalue.uncertainty.summary import summarise
from tests.conftest import SYNTHETIC_COSTS

SOURCE = {"citation": "synthetic"}


def _reported(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "status": "reported", "source": SOURCE}


def _study(i: int, n: int, saved: float, caseload: float) -> Study:
    return Study.model_validate(
        {
            "id": f"s{i:02d}",
            "citation": {"authors": ["Test A"], "year": 2000 + i, "title": f"Study {i}"},
            "country": "England",
            "design": "rct",
            "peer_role": "additional",
            "setting": "synthetic",
            "follow_up": _reported(12, "months"),
            "arms": {
                "intervention": _reported(n, "patients"),
                "control": _reported(n + 3, "patients"),
            },
            "outcome": {
                "kind": "mean_bed_days",
                "intervention_mean": _reported(20.0, "bed-days/patient"),
                "intervention_sd": _reported(9.0, "bed-days/patient"),
                "control_mean": _reported(20.0 + saved, "bed-days/patient"),
                "control_sd": _reported(11.0, "bed-days/patient"),
            },
            "peer_input": {
                "caseload": {
                    "value": caseload,
                    "unit": "patients/FTE",
                    "status": "assumed",
                    "range": [caseload / 2, caseload * 2],
                    "rationale": "synthetic",
                },
                "support_duration": _reported(6, "months"),
            },
        }
    )


studies = st.lists(
    st.tuples(
        st.integers(5, 400),
        st.floats(-5, 30, allow_nan=False).map(lambda x: round(x, 3)),
        st.floats(4, 30, allow_nan=False).map(lambda x: round(x, 2)),
    ),
    min_size=1,
    max_size=20,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=studies,
    draws=st.integers(2, 700),
    chunk_share=st.floats(0.02, 1.0),
    seed=st.integers(0, 2**32),
)
def test_json_is_identical_for_any_chunking(
    rows: list[tuple[int, float, float]], draws: int, chunk_share: float, seed: int
) -> None:
    evidence = Evidence(
        tuple(_study(i, *row) for i, row in enumerate(rows)), (), "synthetic (in memory)"
    )
    spec = build_spec(evidence.studies, load_costs(SYNTHETIC_COSTS), nhs_pay_and_prices())
    chunk = max(1, int(draws * chunk_share))
    # draws - 1 leaves a last chunk of exactly one draw, 1 makes every chunk a single
    # draw (a contiguous study axis, which numpy would sum pairwise), ``chunk`` is
    # anything between; a draw count above BLOCK also spans a partial block.
    texts = {
        size: json.dumps(summarise(run_psa(spec, draws, seed, chunk_size=size)).to_dict())
        for size in sorted({draws, draws - 1, chunk, 1})
    }
    assert len(set(texts.values())) == 1, sorted(texts)
