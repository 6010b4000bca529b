"""Writing a complete scenario back to TOML (``peervalue scenario run --save-inputs``).

The standard library reads TOML but does not write it; a scenario needs only tables,
arrays of tables, inline tables, text, numbers, booleans and lists, which this writes.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from peervalue.scenario.schema import ScenarioFile

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(name: str) -> str:
    return name if _BARE_KEY.match(name) else json.dumps(name, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):  # pragma: no cover - schemas refuse non-finite figures
            raise ValueError("a scenario holds finite numbers only")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # TOML basic strings share JSON's escapes
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")  # pragma: no cover


def scenario_to_toml(scenario: ScenarioFile, header: list[str] | None = None) -> str:
    """Every field of ``scenario`` as TOML text that loads back to the same scenario."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    lines = [f"# {line}" if line else "#" for line in header or []]
    extras = data.pop("extra", [])
    options = data.pop("options", None) or []
    for table, block in data.items():
        lines += ["", f"[{_key(table)}]"]
        lines += [f"{_key(k)} = {_value(v)}" for k, v in block.items()]
    for item in extras:
        lines += ["", "[[extra]]"]
        lines += [f"{_key(k)} = {_value(v)}" for k, v in item.items()]
    for option in options:
        lines += ["", "[[options]]"]
        lines += [f"{_key(k)} = {_value(v)}" for k, v in option.items() if v != {}]
    return "\n".join(lines).lstrip("\n") + "\n"
