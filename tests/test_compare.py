"""2013 beside 2026: evidence sets side by side, and what changed."""

from __future__ import annotations

import json

import pytest

from peervalue.service import AnalysisRequest, PsaRequest, run_analysis, run_psa
from peervalue.service.compare import MethodSummary, SetSide, StudyLine, explain, run_compare
from peervalue.service.requests import EvidenceComparisonRequest
from tests.cli_helpers import run_cli


def test_each_side_is_the_analysis_of_its_set() -> None:
    result = run_compare(
        EvidenceComparisonRequest(evidence_sets=["cmh2013", "all-2026"], draws=2_000)
    )
    base, new = result.sides
    reference = run_analysis(AnalysisRequest())  # the default: the bundled six
    assert base.pooled["weighted"].ratio == reference.pooled.weighted_mean_ratio
    assert base.pooled["sums"].ratio == reference.pooled.ratio_of_sums
    psa = run_psa(PsaRequest(evidence_set="all-2026", draws=2_000))
    assert (
        new.pooled["weighted"].prob_net_benefit_positive
        == psa.pooled["weighted"].prob_net_benefit_positive
    )
    assert result.added == ["core2018", "croft2015", "forchuk2005", "landers2014", "scanlan2017"]
    assert result.dropped == []
    assert set(new.not_pooled) == {
        "enrich2022",
        "kelly2021",
        "mahlke2017",
        "nycrespite2018",
        "oconnell2018",
        "simpson2014",
    }
    text = " ".join(result.what_changed)
    # the weighted mean follows the study with most patients; the words say which, and why
    heaviest = max(new.studies, key=lambda s: s.pooling_weight)
    assert heaviest.id == "landers2014"
    share = heaviest.pooling_weight / sum(s.pooling_weight for s in new.studies)
    assert "Landers & Zhou 2014 carries 35,600 of" in text
    assert f"({100 * share:.0f}% of the weight)" in text
    assert "Forchuk 2005 bundles more than peer support" in text
    assert "falls from 1.44 to 0.40" in text


def test_compare_cli(capsys: pytest.CaptureFixture[str]) -> None:
    args = ("compare", "--evidence-set", "cmh2013", "--evidence-set", "rct-only", "-n", "300")
    data = json.loads(run_cli(capsys, *args, "-f", "json").out)
    assert [s["evidence_set"] for s in data["sides"]] == ["cmh2013", "rct-only"]
    assert data["dropped"] == ["chinman2001", "klein1998", "lawn2008", "min2007"]
    csv = run_cli(capsys, *args, "-f", "csv").out.strip().splitlines()
    assert len(csv) == 1 + 2 * 2
    assert "What changed" in run_cli(capsys, *args).out
    one = run_cli(capsys, "compare", "--evidence-set", "cmh2013")
    assert one.code == 2 and "--evidence-set: got one set; expected two to five" in one.err
    six = run_cli(capsys, "compare", *[a for n in range(6) for a in ("--evidence-set", "x")])
    assert six.code == 2 and "got 6 sets; expected two to five evidence sets" in six.err
    twice = run_cli(capsys, "compare", "--evidence-set", "cmh2013", "--evidence-set", "cmh2013")
    assert twice.code == 2 and "got 'cmh2013' twice; expected different evidence sets" in twice.err


def test_compare_counting_every_resource_says_so() -> None:
    result = run_compare(
        EvidenceComparisonRequest(evidence_sets=["cmh2013", "all-2026"], draws=200, resources="all")
    )
    assert result.counted_resources == ["bed-days", "emergency_department_visit"]
    assert "kelly2021" in [s.id for s in result.sides[1].studies]
    assert "kelly2021" not in result.sides[1].not_pooled
    plain = run_compare(EvidenceComparisonRequest(evidence_sets=["cmh2013", "all-2026"], draws=200))
    assert plain.counted_resources is None and "counted_resources" not in plain.to_dict()


def _line(sid: str, weight: float, fte: float, ratio: float, bundled: bool = False) -> StudyLine:
    return StudyLine(
        id=sid,
        citation=f"{sid.title()} 2020",
        country="UK",
        design="rct",
        randomisation="individual",
        risk_of_bias="low",
        bundled=bundled,
        outcome="mean_bed_days",
        pooling_weight=weight,
        fte_years=fte,
        ratio=ratio,
    )


def _side(name: str, studies: list[StudyLine], ratio: float, prob: float) -> SetSide:
    summary = MethodSummary(
        ratio=ratio, median=ratio, p2_5=ratio, p97_5=ratio, prob_net_benefit_positive=prob
    )
    return SetSide(
        evidence_set=name,
        label=name,
        pooled={"weighted": summary, "sums": summary},
        studies=studies,
        not_pooled={"gone": "no figures"},
    )


def test_what_changed_says_only_what_the_numbers_show() -> None:
    # the heaviest study (a: 400 of 1,000 patients, ratio 1) does not set the pooled ratio:
    # b and c, bundled, supply (300 x 10 + 300 x 0) / (400 x 1 + 300 x 10 + 0) = 3000 / 3400
    # = 88% of the weighted sum, from 30% of the patients. Weighted mean = 3400 / 1000 = 3.40.
    a, b, c = _line("a", 400, 4, 1.0), _line("b", 300, 1, 10.0, True), _line("c", 300, 1, 0.0, True)
    base = _side("old", [a], 3.40, 0.9)
    new = _side("new", [a, b, c], 3.40, 0.9)
    text = " ".join(explain(base, new))
    assert "A 2020 carries 400 of 1,000 patients (40% of the weight) with a ratio of 1.00" in text
    assert "pulled towards" not in text and "sits close" not in text  # 40% is not a majority
    assert "B 2020 supplies 88% of the weighted sum from 30% of the patients (ratio 10.00)" in text
    # the same ratio and probability as printed: no direction is claimed
    assert "The weighted mean of ratios stays at 3.40 : 1" in text
    assert "benefits exceed costs stays at 90%" in text
    assert "records 1 study that cannot be pooled" in text
    assert "B 2020, C 2020 bundle more than peer support, so their ratios overstate" in text
    # a majority of the weight does pull the pooled ratio towards the study's own
    heavy = _side("heavy", [_line("a", 900, 4, 1.0), _line("b", 100, 1, 10.0)], 1.9, 0.5)
    assert "so the pooled ratio (1.90) is pulled towards its own" in " ".join(explain(base, heavy))


def test_three_sets_name_what_each_later_set_adds_and_leaves_out(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # all-2026 keeps the 2013 six, rct-only leaves four of them out: 'dropped' used to be
    # empty here (a study any later set pools was not counted as dropped), and the table
    # listed only the added studies while the words named the four left out.
    args = ["compare", "-n", "300"]
    for name in ("cmh2013", "all-2026", "rct-only"):
        args += ["--evidence-set", name]
    data = json.loads(run_cli(capsys, *args, "-f", "json").out)
    assert data["dropped"] == ["chinman2001", "klein1998", "lawn2008", "min2007"]
    table = run_cli(capsys, *args, "-f", "table").out
    assert "added in all-2026, rct-only" in table  # core2018 and forchuk2005
    assert table.count("left out of rct-only") == 4
