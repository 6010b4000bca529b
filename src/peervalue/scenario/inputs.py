"""Each scenario input declared once, on its schema field, and read from there.

A field of the scenario schema (:mod:`peervalue.scenario.schema`) carries two kinds of
``Annotated`` metadata:

* :class:`Figure`, on the quantity types (``Share``, ``PerYear``, ...): the figure's unit,
  its bounds, and, for a cost line, when it is spent. It is also the check: pydantic runs
  the unit and bound checks it declares, so what is read here is what is enforced;
* :class:`Input`, on the field: its title, help text, how the calculator form asks for it
  (or ``form=None``: in scenario files only), and the form's unit words and hint.

Bounds of plain numbers (``horizon_years``, ``discount_rate``, ``draws``) are pydantic's own
``Field(ge=..., le=...)``, read from the field. Everything else that lists inputs is
generated from :func:`catalogue`: the unit map (``schema.UNIT_OF``), the calculator's
fields (``web/forms.py``), the scenario figures drawn as parameters and the cost lines
(``service/scenario_params.py``), and the input table of ``docs/scenarios.md``
(:func:`peervalue.scenario.catalogue.docs_table`). The metadata is plain Python: it adds
nothing to the JSON schema.

Adding a cost line is one field on :class:`~peervalue.scenario.schema.Costs` with a cost
type (``OneOff``, ``PerPost`` or ``PerYear``) and an :class:`Input`, and one entry in the
national defaults; the model sums every cost line by its timing.
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Union

import annotated_types
from pydantic.fields import FieldInfo as PydanticFieldInfo
from pydantic_core import core_schema

from peervalue.provenance import (
    NonNegative,
    Positive,
    Quantity,
    at_least,
    at_most,
    on_zero_one,
    unit_check,
)
from peervalue.units import Bound

if TYPE_CHECKING:
    from pydantic import BaseModel, GetCoreSchemaHandler

#: how the calculator asks for a field: ``percent`` shows a share (or rate) times 100;
#: ``textarea``: several lines of the author's own words
FormKind = Literal["text", "number", "percent", "date", "select", "fte", "textarea"]
#: when a cost line is spent: once in year 1; for each new or refilled post; in each year
#: with funded posts
Timing = Literal["once", "per-post", "per-year"]


@dataclass(frozen=True)
class Figure:
    """A quantity's unit and bounds (and a cost line's timing), declared and enforced.

    ``low`` is inclusive unless ``low_open`` (then the figure stays above it); ``high``
    is inclusive. The checks run on the value, the range and the distribution's ends, in
    this order: unit, low bound, high bound. A low bound of 0 has the messages of
    ``NonNegative`` / ``Positive`` (which also refuse a normal distribution on a figure
    that must stay above 0); the high bound says ``noun runs from low to high``.
    """

    unit: str
    low: float | None = None
    low_open: bool = False
    high: float | None = None
    noun: str = "the figure"  #: names the figure in the high bound's message
    cost: Timing | None = None  #: set on a cost line of the business case
    #: the smallest and largest plausible figure, with why (``provenance.at_least`` and
    #: ``at_most``: their messages); they narrow ``low`` and ``high``
    floor: Bound | None = None
    ceiling: Bound | None = None
    #: a probability: drawn only from a distribution on 0-1 (``provenance.on_zero_one``)
    zero_one: bool = False

    def checks(self) -> list[Callable[..., Any]]:
        out: list[Callable[..., Any]] = [unit_check(self.unit).func]
        if self.low == 0:
            out.append((Positive if self.low_open else NonNegative).func)
        elif self.low is not None:
            out.append(self._at_least)
        if self.high is not None:
            out.append(self._at_most)
        if self.zero_one:
            out.append(on_zero_one.func)
        if self.floor is not None:
            out.append(at_least(self.floor).func)
        if self.ceiling is not None:
            out.append(at_most(self.ceiling).func)
        return out

    def _at_least(self, q: Quantity) -> Quantity:
        lows = [q.value, *(q.range or ())]
        if q.distribution is not None and q.distribution.low is not None:
            lows.append(q.distribution.low)
        low = self.low if self.low is not None else -math.inf
        if min(lows) < low or (self.low_open and min(lows) == low):
            word = "above" if self.low_open else "at least"
            raise ValueError(f"{self.noun} must be {word} {low:g}, got {min(lows):g}")
        return q

    def _at_most(self, q: Quantity) -> Quantity:
        highs = [q.value, *(q.range or ())]
        if q.distribution is not None and q.distribution.high is not None:
            highs.append(q.distribution.high)
        if self.high is not None and max(highs) > self.high:
            raise ValueError(
                f"{self.noun} runs from {self.low or 0:g} to {self.high:g}, got {max(highs):g}"
            )
        return q

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        schema = handler(source)
        for check in self.checks():
            schema = core_schema.no_info_after_validator_function(check, schema)
        return schema


@dataclass(frozen=True)
class Input:
    """What a scenario field means and how it is asked for, declared on the field."""

    title: str  #: the field's name in words (the form's label)
    help: str  #: what it means (the docs' input table)
    unit: str = ""  #: the unit in the docs, for a field that is not a quantity
    form: FormKind | None = None  #: how the calculator asks for it; None: scenario files only
    form_unit: str = ""  #: the unit in the form's words, e.g. "£ per post filled"
    hint: str = ""  #: a line under the form's field
    #: a select's fixed choices (value, words); a select without them gets its choices from
    #: the form (bundled cost and evidence sets)
    choices: tuple[tuple[str, str], ...] = ()
    unset: str = ""  #: what leaving an optional field out means (the docs' default column)
    #: a figure put in place of the cost set's own (not drawn as the scenario's parameter)
    replaces_cost_set: bool = False


@dataclass(frozen=True)
class Bounds:
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def words(self) -> str:
        """``0 to 1``, ``above 0``, ``1 to 50``, ``at least 0``, or ``""``."""
        if self.low is None and self.high is None:
            return ""
        if self.high is None:
            assert self.low is not None
            return f"{'above' if self.low_open else 'at least'} {_number(self.low)}"
        if self.low is None:
            return f"{'below' if self.high_open else 'at most'} {_number(self.high)}"
        word = "above " if self.low_open else ""
        below = "below " if self.high_open else ""
        return f"{word}{_number(self.low)} to {below}{_number(self.high)}"


def _number(x: float) -> str:
    if x == 2**128:
        return "2^128"
    return f"{x:,.0f}" if float(x).is_integer() and abs(x) >= 1_000 else f"{x:g}"


@dataclass(frozen=True)
class ScenarioInput:
    """One input of a scenario, everything known about it (see :func:`catalogue`)."""

    path: str  #: ``table.field``
    table: str
    name: str
    input: Input
    figure: Figure | None  #: set on a quantity
    bounds: Bounds
    required: bool  #: the schema needs it (the national defaults give it)
    optional: bool  #: may be left unset (None or empty): "not set" means something
    integer: bool  #: a whole number
    choices: tuple[str, ...]  #: the allowed values of a Literal field

    @property
    def unit(self) -> str:
        return self.figure.unit if self.figure is not None else self.input.unit


def _metadata_of(annotation: Any) -> Iterator[Any]:
    """Every ``Annotated`` metadata item in ``annotation``, through unions and lists."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        yield from annotation.__metadata__
        yield from _metadata_of(annotation.__origin__)
    elif origin in (Union, types.UnionType, list):
        for arg in typing.get_args(annotation):
            yield from _metadata_of(arg)


def _base_types(annotation: Any) -> Iterator[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        yield from _base_types(annotation.__origin__)
    elif origin in (Union, types.UnionType, list):
        for arg in typing.get_args(annotation):
            yield from _base_types(arg)
    else:
        yield annotation


def _bounds(metadata: list[Any], figure: Figure | None) -> Bounds:
    low: float | None
    high: float | None
    if figure is not None:
        if figure.floor is not None:  # inclusive, and above any low bound of 0
            low, low_open = figure.floor.limit, False
        else:
            low, low_open = figure.low, figure.low_open
        high = figure.ceiling.limit if figure.ceiling is not None else figure.high
        return Bounds(low, high, low_open)
    low = high = None
    low_open = high_open = False
    for m in metadata:
        if isinstance(m, PydanticFieldInfo):  # Annotated[float, Field(ge=...)] in a union
            inner = _bounds(list(m.metadata), None)
            low, high = inner.low if low is None else low, inner.high if high is None else high
            low_open, high_open = low_open or inner.low_open, high_open or inner.high_open
            continue
        limit = next((getattr(m, a) for a in ("ge", "gt", "le", "lt") if hasattr(m, a)), None)
        if not isinstance(limit, int | float):
            continue  # a date's bounds (the start date) are said in its help
        if isinstance(m, annotated_types.Ge):
            low = float(m.ge)  # type: ignore[arg-type]
        elif isinstance(m, annotated_types.Gt):
            low, low_open = float(m.gt), True  # type: ignore[arg-type]
        elif isinstance(m, annotated_types.Le):
            high = float(m.le)  # type: ignore[arg-type]
        elif isinstance(m, annotated_types.Lt):
            high, high_open = float(m.lt), True  # type: ignore[arg-type]
    return Bounds(low, high, low_open, high_open)


def fields_of(model: type[BaseModel], table: str) -> list[ScenarioInput]:
    """The inputs of one table of the scenario (a model such as ``Staffing``), in order."""
    out = []
    for name, info in model.model_fields.items():
        metadata = [*info.metadata, *_metadata_of(info.annotation)]
        declared = [m for m in metadata if isinstance(m, Input)]
        if not declared:
            raise TypeError(f"{model.__name__}.{name} declares no Input (its title and help)")
        figures = [m for m in metadata if isinstance(m, Figure)]
        bases = [b for b in _base_types(info.annotation) if b is not type(None)]
        choices: tuple[str, ...] = ()
        for b in bases:
            if typing.get_origin(b) is Literal:
                choices += tuple(str(a) for a in typing.get_args(b))
        out.append(
            ScenarioInput(
                path=f"{table}.{name}",
                table=table,
                name=name,
                input=declared[0],
                figure=figures[0] if figures else None,
                bounds=_bounds(metadata, figures[0] if figures else None),
                required=info.is_required(),
                optional=not info.is_required() and info.get_default() in (None, ""),
                integer=bool(bases) and all(b is int for b in bases),
                choices=choices,
            )
        )
    return out


def catalogue(schema: type[BaseModel]) -> dict[str, ScenarioInput]:
    """Every input of a scenario by its path (``staffing.caseload``; ``extra.unit_cost``
    for the fields of each ``[[extra]]`` resource), in the schema's order. ``schema``: the
    whole document's model (:mod:`peervalue.scenario.catalogue` defaults it to
    :class:`~peervalue.scenario.schema.ScenarioFile`)."""
    out: dict[str, ScenarioInput] = {}
    for table, info in schema.model_fields.items():
        if table == "options":
            continue  # [[options]] set fields of the tables above, declared there
        model = info.annotation
        if typing.get_origin(model) is list:  # [[extra]]: a list of tables
            (model,) = typing.get_args(model)
        assert isinstance(model, type)
        out.update((f.path, f) for f in fields_of(model, table))
    return out


def unit_of(schema: type[BaseModel]) -> dict[str, str]:
    """The unit of every figure, by its place in the file (``extra`` items: by field name)."""
    return {p: f.figure.unit for p, f in catalogue(schema).items() if f.figure is not None}


def cost_lines(schema: type[BaseModel]) -> dict[str, Timing]:
    """The business case's cost lines (``costs.set_up`` ...) and when each is spent."""
    return {
        p: f.figure.cost
        for p, f in catalogue(schema).items()
        if f.figure is not None and f.figure.cost is not None
    }


def drawn_figures(schema: type[BaseModel]) -> list[str]:
    """The scenario's own figures drawn as model parameters: every quantity of the tables
    but those put in place of the cost set's figures and the ``[[extra]]`` resources (drawn
    one by one); those the schema needs first, then the optional ones, in schema order."""
    figures = [
        f
        for f in catalogue(schema).values()
        if f.figure is not None and f.table != "extra" and not f.input.replaces_cost_set
    ]
    return [f.path for f in figures if f.required] + [f.path for f in figures if not f.required]
