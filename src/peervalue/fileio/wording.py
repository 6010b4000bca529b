"""The wording of validation errors: :func:`validate` builds a pydantic model and turns its
errors into one readable problem per field (:func:`problems_from`), naming the field, what
was wrong and what is expected, with a suggestion for a misspelt name."""

from __future__ import annotations

import difflib
import numbers
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from peervalue.errors import InputError, Problem, quote
from peervalue.fileio.reading import _plain_kind

M = TypeVar("M", bound=BaseModel)

_EXPECTED = {
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number (not NaN or infinity)",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "string_type": "text",
    "missing": "this field to be present",
    "literal_error": "one of the listed values",
    "enum": "one of the listed values",
    "dict_type": "a mapping of field names to values",
    "model_type": "a mapping of field names to values",
    "list_type": "a list",
    "tuple_type": "a list [low, high]",
    "too_short": "at least one entry",
    "string_pattern_mismatch": "lower-case letters, digits, '-' or '_', starting with a letter",
    "union_tag_invalid": "one of the outcome kinds listed in docs/evidence-format.md",
    "union_tag_not_found": "a 'kind' field naming the outcome kind",
}


def _entries(n: int) -> str:
    return "one entry" if n == 1 else f"{n} entries"


def _length_problem(kind: str, ctx: dict[str, Any]) -> tuple[str, str]:
    """``got ...`` and ``expected ...`` for a list with too few or too many entries."""
    actual = ctx.get("actual_length")
    got = "got no entries" if actual == 0 else f"got {_entries(int(actual or 0))}"
    if kind == "too_short":
        low = int(ctx.get("min_length") or 1)
        return got, f"at least {_entries(low)}"
    return got, f"at most {_entries(int(ctx.get('max_length') or 0))}"


def _dotted(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item.startswith(("function-after", "tagged-union", "function-")):
            continue
        elif parts and not item.startswith("["):
            parts.append("." + item)
        else:
            parts.append(item)
    return "".join(parts)


def _models_in(tp: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation can hold (through Optional, Annotated, list, unions)."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [tp]
    found: list[type[BaseModel]] = []
    for arg in get_args(tp):
        found += [m for m in _models_in(arg) if m not in found]
    return found


def field_names(model: type[BaseModel]) -> set[str]:
    """Every field name used anywhere in ``model`` and the models nested in it."""
    names: set[str] = set()
    seen: set[type[BaseModel]] = set()
    todo = [model]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for name, info in current.model_fields.items():
            names.add(name)
            todo += _models_in(info.annotation)
    return names


def fields_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> set[str] | None:
    """The field names valid in the block at ``loc`` (a pydantic error location), if known.

    ``loc`` is the location of the block itself (for an unknown field, its
    location without the last item). Discriminator tags of tagged unions
    (``outcome.mean_bed_days``) select the union member. ``None`` when the
    location cannot be followed.
    """
    candidates = [model]
    for item in loc:
        if isinstance(item, int) or item.startswith(("function-", "tagged-union")):
            continue
        following = [
            m
            for c in candidates
            if item in c.model_fields
            for m in _models_in(c.model_fields[item].annotation)
        ]
        if following:
            candidates = following
            continue
        tagged = [c for c in candidates if item in _kind_tags(c)]
        if not tagged:
            return None
        candidates = tagged
    names: set[str] = set()
    for c in candidates:
        names.update(c.model_fields)
    return names


def _kind_tags(model: type[BaseModel]) -> tuple[Any, ...]:
    info = model.model_fields.get("kind")
    return get_args(info.annotation) if info is not None else ()


def _suggestion(
    name: str,
    siblings: list[str],
    here: set[str] | None,
    known_fields: frozenset[str] | set[str],
) -> str:
    """What to expect instead of the unknown field ``name`` (never ``name`` itself)."""
    close = difflib.get_close_matches(name, [s for s in siblings if s != name], n=1)
    if not close:
        pool = here if here is not None else set(known_fields)
        close = difflib.get_close_matches(name, sorted(pool - {name}), n=1, cutoff=0.8)
    if close:
        return f"'{close[0]}' (misspelt?)"
    if here:
        listed = ", ".join(sorted(here))
        return f"one of the fields allowed here ({listed}); see docs/evidence-format.md"
    return "only the fields documented in docs/evidence-format.md"


def _describe_input(value: Any) -> str:
    """'got ...' wording for a value where a block of fields was expected."""
    if isinstance(value, bool):
        return f"got {value!r} (true/false)"
    if isinstance(value, (int, float)):
        return f"got a bare number ({quote(value)})"
    if isinstance(value, str):
        return f"got text ({quote(value)})"
    if isinstance(value, list):
        return f"got a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    return f"got {_plain_kind(value)}"


def problems_from(
    exc: ValidationError | Sequence[ErrorDetails],
    union_tags: frozenset[str] = frozenset(),
    known_fields: frozenset[str] | set[str] = frozenset(),
    model: type[BaseModel] | None = None,
) -> list[Problem]:
    """One :class:`Problem` per pydantic error, with field paths users can find.

    ``union_tags`` are discriminator values that pydantic puts into error
    locations (``outcome.mean_bed_days.control_sd``); they are dropped so the
    path matches what the user wrote (``outcome.control_sd``). With ``model``,
    an unknown field is matched against the fields valid in its own block;
    otherwise against ``known_fields``. A suggestion is never the unknown name.
    """
    errors = exc.errors(include_url=False) if isinstance(exc, ValidationError) else list(exc)

    def user_path(err: Any) -> str:
        # The discriminated union puts the kind into the path; drop it for readability.
        loc = tuple(x for x in err["loc"] if not (isinstance(x, str) and x in union_tags))
        return _dotted(loc)

    missing = {user_path(e) for e in errors if e["type"] == "missing"}
    problems: list[Problem] = []
    for err in errors:
        field = user_path(err)
        kind = err["type"]
        msg = str(err["msg"])
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        expected = _EXPECTED.get(kind, "")
        if kind == "extra_forbidden":
            parent, _, name = field.rpartition(".")
            siblings = [m.rpartition(".")[2] for m in missing if m.rpartition(".")[0] == parent]
            raw_name = err["loc"][-1] if err["loc"] else name
            name = str(raw_name)
            here = fields_at(model, tuple(err["loc"][:-1])) if model is not None else None
            msg = f"{quote(name)} is not a recognised field"
            expected = _suggestion(name, siblings, here, known_fields)
        elif kind == "missing":
            msg = "this required field is missing"
            expected = ""
        elif "input" in err and kind in {"float_parsing", "float_type", "int_parsing", "int_type"}:
            value = err["input"]
            if isinstance(value, int) and not isinstance(value, bool) and kind == "float_type":
                msg = f"got {quote(value)}, which is too large a number to use"
            elif isinstance(value, bool):
                msg = f"got {value!r} (true/false), which is not a number"
            elif isinstance(value, (int, float)) and kind.startswith("int"):
                msg = f"got {quote(value)}, which is not a whole number"
            elif isinstance(value, numbers.Number):
                msg = f"got {quote(value)}, not a plain Python number (convert it with int())"
                if not kind.startswith("int"):
                    msg = msg.replace("int()", "float()")
            else:
                msg = f"got {quote(value)}, which is not a number"
        elif kind in {"dict_type", "model_type"} and "input" in err:
            msg = _describe_input(err["input"])
            if isinstance(err["input"], (int, float)) and not isinstance(err["input"], bool):
                expected = (
                    "a block with 'value', 'unit' and 'status' (and 'source' or 'range' as the "
                    "status needs): see docs/evidence-format.md"
                )
        elif kind in {"string_type", "list_type", "tuple_type"} and "input" in err:
            msg = _describe_input(err["input"]).replace("got a bare number", "got a number")
        elif kind in {"too_short", "too_long"}:
            msg, expected = _length_problem(kind, err.get("ctx") or {})
        elif kind == "string_too_short":
            msg, expected = "the text is empty", "some text (this field may not be blank)"
        elif kind in {"bool_parsing", "bool_type"}:
            msg = f"got {quote(err.get('input'))}, which is not true or false"
            expected = "true or false"
        elif kind in {"enum", "literal_error"} and "input" in err:
            msg = f"got {quote(err['input'])}"
            choices = (err.get("ctx") or {}).get("expected")
            if choices:
                expected = f"one of {choices}"
        elif kind == "string_pattern_mismatch":
            msg = f"got {quote(err.get('input'))}, which is not in the expected form"
        elif kind == "union_tag_invalid":
            tag = (err.get("ctx") or {}).get("tag", err.get("input"))
            msg = f"unknown kind {quote(tag)}"
            tags = (err.get("ctx") or {}).get("expected_tags")
            if tags:
                expected = f"one of {tags}"
        problems.append(Problem(field, msg, expected))
    return problems


def validate(
    model: type[M],
    data: dict[str, Any],
    source: Path | str,
    union_tags: frozenset[str] = frozenset(),
) -> M:
    """Build ``model`` from ``data``, raising :class:`InputError` on any problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = problems_from(exc, union_tags, field_names(model), model)
        raise InputError(source, problems) from None
