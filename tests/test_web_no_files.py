"""No web input opens a file: every string field of every web request model, and every form
field, query and path parameter of the pages and the API, is sent path-like values while an
audit hook records every file the process opens, lists or looks at.

The app runs in-process (FastAPI's test client), so the hook sees the server's own calls.
Each request must be answered with a clean 4xx problem (or page), or succeed without
touching the path; no answer may hold the planted files' contents or the server's working
directory; and every file opened during the sweep must be one of the installed package's
own, a library's (under the Python installation), the test's database, or a system file a
library reads for itself (fonts, /dev, /proc): never a planted file or a swept value.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import sys
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx versions
    from fastapi.testclient import TestClient

import peervalue
from peervalue.scenario.schema import template_file
from tests.web_helpers import app_client, template_document

DATA = Path(__file__).parent / "data"
PACKAGE = Path(peervalue.__file__).resolve().parent
#: a marker inside every planted file: it must never come back in an answer
PLANTED = "PLANTED-7f3a9c"

# --- the audit hook -------------------------------------------------------------------

#: events that open, list or look at a path, and the position of the path in their args
_PATH_EVENTS = {
    "open": 0,
    "os.listdir": 0,
    "os.scandir": 0,
    "os.walk": 0,
    "glob.glob": 0,
    "pathlib.Path.glob": 0,
    "pathlib.Path.rglob": 0,
    "shutil.copyfile": 0,
}
_seen: list[str] = []
_recording = threading.Event()
_installed = False


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if not _recording.is_set() or event not in _PATH_EVENTS:
        return
    where = args[_PATH_EVENTS[event]] if args else None
    if isinstance(where, int) or where is None:  # a file descriptor, or the current folder
        where = "." if where is None else None
    if where is not None:
        _seen.append(os.fsdecode(where) if isinstance(where, bytes | os.PathLike) else str(where))


def _install() -> None:
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True


class Watch:
    """Records every path opened, listed or stat-ed inside ``with watch:`` (``os.stat``
    raises no audit event, so the fixture wraps it)."""

    seen = _seen

    def __enter__(self) -> list[str]:
        _recording.set()
        return _seen

    def __exit__(self, *exc: object) -> None:
        _recording.clear()


@pytest.fixture
def watch(monkeypatch: pytest.MonkeyPatch) -> Iterator[Watch]:
    _install()
    real_stat, real_lstat = os.stat, os.lstat

    def stat(path: Any, *args: Any, **kwargs: Any) -> Any:
        if _recording.is_set() and not isinstance(path, int):
            _seen.append(os.fsdecode(path))
        return real_stat(path, *args, **kwargs)

    def lstat(path: Any, *args: Any, **kwargs: Any) -> Any:
        if _recording.is_set() and not isinstance(path, int):
            _seen.append(os.fsdecode(path))
        return real_lstat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    monkeypatch.setattr(os, "lstat", lstat)
    _seen.clear()
    try:
        yield Watch()
    finally:
        _recording.clear()


# --- the planted files and the values swept --------------------------------------------


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cost file, a folder of study files and a scenario file, each holding the marker."""
    root = tmp_path_factory.mktemp("planted")
    costs = yaml.safe_load((DATA / "synthetic_costs.yaml").read_text())
    costs["name"] = PLANTED
    (root / "costs.yaml").write_text(yaml.safe_dump(costs))
    (root / "studies").mkdir()
    for name in ("alpha.yaml", "beta.yaml"):
        study = yaml.safe_load((DATA / "synthetic" / name).read_text())
        study["citation"]["title"] = PLANTED
        (root / "studies" / name).write_text(yaml.safe_dump(study))
    shutil.copy(template_file(), root / "scenario.toml")
    with (root / "scenario.toml").open("a") as out:
        out.write(f"\n# {PLANTED}\n")
    return root


def path_values(planted: Path) -> list[str]:
    return [
        "/etc/passwd",
        "../../x",
        "C:\\x",
        "file:///etc/passwd",
        "~/x",
        str(planted / "costs.yaml"),
        str(planted / "studies"),
        str(planted / "scenario.toml"),
        os.path.relpath(planted / "costs.yaml"),
        # from the folders the service serves files from, whatever the checkout's depth
        os.path.relpath(planted / "costs.yaml", PACKAGE / "web" / "static"),
        os.path.relpath(planted / "costs.yaml", PACKAGE.parent),
        "../" * 40 + "etc/passwd",
    ]


# --- every string field of a model, from its JSON schema -------------------------------

Step = str | int


def string_paths(schema: dict[str, Any]) -> list[tuple[Step, ...]]:
    """The path of every field of documents of ``schema`` (objects' properties, list items
    as item 0, a dict's values under the key ``k``), through references and unions, each
    definition entered once per path: every place a string may go, and every place that
    takes an object or a list (where a path was once accepted in place of a document)."""
    defs = schema.get("$defs", {})
    found: list[tuple[Step, ...]] = []

    def walk(node: dict[str, Any], at: tuple[Step, ...], inside: frozenset[str]) -> None:
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name in inside:
                return
            walk(defs[name], at, inside | {name})
            return
        for key in ("anyOf", "oneOf", "allOf"):
            for member in node.get(key, []):
                walk(member, at, inside)
        if at:
            found.append(at)
        for name, sub in node.get("properties", {}).items():
            walk(sub, (*at, name), inside)
        if isinstance(node.get("items"), dict):
            walk(node["items"], (*at, 0), inside)
        for sub in node.get("prefixItems", []):
            walk(sub, (*at, 0), inside)
        if isinstance(node.get("additionalProperties"), dict):
            walk(node["additionalProperties"], (*at, "k"), inside)

    walk(schema, (), frozenset())
    return sorted(set(found), key=lambda p: [str(s) for s in p])


def with_value(base: Any, path: tuple[Step, ...], value: str) -> Any:
    """``base`` with ``value`` at ``path`` (made where missing: objects, lists of one)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(head, int):
        items = list(base) if isinstance(base, list) and base else [{}]
        items[0] = with_value(items[0], rest, value)
        return items
    out = dict(base) if isinstance(base, dict) else {}
    out[head] = with_value(out.get(head, {} if rest else None), rest, value)
    return out


# --- the requests ----------------------------------------------------------------------


def _scenario() -> dict[str, Any]:
    document = template_document()
    document["monte_carlo"] = {"draws": 20, "seed": 1}
    return document


def _study() -> dict[str, Any]:
    study: dict[str, Any] = yaml.safe_load((DATA / "synthetic" / "alpha.yaml").read_text())
    return study


def _costs() -> dict[str, Any]:
    costs: dict[str, Any] = yaml.safe_load((DATA / "synthetic_costs.yaml").read_text())
    return costs


def _models() -> list[tuple[str, str, type[Any], dict[str, Any]]]:
    """(name, route, model, a valid body): every model a web route reads from a JSON body,
    cheapest run first (a string field shared with an earlier model is swept there)."""
    from peervalue.web.api import CompareBody, ScenarioBody
    from peervalue.web.requests import (
        WebAnalysisRequest,
        WebPsaRequest,
        WebReportRequest,
        WebScenarioRequest,
        WebSensitivityRequest,
        WebThresholdRequest,
    )

    studies = {"evidence": [_study()], "costs": _costs()}
    return [
        ("thresholds", "/api/v1/thresholds", WebThresholdRequest, studies),
        ("sensitivity", "/api/v1/sensitivity", WebSensitivityRequest, studies),
        ("analysis", "/api/v1/analysis", WebAnalysisRequest, {**studies, "draws": 20}),
        ("psa", "/api/v1/psa", WebPsaRequest, {**studies, "draws": 20}),
        ("run", "/api/v1/scenarios/run", WebScenarioRequest, {"scenario": _scenario()}),
        ("save", "/api/v1/scenarios", ScenarioBody, {"name": "x", "scenario": _scenario()}),
        ("compare", "/api/v1/scenarios/compare", CompareBody, {"ids": []}),
        ("report", "/api/v1/reports?format=html", WebReportRequest, {**studies, "draws": 20}),
    ]


def _sweep_cases(planted: Path) -> list[tuple[str, str, dict[str, Any], str]]:
    """(what, route, body, value) for every string field of every model and every value.

    A field is keyed by its path within the nearest named definition (a Quantity's
    ``unit`` is the same field wherever a quantity sits): swept at the first model it
    appears in, whose run is the cheapest."""
    cases = []
    done: set[tuple[str, ...]] = set()
    for name, route, model, body in _models():
        schema = model.model_json_schema()
        for path in string_paths(schema):
            key = _definition_key(schema, path)
            if key in done:
                continue
            done.add(key)
            for value in path_values(planted):
                where = "/".join(str(s) for s in path)
                cases.append((f"{name}:/{where}", route, with_value(body, path, value), value))
    return cases


def _definition_key(schema: dict[str, Any], path: tuple[Step, ...]) -> tuple[str, ...]:
    """The field's path from the last named definition that holds it (or the model)."""
    defs = schema.get("$defs", {})
    owner, rest = schema.get("title", "top"), list(path)
    node: Any = schema
    consumed: list[str] = []
    for step in path[:-1]:  # the field itself is keyed within its owner
        node = _child(node, step, defs)
        consumed.append(str(step))
        if isinstance(node, tuple):
            owner, node = node
            rest = list(path[len(consumed) :])
        if node is None:
            break
    return (owner, *[str(s) for s in rest])


def _child(node: Any, step: Step, defs: dict[str, Any]) -> Any:
    """The schema under ``step``; ``(definition name, schema)`` when it is a definition."""
    candidates = [node]
    while candidates:
        current = candidates.pop()
        if not isinstance(current, dict):
            continue
        if "$ref" in current:
            candidates.append(defs[current["$ref"].rsplit("/", 1)[-1]])
            continue
        for key in ("anyOf", "oneOf", "allOf"):
            candidates.extend(current.get(key, []))
        sub = None
        if isinstance(step, int):
            sub = current.get("items")
        elif step in current.get("properties", {}):
            sub = current["properties"][step]
        elif step == "k" and isinstance(current.get("additionalProperties"), dict):
            sub = current["additionalProperties"]
        if isinstance(sub, dict):
            ref = sub.get("$ref") or next(
                (m["$ref"] for m in sub.get("anyOf", []) if "$ref" in m), None
            )
            if ref is not None:
                name = ref.rsplit("/", 1)[-1]
                return (name, defs[name])
            return sub
    return None


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with app_client(tmp_path_factory.mktemp("db")) as c:
        yield c


def _loaded_libraries() -> set[str]:
    """The files this process has mapped into memory (its shared libraries), on Linux."""
    try:
        lines = Path("/proc/self/maps").read_text(encoding="utf-8").splitlines()
    except OSError:
        return set()
    return {line.split(None, 5)[5] for line in lines if len(line.split(None, 5)) == 6}


def _allowed(path: str, database: Path, loaded: set[str]) -> bool:
    """A file the server may open: the package's own, a library's (``loaded``: the shared
    libraries mapped, :func:`_loaded_libraries`), the database, a system file a library
    reads for itself."""
    full = os.path.abspath(os.path.expanduser(path)) if path != "." else os.getcwd()
    if full in {os.path.abspath(p or ".") for p in sys.path}:
        return True  # the import system looks at the folders it imports from
    roots = [
        str(PACKAGE),
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        str(database.parent),
        "/dev/",
        "/proc/",
        "/sys/",
        "/usr/share/fonts",
        "/usr/share/zoneinfo",
        "/etc/fonts",
        "/var/cache/fontconfig",
        os.path.expanduser("~/.cache/matplotlib"),
        os.path.expanduser("~/.config/matplotlib"),
        os.path.expanduser("~/.cache/fontconfig"),
        os.environ.get("MPLCONFIGDIR", "/nonexistent"),
    ]
    if path == "matplotlibrc":
        return True  # matplotlib looks for its settings file in the working directory
    if full in loaded or any(lib.startswith(full + "/") for lib in loaded if full != "/"):
        return True  # threadpoolctl looks up the shared libraries already loaded (BLAS threads)
    roots = [os.path.abspath(r) for r in roots]
    if any(full == os.path.dirname(r) or r.startswith(full + "/") for r in roots if full != "/"):
        return True  # a folder above an allowed one (os.path.realpath looks at each)
    return any(full == r or full.startswith(r + "/") for r in roots)


def _check_answer(what: str, status: int, text: str, value: str, planted: Path) -> None:
    assert status < 500, f"{what} = {value!r}: {status} {text[:500]}"
    assert PLANTED not in text, f"{what} = {value!r}: a planted file's contents came back"
    if value != os.getcwd():
        assert os.getcwd() not in text, f"{what} = {value!r}: the working directory came back"
    if status >= 400:
        assert status in {400, 404, 405, 413, 415, 422}, f"{what}: {status} {text[:300]}"


def _check_opened(seen: list[str], planted: Path, values: list[str], database: Path) -> None:
    planted_root = str(planted.resolve())
    for path in seen:
        full = os.path.abspath(os.path.expanduser(path)) if path != "." else os.getcwd()
        assert not full.startswith(planted_root), f"a planted file was touched: {path}"
        assert path not in values, f"a swept value was used as a path: {path}"
        assert full != "/etc/passwd", "/etc/passwd was touched"
    # each path once, against the libraries mapped now (read once: reading /proc/self/maps
    # for each of some 50,000 opens took most of this module's time)
    loaded = _loaded_libraries()
    outside = sorted({p for p in set(seen) if not _allowed(p, database, loaded)})
    assert not outside, f"opened files outside the package's data: {outside}"


def test_every_string_field_of_every_web_model_opens_no_file(
    client: TestClient, planted: Path, watch: Watch
) -> None:
    cases = _sweep_cases(planted)
    # the sweep reaches the fields that once read files, and the studies' and costs' fields
    names = {what for what, *_ in cases}
    for expected in (
        "run:/scenario/costs/set",
        "run:/scenario/evidence/folder",
        "thresholds:/costs",
        "thresholds:/evidence",
        "thresholds:/evidence/0/citation/title",
        "thresholds:/costs/bed_day/unit",
        "save:/name",
        "report:/scenario",
    ):
        assert expected in names, sorted(names)
    database = Path(str(client.app.state.store.engine.url.database))  # type: ignore[attr-defined]
    values = path_values(planted)
    refused = 0
    for what, route, body, value in cases:
        with watch:
            answer = client.post(route, json=body)
        _check_answer(what, answer.status_code, answer.text, value, planted)
        refused += answer.status_code >= 400
    assert watch.seen  # the hook saw the package's own files being read
    _check_opened(watch.seen, planted, values, database)
    assert refused > len(cases) // 2  # most path-like values are refused, not run


def test_the_fields_that_named_files_are_refused_by_name(
    client: TestClient, planted: Path, watch: Watch
) -> None:
    """costs.set and evidence.folder of a scenario, costs and evidence of a run: 422 naming
    the field and what to send instead, before any file is looked at."""
    scenario = _scenario()
    for value in path_values(planted):
        for route, body, field, fragment in (
            (
                "/api/v1/scenarios/run",
                {"scenario": with_value(scenario, ("costs", "set"), value)},
                "/scenario/costs/set",
                "is not a bundled cost set; the web reads no files",
            ),
            (
                "/api/v1/scenarios/run",
                {"scenario": with_value(scenario, ("evidence", "folder"), value)},
                "/scenario/evidence/folder",
                "choose a bundled evidence set with 'evidence.set'",
            ),
            (
                "/api/v1/scenarios",
                {"name": "x", "scenario": with_value(scenario, ("evidence", "folder"), value)},
                "/scenario",
                "'evidence.folder' of a case cannot be used here",
            ),
            (
                "/api/v1/scenarios",
                {"name": "x", "scenario": {"costs": {"set": value}}},
                "/scenario",
                "is not a bundled cost set; the web reads no files",
            ),
            (
                "/api/v1/reports",
                {"scenario": with_value(scenario, ("costs", "set"), value)},
                "/scenario/costs/set",
                "is not a bundled cost set",
            ),
            ("/api/v1/psa", {"costs": value}, "/costs", "is not a bundled cost set"),
            ("/api/v1/analysis", {"evidence": value}, "/evidence", "send the studies themselves"),
            ("/api/v1/reports", {"scenario": value}, "/scenario", "not a path"),
        ):
            with watch:
                answer = client.post(route, json=body)
            assert answer.status_code == 422, (route, value, answer.text)
            errors = answer.json()["errors"]
            assert [e["path"] for e in errors] == [field], (route, value, errors)
            assert fragment in errors[0]["message"]
    assert not [p for p in watch.seen if str(planted) in p or p == "/etc/passwd"]


def test_query_path_and_form_fields_of_the_pages_and_the_api_open_no_file(
    client: TestClient, planted: Path, watch: Watch
) -> None:
    from urllib.parse import quote

    from tests.test_web_pages import parse

    database = Path(str(client.app.state.store.engine.url.database))  # type: ignore[attr-defined]
    values = path_values(planted)
    form = parse(client.get("/").text).values  # the calculator's fields and its CSRF token
    answered = 0
    for value in values:
        q = quote(value, safe="")
        for url in (
            f"/?scenario={q}",
            f"/evidence?set={q}",
            f"/evidence/{q}",
            f"/scenarios/{q}",
            f"/api/v1/evidence?evidence_set={q}",
            f"/api/v1/evidence/{q}",
            f"/api/v1/scenarios/{q}",
            f"/api/v1/scenarios/{q}/report",
            f"/static/{q}",
        ):
            with watch:
                answer = client.get(url)
            _check_answer(url, answer.status_code, answer.text, value, planted)
        # every field of the calculator's form (parsed the same way by /report, /scenarios
        # and /edit), then the fields of those forms' own
        sweeps = [("/calculate", name) for name in form if name != "csrf_token"]
        sweeps += [
            ("/report", "format"),
            ("/scenarios", "save_name"),
            ("/scenarios", "access_token"),
        ]
        sweeps += [("/edit", "costs.set")]
        for route, name in sweeps:
            sent = {**form, "monte_carlo.draws": "1000", "format": "html", name: value}
            with watch:
                answer = client.post(route, data=sent)
            _check_answer(f"{route} {name}", answer.status_code, answer.text, value, planted)
            answered += answer.status_code == 200
    assert answered  # the forms got through their CSRF check: a free-text field was run
    _check_opened(watch.seen, planted, values, database)


def test_a_saved_case_with_a_path_from_before_is_refused_when_run(
    client: TestClient, planted: Path, watch: Watch
) -> None:
    """A case saved before the web refused paths: its page, run and report say why (422),
    without reading the file."""
    scenario = _scenario()
    scenario["costs"]["set"] = str(planted / "costs.yaml")
    store = client.app.state.store  # type: ignore[attr-defined]
    saved, _ = store.create("old", scenario)
    for method, url in (
        ("GET", f"/scenarios/{saved.id}"),
        ("POST", f"/api/v1/scenarios/{saved.id}/run"),
        ("GET", f"/api/v1/scenarios/{saved.id}/report"),
    ):
        with watch:
            answer = client.request(method, url)
        assert answer.status_code == 422, (url, answer.text[:300])
        assert "not a bundled cost set" in answer.text
        assert PLANTED not in answer.text
    assert not [p for p in watch.seen if str(planted) in p]


def test_the_hook_sees_a_file_being_opened_and_looked_at(watch: Watch, planted: Path) -> None:
    """The hook works: the command line's way of reading a cost file is seen."""
    from peervalue.costs.load import load_costs

    with watch:
        costs = load_costs(planted / "costs.yaml")
        (planted / "nothing-here").exists()
    assert costs.name == PLANTED
    assert str(planted / "costs.yaml") in watch.seen
    assert str(planted / "nothing-here") in watch.seen


def test_string_paths_finds_nested_lists_and_dict_values() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": "string"},
            "b": {"type": "array", "items": {"$ref": "#/$defs/D"}},
            "c": {"type": "object", "additionalProperties": {"type": "string"}},
            "n": {"type": "integer"},
        },
        "$defs": {"D": {"properties": {"x": {"anyOf": [{"type": "string"}, {"type": "null"}]}}}},
    }
    assert string_paths(schema) == [
        ("a",),
        ("b",),
        ("b", 0),
        ("b", 0, "x"),
        ("c",),
        ("c", "k"),
        ("n",),
    ]
    assert with_value({"b": []}, ("b", 0, "x"), "v") == {"b": [{"x": "v"}]}
    assert json.loads(json.dumps(with_value({}, ("c", "k"), "v"))) == {"c": {"k": "v"}}
    assert copy.deepcopy(with_value({"a": 1}, (), "v")) == "v"
