"""The bundled six studies: figures match their sources, and every assumption is declared."""

from __future__ import annotations

import pytest

import peervalue
from peervalue.provenance import Status


@pytest.fixture(scope="module")
def evidence() -> peervalue.Evidence:
    return peervalue.load_evidence()


def test_the_six_studies(evidence: peervalue.Evidence) -> None:
    assert sorted(evidence.ids) == [
        "chinman2001",
        "klein1998",
        "lawn2008",
        "min2007",
        "rivera2007",
        "sledge2011",
    ]
    countries = sorted(s.country for s in evidence)
    # The 2013 report: five US studies and one Australian.
    assert countries == ["Australia"] + ["USA"] * 5
    assert all(s.peer_role.value == "additional" for s in evidence)
    # Membership is inferred, and each file says so.
    assert all(s.inclusion and "nferred" in s.inclusion for s in evidence)


def test_reported_figures_as_published(evidence: peervalue.Evidence) -> None:
    sledge = evidence.get("sledge2011").quantities()
    # Sledge et al. 2011 abstract: 38 vs 36; 10.08 +/- 17.31 vs 19.08 +/- 21.63 days; 9 months.
    assert [
        sledge[k].value
        for k in (
            "arms.intervention",
            "arms.control",
            "outcome.intervention_mean",
            "outcome.intervention_sd",
            "outcome.control_mean",
            "outcome.control_sd",
            "follow_up",
        )
    ] == [38, 36, 10.08, 17.31, 19.08, 21.63, 9]
    lawn = evidence.get("lawn2008").quantities()
    assert lawn["outcome.total"].value == 300 and lawn["follow_up"].value == 3
    mn = evidence.get("min2007").quantities()
    assert (mn["arms.intervention"].value, mn["arms.control"].value, mn["outcome.total"].value) == (
        106,
        378,
        1549,
    )
    klein = evidence.get("klein1998").quantities()
    assert (klein["arms.intervention"].value, klein["arms.control"].value) == (10, 51)


def test_every_study_assumes_its_peer_input_with_a_range(evidence: peervalue.Evidence) -> None:
    # No source gives peer staffing for any of the six: each must be an explicit assumption.
    for study in evidence:
        q = study.quantities()
        staffing = [q[k] for k in ("peer_input.fte", "peer_input.caseload") if k in q]
        assert staffing and all(s.status is Status.ASSUMED and s.range for s in staffing), study.id


def test_unreported_outcomes_are_assumptions(evidence: peervalue.Evidence) -> None:
    for sid in ("chinman2001", "klein1998", "rivera2007"):
        q = evidence.get(sid).quantities()["outcome.saved_per_patient"]
        assert q.status is Status.ASSUMED and q.range is not None and q.rationale


def test_reported_values_all_cite_a_source(evidence: peervalue.Evidence) -> None:
    for study in evidence:
        for path, q in study.quantities().items():
            if q.status is Status.REPORTED:
                assert q.source is not None and q.source.url, f"{study.id}:{path}"


def test_classes_as_the_report_counts_them_and_zero_apart() -> None:
    # Chinman 2001 and Rivera 2007 have an assumed nil effect: a ratio of exactly 0 is in
    # none of the report's classes ("in excess of one", "positive but less than one",
    # "negative"), so the comparison with the published 4 / 1 / 1 shows it apart.
    import peervalue

    result = peervalue.analyse()
    pooled = result.pooled
    counts = (pooled.above_one, pooled.between_zero_and_one, pooled.negative, pooled.zero)
    assert counts == (4, 0, 0, 2)
    zeros = [s.id for s in result.studies if s.classification == "0"]
    assert zeros == ["chinman2001", "rivera2007"]


def test_the_method_guide_lists_every_assumption_in_the_data_files() -> None:
    # docs/method.md, "What is assumed in the bundled evidence": one row per file, whose
    # second column lists exactly the fields that file marks `assumed`.
    import re
    from pathlib import Path

    import peervalue

    guide = (Path(__file__).parents[1] / "docs" / "method.md").read_text()
    rows = {
        m.group(1): set(re.findall(r"`([^`]+)`", m.group(2)))
        for m in re.finditer(r"^\| ([a-z0-9-]+) \| ([^|]+) \|", guide, flags=re.M)
    }
    for study in peervalue.load_evidence():
        assert rows[study.id] == set(study.assumed_fields()), study.id
    costs = peervalue.load_costs()
    assumed_costs = {k for k, q in costs.quantities().items() if q.is_assumed}
    assert rows["england-2011-12"] == assumed_costs
