"""Reading a scenario file and layering it over the national defaults.

A scenario file holds only what the service sets; every other figure comes from
the national defaults. Tables merge key by key; a figure (a value or a quantity
block) and a list replace the default as a whole. :func:`load_scenario` returns
the complete scenario and the dotted paths the file set (its overrides).
"""

from __future__ import annotations

from pathlib import Path

from peervalue.fileio import read_mapping, validate
from peervalue.scenario.defaults import (
    LoadedScenario,
    layered,
    national_defaults,
    national_defaults_data,
)
from peervalue.scenario.documents import FORMAT_VERSION, upgrade
from peervalue.scenario.schema import ScenarioFile

# the defaults and the layering live in peervalue.scenario.defaults (below documents.py,
# which layers too); re-exported here for the callers that import them from this module
__all__ = [
    "LoadedScenario",
    "from_document",
    "layered",
    "load_scenario",
    "national_defaults",
    "national_defaults_data",
]


def load_scenario(path: Path) -> LoadedScenario:
    """Read, layer and validate a scenario file; mistakes name the file and the field."""
    data = read_mapping(path)
    # a file may state its format (``format_version = 2``); files have always held only the
    # figures they set, so one without it is read as the current format
    version = data.pop("format_version", FORMAT_VERSION)
    merged, overrides = layered(upgrade(data, version, str(path)))
    scenario = validate(ScenarioFile, merged, path)
    return LoadedScenario(scenario, tuple(overrides), str(path), path.parent)


def from_document(scenario: ScenarioFile) -> LoadedScenario:
    """An in-memory scenario: its overrides are the figures that differ from the defaults."""
    defaults = national_defaults().model_dump()
    mine = scenario.model_dump()
    overrides = [
        f"{table}.{field}"
        for table, block in mine.items()
        if isinstance(block, dict)
        for field, value in block.items()
        if defaults.get(table, {}).get(field) != value
    ]
    if mine.get("extra"):
        overrides.append("extra")
    if mine.get("options"):
        overrides.append("options")
    return LoadedScenario(scenario, tuple(overrides), "in memory", None)
