"""Resolving a business case's files: the scenario over the national defaults, its cost
set with the scenario's own unit costs in place, and the studies its effect is pooled from.
Each file is read here, once per run (:func:`resolve_scenario`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from peervalue.costs.load import load_costs
from peervalue.costs.schema import CostFile, PeerWorkerCost
from peervalue.errors import input_error, quote
from peervalue.evidence.load import load_evidence
from peervalue.evidence.schema import Study
from peervalue.provenance import Quantity
from peervalue.scenario.load import LoadedScenario, from_document, load_scenario
from peervalue.scenario.schema import ScenarioFile


@dataclass(frozen=True)
class ResolvedFiles:
    """A scenario and everything it names, each read once."""

    loaded: LoadedScenario
    costs: CostFile  #: the cost set, with the scenario's own unit costs in place
    studies: list[Study]
    evidence_label: str
    #: the study files the studies were read from (none for an own estimate), and the
    #: studies recorded but not pooled among those chosen (a report lists them)
    study_files: tuple[Path, ...] = ()
    not_pooled: tuple[Study, ...] = ()


def resolve_scenario(scenario: Path | ScenarioFile) -> ResolvedFiles:
    """Read a scenario file (or take a document), its cost set and its studies."""
    loaded = load_scenario(scenario) if isinstance(scenario, Path) else from_document(scenario)
    _check_price_years(loaded)
    costs = _cost_document(loaded)
    studies, label, study_files, not_pooled = _studies(loaded)
    return ResolvedFiles(loaded, costs, studies, label, study_files, not_pooled)


def read_paths(files: ResolvedFiles) -> list[Path]:
    """The cost file and study folder a resolved scenario names (none for a bundled cost
    set or evidence), for an output to be checked against before a run."""
    s = files.loaded.scenario
    paths = []
    if s.costs.set.endswith((".yaml", ".yml", ".toml")):
        paths.append(_resolve(s.costs.set, files.loaded.folder))
    if s.evidence.folder and s.evidence.source != "own":
        paths.append(_resolve(s.evidence.folder, files.loaded.folder))
    return paths


def _check_price_years(loaded: LoadedScenario) -> None:
    """The scenario's price year, and every figure's, covered by the price index."""
    from peervalue.costs.indices import nhs_indexes

    s = loaded.scenario
    index = nhs_indexes().get("pay-and-prices")
    if not index.covers(s.scenario.price_year):
        raise input_error(
            loaded.source,
            "scenario.price_year",
            f"price year {s.scenario.price_year!r} is not covered by the {index.name}",
            index.expected_years(),
        )
    for path, q in s.quantities().items():
        if q.price_year is not None and not index.covers(q.price_year):
            raise input_error(
                loaded.source,
                path,
                f"price year {q.price_year!r} is not covered by the {index.name}",
                index.expected_years(),
            )


def with_full_paths(loaded: LoadedScenario) -> ScenarioFile:
    """The scenario with the cost file and study folder it names relative to its own folder
    given by their full paths (so that it runs the same from anywhere)."""
    scenario = loaded.scenario
    costs, evidence = scenario.costs, scenario.evidence
    if costs.set.endswith((".yaml", ".yml", ".toml")):
        costs = costs.model_copy(update={"set": str(_resolve(costs.set, loaded.folder).resolve())})
    if evidence.folder:
        folder = str(_resolve(evidence.folder, loaded.folder).resolve())
        evidence = evidence.model_copy(update={"folder": folder})
    return scenario.model_copy(update={"costs": costs, "evidence": evidence})


def _resolve(path: str, folder: Path | None) -> Path:
    p = Path(path)
    if folder is not None and not p.is_absolute() and (folder / p).exists():
        return folder / p
    return p


def _existing(loaded: LoadedScenario, field: str, path: str, what: str) -> Path:
    """``path`` from the scenario (relative to its folder), refused by name if it is missing."""
    found = _resolve(path, loaded.folder)
    if not found.exists():
        where = loaded.folder if loaded.folder is not None else Path.cwd()
        raise input_error(
            loaded.source,
            field,
            f"{what} {quote(str(path))} does not exist (looked in {where})",
            f"the path of an existing {what}, relative to the scenario file or absolute",
        )
    return found


def public_sector_costs(loaded: LoadedScenario) -> CostFile:
    """The scenario's cost document from the public sector's perspective (whatever its own)."""
    s = loaded.scenario
    costs = s.costs.model_copy(update={"perspective": "public-sector"})
    return _cost_document(replace(loaded, scenario=s.model_copy(update={"costs": costs})))


def _cost_document(loaded: LoadedScenario) -> CostFile:
    """The cost set with the scenario's own unit costs put in place of its figures."""
    from peervalue.costs.load import bundled_cost_sets

    s = loaded.scenario.costs
    bundled = bundled_cost_sets().get(s.set)
    if bundled is not None:  # a bundled set's name is never looked up as a path
        base = load_costs(bundled)
    elif s.set.endswith((".yaml", ".yml", ".toml")):
        base = load_costs(_existing(loaded, "costs.set", s.set, "cost file"))
    else:
        base = load_costs(s.set)
    update: dict[str, object] = {}
    if s.cost_per_bed_day is not None:
        update["bed_day"] = s.cost_per_bed_day
    if s.cost_per_fte_year is not None:
        update["peer_worker"] = PeerWorkerCost(total=s.cost_per_fte_year)
    elif s.salary is not None or s.band is not None:
        salary = s.salary if s.salary is not None else _band_salary(loaded)
        if base.peer_worker.components is None:
            raise input_error(
                loaded.source,
                "costs.salary" if s.salary is not None else "costs.band",
                f"the cost set {quote(s.set)} gives a total cost per FTE-year, not a salary "
                "to replace",
                "'cost_per_fte_year' instead, or a cost set built from components",
            )
        comps = base.peer_worker.components.model_copy(update={"salary": salary})
        update["peer_worker"] = PeerWorkerCost(components=comps)
    costs = base.model_copy(update=update) if update else base
    if s.perspective == "trust-cash":
        from peervalue.costs.perspective import trust_cash_problem, with_trust_pension

        problem = trust_cash_problem(costs, s.set, s.cost_per_fte_year is not None)
        if problem is not None:
            raise input_error(loaded.source, "costs.perspective", *problem)
        costs = with_trust_pension(costs, s.trust_pension_rate, loaded.scenario.scenario.price_year)
    return costs


def _band_salary(loaded: LoadedScenario) -> Quantity:
    from peervalue.costs.pay import band_salary, bands, pay_table

    band = loaded.scenario.costs.band or ""
    year = loaded.scenario.scenario.price_year
    salary = band_salary(band, year)
    first = min(pay_table().years)
    if salary is None and band in bands() and year < first:
        raise input_error(
            loaded.source,
            "costs.band",
            f"the bundled pay table starts in {first}, after the price year {year}",
            f"a price year from {first}, or 'salary' (with its price year) in place of 'band'",
        )
    if salary is None:
        raise input_error(
            loaded.source,
            "costs.band",
            f"no Agenda for Change band {quote(band)} in the pay table up to {year}",
            f"one of: {', '.join(bands())}",
        )
    return salary


def _studies(
    loaded: LoadedScenario,
) -> tuple[list[Study], str, tuple[Path, ...], tuple[Study, ...]]:
    ev = loaded.scenario.evidence
    if ev.source == "own":
        return [], "the scenario's own estimate", (), ()
    folder = _existing(loaded, "evidence.folder", ev.folder, "study folder") if ev.folder else None
    chosen_set = evidence_set_of(loaded.scenario)
    if chosen_set is not None:
        from peervalue.evidence.sets import load_library, select_set

        evidence = select_set(chosen_set, load_library(folder))
    else:
        evidence = load_evidence(folder)
    studies = list(evidence.studies)
    not_pooled = evidence.excluded
    if ev.subgroup:
        field, _, value = ev.subgroup.partition("=")
        chosen = [s for s in studies if _field(s, field) == value]
        if not chosen:
            values = sorted({_field(s, field) for s in studies})
            raise input_error(
                loaded.source,
                "evidence.subgroup",
                f"no study has {field} = {quote(value)}",
                f"one of: {', '.join(f'{field}={v}' for v in values)}",
            )
        studies = chosen
        not_pooled = tuple(s for s in not_pooled if _field(s, field) == value)
    kept = {s.id for s in (*studies, *not_pooled)}
    files = (
        tuple(f for i, f in evidence.sources if i in kept) if evidence.sources else evidence.files
    )
    label = evidence.origin + (f", {ev.subgroup}" if ev.subgroup else "")
    return studies, label, files, not_pooled


def evidence_set_of(scenario: ScenarioFile) -> str | None:
    """The evidence set a scenario's effect takes: its own, or for a relative source with
    neither set nor folder, :data:`~peervalue.scenario.schema.DEFAULT_SYNTHESIS_SET`."""
    from peervalue.scenario.schema import DEFAULT_SYNTHESIS_SET, RELATIVE_SOURCES

    ev = scenario.evidence
    if ev.set is None and not ev.folder and ev.source in RELATIVE_SOURCES:
        return DEFAULT_SYNTHESIS_SET
    return ev.set


def _field(study: Study, field: str) -> str:
    value = getattr(study, field)
    return str(getattr(value, "value", value))
