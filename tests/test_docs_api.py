"""docs/api.md's tables are the code's (issue 21 item 6: its request table was out of date).

* "Requests": every request class is listed, each with the run function that takes it and
  the result that function returns (read from the functions' annotations);
* "Fields every model run shares": every field of ``RunRequest``;
* "Run options and their limits": each row's field is on each request it names, with the
  default it states; every request that has the field is named in some row; the choices
  listed are the field's ``Literal`` values; both ends of a stated range are accepted and
  a step beyond either refused, and a "whole number" refuses 1.5.
"""

from __future__ import annotations

import importlib
import inspect
import math
import re
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from peervalue.service import requests as R

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "api.md"


def _section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    return text.split(title, 1)[1].split("\n#", 1)[0]


def _table(title: str) -> list[list[str]]:
    rows = []
    for line in _section(title).splitlines():
        if not line.startswith("|") or set(line) <= {"|", "-"}:
            continue
        rows.append([c.strip() for c in line.strip().strip("|").split(" | ")])
    return rows[1:]  # less the header


def _ticks(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def _requests() -> dict[str, type[BaseModel]]:
    """Every request class: the subclasses of ``Request`` that are runs (have a ``kind``),
    and the two evidence requests."""
    out: dict[str, type[BaseModel]] = {}
    for name, obj in vars(R).items():
        if (
            isinstance(obj, type)
            and issubclass(obj, R.Request)
            and ("kind" in obj.model_fields or name in ("EvidenceRequest", "StudyRequest"))
        ):
            out[name] = obj
    return out


REQUESTS = _requests()


# --- the requests table ---------------------------------------------------------------


def test_every_request_is_in_the_table_with_its_run_function_and_result() -> None:
    rows = _table("## Requests\n")
    listed = {_ticks(r[0])[0]: r for r in rows}
    assert set(listed) == set(REQUESTS)
    for name, (_, _, functions, results, _) in listed.items():
        returned = []
        for ref in _ticks(functions):
            module, func = ref.rsplit(".", 1)
            fn = getattr(importlib.import_module(f"peervalue.service.{module}"), func)
            first = next(iter(inspect.signature(fn).parameters.values()))
            assert first.annotation == name, (ref, first.annotation)
            returned.append(inspect.signature(fn).return_annotation)
        assert returned == _ticks(results), (name, returned)


def test_every_shared_field_of_a_model_run_is_described() -> None:
    described = re.findall(r"^\* \*\*`([a-z_]+)`\*\*", _section("### Fields every model run"), re.M)
    assert sorted(described) == sorted(R.RunRequest.model_fields)


# --- the run options table ------------------------------------------------------------

#: what a request needs besides the field under test, to be built at all
REQUIRED: dict[str, dict[str, Any]] = {
    "TwoWayRequest": {"axes": ("caseload", "effect")},
    "PlotRequest": {"figures": ("forest",)},
    "EvidenceComparisonRequest": {"evidence_sets": ["cmh2013", "all-2026"]},
}


def _build(request: type[BaseModel], **fields: Any) -> BaseModel:
    from peervalue.scenario.schema import template_file

    needed = dict(REQUIRED.get(request.__name__, {}))
    if "scenario" in request.model_fields and request.model_fields["scenario"].is_required():
        needed["scenario"] = template_file()
    return request.model_validate({**needed, **fields})


def _accepts(request: type[BaseModel], field: str, value: Any) -> bool:
    try:
        _build(request, **{field: value})
    except ValidationError:
        return False
    return True


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _value(text: str) -> Any:
    """A default as the table writes it: ``100,000``, ``0.035``, ``"weighted"``, ``false``,
    ``none``."""
    text = text.strip()
    if text.startswith('`"'):
        return text.strip('`"')
    if text in ("true", "false"):
        return text == "true"
    if text.split(" ")[0] == "none":
        return None
    return _number(text)


def _defaults(cell: str, requests: list[str]) -> dict[str, Any]:
    """``100,000 (Psa, Report), 20,000 (Analysis)`` -> each request's default; a cell with
    one value (and any words in brackets after it) gives every request that value."""
    pairs = re.findall(r"((?:[^(),]|,\d)+?)\s*\(([A-Za-z, ]+)\)", cell)
    if pairs and all(n.strip() in requests for _, names in pairs for n in names.split(",")):
        return {n.strip(): _value(v) for v, names in pairs for n in names.split(",")}
    return dict.fromkeys(requests, _value(cell.split(" (")[0]))


def _literal_values(annotation: Any) -> set[str]:
    out: set[str] = set()
    for arg in typing.get_args(annotation) or ():
        out |= _literal_values(arg)
    if typing.get_origin(annotation) is typing.Literal:
        out |= {str(a) for a in typing.get_args(annotation)}
    return out


OPTION_ROWS = _table("### Run options and their limits")
CASES = [
    (field, f"{short}Request", row)
    for row in OPTION_ROWS
    for field in _ticks(row[0])
    for short in (n.strip() for n in row[1].split(","))
]


def test_every_request_with_a_listed_field_is_named_for_it() -> None:
    named: dict[str, set[str]] = {}
    for field, request, _ in CASES:
        assert request in REQUESTS, request
        named.setdefault(field, set()).add(request)
    for field, requests in named.items():
        having = {n for n, r in REQUESTS.items() if field in r.model_fields}
        assert having == requests, (field, having ^ requests)


@pytest.mark.parametrize(
    ("field", "request_name", "row"), CASES, ids=[f"{c[1]}.{c[0]}" for c in CASES]
)
def test_a_run_option_is_as_the_table_says(field: str, request_name: str, row: list[str]) -> None:
    request = REQUESTS[request_name]
    info = request.model_fields[field]
    short = request_name.removesuffix("Request")
    default = _defaults(row[2], [n.strip() for n in row[1].split(",")])[short]
    if isinstance(default, float) and not isinstance(info.default, bool):
        assert info.default == pytest.approx(default), (field, info.default)
    else:
        assert info.default == default, (field, info.default)
    accepted = row[3]
    choices = _literal_values(info.annotation)
    if choices:
        head = re.split(r" \(|: ", accepted)[0]
        assert set(re.findall(r'`"([^"`]+)"`', head)) == choices
        return
    if accepted.startswith("true or false"):
        assert info.annotation in (bool, "bool")
        return
    if "strictly between 0 and 1" in accepted:
        assert _accepts(request, field, 0.5)
        assert not _accepts(request, field, 0.0) and not _accepts(request, field, 1.0)
        return
    whole = accepted.startswith("whole number")
    span = re.search(r"([\d,.]+) to ([\d,.]+)", accepted)
    if span is not None:
        low, high = _number(span[1]), _number(span[2])
        step = 1 if whole else max(abs(high), 1.0) * 1e-9
        ends = (int(low), int(high)) if whole else (low, high)
        assert all(_accepts(request, field, x) for x in ends), (field, ends)
        assert not _accepts(request, field, ends[0] - step), (field, "below", low)
        assert not _accepts(request, field, ends[1] + step), (field, "above", high)
    elif "0 or above" in accepted:
        assert _accepts(request, field, 0) and not _accepts(request, field, -1)
        big = 2**128 - 1 if "2**128" in accepted else 10**9
        assert _accepts(request, field, big)
        assert "2**128" not in accepted or not _accepts(request, field, 2**128)
    else:
        pytest.fail(f"no range or choices understood in {accepted!r}")
    if whole:
        assert not _accepts(request, field, 1.5)
    assert not _accepts(request, field, math.nan)


# --- a whole scenario document and the newer optional inputs ------------------------------


def test_a_whole_document_runs_without_the_newer_inputs_and_a_file_takes_the_defaults(
    tmp_path: Path,
) -> None:
    import copy

    from peervalue.scenario.defaults import national_defaults_data
    from peervalue.scenario.load import load_scenario
    from peervalue.scenario.schema import ScenarioFile
    from peervalue.service.requests import ScenarioRequest
    from peervalue.service.scenario import run_scenario
    from peervalue.web.requests import WebScenarioFile

    rows = _table("### A whole scenario document, and the newer optional inputs")
    named = [_ticks(r[0]) for r in rows]
    assert named == [
        ["staffing.effect_lag_months"],
        ["costs.optimism_bias"],
        ["[affordability]", "pay_award", "price_inflation"],
    ]
    data = copy.deepcopy(national_defaults_data())
    del data["staffing"]["effect_lag_months"], data["costs"]["optimism_bias"]
    del data["affordability"]
    for model in (ScenarioFile, WebScenarioFile):
        doc = model.model_validate(data)
        assert doc.staffing.effect_lag_months is None and doc.costs.optimism_bias is None
        assert doc.affordability.pay_award is None and doc.affordability.price_inflation is None
    result = run_scenario(ScenarioRequest(scenario=ScenarioFile.model_validate(data), draws=20))
    drawn = {i.field for i in result.inputs}
    assert not {"scenario:staffing.effect_lag_months", "scenario:costs.optimism_bias"} & drawn
    assert (result.affordability.pay_award, result.affordability.price_inflation) == (0, 0)
    # a scenario file that sets none of them takes the national defaults the table states
    (tmp_path / "case.toml").write_text('[scenario]\nname = "A case"\n', encoding="utf-8")
    s = load_scenario(tmp_path / "case.toml").scenario
    stated = [[_number(x) for x in re.findall(r"\d+(?:\.\d+)?", r[2])] for r in rows]
    assert s.staffing.effect_lag_months is not None and s.costs.optimism_bias is not None
    lag = s.staffing.effect_lag_months
    assert [lag.value, *(lag.range or ())] == stated[0]  # 3 months (0 to 6)
    q = s.costs.optimism_bias
    assert [100 * q.value, *(100 * x for x in q.range or ())] == pytest.approx(stated[1])
    pay, prices = s.affordability.pay_award, s.affordability.price_inflation
    assert pay is not None and prices is not None
    got = [100 * x for q in (pay, prices) for x in (q.value, *(q.range or ()))]
    assert got == pytest.approx(stated[2])
