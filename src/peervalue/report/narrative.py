"""The report's sentences, generated from the analysis that was run: what the studies are,
how many inputs are drawn and how many held fixed, which outcomes are assumptions, how the
result stands against the 2013 report, and the warnings page 1 must carry. Plain strings
(the renderers escape them); no rendering library needed."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from peervalue.model.results import AnalysisResult
    from peervalue.report.data import StudyFacts
    from peervalue.uncertainty.results import PsaResult

#: a study holding at least this share of the pooling weight is named on page 1
DOMINANT_SHARE: Final = 0.5


def listing(names: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = list(names)
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def studies_phrase(facts: Sequence[StudyFacts], pooled_ids: Sequence[str]) -> str:
    """The pooled studies described by what they are: ``6 published studies``, ``2
    unpublished or local evaluations``, or ``3 studies (2 published, 1 unpublished or
    local evaluation)``; ``N studies`` when nothing is known of them."""
    by_id = {f.id: f for f in facts}
    known = [by_id[i] for i in pooled_ids if i in by_id]
    n = len(pooled_ids)
    if len(known) != n:
        return plural(n, "study", "studies")
    published = sum(f.published for f in known)
    if published == n:
        return plural(n, "published study", "published studies")
    if published == 0:
        return plural(n, "unpublished or local evaluation")
    return (
        f"{plural(n, 'study', 'studies')} ({published} published, "
        f"{plural(n - published, 'unpublished or local evaluation')})"
    )


def uncertainty_phrase(p: PsaResult) -> str:
    """How much of the input is drawn: every input only when none is held fixed."""
    drawn, fixed = drawn_inputs(p), len(p.fixed_inputs)
    if fixed == 0:
        return f"Allowing for uncertainty in every input ({drawn} drawn)"
    return (
        f"Allowing for uncertainty in the {plural(drawn, 'input')} given a range or "
        f"distribution ({fixed} more are held at their stated values: see Appendix: inputs)"
    )


def drawn_inputs(p: PsaResult) -> int:
    """How many inputs the Monte Carlo draws (its distributions list the fixed ones too)."""
    return sum(d.parameter not in p.fixed_inputs for d in p.distributions)


def assumed_outcomes(a: AnalysisResult) -> list[str]:
    """The citations of the studies whose outcome is (in part) an assumption."""
    return [
        s.citation for s in a.studies if any(f.startswith("outcome.") for f in s.assumed_inputs)
    ]


def assumed_staffing(a: AnalysisResult) -> list[str]:
    """The citations of the studies whose peer staffing is (in part) an assumption."""
    return [
        s.citation for s in a.studies if any(f.startswith("peer_input.") for f in s.assumed_inputs)
    ]


def _some_or_none(names: list[str], total: int) -> str:
    if not names:
        return "none"
    if len(names) == total:
        return f"every study ({total})"
    return listing(names)


def differences(a: AnalysisResult) -> str:
    """Why this result and the 2013 report's differ, from this analysis's own inputs."""
    n = len(a.studies)
    basis = a.costs.basis
    cost = (
        "on pay (salary and employer on-costs), as the 2013 report's words ('additional pay "
        "costs') describe"
        if basis == "pay"
        else f"at its {basis} cost ({a.costs.basis_note.removeprefix(f'{basis} cost: ')}), "
        "where the 2013 report's words "
        "('additional pay costs') suggest pay alone"
    )
    return (
        "The 2013 report obtained each study's peer staffing and some outcomes from the study "
        "authors and used its own 2011-12 unit costs; none of these reach us. This analysis "
        "uses the reported figures where they exist and ranged assumptions elsewhere (peer "
        f"staffing assumed for {_some_or_none(assumed_staffing(a), n)}; outcomes assumed for "
        f"{_some_or_none(assumed_outcomes(a), n)}), at {a.price_year} prices with "
        f"{a.costs.name}, and it costs a peer worker {cost}. The two results are therefore not "
        "expected to agree; the uncertainty analysis shows how far the assumptions move ours."
    )


def weight_shares(a: AnalysisResult) -> dict[str, float]:
    """Each study's share of the weighted mean's weight (its pooling weight over all)."""
    total = sum(s.pooling_weight for s in a.studies)
    if not total > 0:
        return {s.citation: math.nan for s in a.studies}
    return {s.citation: s.pooling_weight / total for s in a.studies}


def page_one_warnings(a: AnalysisResult, p: PsaResult) -> list[str]:
    """What the answer on page 1 must not hide: one study holding half the weight or more,
    and pooling methods that put the answer on different sides of 1."""
    found = []
    shares = weight_shares(a)
    heavy = {c: v for c, v in shares.items() if v >= DOMINANT_SHARE and len(shares) > 1}
    if len(heavy) == 1:
        [(citation, share)] = heavy.items()
        found.append(
            f"One study, {citation}, holds {share:.0%} of the weight in the weighted mean "
            "of ratios, so that result is largely that study's."
        )
    elif heavy:  # two studies at exactly half each: one warning, not two that contradict
        found.append(
            f"The weighted mean of ratios rests on {len(heavy)} studies, {listing(list(heavy))}, "
            "each holding half of its weight, so the result is theirs alone."
        )
    ratios = {
        s.label: s.ratio.deterministic
        for s in p.pooled.values()
        if math.isfinite(s.ratio.deterministic)
    }
    above = [k for k, v in ratios.items() if v > 1]
    below = [k for k, v in ratios.items() if v < 1]
    if above and below:
        said = "; ".join(f"{k}: {v:.2f}" for k, v in ratios.items())
        found.append(
            f"The pooling methods disagree on which side of 1 the answer lies ({said}): "
            "whether the savings exceed the cost depends on how the studies are combined."
        )
    return found


def not_pooled_items(facts: Sequence[StudyFacts]) -> list[str]:
    """Each study recorded but not pooled, with its reason."""
    return [
        f"{f.citation} ({f.id}): {f.reason or 'no usable outcome'}" for f in facts if not f.pooled
    ]
