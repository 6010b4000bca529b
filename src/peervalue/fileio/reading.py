"""Reading data files: :func:`read_mapping` parses a YAML or TOML file into a dict (within
size, depth and alias limits), turning parse errors into
:class:`~peervalue.errors.InputError`; :func:`input_path` and :func:`check_input_path` check
the path first."""

from __future__ import annotations

import errno
import os
import re
import stat
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from peervalue.errors import input_error, quote, shorten, visible

DATA_SUFFIXES = (".yaml", ".yml", ".toml")


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
