"""Evidence sets and studies recorded without a usable outcome.

Every bundled set resolves against the bundled library, ``cmh2013`` gives exactly the
reference result of the bundled six, and the filtered sets hold exactly the studies
their quality fields select.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from peervalue.errors import InputError
from peervalue.evidence.load import load_evidence
from peervalue.evidence.sets import (
    STUDY_FIELDS,
    bundled_set_names,
    check_bundled_sets,
    load_library,
    load_set,
    select_set,
)
from peervalue.provenance import Status
from peervalue.service import AnalysisRequest, PsaRequest, run_analysis, run_psa
from peervalue.service.requests import EvidenceRequest, make_request
from peervalue.service.runs import run_evidence
from tests.cli_helpers import run_cli
from tests.conftest import SYNTHETIC, edit_yaml

SIX = ["chinman2001", "klein1998", "lawn2008", "min2007", "rivera2007", "sledge2011"]
NOT_POOLED = [
    "enrich2022",
    "kelly2021",
    "mahlke2017",
    "nycrespite2018",
    "oconnell2018",
    "simpson2014",
]
ADDED_POOLED = ["core2018", "croft2015", "forchuk2005", "landers2014", "scanlan2017"]


def test_bundled_sets_are_valid_and_named_as_their_files() -> None:
    assert bundled_set_names() == ["all-2026", "bed-days-only", "cmh2013", "rct-only", "uk-only"]
    assert check_bundled_sets() == []
    for name in bundled_set_names():
        spec, path = load_set(name)
        assert spec.name == path.stem == name
        assert spec.why.strip()


def test_every_bundled_study_is_in_all_2026() -> None:
    library = load_library()
    assert {s.id for s in library.listed} == set(load_set("all-2026")[0].studies or [])


def test_cmh2013_gives_exactly_the_reference_result() -> None:
    default = run_analysis(AnalysisRequest(with_reference=True))
    chosen = run_analysis(AnalysisRequest(with_reference=True, evidence_set="cmh2013"))
    assert [s.id for s in chosen.studies] == SIX
    assert chosen.pooled == default.pooled  # the same bits, not just close
    assert chosen.studies == default.studies
    psa_default = run_psa(PsaRequest(draws=2_000))
    psa_set = run_psa(PsaRequest(draws=2_000, evidence_set="cmh2013"))
    assert psa_set.pooled == psa_default.pooled


def test_all_2026_pools_eleven_and_lists_six_more() -> None:
    evidence = run_evidence(EvidenceRequest(evidence_set="all-2026"))
    assert evidence.ids == SIX + ADDED_POOLED
    assert [s.id for s in evidence.excluded] == NOT_POOLED
    assert len(evidence.listed) == 17
    assert all(s.quality is not None for s in evidence.listed)


def test_filtered_sets_follow_the_quality_fields() -> None:
    library = load_library()
    rct = select_set("rct-only", library)
    assert rct.ids == ["rivera2007", "sledge2011", "core2018", "forchuk2005"]
    assert [s.id for s in rct.excluded] == [
        "enrich2022",
        "kelly2021",
        "mahlke2017",
        "oconnell2018",
        "simpson2014",
    ]
    assert all(s.quality and s.quality.randomisation.value != "none" for s in rct.listed)
    uk = select_set("uk-only", library)
    assert uk.ids == ["core2018"] and [s.id for s in uk.excluded] == ["enrich2022", "simpson2014"]
    bed_days = select_set("bed-days-only", library)
    assert "core2018" not in bed_days.ids and "croft2015" not in bed_days.ids
    assert {STUDY_FIELDS["outcome"](s) for s in bed_days.studies} == {"bed-days"}


def test_a_set_file_selects_from_a_given_folder(tmp_path: Path) -> None:
    # the library takes a set file; requests (CLI, web) take bundled names only
    set_file = tmp_path / "two.yaml"
    set_file.write_text("name: two\ntitle: Two\nwhy: a test\nstudies: [gamma, alpha]\n")
    evidence = select_set(set_file, load_library(SYNTHETIC))
    assert evidence.ids == ["alpha", "gamma"]  # the folder's order, not the set's
    assert evidence.origin == "evidence set two (Two)"


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (
            "name: mine\ntitle: Mine\nwhy: test\nstudies: [alpha, omega]\n",
            ["field 'studies'", "no study with id 'omega'", "alpha, beta, gamma"],
        ),
        (
            "name: mine\ntitle: Mine\nwhy: test\nstudies: [alpha]\nfrom: all-2026\n",
            ["give either 'studies'"],
        ),
        (
            "name: mine\ntitle: Mine\nwhy: test\nfrom: cmh2013\nwhere: {blinded: true}\n",
            ["'blinded' is not a recognised field"],
        ),
        (
            "name: mine\ntitle: Mine\nwhy: test\nfrom: mine\n",
            ["set 'mine' draws on itself", "the name of another set in 'from'"],
        ),
        (
            "name: mine\ntitle: Mine\nwhy: test\nstudies: [alpha, alpha]\n",
            ["listed twice"],
        ),
    ],
)
def test_bad_set_files_name_the_file_and_field(
    tmp_path: Path, text: str, fragments: list[str]
) -> None:
    set_file = tmp_path / "myset.yaml"
    set_file.write_text(text)
    with pytest.raises(InputError) as err:
        select_set(set_file, load_library(SYNTHETIC))
    message = err.value.message() if not hasattr(err.value, "errors") else str(err.value)
    assert "myset.yaml" in message
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(
    ("name", "text", "fragments"),
    [
        # a user's set named like a bundled one, drawing on it: the loop is in this file
        (
            "myset.yaml",
            "name: rct-only\ntitle: Mine\nwhy: test\nfrom: rct-only\n",
            ["myset.yaml", "set 'rct-only' draws on itself"],
        ),
        (
            "myset.yaml",
            "name: mine\ntitle: Mine\nwhy: test\nstudies: []\n",
            ["myset.yaml", "field 'studies'", "got no entries; expected at least one entry"],
        ),
        # an outcome family that does not exist used to keep nothing, blamed on 'studies'
        (
            "myset.yaml",
            "name: mine\ntitle: Mine\nwhy: test\nfrom: all-2026\nwhere: {outcome: [bed_days]}\n",
            ["myset.yaml", "field 'where.outcome[0]'", "'bed-days' or 'readmission'"],
        ),
        (
            "myset.yaml",
            "name: mine\ntitle: Mine\nwhy: test\nfrom: all-2026\nwhere: {country: [Narnia]}\n",
            ["myset.yaml", "field 'where'", "holds no study that can be pooled"],
        ),
        (
            "myset.yaml",
            "name: mine\ntitle: Mine\nwhy: [test\nstudies: [core2018]\n",
            ["myset.yaml", "malformed YAML at line 4", "expected valid YAML"],
        ),
        (
            "myset.toml",
            "name = 'mine'\ntitle = Mine\n",
            ["myset.toml", "malformed TOML at line 2", "expected valid TOML"],
        ),
    ],
)
def test_bad_set_files_against_the_bundled_library(
    tmp_path: Path, name: str, text: str, fragments: list[str]
) -> None:
    set_file = tmp_path / name
    set_file.write_text(text)
    with pytest.raises(InputError) as err:
        select_set(set_file, load_library())
    message = str(err.value)
    assert "Traceback" not in message and "evidence-sets" not in message  # not a bundled file
    for fragment in fragments:
        assert fragment in message


def test_a_folder_with_an_unpooled_study_lists_it_and_pools_the_rest(tmp_path: Path) -> None:
    folder = tmp_path / "ev"
    folder.mkdir()
    for f in SYNTHETIC.iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    whole = run_analysis(AnalysisRequest(evidence=folder))
    edit_yaml(
        folder / "beta.yaml",
        lambda d: d.update(outcome={"kind": "no_usable_outcome", "reason": "no figures"}),
    )
    loaded = load_evidence(folder)
    assert loaded.ids == ["alpha", "gamma"] and [s.id for s in loaded.excluded] == ["beta"]
    result = run_analysis(AnalysisRequest(evidence=folder))
    assert [s.id for s in result.studies] == ["alpha", "gamma"]
    assert result.pooled != whole.pooled
    # an Evidence object passed in memory keeps its unpooled study listed, not pooled
    listed = run_evidence(EvidenceRequest(evidence=loaded))
    assert listed.ids == ["alpha", "gamma"] and [s.id for s in listed.excluded] == ["beta"]


def test_unknown_set_names_the_option() -> None:
    with pytest.raises(InputError) as err:
        make_request(EvidenceRequest, {"evidence_set": "--evidence-set"}, evidence_set="rct")
    assert "--evidence-set" in err.value.message()
    assert "cmh2013" in err.value.message()


def test_evidence_list_cli_shows_quality_and_pooling(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "evidence", "list", "--evidence-set", "all-2026", "-f", "json")
    assert run.code == 0, run.err
    rows = json.loads(run.out)
    assert len(rows) == 17
    pooled = {r["id"]: r["pooled"] for r in rows}
    assert sum(pooled.values()) == 11 and not pooled["enrich2022"]
    enrich = next(r for r in rows if r["id"] == "enrich2022")
    assert enrich["randomisation"] == "individual" and enrich["risk_of_bias"] == "low"
    assert "cut off" in enrich["not_pooled_reason"]
    forchuk = next(r for r in rows if r["id"] == "forchuk2005")
    assert forchuk["bundled"] is True
    table = run_cli(capsys, "evidence", "list", "--evidence-set", "all-2026").out
    assert "Not pooled (listed only)" in table and "Risk of bias" in table
    shown = run_cli(capsys, "evidence", "show", "enrich2022", "--evidence-set", "all-2026").out
    assert "Not pooled:" in shown and "Searched:" in shown


def test_subgroup_by_quality_field(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(
        capsys,
        "analyse",
        "--evidence-set",
        "all-2026",
        "--subgroup",
        "risk_of_bias",
        "--draws",
        "200",
        "-f",
        "json",
    )
    assert run.code == 0, run.err
    groups = [g["group"] for i in json.loads(run.out)["influence"] for g in i["groups"]]
    assert groups == ["risk_of_bias = high", "risk_of_bias = low", "risk_of_bias = some concerns"]


def test_report_and_figures_use_the_set() -> None:
    from peervalue.service.figures import collect
    from peervalue.service.report import input_files, report_figures
    from peervalue.service.requests import PlotRequest, ReportRequest

    request = ReportRequest(evidence_set="uk-only", draws=500)
    files = [Path(f.path).name for f in input_files(request) if f.role == "study"]
    assert files == ["core2018.yaml", "enrich2022.yaml", "simpson2014.yaml"]
    assert "bridge" not in report_figures(request)
    assert "bridge" in report_figures(ReportRequest(evidence_set="cmh2013"))
    inputs = collect(PlotRequest(figures=("forest",), evidence_set="uk-only", draws=300))
    assert inputs.analysis is not None
    assert [s.id for s in inputs.analysis.studies] == ["core2018"]


def test_every_figure_of_the_library_shows_where_it_comes_from() -> None:
    # A figure read or computed from a study names the study (a derived one too: its
    # formula works on figures someone must be able to find); an assumption has a range
    # or a distribution for the Monte Carlo. Croft's odds ratio (1 - 0.70), ENRICH's arms
    # (590 / 2) and Forchuk's one index stay were derived without a source.
    for study in load_library().listed:
        for path, q in study.quantities().items():
            where = f"{study.id}:{path}"
            if q.status in (Status.REPORTED, Status.DERIVED):
                assert q.source is not None and q.source.citation, where
            else:
                assert q.range is not None or q.distribution is not None, where
