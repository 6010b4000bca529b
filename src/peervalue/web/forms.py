"""The calculator form: its fields, the national default and source beside each, and the
mapping between a submitted form and a scenario document. Pure: no I/O beyond reading the
bundled defaults and cost sets (cached), no HTTP.

A field left at its national default is left out of the document, so the default keeps its
provenance and its range (drawn in the Monte Carlo); a changed field becomes the service's
own figure (a bare number: fixed, as in a scenario file).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from pydantic import ValidationError

from peervalue.errors import Problem
from peervalue.scenario.inputs import FormKind, ScenarioInput
from peervalue.scenario.results import Override
from peervalue.scenario.schema import ScenarioFile

#: the name a new business case starts with
NEW_CASE_NAME = "Peer support workers: a business case"

Kind = FormKind


@dataclass(frozen=True)
class FormField:
    name: str  #: the scenario path, e.g. ``staffing.caseload`` (also the input's name)
    label: str
    kind: Kind
    unit: str = ""
    hint: str = ""
    step: str = "any"
    low: float | None = None
    high: float | None = None
    options: tuple[tuple[str, str], ...] = ()
    optional: bool = False  #: blank means "the cost set's figure" (or "none")

    @property
    def id(self) -> str:
        return "f-" + self.name.replace(".", "-").replace("_", "-")


@dataclass(frozen=True)
class Section:
    title: str
    fields: tuple[FormField, ...]


@dataclass(frozen=True)
class Default:
    """What the national defaults say about a field, in words."""

    text: str  #: the value with its unit, e.g. "15 patients/FTE"
    status: str  #: reported / derived / assumed / set by the service / from the cost set
    note: str  #: the rationale, formula or citation
    url: str = ""


#: the form's sections: the scenario's tables in the order the form asks for them
SECTIONS = (
    ("scenario", "About the business case"),
    ("staffing", "Staffing"),
    ("costs", "Costs"),
    ("evidence", "Effect of peer support"),
    ("baseline", "Hospital use without peer support"),
    ("benefits", "Benefits"),
    ("affordability", "Affordability: cash in each year's own prices"),
    ("monte_carlo", "Uncertainty"),
    ("case", "The case in your own words (for the report)"),
)


def _choices(name: str) -> tuple[tuple[str, str], ...]:
    """The choices of a select whose schema field names none: bundled sets, by title."""
    if name == "costs.set":
        from peervalue.costs.load import bundled_cost_sets, load_costs

        # by their titles, not their file names: "England 2024-25 (NCC 2024/25 bed-day; ...)"
        return tuple((n, load_costs(path).name) for n, path in bundled_cost_sets().items())
    if name == "evidence.set":
        return evidence_set_options()
    if name == "evidence.subgroup":
        return (("", "All of them"), *subgroup_options())
    raise KeyError(f"no choices for the select {name!r}")


def form_field(info: ScenarioInput) -> FormField:
    """A field of the form from its scenario field's declaration: the label, unit words,
    hint and kind, and the bounds (times 100 for a percent)."""
    declared = info.input
    assert declared.form is not None
    scale = 100 if declared.form == "percent" else 1
    low, high = info.bounds.low, info.bounds.high
    options = declared.choices
    if declared.form == "select" and not options:
        options = _choices(info.path)
    return FormField(
        info.path,
        declared.title,
        declared.form,
        declared.form_unit,
        hint=declared.hint,
        step="1" if info.integer else "any",
        low=None if low is None else low * scale,
        high=None if high is None else high * scale,
        options=options,
        optional=info.optional,
    )


def _sections() -> tuple[Section, ...]:
    from peervalue.scenario.catalogue import catalogue

    inputs = catalogue()
    return tuple(
        Section(
            title,
            tuple(
                form_field(f)
                for f in inputs.values()
                if f.table == table and f.input.form is not None
            ),
        )
        for table, title in SECTIONS
    )


def evidence_set_options() -> tuple[tuple[str, str], ...]:
    """The bundled evidence sets as choices; the default (no set) is the six of 2013 for the
    2013 methods and all-2026 for the synthesis (``evidence_set_of``)."""
    from peervalue.evidence.sets import DEFAULT_SET, bundled_set_names, load_set

    others = [
        (name, load_set(name)[0].title) for name in bundled_set_names() if name != DEFAULT_SET
    ]
    return (
        (
            "",
            f"{load_set(DEFAULT_SET)[0].title} (the default for the 2013 methods; the "
            "synthesis takes all-2026)",
        ),
        *others,
    )


#: the subgroups the form offers to pool, where some bundled study belongs to them
SUBGROUPS = (
    ("design=rct", "Randomised trials only"),
    ("peer_role=additional", "Those where peers were added to the team"),
    ("peer_role=substitution", "Those where peers replaced other staff"),
)


def subgroup_options() -> tuple[tuple[str, str], ...]:
    """The :data:`SUBGROUPS` some bundled study belongs to: a choice that no study fits
    could only ever be refused."""
    from peervalue.evidence.sets import load_library

    studies = load_library().studies
    return tuple(
        (choice, text)
        for choice, text in SUBGROUPS
        if any(str(getattr(s, choice.split("=")[0])) == choice.split("=")[1] for s in studies)
    )


@functools.cache
def sections() -> tuple[Section, ...]:
    return _sections()


def fields() -> dict[str, FormField]:
    return {f.name: f for s in sections() for f in s.fields}


@functools.cache
def _defaults() -> dict[str, Any]:
    from peervalue.scenario.load import national_defaults_data

    return national_defaults_data()


def _at(document: Mapping[str, Any], name: str) -> Any:
    table, _, field = name.partition(".")
    block = document.get(table)
    return block.get(field) if isinstance(block, Mapping) else None


def _plain(value: Any) -> Any:
    """A quantity block's value, or the value itself."""
    return value.get("value") if isinstance(value, Mapping) else value


def _show(x: float) -> str:
    return f"{x:g}" if abs(x) < 1e6 else f"{x:,.0f}"


def _as_text(f: FormField, value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if f.kind == "percent":
        return _show(round(100 * float(value), 10))
    if f.kind == "fte":
        if isinstance(value, list):
            return RAMP_SEPARATOR.join(_show(float(_plain(v))) for v in value)
        return _show(float(value))
    if isinstance(value, float):
        return _show(value)
    return str(value)


def form_values(document: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The form's text for every field: ``document``'s figures over the national defaults."""
    defaults = _defaults()
    out: dict[str, str] = {}
    for f in fields().values():
        mine = _at(document, f.name) if document is not None else None
        out[f.name] = _as_text(f, mine if mine is not None else _at(defaults, f.name))
    if document is None:
        out["scenario.name"] = NEW_CASE_NAME
    return out


@functools.cache
def _cost_set_defaults(name: str) -> dict[str, Default]:
    from peervalue.costs.load import load_costs

    costs = load_costs(name)
    out = {}
    bed = costs.bed_day
    out["costs.cost_per_bed_day"] = Default(
        f"£{bed.value:,.2f} per bed-day",
        f"from the cost set, {bed.status}",
        bed.source.citation if bed.source else "",
        (bed.source.url or "") if bed.source else "",
    )
    comps = costs.peer_worker.components
    if comps is not None:
        s = comps.salary
        out["costs.salary"] = Default(
            f"£{s.value:,.0f} a year",
            f"from the cost set, {s.status}",
            s.formula or (s.source.citation if s.source else ""),
            (s.source.url or "") if s.source else "",
        )
    return out


def _amount(f: FormField, text: str) -> str:
    """A number of the form as its unit writes it: £1,500 for money, 10% for a share."""
    if f.unit.startswith("%"):
        return f"{text}%"
    if f.unit.startswith("£"):
        try:
            x = float(text.replace(",", ""))
        except ValueError:
            return text
        return f"£{x:,.0f}" if x.is_integer() else f"£{x:,.2f}"
    return text


def with_unit(f: FormField, text: str) -> str:
    """A field's value in the form's words: £1,500 per post filled, 10% a year, 5 years,
    a choice's text (not its code)."""
    if f.kind == "select":
        return dict(f.options).get(text, text)
    rest = f.unit[1:].strip() if f.unit.startswith(("%", "£")) else f.unit
    return f"{_amount(f, text)} {rest}".strip()


@dataclass(frozen=True)
class Change:
    """A figure a case sets in place of the national default, in the form's words."""

    label: str
    mine: str
    default: str


def changes(overrides: list[Override], values: Mapping[str, str]) -> list[Change]:
    """The figures a case sets (its result's overrides), each field of the form by its label
    with the value as typed and the national default in the form's units (a field the form
    lacks, from a scenario saved over the API, in the library's words). The case's name and
    organisation are its own words, not figures."""
    out = []
    for o in overrides:
        f = fields().get(o.field)
        if o.field in ("scenario.name", "scenario.organisation"):
            continue
        if f is None or o.field not in values:
            out.append(Change(o.field, o.scenario, o.default))
            continue
        d = default_of(o.field, values.get("costs.set", ""))
        out.append(Change(f.label, with_unit(f, values[o.field]), d.text if d else _unset(f)))
    return out


def _unset(f: FormField) -> str:
    """What a field left blank means: a choice's blank option in its own words, else
    'not set'."""
    return next((text for value, text in f.options if value == ""), "not set")


def default_of(name: str, cost_set: str) -> Default | None:
    """The national default for a field, with its status and source, in words."""
    if name in ("scenario.name", "scenario.organisation"):
        return None  # the case's own words: no default worth showing
    if name in ("costs.cost_per_bed_day", "costs.salary"):
        from peervalue.costs.load import bundled_cost_sets

        if cost_set not in bundled_cost_sets():
            cost_set = str(_plain(_at(_defaults(), "costs.set")))
        return _cost_set_defaults(cost_set).get(name)
    value = _at(_defaults(), name)
    f = fields()[name]
    if value is None:
        return None
    shown = with_unit(f, _as_text(f, value))
    if isinstance(value, Mapping):
        status = str(value.get("status", ""))
        if "range" in value and value["range"][0] != value["range"][1]:
            low, high = (_amount(f, _as_text(f, v)) for v in value["range"])
            status += f", range {low} to {high}"
        source = value.get("source") or {}
        note = str(value.get("rationale") or value.get("formula") or source.get("citation", ""))
        return Default(shown, status, note, str(source.get("url") or ""))
    return Default(shown, "national default", "")


# --- from a submitted form to a scenario document --------------------------------------


@dataclass(frozen=True)
class Parsed:
    """A submitted form: the scenario (when valid), the overrides it sets, and the problems
    (field name -> message)."""

    values: dict[str, str]
    overrides: dict[str, Any]
    scenario: ScenarioFile | None
    errors: dict[str, str]


#: a number with commas between thousands (1,500 or 12,000.50): any other comma is a
#: decimal comma or a slip, and dropping it would read 2,5 as 25
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?")


def _number(f: FormField, text: str) -> float:
    plain = text.replace("£", "").strip()
    if f.kind == "percent":
        plain = plain.removesuffix("%").strip()
    if "," in plain and not _THOUSANDS.fullmatch(plain):
        raise ValueError(f"'{text}' is not a number; write decimals with a point, such as 2.5")
    try:
        x = float(plain.replace(",", ""))
    except ValueError:
        raise ValueError(f"'{text}' is not a number") from None
    if not math.isfinite(x):
        raise ValueError(f"'{text}' is not a finite number")
    if f.low is not None and x < f.low:
        raise ValueError(f"{_show(x)} is below the lowest allowed, {_show(f.low)}")
    if f.high is not None and x > f.high:
        raise ValueError(f"{_show(x)} is above the highest allowed, {_show(f.high)}")
    return x


#: how the funded-posts field separates the years of a ramp, and how it shows one
RAMP_SEPARATOR = "; "
_RAMP_HELP = (
    "separate the years with semicolons, such as 2; 4; 4, and write a part-time post with a "
    "decimal point, such as 2.5"
)


def _ramp(f: FormField, text: str) -> float | list[float]:
    """Funded posts: one number, or one a year separated by ``;`` (``2; 4; 4``). A comma
    is refused: ``2,5`` may mean 2.5 or the years 2 and 5, and ``1,500`` 1.5 or 1,500."""
    if "," in text:
        raise ValueError(
            f"'{text}' has a comma, which could be a decimal or a new year; {_RAMP_HELP}"
        )
    parts = [p.strip() for p in text.strip().split(";")]
    if parts and not parts[-1] and len(parts) > 1:
        parts.pop()  # "2; 4;" ends with the separator: no year is missing
    if not parts or not all(parts):
        raise ValueError(f"'{text}' has a year with no number; {_RAMP_HELP}")
    numbers = []
    for part in parts:
        if len(part.split()) > 1:
            raise ValueError(f"'{part}' is more than one number; {_RAMP_HELP}")
        numbers.append(_number(f, part))
    return numbers[0] if len(numbers) == 1 else numbers


def _convert(f: FormField, text: str) -> Any:
    if f.kind == "percent":
        return round(_number(f, text) / 100, 12)
    if f.kind == "fte":
        return _ramp(f, text)
    if f.kind == "number":
        x = _number(f, text)
        return int(x) if f.step == "1" and x.is_integer() else x
    if f.kind == "date":
        import datetime as dt

        try:
            return dt.date.fromisoformat(text.strip()).isoformat()
        except ValueError:
            raise ValueError(f"'{text}' is not a date; write it as YYYY-MM-DD") from None
    if f.kind == "textarea":
        from peervalue.scenario.schema import plain_text

        return plain_text(text.strip())
    if f.kind == "select":
        if text not in {value for value, _ in f.options}:
            raise ValueError(f"'{text}' is not one of the choices")
        return int(text) if f.step == "1" else text
    return text.strip()


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float | int) and isinstance(b, float | int):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return bool(a == b)


def field_of(path: str, message: str) -> str:
    """The form field a problem belongs to: its path, else the field its message names
    (a check across a table, e.g. the own effect's figure), else ``form``."""
    if path in fields():
        return path
    for name in fields():
        if name in message:
            return name
    table = path.split(".", 1)[0]
    mine = [n for n in fields() if n.startswith(table + ".")]
    for name in sorted(mine, key=lambda n: -len(n)):  # the most specific name first
        if name.split(".", 1)[1] in message:
            return name
    return "form"


def problems_by_field(problems: list[Problem]) -> dict[str, str]:
    """The library's problems with a case (refused only when it runs) by the form field each
    belongs to; beside its field, a problem does not name the field's path again."""
    out: dict[str, str] = {}
    for p in problems:
        name = field_of(p.field, p.sentence())
        text = p.sentence() if name == "form" else replace(p, field="").sentence()
        out.setdefault(name, text)
    return out


def parse_form(form: Mapping[str, str]) -> Parsed:
    """Check a submitted form and build its scenario over the national defaults."""
    from peervalue.scenario.load import layered

    defaults = _defaults()
    values = {name: str(form.get(name, "")).strip() for name in fields()}
    errors: dict[str, str] = {}
    overrides: dict[str, dict[str, Any]] = {}
    for name, f in fields().items():
        text = values[name]
        if name == "evidence.saved_per_patient_year" and values["evidence.source"] != "own":
            continue  # as its hint says: used only when the effect is our own estimate
        if not text:
            if not f.optional:
                errors[name] = "this field is needed"
            continue
        try:
            value = _convert(f, text)
        except ValueError as exc:
            errors[name] = str(exc)
            continue
        default = _plain(_at(defaults, name))
        if isinstance(default, list) and isinstance(value, list):
            same = len(default) == len(value) and all(
                _same(_plain(a), b) for a, b in zip(default, value, strict=True)
            )
        else:
            # a default with more digits than the form shows (CORE's 83/216) comes back as
            # it was shown: still the default
            same = default is not None and (
                _same(default, value) or text.strip() == _as_text(f, default)
            )
        if not same:
            table, _, field = name.partition(".")
            overrides.setdefault(table, {})[field] = value
    if errors:
        return Parsed(values, overrides, None, errors)
    merged, _ = layered(overrides)
    try:
        scenario = ScenarioFile.model_validate(merged)
    except ValidationError as exc:
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ())]
            message = str(err.get("msg", "")).removeprefix("Value error, ")
            errors.setdefault(field_of(".".join(loc[:2]), message), message)
        return Parsed(values, overrides, None, errors)
    return Parsed(values, overrides, scenario, errors)
