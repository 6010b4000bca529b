"""The national defaults and the layering of a scenario's own figures over them.

A scenario file holds only what the service sets; every other figure comes from the
national defaults. Tables merge key by key; a figure (a value or a quantity block) and a
list replace the default as a whole. Below :mod:`peervalue.scenario.documents` (the format
upgrades) and :mod:`peervalue.scenario.load` (reading a file), which both layer through
:func:`layered`; ``load`` re-exports these names for its existing callers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from peervalue.fileio import read_mapping, validate
from peervalue.scenario.schema import ScenarioFile, bundled_defaults_file, expand_bare_numbers

#: tables whose keys merge with the defaults (everything else replaces them whole)
_TABLES = (
    "scenario",
    "monte_carlo",
    "staffing",
    "costs",
    "evidence",
    "baseline",
    "benefits",
    "affordability",
    "organisations",
)


@dataclass(frozen=True)
class LoadedScenario:
    scenario: ScenarioFile
    overrides: tuple[str, ...]  #: dotted paths the file sets, in file order
    source: str  #: the file, or "in memory"
    folder: Path | None  #: the file's folder: relative cost-set and evidence paths start here


@cache
def national_defaults_data() -> dict[str, Any]:
    """The bundled national defaults as raw data (validated once, on first use)."""
    path = bundled_defaults_file()
    data = read_mapping(path)
    validate(ScenarioFile, data, path)
    return data


def national_defaults() -> ScenarioFile:
    return ScenarioFile.model_validate(national_defaults_data())


def layered(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``data`` over the national defaults, and the paths ``data`` sets."""
    defaults = national_defaults_data()
    merged: dict[str, Any] = {
        k: (dict(v) if isinstance(v, dict) else v) for k, v in defaults.items()
    }
    overrides: list[str] = []
    for key, value in data.items():
        if key in _TABLES and isinstance(value, dict) and isinstance(merged.get(key), dict):
            for field, inner in value.items():
                merged[key][field] = inner
                overrides.append(f"{key}.{field}")
        else:
            merged[key] = value
            overrides.append(key)
    # bare numbers take the scenario's price year, which may itself be overridden
    return expand_bare_numbers(merged), overrides
