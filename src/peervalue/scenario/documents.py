"""Stored scenario documents: their format versions, the upgrade from each to the next, and
the one loader that turns any stored or sent document into a validated scenario.

A business case is kept as **its own figures only** (its overrides: the tables and fields it
sets, in the shape of a scenario file), never as the whole merged document, so that a release
which adds a field or updates a national default reads it over the defaults of its own day.
Every stored document carries its ``format_version``; :func:`upgrade` brings an older one
forward one version at a time through :data:`UPGRADES` (as nbformat's ``convert`` does), and
:func:`load_document` layers the result over the current national defaults and validates it.
Pure: no database, no HTTP; the national defaults are the only file it reads (bundled, once).

Formats:

1. the whole scenario document merged over the national defaults of the day it was saved
   (``ScenarioFile.model_dump(mode="json")``; peervalue's web storage up to format 2);
2. the case's own figures: only the fields that differ from the national defaults, plus its
   name and price year, which are always kept (a bare number is money at that price year);
3. as 2, from the release whose default effect is the evidence synthesis's predictive
   relative effect (``evidence.source = "predictive"``) and whose national defaults add an
   effect lag, an optimism uplift on costs and the Green Book's declining discount schedule;
   a format-2 case meant the defaults of its day (the 2013 weighted mean, no lag, no uplift
   on costs, one rate every year) and is upgraded to say so, so its figures do not move;
4. as 3, from the release that says who pays and who gains (``[organisations]``, and each
   ``[[extra]]`` resource's ``organisation``); a format-3 case had every line paid and gained
   by one organisation, which is what the new defaults say (the trust), so it upgrades as it
   is and its totals do not move. An older release reading a format-4 case says it was
   written by a newer peervalue rather than refusing ``[organisations]`` as unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from peervalue.errors import input_error
from peervalue.scenario.defaults import LoadedScenario, layered, national_defaults
from peervalue.scenario.schema import ScenarioFile

#: the format every document is saved in
FORMAT_VERSION = 4

#: what each format holds, in words (for errors and the docs)
FORMATS: dict[int, str] = {
    1: "the whole scenario merged over the national defaults of the day it was saved",
    2: "the case's own figures only, layered over the current national defaults",
    3: "the case's own figures only; the default effect is the synthesis's predictive effect",
    4: "as 3, with who pays and who gains ([organisations])",
}

#: the fields every stored document keeps even when they equal the default: the case's name,
#: and its price year, at which its bare money figures are read
PINNED = ("scenario.name", "scenario.price_year")


def overrides_of(scenario: ScenarioFile) -> dict[str, Any]:
    """The sparse document of ``scenario``: each table's fields that differ from the current
    national defaults (compared as JSON), ``extra`` when it lists anything, and the pinned
    fields. Layered over the same defaults it validates back to ``scenario``."""
    defaults = national_defaults().model_dump(mode="json")
    mine = scenario.model_dump(mode="json")
    out: dict[str, Any] = {}
    for table, block in mine.items():
        if isinstance(block, dict):
            base = defaults.get(table) or {}
            for field, value in block.items():
                pinned = f"{table}.{field}" in PINNED
                if pinned or field not in base or base[field] != value:
                    out.setdefault(table, {})[field] = value
        elif block != defaults.get(table):
            out[table] = block
    return out


def _upgrade_1_to_2(document: dict[str, Any]) -> dict[str, Any]:
    """A whole merged document (format 1) becomes its own figures: every field that differs
    from today's national defaults is kept as the case's own (so a figure saved at that day's
    default stays what was saved only when today's default differs), a field missing from it
    (added by a later release, such as ``costs.supervision_per_year``) takes today's default,
    and ``None`` stands for "not set". The name and price year are kept."""
    defaults = national_defaults().model_dump(mode="json")
    out: dict[str, Any] = {}
    for table, block in document.items():
        base = defaults.get(table)
        if isinstance(block, dict) and isinstance(base, dict):
            for field, value in block.items():
                pinned = f"{table}.{field}" in PINNED
                if value is None and base.get(field) is None and not pinned:
                    continue
                if pinned or field not in base or base[field] != value:
                    out.setdefault(table, {})[field] = value
        elif table == "extra" and not block:
            continue
        else:
            out[table] = block
    return out


#: the effect every case without a source of its own took up to format 2
FORMAT_2_SOURCE = "pooled-weighted"


#: what a format-2 case meant by leaving each field of format 3's new defaults unset: the
#: 2013 weighted mean, no effect lag (issue 19), no optimism uplift on costs, and its one
#: discount rate every year (the Green Book's schedule differs only after 30 years)
FORMAT_2_MEANT: dict[tuple[str, str], Any] = {
    ("evidence", "source"): FORMAT_2_SOURCE,
    ("staffing", "effect_lag_months"): 0.0,
    ("costs", "optimism_bias"): 0.0,
    ("scenario", "discount_schedule"): "constant",
}


def _upgrade_2_to_3(document: dict[str, Any]) -> dict[str, Any]:
    """The national defaults changed: the default effect from the 2013 weighted mean to the
    synthesis's predictive effect, and an effect lag, an uplift to costs and the Green Book's
    declining schedule were added. A case that left one of these unset took the default of
    its day, so it keeps that (its figures do not change on upgrade); a case that set one
    keeps what it set."""
    out = dict(document)
    for (table, field), then in FORMAT_2_MEANT.items():
        block = out.get(table)
        if block is None:
            out[table] = {field: then}
        elif isinstance(block, dict) and field not in block:
            out[table] = {**block, field: then}
    return out


def _upgrade_3_to_4(document: dict[str, Any]) -> dict[str, Any]:
    """Who pays and who gains was added: a format-3 case has no ``[organisations]`` and its
    resources no ``organisation``, and the defaults (every line the trust's) split it into
    one organisation, the whole case; nothing to change."""
    return dict(document)


#: ``UPGRADES[n]`` turns a format-``n`` document into format ``n + 1``
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: _upgrade_1_to_2,
    2: _upgrade_2_to_3,
    3: _upgrade_3_to_4,
}


def upgrade(document: Mapping[str, Any], version: int, source: str) -> dict[str, Any]:
    """``document`` (of format ``version``) in the current format, one version at a time."""
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise input_error(
            source,
            "format_version",
            f"got {version!r}",
            f"a whole number from 1 to {FORMAT_VERSION}",
        )
    if version > FORMAT_VERSION:
        raise input_error(
            source,
            "format_version",
            f"the document is in format {version}, written by a newer peervalue than this one "
            f"(which reads formats 1 to {FORMAT_VERSION})",
            "a peervalue release that knows that format",
        )
    if not isinstance(document, Mapping):
        raise input_error(source, "scenario", f"got {type(document).__name__}", "a table")
    out = dict(document)
    while version < FORMAT_VERSION:
        out = UPGRADES[version](out)
        version += 1
    return out


def load_document(
    document: Mapping[str, Any], version: int = FORMAT_VERSION, source: str = "in memory"
) -> LoadedScenario:
    """The one way a document becomes a scenario (saved cases, API bodies, the form and
    scenario files): upgrade it, layer it over the current national defaults, validate it.
    Any problem is an :class:`InputError` naming ``source`` and the field."""
    from peervalue.fileio import validate

    current = upgrade(document, version, source)
    merged, overrides = layered(current)
    scenario = validate(ScenarioFile, merged, source)
    return LoadedScenario(scenario, tuple(overrides), source, None)


def stored(document: Mapping[str, Any], version: int = FORMAT_VERSION) -> dict[str, Any]:
    """What to store for a document sent in any format: its own figures in the current
    format (so a whole document sent over the API is kept as what it changes)."""
    return overrides_of(load_document(document, version).scenario)
