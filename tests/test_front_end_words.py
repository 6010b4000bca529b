"""Errors carry the request field; each front end names it in its own terms.

The library names a field as the Python API does (``cost_basis``); the CLI names its
option (``--cost-basis``), the web API a JSON pointer (``/cost_basis``), the pages the
form's words. No web response or page names a CLI flag or a ``peervalue ...`` command.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml

from peervalue.errors import Naming, field_error, field_ref, see_also
from peervalue.service.requests import AnalysisRequest, make_request
from tests.cli_helpers import run_cli

CASES = Path(__file__).parent / "bad_input" / "cases.yaml"


def _commands() -> list[str]:
    from peervalue.cli.main import full_app

    app = full_app()  # every command, whatever earlier tests happened to import
    names = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    names += [g.name or "" for g in app.registered_groups]
    return sorted(n.replace("_", "-") for n in names if n)


#: a CLI option (``--cost-basis``), not a CSS custom property or an HTML comment
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)*\b(?!\s*:)")
#: a ``peervalue`` command, unless offered as the command line's alternative to a web limit
#: ("the command line (peervalue report)", "the command line, peervalue psa, has no cap")
COMMAND = re.compile(
    r"(?<!command line \()(?<!command line, )\bpeervalue (?:"
    + "|".join(map(re.escape, _commands()))
    + r")\b"
)
MARK = re.compile("[\u27e6\u27e7]")


def cli_words(text: str) -> list[str]:
    """The CLI flags, ``peervalue`` commands and unrendered field marks in ``text``."""
    text = re.sub(r"<style.*?</style>", "", text, flags=re.S)
    return FLAG.findall(text) + COMMAND.findall(text) + MARK.findall(text)


def test_the_checker_finds_flags_and_commands() -> None:
    assert COMMAND.pattern.count("evidence") >= 1
    found = cli_words("expected --cost-basis full (peervalue evidence sets); \u27e6x\u27e7")
    assert found == ["--cost-basis", "peervalue evidence", "\u27e6", "\u27e7"]
    assert cli_words("<style>:root { --ink: #111; }</style><!-- note -->peervalue 1.0") == []
    # offered as the alternative to a web limit, the command line may be named
    assert cli_words("or with the command line (peervalue report), which has no cap") == []
    assert cli_words("(the command line, peervalue psa, has no such cap)") == []
    assert cli_words("run it: peervalue psa") == ["peervalue psa"]


def _naming_examples() -> tuple[str, ...]:
    err = field_error(
        "cost_basis",
        "got pay",
        f"full, or {field_ref('resources', 'bed-days')} ({see_also('evidence-sets')})",
    )
    from peervalue.cli.common import CliNaming
    from peervalue.web.problems import API_NAMING
    from peervalue.web.render import PAGE_NAMING

    return (
        err.message(),
        err.message(CliNaming()),
        err.message(API_NAMING),
        err.message(PAGE_NAMING),
    )


def test_each_front_end_names_the_field_and_the_hint() -> None:
    plain, cli, api, page = _naming_examples()
    assert plain == (
        "cost_basis: got pay; expected full, or resources='bed-days' (the bundled evidence sets)."
    )
    assert cli == (
        "--cost-basis: got pay; expected full, or --resources bed-days (peervalue evidence sets)."
    )
    assert api == (
        '/cost_basis: got pay; expected full, or /resources: "bed-days" '
        "(GET /api/v1/evidence-sets)."
    )
    assert page == (
        'cost basis: got pay; expected full, or resources "bed-days" '
        "(the evidence sets on the Evidence page)."
    )
    assert field_error("x", "bad").request_field == "x"


def test_a_request_mistake_names_the_field_in_python_and_the_option_on_the_cli(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(Exception) as caught:
        make_request(AnalysisRequest, evidence_set="nope")
    assert str(caught.value).startswith("evidence_set: got 'nope', which is not a bundled")
    assert "(the bundled evidence sets)" in str(caught.value)
    run = run_cli(capsys, "analyse", "--evidence-set", "nope")
    assert run.code == 2
    assert "--evidence-set: got 'nope'" in run.err
    assert "(peervalue evidence sets)" in run.err


def _client() -> Any:
    import tempfile

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from peervalue.web.app import create_app

    folder = Path(tempfile.mkdtemp(prefix="peervalue-words-"))
    url = f"sqlite:///{folder / 'words.db'}"
    return TestClient(create_app(url, allowed_hosts=["testserver"], runs_per_minute=0))


def test_the_api_names_the_field_as_a_json_pointer() -> None:
    answer = _client().post("/api/v1/analysis", json={"evidence_set": "nope"})
    assert answer.status_code == 422
    body = answer.json()
    assert body["errors"][0]["path"] == "/evidence_set"
    assert "(GET /api/v1/evidence-sets)" in body["detail"]
    assert cli_words(answer.text) == []


def _http_cases() -> list[dict[str, Any]]:
    cases = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    return [c for c in cases if "http" in c]


@pytest.mark.parametrize("case", _http_cases(), ids=lambda c: str(c["name"]))
def test_no_web_answer_in_the_corpus_names_a_cli_flag_or_command(
    case: dict[str, Any], tmp_path: Path
) -> None:
    from tests.test_bad_input_corpus import _places, _prepare, _run_http

    _prepare(tmp_path)
    outcome = _run_http(case, _places(tmp_path))
    assert cli_words(outcome.err) == [], outcome.err[:2000]


PAGES = ["/", "/evidence", "/evidence/sledge2011", "/scenarios", "/no-such-page", "/docs"]


@pytest.mark.parametrize("path", PAGES)
def test_no_page_names_a_cli_flag_or_command(path: str) -> None:
    answer = _client().get(path)
    assert answer.status_code in (200, 404)
    assert cli_words(answer.text) == [], answer.text[:2000]


def test_plain_naming_is_the_default() -> None:
    assert Naming().render(f"use {field_ref('draws')}") == "use draws"
