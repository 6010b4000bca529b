"""Unit costs: the bundled 2011-12 build-up, price indices and rebasing."""

from __future__ import annotations

from pathlib import Path

import pytest

import peervalue
from peervalue.costs.indices import chain_levels, nhs_pay_and_prices
from peervalue.errors import InputError
from tests.conftest import SYNTHETIC, SYNTHETIC_COSTS, edit_yaml


def test_bundled_peer_worker_cost_is_built_from_components() -> None:
    # 20,183 (AfC 2011-12 band 4, spine point 14) x (1 + 0.0896 NI + 0.14 superannuation
    # + 0.74 overheads + 0.29 capital) = 20,183 x 2.2596; NI = 0.138 x (20,183 - 7,072) / 20,183
    assert pytest.approx(0.0896, abs=5e-5) == 0.138 * (20_183 - 7_072) / 20_183
    res = peervalue.analyse(peervalue.load_evidence(), peervalue.load_costs())
    assert res.costs.cost_per_fte_year == pytest.approx(20_183 * 2.2596)
    assert res.costs.cost_per_bed_day == pytest.approx(334)
    assert res.break_even_bed_days_per_fte_year == pytest.approx(20_183 * 2.2596 / 334)
    assert res.price_year == "2011-12"


def test_index_levels_hchs_then_nhscii() -> None:
    idx = nhs_pay_and_prices()
    assert idx.levels["2011-12"] == 282.5
    assert idx.factor("2011-12", "2014-15") == pytest.approx(293.1 / 282.5)
    # 2014-15 -> 2015-16 is the NHSCII pay and prices rise of 0.40%
    assert idx.factor("2014-15", "2015-16") == pytest.approx(1.004)
    # 2011-12 -> 2024-25: HCHS 293.1 / 282.5 times the NHSCII chain 1.295081 (research note)
    assert idx.factor("2011-12", "2024-25") == pytest.approx(1.037522 * 1.295081, rel=1e-5)


def test_chain_levels() -> None:
    assert chain_levels({"a": 100.0}, {"b": 10.0, "c": -50.0}) == pytest.approx(
        {"a": 100.0, "b": 110.0, "c": 55.0}
    )


def test_cost_at_another_price_year_is_rebased(tmp_path: Path) -> None:
    costs = tmp_path / "costs.yaml"
    costs.write_text(SYNTHETIC_COSTS.read_text())

    def older_bed_day(data: dict) -> None:  # type: ignore[type-arg]
        data["bed_day"]["price_year"] = "2010-11"

    edit_yaml(costs, older_bed_day)
    res = peervalue.analyse(peervalue.load_evidence(SYNTHETIC), peervalue.load_costs(costs))
    assert res.costs.cost_per_bed_day == pytest.approx(300 * 282.5 / 276.7)
    assert res.costs.rebased_from["bed_day"].startswith("2010-11 x 1.0209")


def test_unknown_price_year_names_field(tmp_path: Path) -> None:
    costs = tmp_path / "costs.yaml"
    costs.write_text(
        SYNTHETIC_COSTS.read_text().replace("price_year: 2011-12\nbed", "price_year: 2031-32\nbed")
    )
    with pytest.raises(InputError) as info:
        peervalue.load_costs(costs)
    msg = str(info.value)
    assert "price_year" in msg and "2031-32" in msg and "2008-09 to 2027-28" in msg
