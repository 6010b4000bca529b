"""The service layer: requests check every option once, runs return typed results.

Also: the worked example in docs/api.md runs and prints what the page says; results
follow one JSON policy (NaN and infinity as null); the command line and the Python
API give identical results for the same request; ``import peervalue`` stays light.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

import peervalue
from peervalue.costs.load import load_costs
from peervalue.evidence.load import load_evidence
from peervalue.report.registry import render
from peervalue.service import (
    AnalysisRequest,
    MetaRequest,
    PsaRequest,
    SensitivityRequest,
    ThresholdRequest,
    make_request,
    run,
    run_analysis,
    run_psa,
)
from tests.cli_helpers import run_cli
from tests.conftest import SYNTHETIC, SYNTHETIC_COSTS, SYNTHETIC_SECONDARY

API_DOC = Path(__file__).parents[1] / "docs" / "api.md"


def test_the_api_guide_example_runs_and_prints_what_it_says() -> None:
    first_block = re.findall(r"```python\n(.*?)```", API_DOC.read_text(), flags=re.S)[0]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(first_block, {})
    printed = out.getvalue()
    # 4.5 bed-days x 80 patients / 2 FTE-years = 180 per FTE-year; x 719.10 / 45,000
    assert f'"weighted_mean_ratio": {180 * 719.10 / 45_000!r}' in printed
    assert f"'bed_days_saved_per_fte_year': {45_000 / 719.10!r}" in printed
    assert "\n1.0\n" in printed  # no draw of the cost (at most 52,000) reaches 129,438


def test_json_policy_nan_is_null_in_json_and_nan_in_python() -> None:
    result = run_analysis(AnalysisRequest(evidence=SYNTHETIC_SECONDARY, costs=SYNTHETIC_COSTS))
    assert math.isnan(result.model_dump()["pooled"]["ratio_of_sums"])
    assert result.model_dump(mode="json")["pooled"]["ratio_of_sums"] is None
    assert json.loads(result.model_dump_json())["pooled"]["ratio_of_sums"] is None
    # the JSON renderer and to_dict follow the same policy
    assert json.loads(render(result, "json")) == result.to_dict()


def test_option_errors_name_the_option_the_user_typed() -> None:
    with pytest.raises(peervalue.InputError) as caught:
        make_request(PsaRequest, {"draws": "--draws"}, draws=0)
    assert str(caught.value) == (
        "--draws: got 0; expected a whole number from 1 to 20,000,000 (the cap keeps the kept "
        "draws, about 4 bytes x (studies + 10) each, within a few GiB of memory)."
    )
    with pytest.raises(peervalue.InputErrorGroup) as several:
        make_request(PsaRequest, draws=0, seed=-1, horizon=0)
    assert [e.source for e in several.value.errors] == ["draws", "seed", "horizon"]
    assert isinstance(several.value, peervalue.InputError)


@pytest.mark.parametrize(
    ("cls", "field", "value", "fragment"),
    [
        (MetaRequest, "caseload", math.inf, "got inf"),
        (MetaRequest, "caseload", math.nan, "got nan"),
        (MetaRequest, "caseload", 0.0, "from 0.1 (one person shared"),
        (MetaRequest, "caseload", 0.099, "from 0.1 (one person shared"),
        (PsaRequest, "population_fte", 0.009, "FTE from 0.01"),
        (MetaRequest, "level", 1.0, "between 0 and 1"),
        (PsaRequest, "discount_rate", 3.5, "from 0 to 0.2"),
        (PsaRequest, "horizon", 51, "from 1 to 50"),
        (PsaRequest, "population_fte", 1e308, "to 1e+06"),
        (PsaRequest, "chunk_size", 0, "from 1 to"),
        (PsaRequest, "seed", 2**128, "0 or above"),
        (PsaRequest, "draws", 20_000_001, "20,000,000"),
        (PsaRequest, "draws", 1.5, "whole number"),
        (PsaRequest, "draws", "100", "whole number"),
        (PsaRequest, "draws", True, "whole number"),
        (SensitivityRequest, "pooling", "median", "one of"),
    ],
)
def test_every_run_option_is_checked_in_the_request(
    cls: type[PsaRequest], field: str, value: object, fragment: str
) -> None:
    values: dict[str, Any] = {field: value}
    with pytest.raises(ValidationError) as caught:
        cls(**values)
    assert caught.value.errors()[0]["loc"] == (field,)
    with pytest.raises(peervalue.InputError) as message:
        make_request(cls, **values)
    assert message.value.source == field
    assert fragment in str(message.value)


def test_unknown_request_field_is_refused_with_a_suggestion() -> None:
    with pytest.raises(peervalue.InputError, match="not a recognised field"):
        make_request(PsaRequest, draw=10)


def test_in_memory_cost_document_outside_the_price_index_is_refused_on_validation() -> None:
    costs = load_costs(SYNTHETIC_COSTS).model_copy(update={"price_year": "1990-91"})
    with pytest.raises(ValidationError) as caught:
        AnalysisRequest(costs=costs)
    error = caught.value.errors()[0]
    assert error["loc"] == ("costs",)
    assert "price year '1990-91' is not covered" in error["msg"]
    assert "a financial year from 2008-09 to 2027-28" in error["msg"]


def test_in_memory_studies_must_be_unique_and_present() -> None:
    studies = list(load_evidence(SYNTHETIC).studies)
    with pytest.raises(ValidationError, match="'alpha' is used by two studies"):
        AnalysisRequest(evidence=[*studies, studies[0]])
    with pytest.raises(ValidationError, match="list of studies is empty"):
        AnalysisRequest(evidence=[])


def test_documents_and_files_give_the_same_result() -> None:
    evidence = load_evidence(SYNTHETIC)
    from_files = run_analysis(AnalysisRequest(evidence=SYNTHETIC, costs=SYNTHETIC_COSTS))
    from_objects = run_analysis(
        AnalysisRequest(evidence=evidence, costs=load_costs(SYNTHETIC_COSTS))
    )
    from_list = run_analysis(
        AnalysisRequest(
            evidence=list(evidence.studies),
            evidence_label=str(SYNTHETIC),
            costs=load_costs(SYNTHETIC_COSTS),
        )
    )
    assert from_files == from_objects == from_list
    assert from_objects.evidence == str(SYNTHETIC)  # an Evidence keeps its label


def test_run_dispatches_on_the_request_type() -> None:
    request = ThresholdRequest(evidence=SYNTHETIC, costs=SYNTHETIC_COSTS, pooling="sums")
    result = run(request)
    assert result == peervalue.threshold(SYNTHETIC, SYNTHETIC_COSTS, pooling="sums")
    assert type(result).__name__ == "ThresholdResult"


def test_cli_and_api_agree_byte_for_byte(capsys: pytest.CaptureFixture[str]) -> None:
    cli = run_cli(
        capsys, "psa", "-n", "3000", "-s", "4", "--evidence", str(SYNTHETIC),
        "--costs", str(SYNTHETIC_COSTS), "--format", "json",
    )  # fmt: skip
    api = peervalue.psa(SYNTHETIC, SYNTHETIC_COSTS, draws=3000, seed=4)
    assert cli.out == render(api, "json")


def test_draws_are_kept_only_when_asked_for() -> None:
    plain = run_psa(PsaRequest(evidence=SYNTHETIC, costs=SYNTHETIC_COSTS, draws=2048))
    assert plain.kept_draws is None
    kept = run_psa(
        PsaRequest(evidence=SYNTHETIC, costs=SYNTHETIC_COSTS, draws=2048, keep_draws=True)
    )
    draws = kept.kept_draws
    assert draws.study_ratio.shape == (3, 2048)
    assert draws.break_even_caseload.dtype.name == "float64"
    # the kept draws are the ones summarised, and never serialised
    median = float(np.median(draws.pooled_ratio["weighted"].astype(np.float64)))
    assert kept.pooled["weighted"].ratio.median == pytest.approx(median, rel=1e-12)
    assert "kept_draws" not in kept.model_dump(mode="json")
    assert kept.model_dump(mode="json") == plain.model_dump(mode="json")


def test_importing_peervalue_loads_no_numerical_library() -> None:
    code = (
        "import sys, peervalue, peervalue.service, peervalue.cli;"
        "heavy = [m for m in ('numpy', 'pandas', 'scipy') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_listing_the_evidence_loads_no_numerical_library() -> None:
    # the table renderers import every result type (EVPPI's among them): none may pull in
    # numpy or scipy, or `evidence list` pays for them
    code = (
        "import sys\nfrom peervalue.cli import main\n"
        "try:\n    main(['evidence', 'list'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('numpy', 'pandas', 'scipy') if m in sys.modules]\n"
        "print('heavy:' + ','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "heavy:"


def test_help_shows_no_type_after_flags(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "analyse", "--help")
    assert run.code == 0
    assert "--leave-one-out" in run.out and "<bool>" not in run.out
    assert "<int>" in run.out  # options that take a value still show their type


# --- found by the adversarial input sweep ---------------------------------------------------


def test_documents_changed_after_validation_are_checked_again() -> None:
    """``model_copy(update=...)`` skips pydantic's checks; a request checks the document again."""
    costs = load_costs(SYNTHETIC_COSTS)
    bad_cost = costs.bed_day.model_copy(update={"value": -5.0, "range": (-10.0, 0.0)})
    with pytest.raises(peervalue.InputError, match=r"costs: field 'bed_day': must be greater"):
        make_request(AnalysisRequest, costs=costs.model_copy(update={"bed_day": bad_cost}))
    study = load_evidence(SYNTHETIC).studies[0]
    arms = study.arms.model_copy(
        update={"intervention": study.arms.intervention.model_copy(update={"value": 0.0})}
    )
    with pytest.raises(peervalue.InputError, match=r"arms.intervention': must be greater"):
        make_request(AnalysisRequest, evidence=[study.model_copy(update={"arms": arms})])


@pytest.mark.parametrize("value", ["psa", None, {"kind": "psa"}, MetaRequest()])
def test_running_something_that_is_not_the_right_request_is_an_input_error(value: Any) -> None:
    with pytest.raises(peervalue.InputError, match="request: got"):
        run_psa(value)
    if not isinstance(value, MetaRequest):
        with pytest.raises(peervalue.InputError, match="AnalysisRequest or PsaRequest"):
            run(value)


def test_numpy_numbers_are_named_as_such() -> None:
    with pytest.raises(peervalue.InputError, match=r"np.int64\(10\), not a plain Python number"):
        make_request(PsaRequest, draws=np.int64(10))


def test_psa_warns_about_too_few_draws_and_ratios_that_cannot_be_computed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A study file can no longer declare a gamma that draws zero FTE (issue 23: at most
    # 2.5% of draws below 0.01 FTE); the warning stays as a safety net, tested here with
    # that limit lifted.
    import peervalue.provenance

    monkeypatch.setattr(peervalue.provenance, "MAX_SHARE_BELOW", 1.0)
    text = (SYNTHETIC / "alpha.yaml").read_text()
    fte = "fte: {value: 2, unit: FTE, status: assumed, range: [1, 3], rationale: synthetic}"
    assert fte in text
    (tmp_path / "alpha.yaml").write_text(
        text.replace(
            fte,
            # no range: a declared distribution is cut to a stated range, which would keep
            # every draw between 1 and 3
            "fte: {value: 2, unit: FTE, status: reported, source: {citation: synthetic}, "
            "distribution: {kind: gamma, sd: 100000}}",
        )
    )
    result = peervalue.psa(tmp_path, SYNTHETIC_COSTS, draws=50)
    monkeypatch.undo()
    with pytest.raises(peervalue.InputError, match="draws below the smallest plausible"):
        peervalue.psa(tmp_path, SYNTHETIC_COSTS, draws=50)
    assert result.warnings[0].startswith("Only 50 draws")
    assert any(
        w.startswith("alpha: 50 of 50 draws of the ratio cannot be computed")
        for w in result.warnings
    )
    assert math.isnan(result.studies[0].ratio.mean)
    from peervalue.report.table_analysis import plain_text

    assert "Warnings" in plain_text(render(result, "table"))  # shown, not only in JSON
    plenty = peervalue.psa(SYNTHETIC, SYNTHETIC_COSTS, draws=1000)
    assert not any("draws" in w for w in plenty.warnings)


def test_meta_interval_titles_keep_the_level_as_given(capsys: pytest.CaptureFixture[str]) -> None:
    cli = run_cli(capsys, "meta", "--level", "0.975", "--evidence", str(SYNTHETIC))
    assert cli.code == 0
    assert "97.5% CI" in cli.out and "98% CI" not in cli.out


def test_output_dash_is_the_screen(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    cli = run_cli(capsys, "reproduce", "-f", "json", "-o", "-")
    assert cli.code == 0 and json.loads(cli.out)["pooled"]
    assert list(tmp_path.iterdir()) == []  # no file called '-'
