"""The shared run options declared once (issue 17, item 4): ``--evidence``,
``--evidence-set`` and ``--resources`` come from the ``Studies`` option group, and
``--price-year``, ``--indexation`` and ``--cost-basis`` from the ``Prices`` group, put in
each command's signature by ``option_groups``; they reach the request as given."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from peervalue.cli.common import DEFAULT_PRICES, CostBasisChoice, IndexationChoice, Prices
from peervalue.cli.common import option_groups as groups
from tests.cli_helpers import run_cli

CLI = Path(__file__).resolve().parents[1] / "src" / "peervalue" / "cli"


def test_no_command_declares_the_price_options_itself() -> None:
    # `reproduce` keeps its own --cost-basis (another default and help: pay, with the other
    # basis beside it), so it declares all three; every other command takes the groups
    for path in sorted(CLI.glob("*.py")):
        if path.name == "common.py":
            continue
        text = path.read_text(encoding="utf-8")
        expected = 1 if path.name == "analysis.py" else 0
        assert text.count("indexation: IndexationOpt") == expected, path.name
        assert text.count("cost_basis: CostBasisOpt") == 0, path.name
        # the three study options together are the group (evidence list/show, reproduce and
        # compare take some of them with others, so they declare theirs themselves)
        trio = (
            "evidence: EvidenceOpt = None,\n    evidence_set: EvidenceSetOpt = None,\n"
            "    resources: ResourcesOpt"
        )
        assert trio not in text, path.name


def _tiny_app(seen: list[Prices]) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    @groups
    def run(
        first: str = "a",
        prices: Prices = DEFAULT_PRICES,
        last: int = 1,
    ) -> None:
        seen.append(prices)
        typer.echo(f"{first} {last}")

    return app


def test_the_group_arrives_as_one_value_with_the_others_around_it() -> None:
    seen: list[Prices] = []
    app = _tiny_app(seen)
    runner = CliRunner()
    out = runner.invoke(app, ["--first", "x", "--last", "3"])
    assert out.exit_code == 0 and out.output == "x 3\n"
    assert seen[-1] == Prices(None, IndexationChoice.pay_and_prices, None)
    args = ["--price-year", "2024-25", "--indexation", "pay-for-pay", "--cost-basis", "pay"]
    out = runner.invoke(app, args)
    assert out.exit_code == 0, out.output
    assert seen[-1] == Prices("2024-25", IndexationChoice.pay_for_pay, CostBasisChoice.pay)
    # the group's options stand where the group stood: between --first and --last
    help_text = runner.invoke(app, ["--help"], env={"COLUMNS": "200"}).output
    places = [help_text.index(o) for o in ("--first", "--price-year", "--indexation")]
    assert places == sorted(places) and places[-1] < help_text.index("--cost-basis")
    assert help_text.index("--cost-basis") < help_text.index("--last")


def test_a_command_passes_the_studies_on(capsys: pytest.CaptureFixture[str]) -> None:
    import peervalue

    args = ("--evidence-set", "all-2026", "--resources", "all")
    data = json.loads(run_cli(capsys, "threshold", *args, "--format", "json").out)
    direct = peervalue.threshold(evidence_set="all-2026", resources="all")
    got = [t["break_even"] for t in data["thresholds"]]
    assert got == pytest.approx([t.break_even for t in direct.thresholds])
    assert data["thresholds"][0]["current"] == pytest.approx(direct.thresholds[0].current)
    assert data["thresholds"][0]["current"] != pytest.approx(
        peervalue.threshold().thresholds[0].current
    )


def test_a_command_passes_the_prices_on(capsys: pytest.CaptureFixture[str]) -> None:
    import peervalue

    args = ("--price-year", "2024-25", "--indexation", "pay-for-pay", "--cost-basis", "pay")
    data = json.loads(run_cli(capsys, "threshold", *args, "--format", "json").out)
    direct = peervalue.threshold(price_year="2024-25", indexation="pay-for-pay", cost_basis="pay")
    default = peervalue.threshold()
    got = [t["break_even"] for t in data["thresholds"]]
    assert got == pytest.approx([t.break_even for t in direct.thresholds])
    # and they changed something: the default prices give other break-even points
    assert got != pytest.approx([t.break_even for t in default.thresholds])


def test_a_price_option_given_twice_is_still_refused(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "threshold", "--price-year", "2024-25", "--price-year", "2023-24")
    assert run.code == 2 and "--price-year" in run.err and "given 2 times" in run.err
