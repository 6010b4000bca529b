"""The structural panel of a business case (:mod:`peervalue.scenario.structural`): the whole
case run under each effect choice from one set of draws."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from peervalue.errors import InputError
from peervalue.scenario import model
from peervalue.scenario.structural import (
    CHOICES,
    DEFAULT_CHOICE,
    WHY_DEFAULT,
    StructuralPanel,
    StructuralRow,
    missing_row,
    structural_row,
)

if TYPE_CHECKING:
    from peervalue.service.scenario_params import PreparedScenario


def choice_row(p: PreparedScenario, source: str, scenario_source: str) -> StructuralRow:
    """The business case of ``p`` with the effect ``source`` (same draws otherwise)."""
    from peervalue.service.scenario_effects import LABELS
    from peervalue.service.scenario_params import effects_for

    label = LABELS[source]
    try:
        with np.errstate(all="ignore"):
            e = effects_for(source, p.spec, p.studies, p.point_values, p.drawn, p.draws, p.seed)
    except InputError as exc:
        why = "; ".join(problem.problem for problem in exc.problems) or str(exc)
        return missing_row(source, label, why, scenario_source)
    with np.errstate(all="ignore"):
        point = model.project(p.inputs(drawn=False, overrides={"effect": e.point.reshape(-1, 1)}))
        mc = model.project(p.inputs(drawn=True, overrides={"effect": e.drawn.reshape(-1, 1)}))
    return structural_row(
        source,
        label,
        float(e.point.reshape(-1)[0]),
        float(point.discounted_total(point.gross_benefit)[0]),
        float(point.discounted_total(point.total_cost)[0]),
        mc.discounted_total(mc.gross_benefit),
        mc.discounted_total(mc.total_cost),
        ratio=e.relative.ratio if e.relative is not None else None,
        scenario_source=scenario_source,
    )


def structural_panel(p: PreparedScenario) -> StructuralPanel:
    """Every effect choice on the scenario's studies (for a scenario with its own effect,
    on the default evidence set, with its own row first)."""
    s = p.loaded.scenario
    source = s.evidence.source
    rows = []
    evidence_of = p
    if source == "own":
        rows.append(choice_row(p, "own", source))
        evidence_of = _on_default_evidence(p)
    rows += [choice_row(evidence_of, c, source) for c in CHOICES]
    return StructuralPanel(
        evidence=evidence_of.evidence_label,
        default=DEFAULT_CHOICE,
        why_default=WHY_DEFAULT,
        scenario_source=source,
        draws=p.draws,
        seed=p.seed,
        rows=rows,
    )


def _on_default_evidence(p: PreparedScenario) -> PreparedScenario:
    """The same scenario with the default effect and evidence (for a case with its own)."""
    from peervalue.scenario.schema import DEFAULT_SYNTHESIS_SET
    from peervalue.service.requests import ScenarioRequest
    from peervalue.service.scenario_params import prepare_scenario
    from peervalue.service.scenario_resolve import resolve_scenario, with_full_paths

    s = with_full_paths(p.loaded) if p.loaded.folder is not None else p.loaded.scenario
    evidence = s.evidence.model_copy(
        update={
            "source": DEFAULT_CHOICE,
            "saved_per_patient_year": None,
            "set": DEFAULT_SYNTHESIS_SET,
        }
    )
    other = s.model_copy(update={"evidence": evidence})
    request = ScenarioRequest.model_construct(scenario=other, draws=p.draws, seed=p.seed)
    return prepare_scenario(request, resolve_scenario(other))
