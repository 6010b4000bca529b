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
import errno
import numbers
import os
import re
import stat
import tempfile
import tomllib
from collections.abc import Sequence
from datetime import date, time
from pathlib import Path
from typing import Any, TypeVar, get_args

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from peervalue import signals
from peervalue.errors import InputError, Problem, input_error, quote, shorten, visible

DATA_SUFFIXES = (".yaml", ".yml", ".toml")

M = TypeVar("M", bound=BaseModel)


#: largest input file read, in bytes (10 MB); study and cost files are a few kB
MAX_FILE_BYTES = 10 * 1024 * 1024
#: deepest nesting of blocks and lists accepted in a file (the formats need 4)
MAX_DEPTH = 50
#: most values that YAML aliases (``*name``) may repeat in one file, in total
MAX_ALIAS_VALUES = 10_000

_MERGE_TAG = "tag:yaml.org,2002:merge"


class _TreeError(Exception):
    """A limit or rule broken while reading a file (depth, aliases, duplicate keys)."""

    def __init__(self, field: str, problem: str, expected: str) -> None:
        super().__init__(problem)
        self.field = field
        self.problem = problem
        self.expected = expected


def _dotted_path(parts: list[str]) -> str:
    text = ""
    for part in parts:
        text += part if part.startswith("[") or not text else "." + part
    return text


def _line(mark: Any) -> str:
    return f"line {mark.line + 1}" if mark is not None else "an unknown line"


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader with limits: nesting depth, alias expansion, duplicate keys.

    * a block or list nested more than :data:`MAX_DEPTH` deep is refused
      (PyYAML would otherwise recurse until Python's stack runs out);
    * aliases may repeat at most :data:`MAX_ALIAS_VALUES` values in all, and
      never the block that contains them (a "billion laughs" file that
      expands a few hundred bytes into gigabytes is refused);
    * a key written twice in one mapping is refused (YAML keeps the last).
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._path: list[str] = []
        self._depth = 0
        self._alias_values = 0
        self._complete: set[int] = set()
        self._measured: dict[int, tuple[int, int]] = {}

    def _here(self, extra: str | None = None) -> str:
        return _dotted_path(self._path + ([extra] if extra is not None else []))

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if isinstance(index, ScalarNode):
            label: str | None = str(index.value)
        elif isinstance(index, int):
            label = f"[{index}]"
        else:
            label = None if index is None else "?"
        if label is not None:
            self._path.append(label)
        try:
            event: Any = self.peek_event()  # type: ignore[no-untyped-call]
            if isinstance(event, yaml.AliasEvent):
                self._check_alias(event)
                return super().compose_node(parent, index)
            nested = isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent))
            if nested:
                self._depth += 1
                if self._depth > MAX_DEPTH:
                    raise _TreeError(
                        self._here(),
                        f"blocks and lists nested more than {MAX_DEPTH} levels deep "
                        f"(at {_line(event.start_mark)})",
                        f"at most {MAX_DEPTH} levels of nesting (study and cost files need 4)",
                    )
            try:
                node = super().compose_node(parent, index)
            finally:
                if nested:
                    self._depth -= 1
            if getattr(event, "anchor", None) is not None and node is not None:
                self._complete.add(id(node))
            return node
        finally:
            if label is not None:
                self._path.pop()

    def compose_scalar_node(self, anchor: Any) -> ScalarNode:
        node: ScalarNode = super().compose_scalar_node(anchor)
        if node.style is None:  # a plain scalar: quoted text is always text
            if getattr(self, "yaml_version", None) == (1, 2):
                _resolve_core(node)
            else:
                self._refuse_ambiguous(node)
        return node

    def _refuse_ambiguous(self, node: ScalarNode) -> None:
        """Refuse the YAML 1.1 forms that read otherwise than people mean (docs/evidence-
        format.md, "How YAML is read"): a leading-zero whole number (octal: 040 is 32), a
        clock-like or base-60 number (1:30 is 90), and yes/no/on/off (NO is false)."""
        text = str(node.value)
        shown = visible(text)
        where = _line(node.start_mark)
        if node.tag in (_INT_TAG, _FLOAT_TAG) and ":" in text:
            raise _TreeError(
                self._here(),
                f"{shown} ({where}) is read by YAML 1.1 as a base-60 number "
                f"({_sexagesimal(text):g}), not as a time or a ratio",
                f"the number itself, written plainly (such as 90 or 1.5), or {shown} in quotes "
                "if it is text",
            )
        if node.tag == _INT_TAG and _LEADING_ZERO.match(text):
            digits = text.lstrip("+-").lstrip("0_") or "0"
            sign = "-" if text.startswith("-") else ""
            raise _TreeError(
                self._here(),
                f"{shown} ({where}) has a leading zero, which YAML 1.1 reads as an octal number",
                f"{sign}{digits} (without the leading zero), or {shown} in quotes if it is text",
            )
        if node.tag == _BOOL_TAG and text.lower() not in ("true", "false"):
            meaning = "true" if text.lower() in ("yes", "y", "on") else "false"
            raise _TreeError(
                self._here(),
                f"a bare {shown} ({where}) is read by YAML 1.1 as {meaning}",
                f"{meaning} for a yes/no field, or '{text}' in quotes if it is text (such as "
                "a country code)",
            )

    def _check_alias(self, event: yaml.AliasEvent) -> None:
        target = self.anchors.get(event.anchor) if event.anchor is not None else None
        if target is None:
            return  # PyYAML reports the undefined alias itself
        where = _line(event.start_mark)
        if id(target) not in self._complete:
            raise _TreeError(
                self._here(),
                f"the alias *{shorten(str(event.anchor))} ({where}) refers to a block that "
                "contains it, so it would repeat forever",
                "an alias to a block that is complete before the alias",
            )
        size, height = self._measure(target)
        self._alias_values += size
        if self._alias_values > MAX_ALIAS_VALUES:
            raise _TreeError(
                self._here(),
                f"YAML aliases (*name) repeat more than {MAX_ALIAS_VALUES:,} values in all "
                f"(reached at {where}); the file would expand far beyond its size",
                "aliases that repeat a few small blocks, such as a source",
            )
        if self._depth + height > MAX_DEPTH:
            raise _TreeError(
                self._here(),
                f"the alias *{shorten(str(event.anchor))} ({where}) nests blocks and lists "
                f"more than {MAX_DEPTH} levels deep",
                f"at most {MAX_DEPTH} levels of nesting (study and cost files need 4)",
            )

    def _measure(self, node: Node) -> tuple[int, int]:
        """(values, nesting levels) of ``node`` with every alias in it expanded."""
        known = self._measured.get(id(node))
        if known is not None:
            return known
        size, height = 1, 0
        if isinstance(node, (SequenceNode, MappingNode)):
            children: list[Node] = (
                list(node.value)
                if isinstance(node, SequenceNode)
                else [n for pair in node.value for n in pair]
            )
            for child in children:
                child_size, child_height = self._measure(child)
                size += child_size
                height = max(height, child_height)
            height += 1
        self._measured[id(node)] = (size, height)
        return size, height

    def compose_mapping_node(self, anchor: Any) -> MappingNode:
        node = super().compose_mapping_node(anchor)
        seen: dict[tuple[str, str], Any] = {}
        for key, _ in node.value:
            if not isinstance(key, ScalarNode) or key.tag == _MERGE_TAG:
                continue
            first = seen.setdefault((key.tag, key.value), key.start_mark)
            if first is not key.start_mark:
                raise _TreeError(
                    self._here(str(key.value)),
                    f"written twice in the same block, at {_line(first)} and "
                    f"{_line(key.start_mark)}",
                    "each field once (YAML would silently keep only the last)",
                )
        return node

    def construct_yaml_int(self, node: ScalarNode) -> int:
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            raise yaml.constructor.ConstructorError(
                None, None, "a whole number with too many digits to read", node.start_mark
            ) from None

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"{quote(str(node.value))} looks like a date but is not a real one "
                "(quote it if it is text)",
                node.start_mark,
            ) from None

    def construct_core_int(self, node: ScalarNode) -> int:
        text = str(node.value)
        sign = -1 if text.startswith("-") else 1
        digits = text.lstrip("+-")
        if digits.startswith("0o"):
            return sign * int(digits[2:], 8)
        if digits.startswith("0x"):
            return sign * int(digits[2:], 16)
        return sign * int(digits, 10)

    def construct_core_float(self, node: ScalarNode) -> float:
        text = str(node.value).lower()
        if text.lstrip("+-") == ".inf":
            return float("-inf") if text.startswith("-") else float("inf")
        if text == ".nan":
            return float("nan")
        return float(text)


_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_TAG = "tag:yaml.org,2002:null"
_STR_TAG = "tag:yaml.org,2002:str"
#: tags of the YAML 1.2 core schema's numbers, read by their own constructors
_CORE_INT_TAG = "tag:peervalue,2026:core-int"
_CORE_FLOAT_TAG = "tag:peervalue,2026:core-float"
#: a whole number written with a leading zero (040, -007, 00): octal in YAML 1.1
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9_]+$")
#: the YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution)
_CORE = (
    (_NULL_TAG, re.compile(r"^(?:~|null|Null|NULL|)$")),
    (_BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")),
    (_CORE_INT_TAG, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")),
    (
        _CORE_FLOAT_TAG,
        re.compile(
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
        ),
    ),
)


def _resolve_core(node: ScalarNode) -> None:
    """Give a plain scalar its YAML 1.2 core-schema tag (a file that starts ``%YAML 1.2``):
    only true/false are booleans, 040 is forty, and 1:30 or NO are text."""
    if node.tag not in (_NULL_TAG, _BOOL_TAG, _INT_TAG, _FLOAT_TAG, _STR_TAG):
        return  # a timestamp or merge key: the same in both versions
    text = str(node.value)
    node.tag = next((tag for tag, pattern in _CORE if pattern.match(text)), _STR_TAG)
    signed = text[:1] in ("+", "-")  # the core schema has no sign on octal or hexadecimal
    if node.tag == _CORE_INT_TAG and signed and text[1:].startswith(("0o", "0x")):
        node.tag = _STR_TAG


def _sexagesimal(text: str) -> float:
    """The number YAML 1.1 reads from a base-60 scalar such as 1:30 (90) or 20:00 (1200)."""
    sign = -1.0 if text.startswith("-") else 1.0
    total = 0.0
    for part in text.lstrip("+-").replace("_", "").split(":"):
        total = total * 60 + float(part or 0)
    return sign * total


_Loader.add_constructor(_CORE_INT_TAG, _Loader.construct_core_int)
_Loader.add_constructor(_CORE_FLOAT_TAG, _Loader.construct_core_float)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _os_reason(exc: OSError) -> str:
    """Plain words for why a file operation failed."""
    reasons = {
        errno.ENOENT: "it does not exist",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.EACCES: "permission denied",
        errno.EPERM: "operation not permitted",
        errno.EROFS: "the file system is read-only",
        errno.ENAMETOOLONG: "the name is too long for the file system",
        errno.EISDIR: "it is a folder",
        errno.ELOOP: "it is a symbolic link loop (links that lead back to themselves)",
        errno.ENOSPC: "no space left on the disk",
        errno.EDQUOT: "the disk quota is exceeded",
        errno.EBUSY: "the file is busy",
        errno.ETXTBSY: "the file is busy",
        errno.EIO: "input/output error on the disk",
        errno.EMFILE: "too many open files",
    }
    if exc.errno in reasons:
        return reasons[exc.errno]
    return (exc.strerror or str(exc)).rstrip(".").lower() or "unknown error"


def input_path(value: object, what: str, expected: str) -> Path:
    """``value`` (text or a path) as a :class:`Path`, or an :class:`InputError` naming ``what``.

    Refuses a value of another type (a number, a list, a loaded object) and a
    path holding a NUL character, which no file system allows.
    """
    if not isinstance(value, (str, os.PathLike)):
        raise input_error(what, "", f"got {type(value).__name__} {quote(value)}", expected)
    path = Path(value)
    if "\0" in str(path):
        raise input_error(what, "", f"the path {quote(str(path))} holds a NUL character", expected)
    return path


def check_input_path(path: Path, expected: str) -> os.stat_result:
    """``path.stat()``, or an :class:`InputError` that says why the path cannot be used.

    A dangling symbolic link and a symbolic-link loop are named as such,
    rather than reported as a missing file.
    """
    try:
        return path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            try:
                target = os.readlink(path)
            except OSError:
                target = "?"
            problem = (
                f"is a broken symbolic link: it points to {quote(target)}, which does not exist"
            )
            raise input_error(path, "", problem, expected) from None
        raise input_error(path, "", "does not exist", expected) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            problem = "is a symbolic link loop: following it leads back to itself"
        else:
            problem = f"cannot be opened: {_os_reason(exc)}"
        raise input_error(path, "", problem, expected) from None


def _plain_kind(value: Any) -> str:
    """What a parsed value is, in words (for 'the file holds ...')."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (date, time)):
        return "a date or time"
    if value is None:
        return "empty (null)"
    if isinstance(value, bytes):
        return "binary data (!!binary)"
    if isinstance(value, (set, frozenset)):
        return "a set (!!set)"
    return f"a value of type {type(value).__name__}"


_PLAIN_TYPES = (str, int, float, bool, type(None), date, time)


def _check_tree(data: Any) -> None:
    """Field names are text, nesting is at most :data:`MAX_DEPTH`, values are plain."""
    stack: list[tuple[Any, list[str], int]] = [(data, [], 0)]
    while stack:
        node, parts, depth = stack.pop()
        if isinstance(node, (dict, list)):
            if depth + 1 > MAX_DEPTH:
                raise _TreeError(
                    _dotted_path(parts),
                    f"blocks and lists nested more than {MAX_DEPTH} levels deep",
                    f"at most {MAX_DEPTH} levels of nesting (study and cost files need 4)",
                )
            if isinstance(node, dict):
                for key, value in node.items():
                    if not isinstance(key, str):
                        raise _TreeError(
                            _dotted_path(parts),
                            f"a field name is {_plain_kind(key)}"
                            + ("" if key is None else f" ({quote(key)})")
                            + ", not text",
                            "field names written as text, such as 'value'",
                        )
                    stack.append((value, [*parts, key], depth + 1))
            else:
                stack.extend((value, [*parts, f"[{i}]"], depth + 1) for i, value in enumerate(node))
        elif not isinstance(node, _PLAIN_TYPES):
            raise _TreeError(
                _dotted_path(parts),
                f"holds {_plain_kind(node)}, which peervalue does not use",
                "text, a number, true/false, a list or a block of fields",
            )


def _yaml_problem(exc: yaml.YAMLError, text: str) -> tuple[str, str]:
    """(where, what) for a YAML parse error."""
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        char = exc.character
        code = f"#x{ord(char):04x}" if isinstance(char, str) else f"#x{char:02x}"
        return f" at line {line}", f"the character {code} is not allowed in YAML"
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "unreadable YAML"
        if exc.context and exc.problem:
            context_mark = exc.context_mark
            at = f" at {_line(context_mark)}" if context_mark is not None else ""
            if exc.problem == "second occurrence" and "duplicate anchor" in exc.context:
                name = exc.context.split("'")[1] if "'" in exc.context else "?"
                problem = f"the anchor &{name} is defined twice (first at {_line(context_mark)})"
            elif exc.problem.startswith("but "):
                problem = f"{exc.context}{at}, {exc.problem}"
            else:
                problem = f"{problem} ({exc.context}{at})"
        return where, shorten(problem, 300)
    return "", shorten(str(exc), 300)


_TOML_WHERE = re.compile(
    r"^(?P<what>.*?)\s*\((?P<where>at line \d+, column \d+|at end of document)\)$"
)
_TOML_WORDING = (
    ("Cannot overwrite a value", "a field is written twice (or a table redefines it)"),
    ("Cannot declare", "a table is declared twice"),
)


def _toml_problem(exc: tomllib.TOMLDecodeError) -> tuple[str, str]:
    """(where, what) for a TOML parse error."""
    message = str(exc)
    match = _TOML_WHERE.match(message)
    where, what = (f" {match['where']}", match["what"]) if match else ("", message)
    for start, plain in _TOML_WORDING:
        if what.startswith(start):
            what = plain
    return where, shorten(what, 300)


def _read_text(path: Path) -> str:
    """The text of an input file: a regular file of at most :data:`MAX_FILE_BYTES`, UTF-8."""
    expected = "a readable YAML or TOML file"
    info = check_input_path(path, expected)
    if stat.S_ISDIR(info.st_mode):
        raise input_error(path, "", "is a folder, not a file", "a YAML or TOML file")
    if not stat.S_ISREG(info.st_mode):
        raise input_error(
            path, "", "is not a regular file (it is a device, pipe or socket)", expected
        )
    too_big = input_error(
        path,
        "",
        f"the file is larger than the {MAX_FILE_BYTES // (1024 * 1024)} MB limit for input files",
        "a study or cost file of at most 10 MB (they are usually a few kB)",
    )
    if info.st_size > MAX_FILE_BYTES:
        raise too_big
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise input_error(path, "", f"cannot read the file: {_os_reason(exc)}", expected) from None
    if len(raw) > MAX_FILE_BYTES:
        raise too_big
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise input_error(
            path,
            "",
            f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} at line {line})",
            "a text file saved as UTF-8",
        ) from None


def read_mapping(path: Path) -> dict[str, Any]:
    """Parse ``path`` (YAML or TOML by suffix) into a mapping.

    Refused with an :class:`InputError`: a missing file, a broken symbolic
    link or a link loop, a folder or device, a file over
    :data:`MAX_FILE_BYTES`, text that is not UTF-8, malformed YAML or TOML, a
    key written twice, nesting deeper than :data:`MAX_DEPTH`, YAML aliases
    repeating more than :data:`MAX_ALIAS_VALUES` values, field names that are
    not text, and YAML-only types (binary, sets).
    """
    path = Path(path)
    text = _read_text(path)
    is_toml = path.suffix == ".toml"
    fmt = "TOML" if is_toml else "YAML"
    try:
        if is_toml:
            data: Any = tomllib.loads(text)
        else:
            loader = _Loader(text)
            try:
                data = loader.get_single_data()
            finally:
                loader.dispose()
        _check_tree(data)
    except _TreeError as exc:
        raise input_error(path, exc.field, exc.problem, exc.expected) from None
    except yaml.YAMLError as exc:
        where, problem = _yaml_problem(exc, text)
        raise input_error(path, "", f"malformed YAML{where}: {problem}", "valid YAML") from None
    except tomllib.TOMLDecodeError as exc:
        where, problem = _toml_problem(exc)
        raise input_error(path, "", f"malformed TOML{where}: {problem}", "valid TOML") from None
    except RecursionError:
        raise input_error(
            path,
            "",
            f"malformed {fmt}: blocks and lists nested too deeply to read",
            f"at most {MAX_DEPTH} levels of nesting (study and cost files need 4)",
        ) from None
    except (ValueError, OverflowError) as exc:
        # Python refuses to convert integers of thousands of digits
        problem = (
            "a whole number with too many digits to read"
            if "integer string conversion" in str(exc)
            else shorten(str(exc), 300)
        )
        raise input_error(path, "", f"malformed {fmt}: {problem}", f"valid {fmt}") from None
    if not isinstance(data, dict):
        got = "the file is empty" if data is None else f"the file holds {_plain_kind(data)}"
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


def _output_error(path: Path, reason: str, expected: str) -> InputError:
    return input_error(path, "", f"cannot write the output: {reason}", expected)


_OUTPUT_EXPECTED = {
    errno.ENOENT: "an existing folder (create it first)",
    errno.ENOTDIR: "a path whose folders all exist",
    errno.EACCES: "a file in a folder you may write to",
    errno.EPERM: "a file in a folder you may write to",
    errno.EROFS: "a file on a disk that can be written to",
    errno.ENAMETOOLONG: "a shorter file name",
    errno.EISDIR: "a file name, such as result.json, inside the folder",
    errno.ENOSPC: "a disk with free space",
    errno.EDQUOT: "a disk with free space",
}


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def refuse_overwriting_inputs(path: Path, inputs: Sequence[Path]) -> None:
    """Refuse an output ``path`` that is one of ``inputs`` or a study file read from an input
    folder, or that would add a study file (``.yaml``, ``.yml``, ``.toml``) to an input
    folder, which the next run would read as a broken study."""

    def same(a: Path, b: Path) -> bool:
        try:
            return os.path.samefile(a, b)
        except OSError:
            return False  # a path that cannot be compared is not an input; writing reports it

    folders = [source for source in inputs if source.is_dir()]
    in_folder = path.suffix in DATA_SUFFIXES and any(same(path.parent, f) for f in folders)
    if any(same(path, source) for source in inputs) or (in_folder and path.exists()):
        raise _output_error(
            path, "it is an input of this run, which would be lost", "another file name"
        )
    if in_folder:
        raise _output_error(
            path,
            "it would put a file in the study folder, which later runs read as a study",
            "a file outside the study folder, or a name ending in .json, .csv or .txt",
        )


def _exists_error(path: Path) -> InputError:
    return _output_error(
        path, "the file already exists", "a new file name, or --force to replace it"
    )


def refuse_existing(path: Path) -> None:
    """An existing file at ``path`` is an error: a command that will not replace its output
    says so before it starts work (:func:`atomic_write_bytes` checks again as it writes)."""
    if path.exists() and not path.is_dir():
        raise _exists_error(path)


def atomic_write_text(path: Path, text: str, *, overwrite: bool = True) -> None:
    """Write ``text`` to ``path`` as UTF-8, all at once (:func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode("utf-8"), overwrite=overwrite)


def check_output(path: Path, *, overwrite: bool = True) -> None:
    """Refuse, before any work is done, an output ``path`` that :func:`atomic_write_bytes`
    would refuse: no file name, a missing or unusable folder, a folder you may not write
    to, a name too long, a folder or device at the path, a read-only file, or (when
    ``overwrite`` is false) an existing file. Writing checks again."""
    _check_output(Path(path), overwrite)
    directory = Path(path).parent
    if not os.access(directory, os.W_OK | os.X_OK):
        raise _output_error(
            Path(path),
            "the output folder cannot be written to: permission denied",
            _OUTPUT_EXPECTED[errno.EACCES],
        )


def _check_output(path: Path, overwrite: bool) -> os.stat_result | None:
    """The checks of :func:`check_output`; the current file's status (``None``: new)."""
    if not path.name or str(path) in {"", "."}:
        raise _output_error(path, "no file name was given", "a file name, such as result.json")
    directory = path.parent
    try:
        folder = directory.stat()
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            reason = "the output folder does not exist"
        else:
            reason = f"the output folder cannot be used: {_os_reason(exc)}"
        raise _output_error(path, reason, _OUTPUT_EXPECTED.get(exc.errno or 0, "")) from None
    if not stat.S_ISDIR(folder.st_mode):
        raise _output_error(
            path,
            f"{quote(str(directory))} is a file, not a folder",
            _OUTPUT_EXPECTED[errno.ENOTDIR],
        )
    name_bytes = len(os.fsencode(path.name))
    try:
        name_max = os.pathconf(directory, "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    if name_bytes > name_max:
        raise _output_error(
            path,
            f"the file name is {name_bytes:,} bytes long, over this file system's limit of "
            f"{name_max}",
            _OUTPUT_EXPECTED[errno.ENAMETOOLONG],
        )
    try:
        current: os.stat_result | None = path.stat()
    except FileNotFoundError:
        current = None  # a new file (or a dangling link, which the rename replaces)
    except OSError as exc:
        expected = _OUTPUT_EXPECTED.get(exc.errno or 0, "a file name you may write to")
        raise _output_error(path, _os_reason(exc), expected) from None
    if current is not None:
        if not overwrite and not stat.S_ISDIR(current.st_mode):
            raise _exists_error(path)
        if stat.S_ISDIR(current.st_mode):
            raise _output_error(path, "it is a folder", _OUTPUT_EXPECTED[errno.EISDIR])
        if not stat.S_ISREG(current.st_mode):
            raise _output_error(
                path,
                "it is not a regular file (a device, pipe or socket)",
                "a file name; leave out --output to write to the screen",
            )
        if not os.access(path, os.W_OK):
            raise _output_error(
                path, "the file is read-only", "a file you may write to (or a new name)"
            )
    return current


def atomic_write_bytes(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` all at once: a temporary file, then a rename.

    A reader never sees a half-written file, and whatever goes wrong
    (including Ctrl-C or SIGTERM while writing) leaves no temporary file
    behind. The new file gets the mode an ordinary write would give: that of
    the file it replaces, or ``0o666`` less the umask. Every failure (missing
    folder, a folder or device as the target, no permission, a read-only
    file system, a name too long, a full disk) is an :class:`InputError`, and so
    is an existing file when ``overwrite`` is false. A signal that arrives while
    the file is renamed into place is held, the file rolled back and the signal
    then delivered (:mod:`peervalue.signals`).
    """
    atomic_write_many([(Path(path), data)], overwrite=overwrite)


def atomic_write_many(files: Sequence[tuple[Path, bytes]], *, overwrite: bool = True) -> None:
    """Write several files together or not at all (:func:`atomic_write_bytes` for each).

    Every file is checked and written to a temporary file first; only when all are
    written are they renamed into place, together, with signals held
    (:func:`peervalue.signals.held`). If a rename fails or a signal arrives, the files
    already renamed are rolled back: a new file is removed and a replaced one restored
    from a hard link kept for the purpose (on a file system without hard links a
    replaced file cannot be restored, and stays new).
    """
    paths = [Path(p) for p, _ in files]
    if len({os.path.abspath(p) for p in paths}) != len(paths):
        raise _output_error(paths[-1], "the same file is given twice", "two different files")
    staged: list[tuple[Path, str, bool]] = []  # (path, temporary file, existed)
    path = paths[0]
    try:
        for path, (_, data) in zip(paths, files, strict=True):
            current = _check_output(path, overwrite)
            mode = stat.S_IMODE(current.st_mode) if current is not None else 0o666 & ~_umask()
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".tmp", dir=path.parent)
            staged.append((path, tmp, current is not None))
            with os.fdopen(fd, "wb") as handle:
                os.fchmod(handle.fileno(), mode)
                handle.write(data)
        path = _commit(staged, overwrite)
        staged = []
    except FileExistsError:
        raise _exists_error(path) from None
    except OSError as exc:
        expected = _OUTPUT_EXPECTED.get(exc.errno or 0, "a file you may write to")
        reason = (
            "the file cannot be created in this folder"
            if exc.errno == errno.ENOENT
            else _os_reason(exc)
        )
        raise _output_error(path, reason, expected) from None
    finally:
        for _, tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)


def _commit(staged: Sequence[tuple[Path, str, bool]], overwrite: bool) -> Path:
    """Rename every staged file into place with signals held; roll back on any failure or
    signal. Returns the last path handled (for a message)."""
    done: list[tuple[Path, str | None, bool]] = []  # (path, backup, restorable)
    path = staged[0][0]
    try:
        with signals.held():
            for path, tmp, existed in staged:
                backup: str | None = None
                restorable = not existed
                if existed and overwrite:
                    backup = f"{tmp}.previous"
                    try:
                        os.link(path, backup)
                        restorable = True
                    except OSError:
                        backup = None
                try:
                    if overwrite:
                        os.replace(tmp, path)
                    else:
                        # a link fails if the name was taken since the check: never a
                        # silent replace
                        os.link(tmp, path)
                        Path(tmp).unlink()
                except BaseException:
                    if backup is not None:  # this file was not replaced: keep no copy
                        Path(backup).unlink(missing_ok=True)
                    raise
                done.append((path, backup, restorable))
    except BaseException:
        try:
            with signals.held():  # a second signal may not cut the rollback short
                for done_path, backup, restorable in reversed(done):
                    if backup is not None:
                        os.replace(backup, done_path)
                    elif restorable:
                        done_path.unlink(missing_ok=True)
        except signals.Pending:
            pass
        signals.resend()  # a signal held during the commit (or the rollback) stops the run
        raise
    for _, backup, _ in done:
        if backup is not None:
            Path(backup).unlink(missing_ok=True)
    signals.complete()
    return path
