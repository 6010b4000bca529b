"""The command line: every command, every format, help and version."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import peervalue
from tests.cli_helpers import run_cli
from tests.conftest import SYNTHETIC, SYNTHETIC_COSTS


def test_reproduce_json_has_six_consistent_studies(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "reproduce", "--format", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data["price_year"] == "2011-12" and data["currency"] == "GBP"
    assert len(data["studies"]) == 6
    for s in data["studies"]:
        for key in (
            "id",
            "pooling_weight",
            "bed_days_saved_per_fte_year",
            "benefit_per_fte_year",
            "cost_per_fte_year",
            "ratio",
        ):
            assert key in s
        assert s["ratio"] == pytest.approx(s["benefit_per_fte_year"] / s["cost_per_fte_year"])
    # The pooled values follow from the per-study rows printed beside them.
    weights = [s["pooling_weight"] for s in data["studies"]]
    ratios = [s["ratio"] for s in data["studies"]]
    expected = sum(w * r for w, r in zip(weights, ratios, strict=True)) / sum(weights)
    assert data["pooled"]["weighted_mean_ratio"] == pytest.approx(expected)
    benefit = (
        sum(s["total_bed_days_saved"] for s in data["studies"]) * data["costs"]["cost_per_bed_day"]
    )
    cost = sum(s["fte_years"] for s in data["studies"]) * data["costs"]["cost_per_fte_year"]
    assert data["pooled"]["ratio_of_sums"] == pytest.approx(benefit / cost)
    assert data["published_reference"]["weighted_mean_ratio"] == 4.8


def test_reproduce_table_shows_reference_and_break_even(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "reproduce")
    assert run.code == 0
    for text in (
        "Sledge et al. 2011",
        "Weighted mean of ratios",
        "Ratio of sums",
        "Break-even",
        "4.8 : 1",
        "Why they differ",
    ):
        assert text in run.out


def test_reproduce_csv(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "reproduce", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(run.out)))
    assert [r["row_type"] for r in rows] == ["study"] * 6 + ["pooled"] * 2
    assert {r["id"] for r in rows[-2:]} == {"weighted_mean_ratio", "ratio_of_sums"}


def test_analyse_user_files_json(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(
        capsys,
        "analyse",
        "--evidence",
        str(SYNTHETIC),
        "--costs",
        str(SYNTHETIC_COSTS),
        "--format",
        "json",
    )
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert [s["id"] for s in data["studies"]] == ["alpha", "beta", "gamma"]
    assert data["pooled"]["weighted_mean_ratio"] == pytest.approx(-22 / 160)
    assert data["published_reference"] is None  # asked for only with --reference


def test_analyse_weighting_option(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(
        capsys,
        "analyse",
        "-e",
        str(SYNTHETIC),
        "-c",
        str(SYNTHETIC_COSTS),
        "--weighting",
        "intervention",
        "-f",
        "json",
    )
    assert json.loads(run.out)["pooled"]["weighted_mean_ratio"] == pytest.approx(18 / 90)


def test_output_file_written_atomically(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "result.json"
    run = run_cli(capsys, "reproduce", "-f", "json", "-o", str(out))
    assert run.code == 0 and run.out == ""
    assert len(json.loads(out.read_text())["studies"]) == 6
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]


def test_evidence_list_show_validate(capsys: pytest.CaptureFixture[str]) -> None:
    listed = json.loads(run_cli(capsys, "evidence", "list", "-f", "json").out)
    assert len(listed) == 6 and {"id", "citation", "assumed"} <= set(listed[0])
    shown = run_cli(capsys, "evidence", "show", "sledge2011")
    assert "19.08" in shown.out and "reported" in shown.out and "assumed" in shown.out
    shown_json = json.loads(run_cli(capsys, "evidence", "show", "sledge2011", "-f", "json").out)
    assert shown_json["outcome"]["control_sd"]["value"] == 21.63
    shown_csv = run_cli(capsys, "evidence", "show", "min2007", "-f", "csv").out
    assert "outcome.total,1549" in shown_csv
    ok = run_cli(capsys, "evidence", "validate", str(SYNTHETIC))
    assert ok.code == 0 and "OK: 3 valid study files" in ok.out


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "--version").out.strip() == f"peervalue {peervalue.__version__}"
    for command in (
        ["reproduce"],
        ["analyse"],
        ["evidence", "list"],
        ["evidence", "show"],
        ["evidence", "validate"],
        ["evidence"],
        [],
    ):
        run = run_cli(capsys, *command, "--help")
        assert run.code == 0
        assert "Example" in run.out, command


def test_console_script_end_to_end() -> None:
    exe = Path(sys.executable).parent / "peervalue"
    done = subprocess.run(
        [str(exe), "reproduce", "--format", "json"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["studies"]) == 6
