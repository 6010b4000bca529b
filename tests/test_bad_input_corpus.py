"""The bad-input corpus: every case in tests/bad_input/cases.yaml is refused cleanly.

For each case, a working copy of valid inputs is made in a temporary folder,
the case's edits break it, and peervalue is run (in-process, or in a
subprocess for signals and pipes). Every case must end with the expected exit
status, no traceback, the expected fragments in the message, and nothing
written: the temporary folder holds the same files afterwards as before.
The manifest's header explains how to add a case.
"""

from __future__ import annotations

import errno
import functools
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

import peervalue
from tests.cli_helpers import run_cli
from tests.conftest import SYNTHETIC, SYNTHETIC_COSTS

CORPUS = Path(__file__).parent / "bad_input"
MANIFEST = CORPUS / "cases.yaml"
BUNDLED_COSTS = Path(peervalue.__file__).parent / "data" / "costs" / "england-2011-12.yaml"
DEFAULT_ARGS = [
    "analyse",
    "--evidence",
    "{evidence}",
    "--costs",
    "{costs}",
    "--format",
    "json",
    "--output",
    "{out}",
]
CASE_KEYS = {
    "name",
    "why",
    "edit",
    "args",
    "api",
    "path",
    "kwargs",
    "request",
    "values",
    "exit",
    "stderr",
    "absent",
    "error_prefix",
    "exact_type",
    "signal",
    "after",
    "pipe",
    "fault",
    "root_skip",
    "xfail",
    "http",
    "status",
    "media",
    "env",
}
EDIT_KEYS = {
    "file",
    "set",
    "to",
    "delete",
    "rename",
    "replace",
    "with",
    "append",
    "write",
    "copy",
    "generate",
    "symlink",
    "remove",
    "mkdir",
    "chmod",
}


# --- generators: files that cannot be committed as text ------------------------------------


def _deep_yaml_block(path: Path) -> None:
    path.write_text("a:\n" + "".join("  " * i + "k:\n" for i in range(1, 300)) + "  " * 300 + "1\n")


def _deep_yaml_flow(path: Path) -> None:
    path.write_text("a: " + "[" * 3000 + "]" * 3000 + "\n")


def _deep_toml_arrays(path: Path) -> None:
    path.write_text("a = " + "[" * 3000 + "]" * 3000 + "\n")


def _deep_toml_tables(path: Path) -> None:
    path.write_text("[" + ".".join(["t"] * 60) + "]\nx = 1\n")


def _over_size_limit(path: Path) -> None:
    with path.open("w") as handle:
        handle.write("id: alpha\n")
        line = "# " + "x" * 1021 + "\n"
        for _ in range(10 * 1024 + 1):
            handle.write(line)


def _latin1(path: Path) -> None:
    path.write_bytes(path.read_bytes().replace(b"country: England", b"country: Espa\xf1a"))


def _nul_byte(path: Path) -> None:
    path.write_bytes(path.read_bytes().replace(b"setting: synthetic", b"setting: synth\x00etic"))


def _huge_integer(path: Path) -> None:
    text = path.read_text().replace("value: 40,", "value: " + "9" * 5000 + ",", 1)
    path.write_text(text)


def _integer_too_large_for_a_float(path: Path) -> None:
    path.write_text(path.read_text().replace("value: 40,", "value: " + "9" * 400 + ",", 1))


def _long_unit(path: Path) -> None:
    path.write_text(path.read_text().replace("unit: months", "unit: " + "m" * 5000, 1))


def _long_field_name(path: Path) -> None:
    path.write_text(path.read_text() + "f" * 1000 + ": 1\n")  # YAML keys stop at 1024


def _fifo(path: Path) -> None:
    path.unlink(missing_ok=True)
    os.mkfifo(path)


def _long_case_text(path: Path) -> None:
    # one character over the [case] table's 4,000 (peervalue.scenario.schema.MAX_CASE_TEXT)
    path.write_text('[case]\nstrategic = "' + "x" * 4_001 + '"\n', encoding="utf-8")


GENERATORS: dict[str, Callable[[Path], None]] = {
    "deep_yaml_block": _deep_yaml_block,
    "deep_yaml_flow": _deep_yaml_flow,
    "deep_toml_arrays": _deep_toml_arrays,
    "deep_toml_tables": _deep_toml_tables,
    "over_size_limit": _over_size_limit,
    "latin1": _latin1,
    "nul_byte": _nul_byte,
    "huge_integer": _huge_integer,
    "integer_too_large_for_a_float": _integer_too_large_for_a_float,
    "long_unit": _long_unit,
    "long_field_name": _long_field_name,
    "fifo": _fifo,
    "long_case_text": _long_case_text,
}


# --- the working copy and its placeholders ------------------------------------------------


def _places(tmp: Path) -> dict[str, str]:
    return {
        "tmp": str(tmp),
        "evidence": str(tmp / "evidence"),
        "study": str(tmp / "evidence" / "alpha.yaml"),
        "costs": str(tmp / "costs.yaml"),
        "bundled_costs": str(tmp / "england.yaml"),
        "out": str(tmp / "out" / "result.json"),
        "corpus": str(CORPUS),
        "long_name": "r" * 300 + ".json",
        "set": str(tmp / "myset.yaml"),
    }


_PLACEHOLDER = re.compile(r"\{(tmp|evidence|study|costs|bundled_costs|out|corpus|long_name|set)\}")


def _fill(text: str, places: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: places[m.group(1)], text)


def _prepare(tmp: Path) -> None:
    shutil.copytree(SYNTHETIC, tmp / "evidence")
    shutil.copy(SYNTHETIC_COSTS, tmp / "costs.yaml")
    shutil.copy(BUNDLED_COSTS, tmp / "england.yaml")
    (tmp / "out").mkdir()


def _walk_to(data: Any, dotted: str) -> tuple[Any, str | int]:
    keys: list[str | int] = []
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", dotted):
        keys.append(int(part[1:-1]) if part.startswith("[") else part)
    node = data
    for key in keys[:-1]:
        node = node[key]
    return node, keys[-1]


def _apply(edit: dict[str, Any], tmp: Path, places: dict[str, str]) -> None:
    unknown = set(edit) - EDIT_KEYS
    assert not unknown, f"unknown edit keys {unknown}"
    path = tmp / _fill(edit.get("file", "evidence/alpha.yaml"), places)
    if "set" in edit or "delete" in edit or "rename" in edit:
        data = yaml.safe_load(path.read_text())
        if "set" in edit:
            node, key = _walk_to(data, edit["set"])
            value = edit["to"]
            node[key] = _fill(value, places) if isinstance(value, str) else value
        elif "delete" in edit:
            node, key = _walk_to(data, edit["delete"])
            del node[key]
        else:
            node, key = _walk_to(data, edit["rename"])
            node[edit["to"]] = node.pop(key)
        path.write_text(yaml.safe_dump(data, sort_keys=False))
    elif "replace" in edit:
        text = path.read_text()
        assert edit["replace"] in text, f"{edit['replace']!r} not in {path.name}"
        path.write_text(text.replace(edit["replace"], _fill(edit["with"], places)))
    elif "append" in edit:
        path.write_text(path.read_text() + edit["append"])
    elif "write" in edit:
        path.write_text(edit["write"])
    elif "copy" in edit:
        shutil.copy(CORPUS / edit["copy"], path)
    elif "generate" in edit:
        GENERATORS[edit["generate"]](path)
    elif "symlink" in edit:
        path.unlink(missing_ok=True)
        path.symlink_to(_fill(edit["symlink"], places))
    elif "remove" in edit:
        path.unlink()
    elif "mkdir" in edit:
        path.mkdir()
    if "chmod" in edit:
        path.chmod(edit["chmod"])


def _tree(tmp: Path) -> set[str]:
    return {str(p.relative_to(tmp)) for p in tmp.rglob("*")} | {
        str(p.relative_to(tmp)) for p in tmp.glob("**/.*")
    }


# --- running a case -------------------------------------------------------------------------


@dataclass
class Outcome:
    code: int
    out: str
    err: str
    exception: BaseException | None = None
    notes: list[str] = field(default_factory=list)


def _filled(value: Any, places: dict[str, str]) -> Any:
    """``value`` with placeholders filled in every string, however deeply nested."""
    if isinstance(value, str):
        return _fill(value, places)
    if isinstance(value, list):
        return [_filled(v, places) for v in value]
    if isinstance(value, dict):
        return {k: _filled(v, places) for k, v in value.items()}
    return value


def _run_api(case: dict[str, Any], places: dict[str, str]) -> Outcome:
    """Call the Python API: a loader with ``path``, a one-call function (``analyse``,
    ``psa``, ...) with ``kwargs``, or ``request`` (a request class of peervalue.service
    built by make_request from ``values``)."""
    from peervalue import service
    from peervalue.evidence.sets import load_library, select_set

    loader: dict[str, Callable[[Any], object]] = {
        "load_evidence": peervalue.load_evidence,
        "load_costs": peervalue.load_costs,
        "select_set": lambda path: select_set(path, load_library()),
    }
    defaults = {"load_evidence": "{evidence}", "load_costs": "{costs}", "select_set": "{set}"}
    try:
        if case["api"] in loader:
            default = defaults[case["api"]]
            loader[case["api"]](_filled(case.get("path", default), places))
        elif case["api"] == "request":
            values = _filled(case.get("values", {}), places)
            service.make_request(getattr(service, case["request"]), **values)
        else:
            getattr(peervalue, case["api"])(**_filled(case.get("kwargs", {}), places))
    except peervalue.InputError as exc:
        return Outcome(2, "", str(exc), exc)
    return Outcome(0, "", "")


@functools.cache
def _web_client() -> Any:
    """One test client of the web API for the corpus, on its own SQLite file."""
    import tempfile
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's notice about httpx versions
        from fastapi.testclient import TestClient

    from peervalue.web.app import create_app

    folder = Path(tempfile.mkdtemp(prefix="peervalue-corpus-"))
    return TestClient(
        create_app(
            f"sqlite:///{folder / 'corpus.db'}", allowed_hosts=["testserver"], runs_per_minute=0
        )
    )


def _run_http(case: dict[str, Any], places: dict[str, str]) -> Outcome:
    """Send ``http`` (method, path, and json or a raw body, optional headers) to the web API;
    the outcome's code is the HTTP status and its message the response body."""
    spec = _filled(case["http"], places)
    kwargs: dict[str, Any] = {"headers": spec.get("headers", {})}
    if "json" in spec:
        kwargs["json"] = spec["json"]
    if "studies" in spec:  # that many copies of the synthetic study alpha, as the evidence
        alpha = yaml.safe_load((SYNTHETIC / "alpha.yaml").read_text())
        copies = [{**alpha, "id": f"s{i}"} for i in range(int(spec["studies"]))]
        kwargs["json"] = {**kwargs.get("json", {}), "evidence": copies}
    if "body" in spec:  # text, or bytes written with YAML's !!binary tag
        body = spec["body"]
        kwargs["content"] = body if isinstance(body, bytes) else body.encode("utf-8")
        kwargs["headers"] = {"content-type": "application/json", **kwargs["headers"]}
    if "form" in spec:  # an HTML form of the calculator pages
        kwargs["data"] = spec["form"]
        if spec["form"].get("csrf_token") == "{csrf}":  # a token the server signed
            page = _web_client().get("/").text
            found = re.search(r'name="csrf_token" value="([^"]+)"', page)
            assert found, "no CSRF token on the calculator page"
            kwargs["data"] = {**spec["form"], "csrf_token": found.group(1)}
    response = _web_client().request(spec.get("method", "POST"), spec["path"], **kwargs)
    return Outcome(response.status_code, response.headers.get("content-type", ""), response.text)


_SIGNALS = {"INT": signal.SIGINT, "TERM": signal.SIGTERM, "HUP": signal.SIGHUP}
_ENTRY = "from peervalue.cli import main; main()"  # as the console script calls it


def _run_subprocess(case: dict[str, Any], args: list[str]) -> Outcome:
    command = [sys.executable, "-c", _ENTRY, *args]
    if case.get("pipe") == "closed":
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # the reader goes away before peervalue writes
        err = proc.stderr.read().decode()
        code = proc.wait(timeout=60)
        return Outcome(128 - code if code < 0 else code, "", err)
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(float(case.get("after", 3.0)))
    assert proc.poll() is None, "the command finished before the signal was sent"
    proc.send_signal(_SIGNALS[case["signal"]])
    out_bytes, err_bytes = proc.communicate(timeout=60)
    code = proc.returncode
    return Outcome(128 - code if code < 0 else code, out_bytes.decode(), err_bytes.decode())


def _run_cli(
    case: dict[str, Any],
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Outcome:
    fault = case.get("fault")
    if fault is not None:
        number = getattr(errno, fault["errno"])

        def fail(*_args: Any, **_kwargs: Any) -> Any:
            raise OSError(number, os.strerror(number))

        if fault["call"] == "os.replace":
            monkeypatch.setattr(os, "replace", fail)
        elif fault["call"] == "tempfile.mkstemp":
            monkeypatch.setattr("tempfile.mkstemp", fail)
        else:
            raise AssertionError(f"unknown fault call {fault['call']!r}")
    run = run_cli(capsys, *args)
    monkeypatch.undo()
    return Outcome(run.code, run.out, run.err)


def _cases() -> list[Any]:
    cases = yaml.safe_load(MANIFEST.read_text())
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    params = []
    for case in cases:
        marks = []
        if case.get("xfail"):
            marks.append(pytest.mark.xfail(reason=case["xfail"], strict=True))
        params.append(pytest.param(case, id=case["name"], marks=marks))
    return params


@pytest.mark.parametrize("case", _cases())
def test_bad_input(
    case: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unknown = set(case) - CASE_KEYS
    assert not unknown, f"unknown case keys {unknown}"
    if case.get("root_skip") and os.geteuid() == 0:
        pytest.skip("file permissions do not bind the super-user")
    _prepare(tmp_path)
    places = _places(tmp_path)
    for name, value in case.get("env", {}).items():
        monkeypatch.setenv(name, _fill(str(value), places))
    for edit in case.get("edit", []):
        _apply(edit, tmp_path, places)
    before = _tree(tmp_path)
    args = [_fill(str(a), places) for a in case.get("args", DEFAULT_ARGS)]
    try:
        if "http" in case:
            outcome = _run_http(case, places)
        elif "api" in case:
            outcome = _run_api(case, places)
        elif "signal" in case or "pipe" in case:
            outcome = _run_subprocess(case, args)
        else:
            outcome = _run_cli(case, args, capsys, monkeypatch)
    finally:
        for path in tmp_path.rglob("*"):  # let pytest clean up whatever a case made unreadable
            if not path.is_symlink():
                path.chmod(0o755)
    expected = case.get("status", 422) if "http" in case else case.get("exit", 2)
    report = f"exit {outcome.code}\n--- stderr:\n{outcome.err}\n--- stdout:\n{outcome.out[:2000]}"
    assert outcome.code == expected, report
    assert "Traceback" not in outcome.err + outcome.out, report
    if "http" in case:  # an API error is a problem document (RFC 9457); a page's is a page
        assert outcome.out == case.get("media", "application/problem+json"), report
    elif expected == 2 and case.get("error_prefix", True) and "api" not in case:
        assert outcome.err.startswith("error:"), report
    for fragment in case.get("stderr", []):
        assert _fill(fragment, places) in outcome.err, f"{fragment!r} missing\n{report}"
    for fragment in case.get("absent", []):
        assert _fill(fragment, places) not in outcome.err, f"{fragment!r} present\n{report}"
    if "api" in case:
        assert outcome.exception is not None, "no InputError raised"
        if case.get("exact_type"):
            assert type(outcome.exception).__name__ == case["exact_type"], report
    assert _tree(tmp_path) == before, "nothing may be written when the input is bad"
