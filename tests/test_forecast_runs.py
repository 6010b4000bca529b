"""``peervalue analyse`` and ``peervalue psa`` priced at a forecast year (2026-27, 2027-28)
say so, as business cases and ``costs rebase`` do: in the JSON (``price_index_note``), the
CSV (a column), the terminal table and the report; a year that is not forecast adds
nothing, so those outputs stay as they were."""

from __future__ import annotations

import csv
import io
import json

import pytest

from peervalue.service.requests import AnalysisRequest, PsaRequest
from peervalue.service.runs import run_analysis, run_psa
from tests.cli_helpers import run_cli


def test_analyse_at_a_forecast_year_says_so_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_cli(capsys, "analyse", "--price-year", "2026-27", "--format", "json")
    assert out.code == 0, out.err
    note = json.loads(out.out)["price_index_note"]
    # 2025-26 level 390.634 x 1.02305 (assumed NHSCII growth) = 399.64; the range from
    # 390.634 x 1.0124 = 395.48 to 390.634 x 1.0402 = 406.34
    assert note.startswith("priced at 2026-27, a forecast year: index 399.6 (range 395.5 to 406.3")
    assert note.endswith("this run holds the index at the assumed growth")
    table = run_cli(capsys, "analyse", "--price-year", "2026-27")
    assert "Forecast prices: priced at 2026-27" in " ".join(table.out.split())
    rows = list(csv.DictReader(io.StringIO(
        run_cli(capsys, "analyse", "--price-year", "2026-27", "--format", "csv").out
    )))  # fmt: skip
    assert rows and all(r["price_index_note"] == note for r in rows)


def test_a_year_that_is_not_forecast_adds_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_cli(capsys, "analyse", "--price-year", "2025-26", "--format", "json")
    assert "price_index_note" not in json.loads(out.out)
    listed = run_cli(capsys, "analyse", "--price-year", "2025-26", "--format", "csv").out
    assert "price_index_note" not in listed.splitlines()[0]
    assert run_analysis(AnalysisRequest(price_year="2024-25")).price_index_note is None


def test_psa_at_a_forecast_year_names_each_index_it_rebases_with() -> None:
    r = run_psa(PsaRequest(price_year="2027-28", indexation="pay-for-pay", draws=200, seed=1))
    assert r.price_index_note is not None
    # both indexes under pay-for-pay, each with both forecast years' growth
    assert "of the NHS pay and prices index" in r.price_index_note
    assert "of the NHS pay index" in r.price_index_note
    assert "2026-27 2.38% (1.21% to 5.11%); 2027-28 2.38% (1.21% to 5.11%)" in r.price_index_note
    assert r.model_dump(mode="json")["price_index_note"] == r.price_index_note
    plain = run_psa(PsaRequest(price_year="2027-28", draws=200, seed=1))
    assert plain.price_index_note is not None and "NHS pay index" not in plain.price_index_note
