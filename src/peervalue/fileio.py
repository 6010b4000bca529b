"""Reading data files and writing outputs safely.

* :func:`read_mapping` parses a YAML or TOML file into a dict, turning parse
  errors into :class:`~peervalue.errors.InputError`;
* :func:`validate` builds a pydantic model and turns validation errors into
  one readable problem per field;
* :func:`atomic_write_text` writes through a temporary file and a rename, so
  a reader never sees a half-written output.
"""

from __future__ import annotations

import difflib
import os
import tempfile
import tomllib
from pathlib import Path
from typing import Any, TypeVar, get_args

import yaml
from pydantic import BaseModel, ValidationError

from peervalue.errors import InputError, Problem, input_error

DATA_SUFFIXES = (".yaml", ".yml", ".toml")

M = TypeVar("M", bound=BaseModel)


def read_mapping(path: Path) -> dict[str, Any]:
    """Parse ``path`` (YAML or TOML by suffix) into a mapping."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise input_error(path, "", "file does not exist", "a readable YAML or TOML file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise input_error(path, "", f"cannot read the file ({exc})", "a UTF-8 text file") from None
    try:
        if path.suffix == ".toml":
            data: Any = tomllib.loads(text)
        else:
            data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise input_error(path, "", f"malformed YAML{where}: {problem}", "valid YAML") from None
    except tomllib.TOMLDecodeError as exc:
        raise input_error(path, "", f"malformed TOML: {exc}", "valid TOML") from None
    if not isinstance(data, dict):
        got = "the file is empty" if data is None else f"the file holds a {type(data).__name__}"
        raise input_error(path, "", got, "a mapping of field names to values")
    return data


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


def field_names(model: type[BaseModel]) -> set[str]:
    """Every field name used anywhere in ``model`` and the models nested in it."""
    names: set[str] = set()
    seen: set[type[BaseModel]] = set()

    def visit(tp: Any) -> None:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp in seen:
                return
            seen.add(tp)
            for name, info in tp.model_fields.items():
                names.add(name)
                visit(info.annotation)
        for arg in get_args(tp):
            visit(arg)

    visit(model)
    return names


def problems_from(
    exc: ValidationError,
    union_tags: frozenset[str] = frozenset(),
    known_fields: frozenset[str] | set[str] = frozenset(),
) -> list[Problem]:
    """One :class:`Problem` per pydantic error, with field paths users can find.

    ``union_tags`` are discriminator values that pydantic puts into error
    locations (``outcome.mean_bed_days.control_sd``); they are dropped so the
    path matches what the user wrote (``outcome.control_sd``).
    """
    errors = exc.errors(include_url=False)

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
            close = difflib.get_close_matches(name, siblings, n=1) or difflib.get_close_matches(
                name, sorted(known_fields), n=1, cutoff=0.8
            )
            msg = f"'{name}' is not a recognised field"
            expected = (
                f"'{close[0]}' (misspelt?)"
                if close
                else "only the fields documented in docs/evidence-format.md"
            )
        elif kind == "missing":
            msg = "this required field is missing"
            expected = ""
        elif "input" in err and kind in {"float_parsing", "float_type", "int_parsing", "int_type"}:
            msg = f"got {err['input']!r}, which is not a number"
        elif kind in {"dict_type", "model_type"} and isinstance(err.get("input"), (int, float)):
            msg = f"got a bare number ({err['input']!r})"
            expected = (
                "a block with 'value', 'unit' and 'status' (and 'source' or 'range' as the "
                "status needs): see docs/evidence-format.md"
            )
        elif kind == "string_pattern_mismatch":
            msg = f"got {err.get('input')!r}, which is not in the expected form"
        elif kind == "union_tag_invalid":
            tag = (err.get("ctx") or {}).get("tag", err.get("input"))
            msg = f"unknown kind {tag!r}"
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
        raise InputError(source, problems_from(exc, union_tags, field_names(model))) from None


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` all at once: a temporary file, then a rename."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise input_error(path, "", "the output folder does not exist", "an existing folder")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
