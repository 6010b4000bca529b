"""README.md's "Living evidence" table and the sentences under it are a real run of
``peervalue compare --evidence-set cmh2013 --evidence-set all-2026`` (100,000 draws, seed
1, as the README says), rebuilt here and looked for in the README (issue 21 item 6).

Before: the table gave the ratio of sums' upper 95% bounds as 1.84 and 2.32 (the run gives
1.8457 and 2.3292) and CORE's upper bound as 2.98 (2.9663).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from peervalue.results.compare import EvidenceComparison, MethodSummary
from peervalue.service.requests import AnalysisRequest, EvidenceComparisonRequest, PsaRequest

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
SETS = ["cmh2013", "all-2026"]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def comparison() -> EvidenceComparison:
    from peervalue.service.compare import run_compare

    return run_compare(EvidenceComparisonRequest(evidence_sets=SETS, draws=100_000, seed=1))


def _cell(m: MethodSummary) -> str:
    return f"{m.ratio:.2f} ({m.p2_5:.2f} to {m.p97_5:.2f}) | {m.prob_net_benefit_positive:.0%}"


def test_the_readme_states_the_runs_settings(comparison: EvidenceComparison) -> None:
    assert (comparison.price_year, comparison.cost_basis) == ("2011-12", "full")
    assert "At full cost and 2011-12 prices (100,000 draws, seed 1):" in README
    assert "peervalue compare --evidence-set cmh2013 --evidence-set all-2026" in README


def test_the_compare_table_is_the_run(comparison: EvidenceComparison) -> None:
    for side in comparison.sides:
        pooled = f"{len(side.studies)}" + (
            f" (+{len(side.not_pooled)} listed)" if side.not_pooled else ""
        )
        row = (
            f"| {side.evidence_set} | {pooled} | {_cell(side.pooled['weighted'])} | "
            f"{_cell(side.pooled['sums'])} |"
        )
        assert row in README, row


def test_the_sentences_under_the_table_are_the_runs(comparison: EvidenceComparison) -> None:
    from peervalue.service.runs import run_analysis, run_psa

    flat = _flat(README)
    # on pay cost (deterministic), each method from the 2013 six to all-2026
    pay = [run_analysis(AnalysisRequest(evidence_set=s, cost_basis="pay")).pooled for s in SETS]
    assert (
        f"the weighted mean goes from {pay[0].weighted_mean_ratio:.2f} to "
        f"{pay[1].weighted_mean_ratio:.2f} and the ratio of sums from "
        f"{pay[0].ratio_of_sums:.2f} to {pay[1].ratio_of_sums:.2f}" in flat
    )
    # Landers & Zhou's share of the patients, and its ratio at full cost
    side = comparison.sides[1]
    landers = next(s for s in side.studies if s.id == "landers2014")
    share = landers.pooling_weight / sum(s.pooling_weight for s in side.studies)
    assert (
        f"about {landers.pooling_weight:,.0f} people, carries {share:.0%} of the weight with "
        f"a ratio of {landers.ratio:.2f} (full cost)" in flat
    )
    # CORE on its own: its ratio and Monte Carlo interval in the all-2026 run
    psa = run_psa(PsaRequest(evidence_set="all-2026", draws=100_000, seed=1))
    core = next(s for s in psa.studies if s.id == "core2018")
    assert (
        f"The one UK trial, CORE, gives {core.ratio.deterministic:.2f} "
        f"({core.ratio.p2_5:.2f} to {core.ratio.p97_5:.2f}) on its own" in flat
    )
