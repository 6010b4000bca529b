"""Study influence: the pooled result without each study, and within subgroups.

Each group (all studies but one, or the studies sharing a design, country or
peer role) gets its deterministic pooled ratios (weighted mean of ratios and
ratio of sums) and, from one Monte Carlo run shared by every group, the mean
weighted-mean ratio and the probability that pooled net benefit is positive.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from peervalue.evidence.schema import Study
from peervalue.evidence.sets import STUDY_FIELDS
from peervalue.model import core
from peervalue.model.results import GroupResult, InfluenceResult
from peervalue.model.spec import ModelSpec
from peervalue.uncertainty.psa import run_psa

SubgroupField = Literal[
    "design", "country", "peer_role", "randomisation", "bundled", "risk_of_bias", "outcome"
]
#: how each subgroup field is read from a study (one table, shared with evidence sets)
SUBGROUP_FIELDS: dict[str, Callable[[Study], str]] = STUDY_FIELDS


def _run(
    spec: ModelSpec, kind: str, groups: dict[str, list[int]], draws: int, seed: int
) -> InfluenceResult:
    everyone = list(range(len(spec.studies)))
    run = run_psa(spec, draws, seed, groups={"*all*": everyone, **groups})
    out = run.point
    b, w = out.bed_days_per_fte_year[0], out.weight[0]
    big_d, fte = out.total_saved[0], out.fte_years[0]
    c_bed, c_psw = float(out.cost_per_bed_day[0]), float(out.cost_per_fte_year[0])

    def result(label: str, members: list[int], key: str) -> GroupResult:
        pooled_b = float(core.weighted_mean(b[members], w[members]))
        sums_b = float(core.sum_studies(big_d[members]) / core.sum_studies(fte[members]))
        return GroupResult(
            group=label,
            studies=[spec.studies[i].id for i in members],
            patients=float(core.sum_studies(w[members])),
            weighted_mean_ratio=pooled_b * c_bed / c_psw,
            ratio_of_sums=sums_b * c_bed / c_psw,
            mc_mean_ratio=float(run.sums.mean(f"group:{key}:ratio", draws)),
            prob_net_benefit_positive=float(
                run.sums.share(f"group:{key}:net_benefit_positive", draws)
            ),
        )

    return InfluenceResult(
        kind=kind,
        draws=draws,
        seed=seed,
        price_year=spec.price_year,
        currency=spec.currency,
        all_studies=result("all studies", everyone, "*all*"),
        groups=[result(label, members, label) for label, members in groups.items()],
    )


def leave_one_out(spec: ModelSpec, draws: int, seed: int) -> InfluenceResult:
    """Pooled ratios and probability of benefit with each study left out in turn."""
    ids = [s.id for s in spec.studies]
    groups = {f"without {sid}": [j for j in range(len(ids)) if j != i] for i, sid in enumerate(ids)}
    if len(ids) < 2:
        groups = {}
    return _run(spec, "leave-one-out", groups, draws, seed)


def subgroups(
    studies: Sequence[Study], spec: ModelSpec, field: SubgroupField, draws: int, seed: int
) -> InfluenceResult:
    """Pooled ratios and probability of benefit within each value of ``field``."""
    label_of = SUBGROUP_FIELDS[field]
    position = {s.id: i for i, s in enumerate(spec.studies)}
    groups: dict[str, list[int]] = {}
    for study in studies:
        groups.setdefault(f"{field} = {label_of(study)}", []).append(position[study.id])
    return _run(spec, f"subgroup:{field}", dict(sorted(groups.items())), draws, seed)
