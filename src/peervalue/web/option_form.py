"""The calculator form's options section: a scenario's ``[[options]]`` as rows of fields,
and a submitted form's rows back as options (:mod:`peervalue.scenario.option_file`).

Each row is an option: its name and the fields of ``[staffing]`` and ``[costs]`` that the
form asks for (:func:`peervalue.web.forms.fields`), each blank for "as the case". The
form's keys are ``option.<i>.name``, ``option.<i>.<table>.<field>`` and
``option.<i>.remove`` (a tick removes the row); ``options.rows`` is how many rows the form
shows (the options and at least one blank row, at most :data:`MAX_OPTIONS`), and a submit
button named ``options.add`` adds a row without JavaScript.

An option read from a saved case may set what the form cannot show: a field the form does
not ask for (``costs.band``, ``costs.cost_per_fte_year``) or a figure with a range or a
source. The row carries the option as it was in a hidden field (``option.<i>.kept``, JSON);
a field whose text is unchanged keeps its figure as it was, a field the form does not ask
for is kept as it was (unless the row sets another way of costing a post), and a field
cleared is dropped. So re-saving a case from the form keeps its options as they were.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from pydantic import ValidationError

from peervalue.errors import InputError, Problem
from peervalue.scenario.option_file import OPTION_TABLES, PEER_COST_FIELDS
from peervalue.scenario.options import BUSINESS_AS_USUAL, MAX_OPTIONS
from peervalue.scenario.schema import ScenarioFile
from peervalue.web import forms
from peervalue.web.forms import FormField, Parsed, _as_text, _convert, fields

ROWS = "options.rows"
ADD = "options.add"
#: the key of problems with the options as a whole (the section's anchor is ``f-options``)
SECTION = "options"


@functools.cache
def option_fields() -> tuple[FormField, ...]:
    """The form's fields an option may set (``[staffing]`` and ``[costs]``), as a blank
    choice means "as the case": every one optional, a select with a blank choice first."""

    out = []
    for f in fields().values():
        if f.name.split(".", 1)[0] not in OPTION_TABLES:
            continue
        choices = f.options
        if f.kind == "select":
            choices = (("", "As the case"), *((v, t) for v, t in f.options if v != ""))
        out.append(replace(f, optional=True, options=choices))
    return tuple(out)


def key(i: int, field: str) -> str:
    """The form key of row ``i``'s ``field`` (``name``, ``remove``, ``kept`` or a path)."""
    return f"option.{i}.{field}"


def _row_fields(i: int) -> tuple[FormField, ...]:
    return tuple(replace(f, name=key(i, f.name)) for f in option_fields())


@dataclass(frozen=True)
class OptionRow:
    """One row of the options section, as the template draws it."""

    index: int
    legend: str
    name: str  #: the key of its name field
    fields: tuple[FormField, ...]  #: the option's fields, named by their form keys
    kept: str  #: the key of its hidden field (the option as it was), "" when none
    kept_words: list[str]  #: what the row keeps that the form does not show


def _count(values: Mapping[str, str]) -> int:
    text = str(values.get(ROWS, "")).strip()
    n = int(text) if text.isdigit() else 1
    return max(1, min(MAX_OPTIONS, n))


def rows(values: Mapping[str, str]) -> list[OptionRow]:
    """The rows the form shows for ``values`` (from :func:`option_values` or
    :func:`option_texts`)."""
    shown = {f.name for f in option_fields()}
    out = []
    for i in range(_count(values)):
        name = str(values.get(key(i, "name"), "")).strip()
        kept = _kept(values.get(key(i, "kept"), ""))
        words = []
        if isinstance(kept, dict):
            for table in OPTION_TABLES:
                block = kept.get(table)
                for field, value in block.items() if isinstance(block, dict) else ():
                    if f"{table}.{field}" not in shown:
                        words.append(f"{table}.{field} = {json.dumps(value)}")
        out.append(
            OptionRow(
                i,
                f"Option {i + 1}" + (f": {name}" if name else ""),
                key(i, "name"),
                _row_fields(i),
                key(i, "kept") if values.get(key(i, "kept")) else "",
                words,
            )
        )
    return out


def can_add(values: Mapping[str, str]) -> bool:
    return _count(values) < MAX_OPTIONS


def label(name: str) -> str | None:
    """An option key's words for the list of problems ("Option 2, Caseload"); None for
    a key of the main form."""
    if name == SECTION:
        return "Options"
    m = re.fullmatch(r"option\.(\d+)\.(.+)", name)
    if m is None:
        return None
    i, field = int(m.group(1)), m.group(2)
    if field in ("name", "remove", "kept"):
        return f"Option {i + 1}"
    f = next((f for f in option_fields() if f.name == field), None)
    return f"Option {i + 1}, {f.label if f is not None else field}"


# --- from a scenario to the form -----------------------------------------------------


def option_values(document: Mapping[str, Any] | None) -> dict[str, str]:
    """The form's text of a scenario document's options (``model_dump(mode="json")``), each
    row with the option as it was (``kept``), and one blank row after them."""

    options = (document or {}).get("options") or []
    out: dict[str, str] = {ROWS: str(min(MAX_OPTIONS, len(options) + 1))}
    fields = option_fields()
    for i, option in enumerate(options):
        out[key(i, "name")] = str(option.get("name", ""))
        mine = {t: option.get(t) or {} for t in OPTION_TABLES}
        out[key(i, "kept")] = json.dumps(
            {"name": out[key(i, "name")], **mine}, separators=(",", ":"), sort_keys=True
        )
        for f in fields:
            table, _, field = f.name.partition(".")
            value = mine[table].get(field)
            out[key(i, f.name)] = "" if value is None else _as_text(f, value)
    return out


def _kept(text: str) -> Any:
    if not text:
        return {}
    try:
        return json.loads(text)
    except ValueError:
        return None


# --- from a submitted form to options ------------------------------------------------


def option_texts(form: Mapping[str, str]) -> dict[str, str]:
    """The option rows of a submitted form, closed up: a row ticked for removal and a blank
    row are dropped, the rest numbered from 0; ``options.rows`` keeps the rows shown (one
    more with ``options.add``) and at least one blank row after the options."""
    given = _count(form)
    keys = ["name", "kept", *(f.name for f in option_fields())]
    kept_rows = []
    for i in range(MAX_OPTIONS):
        row = {k: str(form.get(key(i, k), "")).strip() for k in keys}
        visible = (v for k, v in row.items() if k != "kept")
        if str(form.get(key(i, "remove"), "")).strip() or not any(visible):
            continue
        kept_rows.append(row)
    out: dict[str, str] = {}
    for i, row in enumerate(kept_rows):
        out.update({key(i, k): v for k, v in row.items() if v})
    n = len(kept_rows)
    wanted = given + (1 if form.get(ADD) else 0)
    out[ROWS] = str(max(1, min(MAX_OPTIONS, max(wanted, n + 1))))
    return out


def parse_options(values: Mapping[str, str]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The options of closed-up ``values`` (:func:`option_texts`), and the problems by form
    key, each naming its option."""

    out: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    fields = option_fields()
    seen: list[str] = []
    for i in range(MAX_OPTIONS):
        name = values.get(key(i, "name"), "")
        kept = _kept(values.get(key(i, "kept"), ""))
        if kept is None or not isinstance(kept, dict):
            errors[key(i, "name")] = (
                f"option {i + 1}: the figures it was saved with cannot be read; remove the "
                "option and enter it again"
            )
            continue
        who = f"option {name!r}" if name else f"option {i + 1}"
        option: dict[str, Any] = {"name": name}
        for table in OPTION_TABLES:
            block = kept.get(table)
            option[table] = dict(block) if isinstance(block, dict) else {}
        set_here = set()
        for f in fields:
            table, _, field = f.name.partition(".")
            text = values.get(key(i, f.name), "")
            before = option[table].pop(field, None)
            if not text:
                continue
            set_here.add(field)
            if before is not None and text == _as_text(f, before):
                option[table][field] = before  # unchanged: as it was, range and source
                continue
            try:
                option[table][field] = _convert(f, text)
            except ValueError as exc:
                errors[key(i, f.name)] = f"{who}: {exc}"
        if set_here & set(PEER_COST_FIELDS):  # another way of costing a post replaces these
            for field in PEER_COST_FIELDS:
                if field not in set_here:
                    option["costs"].pop(field, None)
        if not any(values.get(key(i, k)) for k in ("name", *(f.name for f in fields))):
            continue
        if name and name in seen:
            errors.setdefault(
                key(i, "name"),
                f"option {i + 1} is named {name!r}, as option {seen.index(name) + 1} is; "
                "give each option its own name",
            )
        seen.append(name)
        if name.lower() == BUSINESS_AS_USUAL:
            errors.setdefault(
                key(i, "name"),
                f"option {i + 1} is named {name!r}, the name of the implicit option (no posts, "
                "no cost, no benefit) the case is always compared with; give it another name",
            )
        if not name:
            errors.setdefault(
                key(i, "name"),
                f"option {i + 1} sets figures but has no name; give it a name (such as "
                '"Two posts"), or tick "Remove this option"',
            )
        out.append({k: v for k, v in option.items() if v or k == "name"})
    return out, errors


def check_options(scenario: ScenarioFile) -> dict[str, str]:
    """Each option layered on the case and checked as a whole scenario (as a run checks
    it), the problems by form key naming the option."""
    from peervalue.service.scenario_options import option_document

    errors: dict[str, str] = {}
    for i, option in enumerate(scenario.options or []):
        try:
            ScenarioFile.model_validate(option_document(scenario, option))
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(p) for p in err.get("loc", ())[:2])
                message = str(err.get("msg", "")).removeprefix("Value error, ")
                where = key(i, loc) if key(i, loc) in _form_keys(i) else key(i, "name")
                errors.setdefault(where, f"option {option.name!r}, {loc}: {message}")
        except InputError as exc:  # a field no option may set (from a row's kept figures)
            for p in exc.problems:
                errors.setdefault(key(i, "name"), replace(p, field="").sentence())
    return errors


def _form_keys(i: int) -> set[str]:
    return {key(i, f.name) for f in option_fields()}


#: the field of a problem with an option, as the service names it:
#: ``options[1] (Six posts): staffing.caseload``, ``options[1].name`` or ``options.1``
_WHERE = re.compile(r"options(?:\[(\d+)\]|\.(\d+))(?:\.(\w+))?(?: \((?P<name>.*?)\))?(?:: (.*))?")


def option_problem(p: Problem) -> tuple[str, str] | None:
    """The form key of a problem the service found with an option, and its words naming the
    option; None for a problem with the rest of the case."""
    m = _WHERE.fullmatch(p.field)
    if m is None:
        return None if p.field != "options" else (SECTION, replace(p, field="").sentence())
    i = int(m.group(1) or m.group(2))
    path = m.group(5) or m.group(3) or ""
    where = key(i, path) if key(i, path) in _form_keys(i) else key(i, "name")
    who = f"option {m.group('name')!r}" if m.group("name") else f"option {i + 1}"
    text = replace(p, field="").sentence()
    return where, f"{who}{', ' + path if path and path != 'name' else ''}: {text}"


# --- the form with its options: what the pages call -----------------------------------


def form_values(document: Mapping[str, Any] | None = None) -> dict[str, str]:
    """:func:`peervalue.web.forms.form_values` with the options section's rows."""

    return {**forms.form_values(document), **option_values(document)}


def problems_by_field(problems: list[Problem]) -> dict[str, str]:
    """:func:`peervalue.web.forms.problems_by_field`, a problem with an option by its row
    (naming the option)."""

    out: dict[str, str] = {}
    for p in problems:
        if (row := option_problem(p)) is not None:
            out.setdefault(*row)
    for name, text in forms.problems_by_field(
        [p for p in problems if option_problem(p) is None]
    ).items():
        out.setdefault(name, text)
    return out


def parse_form(form: Mapping[str, str]) -> Parsed:
    """:func:`peervalue.web.forms.parse_form` with the options section: the case's own
    fields checked first, then its options, each checked on the case as a run checks it;
    a problem with an option is shown by the option's row."""
    from peervalue.scenario.load import layered

    parsed = forms.parse_form(form)
    values = {**parsed.values, **option_texts(form)}  # the rows closed up
    options, errors = parse_options(values)
    overrides = {**parsed.overrides, **({"options": options} if options else {})}
    errors = {**parsed.errors, **errors}
    if errors or parsed.scenario is None or not options:
        scenario = None if errors else parsed.scenario
        return replace(parsed, values=values, overrides=overrides, scenario=scenario, errors=errors)
    merged, _ = layered(overrides)
    try:
        scenario = ScenarioFile.model_validate(merged)
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ())[:2])
            message = str(err.get("msg", "")).removeprefix("Value error, ")
            row = option_problem(Problem(where, message))
            errors.setdefault(row[0] if row is not None else SECTION, message)
        return replace(parsed, values=values, overrides=overrides, scenario=None, errors=errors)
    errors = check_options(scenario)
    return replace(
        parsed,
        values=values,
        overrides=overrides,
        scenario=None if errors else scenario,
        errors=errors,
    )
