"""Every request field is reachable from the Python API, the command line and the web API.

The request models (service/requests.py) declare the fields once; the Python functions
take them from there, and each command's options map onto them (a few options are
spelled differently, listed below; a few fields are for other front ends, each with
its reason).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import peervalue
from peervalue.service import api
from peervalue.service.api import request_fields
from peervalue.service.requests import (
    AnalysisRequest,
    CumulativeRequest,
    EvidenceComparisonRequest,
    EvppiRequest,
    MetaRequest,
    PlotRequest,
    PsaRequest,
    ReportRequest,
    Request,
    ScenarioRequest,
    SensitivityRequest,
    SynthesisRequest,
    ThresholdRequest,
    TwoWayRequest,
)

DATA = Path(peervalue.__file__).parent / "data"

PYTHON: dict[str, type[Request]] = {
    "analyse": AnalysisRequest,
    "psa": PsaRequest,
    "sensitivity": SensitivityRequest,
    "threshold": ThresholdRequest,
    "meta": MetaRequest,
    "synthesise": SynthesisRequest,
    "run_business_case": ScenarioRequest,
    "evppi": EvppiRequest,
    "cumulative": CumulativeRequest,
    "compare": EvidenceComparisonRequest,
    "plot": PlotRequest,
    "make_report": ReportRequest,
}


@pytest.mark.parametrize(("name", "cls"), PYTHON.items())
def test_every_field_is_a_keyword_of_the_top_level_function(name: str, cls: type[Request]) -> None:
    function = getattr(peervalue, name)
    assert function is getattr(api, name)
    params = set(inspect.signature(function).parameters)
    assert set(request_fields(cls)) <= params, set(request_fields(cls)) - params


def test_analyse_takes_an_evidence_set() -> None:
    result = peervalue.analyse(evidence_set="all-2026")
    # all-2026 lists every bundled study file (6 of 2013 + 11 added in 2026); its comment
    # names the 6 recorded without a usable outcome: 6 + 11 - 6 = 11 pooled
    files = len(list((DATA / "evidence").glob("*.yaml"))) + len(
        list((DATA / "evidence-2026").glob("*.yaml"))
    )
    assert files == 17
    assert len(result.studies) == files - 6 == 11
    assert {"sledge2011", "core2018", "landers2014"} <= {s.id for s in result.studies}


def test_an_unknown_keyword_is_a_type_error_and_a_bad_value_an_input_error() -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'evidence_sett'"):
        peervalue.analyse(evidence_sett="all-2026")
    with pytest.raises(peervalue.InputError, match="evidence_set: got 'nope'"):
        peervalue.analyse(evidence_set="nope")
    with pytest.raises(TypeError, match="multiple values for argument 'evidence'"):
        peervalue.analyse(None, evidence=None)


# --- the command line ---------------------------------------------------------------

#: command -> its request
COMMANDS: dict[str, type[Request]] = {
    "analyse": AnalysisRequest,
    "psa": PsaRequest,
    "sensitivity": TwoWayRequest,
    "threshold": ThresholdRequest,
    "meta": MetaRequest,
    "synthesis": SynthesisRequest,
    "scenario run": ScenarioRequest,
    "evppi": EvppiRequest,
    "cumulative": CumulativeRequest,
    "compare": EvidenceComparisonRequest,
    "plot": PlotRequest,
    "report": ReportRequest,
}

#: options spelled otherwise than their field
SPELLED = {"reference": "with_reference", "two_way": "axes", "i2": "i2_from", "name": "figures"}

#: fields no command offers, and why
NOT_ON_THE_CLI = {
    # the label of evidence given in memory (a file or folder names itself)
    "evidence_label": "in-memory evidence only",
    # ``peervalue reproduce`` runs the analysis with it; analyse shows one basis
    "compare_cost_basis": "set by reproduce",
    # the PSA's draws stay in memory for Python users only (--show prints summaries)
    "keep_draws": "Python only",
}

#: fields one command does not offer, and why
NOT_ON_THE_COMMAND = {
    # scenario run takes its scenario files as arguments (FILES)
    "scenario run": {"scenario": "an argument"},
    # the synthesis pools the effects on bed-days; other resources are the ratio's
    "synthesis": {"resources": "not an input of the synthesis"},
    # compare takes several sets (evidence_sets); the one-set field does not apply
    "compare": {"evidence_set": "given as evidence_sets"},
}


def _commands() -> Iterator[tuple[str, Any]]:
    import typer

    from peervalue.cli.main import full_app

    root = typer.main.get_command(full_app())

    def walk(command: Any, prefix: str) -> Iterator[tuple[str, Any]]:
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                yield from walk(sub, f"{prefix} {name}".strip())
        else:
            yield prefix, command

    yield from walk(root, "")


@pytest.mark.parametrize(("command", "cls"), COMMANDS.items())
def test_every_field_is_an_option_of_its_command(command: str, cls: type[Request]) -> None:
    found = dict(_commands())
    options = {SPELLED.get(p.name, p.name) for p in found[command].params}
    missing = set(request_fields(cls)) - options - set(NOT_ON_THE_CLI)
    missing -= set(NOT_ON_THE_COMMAND.get(command, {}))
    assert not missing, f"peervalue {command} offers no option for {sorted(missing)}"


# --- the web API ----------------------------------------------------------------------

#: web endpoint -> (its service request, where its run is looked up when called)
ENDPOINTS: dict[str, tuple[type[Request], str, str]] = {
    "/api/v1/analysis": (AnalysisRequest, "peervalue.service.runs", "run_analysis"),
    "/api/v1/psa": (PsaRequest, "peervalue.service.runs", "run_psa"),
    "/api/v1/sensitivity": (SensitivityRequest, "peervalue.service.runs", "run_sensitivity"),
    "/api/v1/thresholds": (ThresholdRequest, "peervalue.service.runs", "run_threshold"),
    "/api/v1/scenarios/run": (ScenarioRequest, "peervalue.service.scenario", "run_scenario"),
    "/api/v1/reports": (ReportRequest, "peervalue.web.api", "report_response"),
}

#: requests with no web endpoint, and why
NO_WEB_ENDPOINT = {
    MetaRequest: "the meta-analysis is on the command line and in Python",
    SynthesisRequest: "the Bayesian synthesis takes minutes; not run on the web",
    EvppiRequest: "EVPPI (regressions over draws) is not run on the web",
    CumulativeRequest: "in the report (POST /api/v1/reports), not an endpoint of its own",
    EvidenceComparisonRequest: "evidence sets are compared on the command line",
    PlotRequest: "the figures are in the report (POST /api/v1/reports)",
    TwoWayRequest: "two-way sensitivity is on the command line and in Python",
}

#: fields a web endpoint does not take, and why
NOT_ON_THE_WEB = {
    # the web API returns summaries: keep_draws=true is refused with a 422
    "keep_draws": "Python only",
}


def _sample(field: str) -> dict[str, Any]:
    """A body setting ``field`` to a value other than its default."""
    study = peervalue.load_evidence().studies[0].model_dump(mode="json")
    values: dict[str, dict[str, Any]] = {
        "evidence": {"evidence": [study]},
        "evidence_label": {"evidence": [study], "evidence_label": "our two studies"},
        "evidence_set": {"evidence_set": "all-2026"},
        "resources": {"resources": "all"},
        "costs": {"costs": "england-2024-25"},
        "weighting": {"weighting": "intervention"},
        "price_year": {"price_year": "2024-25"},
        "indexation": {"indexation": "pay-for-pay"},
        "cost_basis": {"cost_basis": "pay"},
        "with_reference": {"with_reference": True},
        "compare_cost_basis": {"compare_cost_basis": True},
        "leave_one_out": {"leave_one_out": True},
        "subgroup": {"subgroup": "design"},
        "draws": {"draws": 123},
        "seed": {"seed": 7},
        "chunk_size": {"chunk_size": 1000},
        "population_fte": {"population_fte": 50.0},
        "horizon": {"horizon": 3},
        "discount_rate": {"discount_rate": 0.05},
        "sampler": {"sampler": "sobol"},
        "probability": {"probability": "conditional"},
        "pooling": {"pooling": "sums"},
    }
    return values[field]


def test_every_request_has_a_web_endpoint_or_a_reason() -> None:
    # the requests the Python API and the command line are checked for, above
    runs = set(PYTHON.values()) | set(COMMANDS.values())
    served = {cls for cls, _, _ in ENDPOINTS.values()}
    assert runs - served == set(NO_WEB_ENDPOINT), (runs - served) ^ set(NO_WEB_ENDPOINT)


@pytest.mark.parametrize("path", ENDPOINTS)
def test_every_field_reaches_the_service_from_the_web(
    path: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import tomllib
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's notice about httpx versions
        from fastapi.testclient import TestClient

    from peervalue.scenario.schema import template_file
    from peervalue.web.app import create_app

    cls, module, name = ENDPOINTS[path]
    seen: list[Request] = []

    class Reached(Exception):
        pass

    def capture(request: Request, *args: Any, **kwargs: Any) -> Any:
        seen.append(request)
        raise Reached

    monkeypatch.setattr(__import__(module, fromlist=[name]), name, capture)
    base: dict[str, Any] = {}
    if path == "/api/v1/scenarios/run":
        document = tomllib.loads(template_file().read_text(encoding="utf-8"))
        document["scenario"]["start"] = document["scenario"]["start"].isoformat()
        base = {"scenario": document}
    app = create_app(f"sqlite:///{tmp_path / 'db'}", allowed_hosts=["testserver"])
    with TestClient(app, raise_server_exceptions=False) as client:
        for field in request_fields(cls):
            if field in NOT_ON_THE_WEB or field == "scenario":
                continue
            body = base | _sample(field)
            seen.clear()
            answer = client.post(path, json=body)
            assert seen, f"{path} {field}: {answer.status_code} {answer.text[:300]}"
            got = seen[0].model_dump(mode="json")
            default = cls.model_fields[field].default
            if field == "costs":  # a bundled set's name reaches the service as its file
                assert Path(got[field]).name == "england-2024-25.yaml", path
            elif isinstance(body[field], str | int | float | bool):
                assert got[field] == body[field], (path, field)
            elif field == "evidence":
                assert [s["id"] for s in got[field]] == [body[field][0]["id"]], path
            assert got[field] != default, (path, field)
