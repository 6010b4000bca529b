"""The figures README.md quotes for the bundled evidence are the ones peervalue computes
(issue 21, item 6): each quoted string is rebuilt here from a run and looked for in the
README, so a change of result that leaves the README behind fails.

Before: the README ranked Min 2007's caseload as the input that swings net benefit most
(sensitivity puts Lawn 2008's FTE first) and quoted the ratio of sums' upper 95% bound as
1.84 (the run gives 1.8457, 1.85).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from peervalue.service.requests import (
    AnalysisRequest,
    PsaRequest,
    RebaseRequest,
    SensitivityRequest,
)
from peervalue.service.runs import run_analysis, run_psa, run_sensitivity

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_the_bundled_evidence_table_is_the_analysis() -> None:
    pay = run_analysis(AnalysisRequest(cost_basis="pay"))
    full = run_analysis(AnalysisRequest())
    for p, f in zip(pay.studies, full.studies, strict=True):
        n = f"{p.n_intervention + p.n_control:.0f}"
        row = (
            f"| {p.citation} | {n} | {p.bed_days_saved_per_patient:.1f}"
            + (" (assumed)" if "outcome.saved_per_patient" in p.assumed_inputs else "")
            + f" | {p.fte_years:.2f} | {p.bed_days_saved_per_fte_year:.0f} | {p.ratio:.2f} | "
            f"{f.ratio:.2f} |"
        )
        assert row in README, row


def test_the_pooled_bullets_are_the_analysis() -> None:
    flat = _flat(README)
    pay, full = run_analysis(AnalysisRequest(cost_basis="pay")), run_analysis(AnalysisRequest())
    assert (
        f"with all patients as weights: **{pay.pooled.weighted_mean_ratio:.2f} : 1** "
        f"({full.pooled.weighted_mean_ratio:.2f})" in flat
    )
    pay_i = run_analysis(AnalysisRequest(cost_basis="pay", weighting="intervention"))
    full_i = run_analysis(AnalysisRequest(weighting="intervention"))
    assert (
        f"**{pay_i.pooled.weighted_mean_ratio:.2f} : 1** ({full_i.pooled.weighted_mean_ratio:.2f})"
        in flat
    )
    assert (
        f"Ratio of sums (all benefit over all cost): **{pay.pooled.ratio_of_sums:.2f} : 1** "
        f"({full.pooled.ratio_of_sums:.2f})" in flat
    )
    pay_be = pay.break_even.bed_days_saved_per_fte_year
    full_be = full.break_even.bed_days_saved_per_fte_year
    assert f"Break-even: **{pay_be:.1f} bed-days per FTE-year** ({full_be:.1f})" in flat


def test_the_monte_carlo_figures_are_the_run() -> None:
    flat = _flat(README)
    mc = run_psa(PsaRequest(draws=100_000, seed=1))
    w, s = mc.pooled["weighted"], mc.pooled["sums"]
    assert (
        f"a weighted mean ratio with median {w.ratio.median:.2f} (95% interval "
        f"{w.ratio.p2_5:.2f} to {w.ratio.p97_5:.2f}), and a "
        f"{w.prob_net_benefit_positive:.0%} probability" in flat
    )
    assert (
        f"by the ratio of sums, a median of {s.ratio.median:.2f} ({s.ratio.p2_5:.2f} to "
        f"{s.ratio.p97_5:.2f}) and a probability of {s.prob_net_benefit_positive:.0%}" in flat
    )
    assert f"The Monte Carlo mean ({w.ratio.mean:.2f}) sits above the deterministic " in flat
    assert f"account for {w.ratio.deterministic:.2f} to {w.ratio_at_input_means:.2f}" in flat


def test_the_inputs_that_swing_net_benefit_most_are_named_in_order() -> None:
    rows = run_sensitivity(SensitivityRequest()).inputs
    top = [r.parameter for r in sorted(rows, key=lambda r: -r.swing)[:5]]
    # the README's sentence, in the order it names them
    assert top == [
        "lawn2008:peer_input.fte",
        "min2007:peer_input.caseload",
        "min2007:peer_input.support_duration",
        "chinman2001:outcome.saved_per_patient",
        "rivera2007:outcome.saved_per_patient",
    ]
    assert (
        "Lawn 2008's FTE, Min 2007's peer staffing (caseload, then duration), Chinman 2001's "
        "outcome and Rivera 2007's outcome" in _flat(README)
    )


def test_the_rebasing_example_is_the_index() -> None:
    from peervalue.service.costs import run_rebase

    r = run_rebase(RebaseRequest(value=334, from_year="2011-12", to_year="2024-25"))
    assert f"# {r.result:.2f} (x {r.factor:.6f})" in README


@pytest.mark.parametrize("claim", ["about a minute"])
def test_no_claim_the_benchmarks_disprove(claim: str) -> None:
    # make bench runs six benchmarks; issue 21 timed it at 229 s, not "about a minute"
    assert claim not in README
