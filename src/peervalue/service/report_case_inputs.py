"""A business case's own inputs for a report's inputs appendix.

The national analysis's inputs (the studies' and the cost set's figures) are listed by
:func:`peervalue.service.report.input_rows`; a report made with ``--scenario`` also lists
every input of the scenario, walked from the one declaration of the scenario's inputs
(:func:`peervalue.scenario.catalogue.catalogue`), with the value the run used (the file's
own, else the national default), its range, how the Monte Carlo drew it (from the
business case's result), its source, and whether the scenario file set it or the national
default stood (with the default beside a value the file changed).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from peervalue.provenance import Quantity, quantities_in
from peervalue.report.data import NATIONAL_DEFAULT, SET_IN_SCENARIO, InputRow
from peervalue.report.input_words import number as _number
from peervalue.report.input_words import shown_quantity as _shown_quantity
from peervalue.report.input_words import shown_range as _range
from peervalue.report.input_words import source_words as _source

if TYPE_CHECKING:
    from peervalue.scenario.defaults import LoadedScenario
    from peervalue.scenario.inputs import ScenarioInput
    from peervalue.scenario.results import ScenarioResult

__all__ = ["case_input_rows"]

#: tables left out: the case in the authors' own words (the report prints it in full)
_NOT_INPUTS = ("case",)


def _with_range(q: Quantity) -> str:
    return _shown_quantity(q) + (f" (range {_range(q)})" if q.range is not None else "")


def _shown_plain(value: object, f: ScenarioInput) -> str:
    """A plain (not quantity) value in words, with its unit where it is a number's."""
    if value is None or value == "" or value == []:
        unset = f.input.unset.replace("`", "")
        return f"not set ({unset})" if unset and unset != "none" else "not set"
    if isinstance(value, bool):
        return str(value).lower()
    unit = f.unit if f.unit and not f.unit.startswith("`") else ""
    if isinstance(value, list):
        if all(isinstance(v, int | float) for v in value):
            return f"{', '.join(_number(v) for v in value)} {unit}".strip()
        return "; ".join(str(v) for v in value)
    if isinstance(value, int | float):
        return f"{_number(value)} {unit}".strip()
    if isinstance(value, date):
        return value.isoformat()
    return str(getattr(value, "value", value))


def _value_at(document: object, table: str, name: str) -> object:
    block = getattr(document, table, None)
    return None if block is None else getattr(block, name, None)


def _status(head: str, set_here: bool, differs: bool, default: str) -> str:
    """``assumed; set in the scenario file (national default: 15 patients/FTE)``."""
    words = SET_IN_SCENARIO if set_here else NATIONAL_DEFAULT
    if set_here and differs:
        words += f" (national default: {default})"
    return f"{head}; {words}" if head else words


def case_input_rows(loaded: LoadedScenario, result: ScenarioResult | None) -> list[InputRow]:
    """Every input of the business case in ``loaded`` (its file over the national
    defaults), in the catalogue's order, the ``[[extra]]`` resources one row per field;
    the case's own words (``[case]``) are left out (the report prints them in full).

    ``result`` (the case's run) gives how each drawn figure was drawn; a figure the run
    did not draw says why.
    """
    from peervalue.scenario.catalogue import catalogue
    from peervalue.scenario.defaults import national_defaults

    mine, theirs = loaded.scenario, national_defaults()
    mine_q, their_q = quantities_in(mine), quantities_in(theirs)
    drawn = {i.field: i.distribution for i in (result.inputs if result is not None else [])}
    overrides = set(loaded.overrides)

    def set_in_file(path: str) -> bool:
        table = path.split(".")[0].split("[")[0]
        return path in overrides or table in overrides or table == "extra"

    def quantity_row(path: str, q: Quantity, f: ScenarioInput) -> InputRow:
        distribution = drawn.get(f"scenario:{path}")
        if distribution is None:
            used = f.input.replaces_cost_set and (
                path not in _TRUST_ONLY or mine.costs.perspective == "trust-cash"
            )
            distribution = (
                "as the cost set's figure it replaces (the analysis's inputs, above)"
                if used
                else NOT_USED
            )
        default = their_q.get(path)
        return InputRow(
            name=path,
            value=_shown_quantity(q),
            range=_range(q),
            distribution=distribution,
            source=_source(q),
            status=_status(
                q.status.value,
                set_in_file(path),
                q != default,
                "not set" if default is None else _with_range(default),
            ),
        )

    def plain_row(path: str, shown: str, default: str) -> InputRow:
        here = set_in_file(path)
        status = _status("", here, shown != default, default)
        run_value = _run_setting(path, result)
        if run_value is not None and run_value != shown:
            # the run's own draws or seed (an option of the command) in place of the file's
            status, shown = f"set for this run (the scenario's: {shown})", run_value
        return InputRow(
            name=path,
            value=shown,
            range="",
            distribution=(
                NOT_USED
                if path in _TRUST_ONLY and mine.costs.perspective != "trust-cash"
                else "fixed"
            ),
            source="the scenario file" if here else "the national defaults",
            status=status,
        )

    rows: list[InputRow] = []
    extra_fields = []
    for path, f in catalogue().items():
        if f.table in _NOT_INPUTS:
            continue
        if f.table == "extra":
            extra_fields.append(f)  # below, one row per resource and field
            continue
        q = mine_q.get(path)
        if q is not None:
            rows.append(quantity_row(path, q, f))
            continue
        default = their_q.get(path)
        if f.figure is not None:  # an optional figure left unset
            rows.append(
                plain_row(
                    path,
                    _shown_plain(None, f),
                    _shown_plain(None, f) if default is None else _with_range(default),
                )
            )
            continue
        rows.append(
            plain_row(
                path,
                _shown_plain(_value_at(mine, f.table, f.name), f),
                _shown_plain(_value_at(theirs, f.table, f.name), f),
            )
        )
    for i, extra in enumerate(mine.extra):
        for f in extra_fields:
            path = f"extra[{i}].{f.name}"
            q = mine_q.get(path)
            if q is not None:
                rows.append(quantity_row(path, q, f))
            else:
                shown = _shown_plain(getattr(extra, f.name, None), f)
                rows.append(plain_row(path, shown, "none"))
    return rows


#: the inputs of the trust's own perspective (``costs.perspective = "trust-cash"``)
_TRUST_ONLY = ("costs.trust_pension_rate", "costs.trust_overhead_share")
NOT_USED = "not drawn (not used by this case)"


def _run_setting(path: str, result: ScenarioResult | None) -> str | None:
    """The draws or seed the run used (a report's own options), in the table's words."""
    if result is None:
        return None
    if path == "monte_carlo.draws":
        return f"{_number(result.uncertainty.draws)} draws"
    if path == "monte_carlo.seed":
        return _number(result.uncertainty.seed)
    return None
