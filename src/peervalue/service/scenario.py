"""Run a local business case: resolve the scenario over the national defaults, draw every
uncertain input, project year by year, and summarise (:class:`ScenarioResult`).

The evidence's effect (bed-days saved per patient-year of support) and the unit costs
come from the same parameter draws as ``peervalue psa`` (same distributions, same
streams keyed by name and seed); the scenario's own figures are drawn by the same
rules (an assumed figure with a range is a PERT over it with its value as the mode,
unless the file declares another distribution; a bare number is fixed).

The work is in three modules: :mod:`~peervalue.service.scenario_resolve` (the files),
:mod:`~peervalue.service.scenario_params` (parameters, draws and model inputs) and
:mod:`~peervalue.service.scenario_summary` (the typed result); this one runs them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from peervalue.scenario import model
from peervalue.scenario.results import EffectUsed, ScenarioResult
from peervalue.service.requests import ScenarioRequest
from peervalue.service.scenario_params import (
    COST_LINES,
    OWNER,
    SCENARIO_FIGURES,
    PreparedScenario,
    prepare_scenario,
)
from peervalue.service.scenario_resolve import ResolvedFiles, resolve_scenario
from peervalue.service.scenario_summary import summarise

__all__ = [
    "COST_LINES",
    "OWNER",
    "SCENARIO_FIGURES",
    "PreparedScenario",
    "ResolvedFiles",
    "prepare_scenario",
    "resolve_scenario",
    "run_scenario",
    "save_inputs_text",
]


def run_scenario(request: ScenarioRequest, files: ResolvedFiles | None = None) -> ScenarioResult:
    """The business case of a scenario, year by year, with its uncertainty (``files``: the
    scenario's files resolved already, so that they are read once in a run that needs them
    twice, as a report's business case and its two-way grid). The result carries the
    resolved scenario it was computed from (``resolved``)."""
    p = prepare_scenario(request, files)
    per_option = None
    if p.loaded.scenario.options:
        from peervalue.service.scenario_options import checked_options

        per_option = checked_options(p.files)  # every option checked before anything runs
    with np.errstate(all="ignore"):
        point = model.project(p.inputs(drawn=False))
        without = model.project(
            p.inputs(drawn=False, overrides={"transferability": np.ones((1, 1))})
        )
        mc = model.project(p.inputs(drawn=True))
        effect = effect_used(p)
        result = summarise(p, effect, (point, without, mc))
    from peervalue.service.structural import structural_panel

    panel = structural_panel(p)
    update: dict[str, object] = {"structural": panel}
    if p.loaded.scenario.options:
        from peervalue.service.scenario_options import OptionRun, run_options

        case = OptionRun(p.loaded.scenario.scenario.name, p, point, mc)
        appraisal = run_options(request, p.files, case, per_option)
        update["options"] = appraisal[0] if appraisal is not None else None
    out = result.model_copy(update=update)
    return out.with_resolved(result.resolved) if result.resolved is not None else out


def effect_used(p: PreparedScenario) -> EffectUsed:
    """Where a prepared scenario's effect comes from, with the synthesis behind a relative
    source (its ratio, interval and studies) and the baseline it applies to."""
    from peervalue.service.scenario_effects import LABELS, baseline_of

    s = p.loaded.scenario
    rel = p.effects.relative if p.effects is not None else None
    extra: dict[str, object] = {}
    if rel is not None:
        extra = {
            "label": LABELS[rel.source],
            "ratio": rel.ratio,
            "ratio_low": float(np.exp(rel.interval.low)),
            "ratio_high": float(np.exp(rel.interval.high)),
            "baseline_bed_days_per_patient_year": float(baseline_of(p.point_values)[0]),
            "synthesis": f"{rel.summary.k} studies on the relative scale "
            f"({', '.join(rel.summary.studies)}); priors tau ~ {rel.summary.tau_prior}, "
            f"mean ~ {rel.summary.mu_prior}",
        }
    return EffectUsed(
        source=s.evidence.source,
        bed_days_saved_per_patient_year=float(p.point_effect.reshape(-1)[0]),
        transferability=s.evidence.transferability.value,
        studies=[st.id for st in p.studies] if rel is None else list(rel.summary.studies),
        evidence=p.evidence_label,
        **extra,
    )


def save_inputs_text(path: Path | str, result: ScenarioResult) -> str:
    """The complete scenario behind ``result`` as TOML, headed by every resolved input.

    Written from the scenario the result carries (the file is not read again): the tables
    hold every figure (defaults included), with the draws and seed that were used, so
    running the saved file reproduces ``result`` exactly. ``path`` names the scenario file
    in the header.
    """
    from peervalue.scenario.toml_out import scenario_to_toml

    if result.resolved is None:
        raise ValueError("the result carries no resolved scenario (it was built by hand)")
    header = [
        f"Every input of the business case {result.name!r}, as peervalue resolved it from",
        f"{path} over the national defaults. Running this file again gives the same result.",
        "",
        "Inputs as the run used them (at the scenario's prices):",
        *(
            f"  {i.field} = {i.value:.10g} {i.unit} ({i.status}; {i.distribution})"
            + (f"; {i.source}" if i.source else "")
            for i in result.inputs
        ),
    ]
    return scenario_to_toml(result.resolved, header)
