"""Issue 21 (items 1, 3 and 4): a report is one analysis, and its words come from the
analysis that was run. Each test here failed on the report as it was before:

* ``report --scenario`` ran the headline, evidence, results and uncertainty on the bundled
  2011-12 analysis and hashed the bundled files, not the case's;
* a total-only cost file failed ("--cost-basis: got pay ...") because the bridge to 4.8
  was drawn for it;
* the answer said "published studies" of anyone's studies, "uncertainty in every input"
  with inputs fixed, the 2013 "Klein, Chinman and Rivera" on other evidence, "It costs a
  peer worker on pay" on a full cost; page 1 hid a study holding 95% of the weight and
  methods disagreeing about 1; studies not pooled were never listed;
* CHEERS pointed to an "Appendix: inputs" that did not exist and called funding "not
  applicable"; the appendix named files by the machine's absolute paths.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import shutil
from html import unescape
from pathlib import Path

import pytest

from peervalue.costs.load import bundled_cost_sets
from peervalue.evidence.load import bundled_evidence_dir, study_files
from peervalue.model.methods import TOTAL_COST_NOTE
from peervalue.report import narrative
from peervalue.report.data import StudyFacts
from peervalue.report.html_report import CHEERS
from peervalue.scenario.schema import template_file
from peervalue.service.report import ReportData, bridge_defined, report_html, run_report
from peervalue.service.requests import ReportRequest
from tests.cli_helpers import run_cli
from tests.conftest import DATA

DRAWS = 500
CASELOAD = (
    'caseload = { value = 12, unit = "patients/FTE", status = "assumed", range = [6, 20], '
    'rationale = "Our team counted its own caseloads." }'
)
TRAINING = (
    'training_per_post = { value = 2500, unit = "GBP/FTE", price_year = "2024-25", '
    'status = "reported", source = { citation = "Trust training budget 2024-25" } }'
)


def _text(html: str) -> str:
    """The page's words, tags and figures removed, spaces collapsed."""
    html = html.replace("<wbr>", "")  # a line-break chance, not a space between words
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def own_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A business case on the user's own studies (the synthetic three, unpublished) and own
    total-only cost file, at 2024-25 prices."""
    folder = tmp_path_factory.mktemp("case")
    shutil.copytree(DATA / "synthetic", folder / "studies")
    shutil.copy(DATA / "synthetic_costs.yaml", folder / "my_costs.yaml")
    text = template_file().read_text(encoding="utf-8")
    text = text.replace('set = "england-2024-25"', 'set = "my_costs.yaml"')
    text = text.replace('# folder = "my_studies"', 'folder = "studies"')
    # the case's own caseload and training cost, in place of the national defaults' 15 and
    # £2,000 (the inputs appendix lists them as set in the scenario file)
    text = re.sub(r"(?m)^caseload = .*$", CASELOAD, text)
    text = re.sub(r"(?m)^training_per_post = .*$", TRAINING, text, count=1)  # [costs]
    (folder / "trust.toml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def case_data(own_case: Path) -> ReportData:
    return run_report(
        ReportRequest(scenario=own_case / "trust.toml", draws=DRAWS),
        command=f"peervalue report --scenario {own_case / 'trust.toml'} --out /x/r.html",
    )


@pytest.fixture(scope="module")
def case_html(case_data: ReportData) -> str:
    return report_html(case_data)


def test_a_business_case_report_is_one_analysis_of_the_cases_own_inputs(
    case_data: ReportData, case_html: str
) -> None:
    a, p = case_data.inputs.analysis, case_data.inputs.psa
    assert a is not None and p is not None
    # the case's price year and cost file, not the bundled 2011-12 analysis
    assert a.price_year == p.price_year == "2024-25"
    assert a.costs.name == p.costs == "Synthetic round-number costs"
    assert sorted(s.id for s in a.studies) == ["alpha", "beta", "gamma"]
    # £300 and £30,000 at 2011-12 both rebased by one pay-and-prices index to 2024-25:
    # their quotient stays 0.01 bed-day's worth per pound, so ratio = bed-days/FTE-year / 100
    for s in a.studies:
        assert s.ratio == pytest.approx(s.bed_days_saved_per_fte_year / 100, rel=1e-9)
    text = _text(case_html)
    assert f"save about £{p.pooled['weighted'].ratio.deterministic:.2f}" in text
    assert "(2024-25 prices, full cost of a peer worker)" in text
    assert "Every section of this report uses the business case's own inputs" in text
    assert "2011-12 prices" not in text.split("Results")[0]


def test_the_appendix_hashes_exactly_the_files_the_case_read(
    own_case: Path, case_data: ReportData
) -> None:
    got = {(f.role, f.sha256) for f in case_data.files}
    expected = {
        ("scenario", _sha(own_case / "trust.toml")),
        ("costs", _sha(own_case / "my_costs.yaml")),
    }
    expected |= {("study", _sha(p)) for p in study_files(own_case / "studies")}
    assert got == expected
    bundled = {_sha(p) for p in study_files(bundled_evidence_dir())}
    assert not bundled & {f.sha256 for f in case_data.files}


def test_the_reproducibility_section_names_no_folder_of_the_machine(
    own_case: Path, case_html: str
) -> None:
    assert str(own_case) not in case_html
    assert "/x/r.html" not in case_html
    assert "peervalue report --scenario trust.toml --out r.html" in case_html


def test_own_evaluations_are_not_called_published_and_no_2013_names_are_borrowed(
    case_html: str,
) -> None:
    text = _text(case_html)
    assert "On 3 unpublished or local evaluations, each £1" in text
    assert "published studies" not in text
    assert "Klein, Chinman and Rivera" not in text
    # the synthetic studies assume no outcome (their files): the comparison with 2013 says so
    assert "outcomes assumed for none" in text
    assert "It costs a peer worker on pay" not in text


def test_a_total_only_cost_file_reports_without_extra_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    costs = tmp_path / "my_costs.yaml"
    shutil.copy(DATA / "synthetic_costs.yaml", costs)
    out = tmp_path / "r.html"
    run = run_cli(
        capsys, "report", "--costs", str(costs), "--draws", "200", "-q", "--out", str(out)
    )
    assert run.code == 0, run.err
    html = out.read_text()
    assert "figure-bridge" not in html  # the bridge needs the 2011-12 pay build-up
    assert _sha(costs) in html


def test_the_bridge_is_drawn_only_for_the_six_at_bundled_2011_12_prices(tmp_path: Path) -> None:
    assert bridge_defined(ReportRequest())
    assert bridge_defined(ReportRequest(costs=Path("england-2011-12")))
    assert not bridge_defined(ReportRequest(costs=Path("england-2024-25")))
    assert not bridge_defined(ReportRequest(price_year="2024-25"))
    assert not bridge_defined(ReportRequest(cost_basis="pay"))
    assert not bridge_defined(ReportRequest(evidence_set="all-2026"))
    assert not bridge_defined(ReportRequest(scenario=template_file()))
    assert not bridge_defined(ReportRequest(costs=DATA / "synthetic_costs.yaml"))  # a total
    # a user's own 2011-12 cost file built from components (the report's inputs, say) keeps it
    own = tmp_path / "report_costs.yaml"
    shutil.copy(bundled_cost_sets()["england-2011-12"], own)
    assert bridge_defined(ReportRequest(costs=own))


def test_evidence_or_costs_beside_a_scenario_are_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = run_cli(
        capsys,
        "report",
        "--scenario",
        str(template_file()),
        "--costs",
        "england-2011-12",
        "--out",
        "never.html",
    )
    assert run.code == 2
    assert "--costs" in run.err and "scenario" in run.err
    assert not Path("never.html").exists()


def test_the_words_count_drawn_and_fixed_inputs(case_data: ReportData, case_html: str) -> None:
    p, prepared = case_data.inputs.psa, case_data.prepared
    assert p is not None and prepared is not None and p.fixed_inputs
    drawn = len(prepared.spec.parameters) - len(p.fixed_inputs)  # every input, less the fixed
    text = _text(case_html)
    assert "uncertainty in every input" not in text
    assert (
        f"uncertainty in the {drawn} inputs given a range or distribution "
        f"({len(p.fixed_inputs)} more are held at their stated values" in text
    )


def test_the_inputs_appendix_lists_every_input_once(case_data: ReportData, case_html: str) -> None:
    p, prepared = case_data.inputs.psa, case_data.prepared
    assert p is not None and prepared is not None
    rows = {r.name: r for r in case_data.input_rows}
    assert len(rows) == len(case_data.input_rows) == len(prepared.spec.parameters)
    assert set(rows) == {d.parameter for d in p.distributions} | set(p.fixed_inputs)
    for name in p.fixed_inputs:
        assert rows[name].distribution.startswith("fixed at ")
    # alpha's peer staffing: assumed 2 FTE within 1 to 3, drawn as a PERT (synthetic/alpha.yaml)
    fte = rows["alpha:peer_input.fte"]
    assert (fte.value, fte.range, fte.status) == ("2 FTE", "1 to 3", "assumed")
    assert fte.distribution.startswith("pert(1, mode 2, 3")
    assert "<section id='inputs'><h2>Appendix: inputs</h2>" in case_html


def test_cheers_is_graded_and_every_place_it_names_exists(case_html: str) -> None:
    statuses = {status for _, _, status, _ in CHEERS}
    assert statuses == {"addressed", "partly", "not addressed"}
    assert all("not applicable" not in w.lower() for *_, w in CHEERS)
    titles = set(re.findall(r"<h2[^>]*>([^<]+)</h2>", case_html))
    sections = {"The answer", "Method", "Evidence", "Results", "Uncertainty", "Limitations"}
    sections |= {"Appendix: inputs", "Business case"}
    for n, _, _status, where in CHEERS:
        for place in re.findall(
            r"(Appendix: inputs|Business case|Method|Evidence|Results|"
            r"Uncertainty|Limitations|The answer)",
            where,
        ):
            assert place in sections
            assert any(t.startswith(place) or place in t for t in titles), (n, place)
    # funding and conflicts are stated as not addressed, for the author to fill in
    assert [s for n, _, s, _ in CHEERS if n in (27, 28)] == ["not addressed"] * 2


def test_the_evidence_table_is_wide_and_evpi_has_its_population(
    case_data: ReportData, case_html: str
) -> None:
    text = _text(case_html)
    for head in ("Patients (peer / control)", "Follow-up", "Outcome", "FTE-years", "Weight"):
        assert head in text
    p = case_data.inputs.psa
    assert p is not None
    v, w = p.value_of_information, p.pooled["weighted"]
    assert f"for a population of {v.fte:,.0f} FTE over {v.horizon_years} years" in text
    assert f"£{w.evpi_population:,.0f}" in text


@pytest.fixture(scope="module")
def all_2026() -> str:
    return report_html(run_report(ReportRequest(evidence_set="all-2026", draws=DRAWS)))


def test_page_one_warns_of_a_dominant_study_and_of_methods_either_side_of_1(
    all_2026: str,
) -> None:
    answer = _text(all_2026.split("<nav")[0])
    # Landers & Zhou 2014: 35,600 of 37,604 patients in all-2026 (analyse --format json:
    # 60+61+49+484+136+74+434+278+390+35,600+38), 94.7%
    assert "One study, Landers & Zhou 2014, holds 95% of the weight" in answer
    assert "The pooling methods disagree on which side of 1 the answer lies" in answer
    assert "0.40" in answer and "1.32" in answer


def test_studies_recorded_but_not_pooled_are_listed_with_their_reasons(all_2026: str) -> None:
    text = _text(all_2026)
    assert "Studies recorded but not pooled" in text
    listed = text.split("Studies recorded but not pooled")[1]
    assert "enrich2022" in listed and "per-arm numbers" in listed


def _facts(*published: bool) -> list[StudyFacts]:
    return [
        StudyFacts(f"s{i}", f"S {i}", p, "12 months", "mean bed days")
        for i, p in enumerate(published)
    ]


def test_studies_are_described_by_what_they_are() -> None:
    ids = ["s0", "s1", "s2"]
    assert narrative.studies_phrase(_facts(True, True, True), ids) == "3 published studies"
    assert (
        narrative.studies_phrase(_facts(False, False, False), ids)
        == "3 unpublished or local evaluations"
    )
    assert narrative.studies_phrase(_facts(True, False, False), ids) == (
        "3 studies (1 published, 2 unpublished or local evaluations)"
    )
    assert narrative.studies_phrase(_facts(True), ["s0"]) == "1 published study"
    assert narrative.studies_phrase([], ids) == "3 studies"


def test_the_cost_basis_words_follow_the_analysis(case_data: ReportData) -> None:
    a = case_data.inputs.analysis
    assert a is not None and a.costs.basis == "full"
    said = narrative.differences(a)
    assert "at its full cost" in said and "suggest pay alone" in said
    pay = a.model_copy(update={"costs": a.costs.model_copy(update={"basis": "pay"})})
    assert "on pay (salary and employer on-costs)" in narrative.differences(pay)


def test_the_bundled_six_name_their_own_assumed_outcomes() -> None:
    from peervalue.service.requests import AnalysisRequest
    from peervalue.service.runs import run_analysis

    a = run_analysis(AnalysisRequest())
    # chinman2001, klein1998 and rivera2007 assume outcome.saved_per_patient (their files)
    assert narrative.assumed_outcomes(a) == [
        "Chinman et al. 2001",
        "Klein et al. 1998",
        "Rivera et al. 2007",
    ]
    assert "outcomes assumed for Chinman et al. 2001, Klein et al. 1998 and Rivera et al. 2007" in (
        narrative.differences(a)
    )


def test_bundled_cost_sets_are_hashed_by_their_package_name() -> None:
    data_files = {f.path for f in run_report(ReportRequest(draws=100)).files}
    assert f"peervalue/data/costs/{bundled_cost_sets()['england-2011-12'].name}" in data_files


def test_a_report_on_a_folder_given_by_its_full_path_does_not_show_it(tmp_path: Path) -> None:
    shutil.copytree(DATA / "synthetic", tmp_path / "studies")
    html = report_html(
        run_report(
            ReportRequest(evidence=tmp_path / "studies", draws=DRAWS),
            command=f"peervalue report --evidence {tmp_path / 'studies'} --out r.html",
        )
    )
    assert str(tmp_path) not in html
    assert "peervalue report --evidence studies --out r.html" in html


def test_the_workbook_says_why_results_differ_from_its_own_analysis(
    case_data: ReportData,
) -> None:
    import io

    import openpyxl

    from peervalue.service.report import report_bytes

    book = openpyxl.load_workbook(io.BytesIO(report_bytes(case_data, "xlsx")))
    cells = [str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value]
    said = [c for c in cells if c.startswith("The 2013 report obtained")]
    assert said, "no 'why results differ' text in the workbook"
    assert all("It costs a peer worker on pay" not in c for c in cells)
    assert "at its full cost" in said[0] and "outcomes assumed for none" in said[0]


def test_the_inputs_appendix_lists_the_business_cases_own_inputs(
    case_data: ReportData, case_html: str
) -> None:
    """The appendix listed the national analysis's inputs only: none of the case's own
    (its caseload, cost lines, staffing, discounting), nor which the scenario file set."""
    from peervalue.scenario.catalogue import catalogue

    rows = {r.name: r for r in case_data.case_input_rows}
    # every input the catalogue declares, but the case's own words ([case]); the template
    # sets no [[extra]] resource
    expected = [p for p, f in catalogue().items() if f.table not in ("case", "extra")]
    assert list(rows) == expected
    caseload = rows["staffing.caseload"]
    assert (caseload.value, caseload.range) == ("12 patients/FTE", "6 to 20")
    assert caseload.status == (
        "assumed; set in the scenario file (national default: 15 patients/FTE (range 8 to 25))"
    )
    assert caseload.distribution.startswith("pert(6, mode 12, 20")
    assert caseload.source == "Our team counted its own caseloads."
    training = rows["costs.training_per_post"]
    assert (training.value, training.range) == ("2,500 GBP/FTE, 2024-25 prices", "")
    assert training.status.startswith("reported; set in the scenario file (national default: 2,")
    assert training.source == "Trust training budget 2024-25"
    # the template sets the funded posts year by year; leaves the perspective to the defaults
    fte = rows["staffing.funded_fte"]
    assert fte.value == "2, 4, 4, 4, 4 FTE"
    assert fte.status == "set in the scenario file (national default: 1 FTE)"
    assert rows["costs.perspective"].status == "national default"
    # the pension rate is used only from the trust's perspective: not drawn here
    assert rows["costs.trust_pension_rate"].distribution == "not drawn (not used by this case)"
    text = _text(case_html)
    appendix = text.split("The business case's inputs")[1]
    assert "staffing.caseload 12 patients/FTE 6 to 20 pert(6, mode 12, 20" in appendix
    assert "costs.training_per_post 2,500 GBP/FTE, 2024-25 prices none" in appendix
    assert f"The {len(rows)} inputs of the business case" in appendix
    # settings: the file's draws (the case ran with them), its source named
    assert (rows["monte_carlo.draws"].value, rows["monte_carlo.draws"].source) == (
        "10,000 draws",
        "the scenario file",
    )


def test_a_case_run_with_other_draws_shows_the_runs_own(
    own_case: Path, case_data: ReportData
) -> None:
    from peervalue.service.report_case_inputs import case_input_rows
    from peervalue.service.scenario_resolve import resolve_scenario

    sc = case_data.inputs.scenario
    assert sc is not None
    other = sc.model_copy(update={"uncertainty": sc.uncertainty.model_copy(update={"draws": 123})})
    rows = {
        r.name: r for r in case_input_rows(resolve_scenario(own_case / "trust.toml").loaded, other)
    }
    assert (rows["monte_carlo.draws"].value, rows["monte_carlo.draws"].status) == (
        "123 draws",
        "set for this run (the scenario's: 10,000 draws)",
    )


def test_the_workbooks_inputs_sheet_marks_the_cases_own_inputs_and_names_no_folder(
    own_case: Path, case_data: ReportData
) -> None:
    import io

    import openpyxl

    from peervalue.service.report import report_bytes

    book = openpyxl.load_workbook(io.BytesIO(report_bytes(case_data, "xlsx")))
    sheet = book["Inputs"]
    head = [c.value for c in next(sheet.iter_rows(max_row=1))]
    rows = {
        (r["Where"], r["Field"]): r
        for r in (
            dict(zip(head, (c.value for c in row), strict=True))
            for row in sheet.iter_rows(min_row=2)
        )
    }
    caseload = rows[("scenario", "staffing.caseload")]
    assert (caseload["Value"], caseload["Overridden"]) == (12, "yes")
    training = rows[("scenario", "costs.training_per_post")]
    assert (training["Value"], training["Overridden"]) == (2500, "yes")
    assert rows[("scenario", "staffing.vacancy_rate")]["Overridden"] == "no"
    # no folder of the machine that made it: the effect's row named the study folder by its
    # full path ("Bayesian predictive ... of /tmp/.../studies")
    effect = next(r for (where, _), r in rows.items() if where == "effect")
    assert "of studies:" in str(effect["Source"])
    cells = [str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value]
    for folder in (str(own_case), str(Path.cwd()), str(Path(__file__).parents[1])):
        assert not [c for c in cells if folder in c], folder


@pytest.mark.parametrize("through", ["evidence", "scenario"])
def test_the_users_own_studies_not_pooled_are_listed_with_their_reasons(
    through: str, tmp_path: Path
) -> None:
    """Only the bundled all-2026 was checked: a study of the user's own folder that cannot
    be pooled (here a copy of ENRICH, 'no_usable_outcome') is listed with its file's
    reason, from a report on the folder and from a business case on it."""
    from peervalue.service.inputs import prepare
    from peervalue.service.report import for_business_case, study_facts

    shutil.copytree(DATA / "synthetic", tmp_path / "studies")
    enrich = bundled_evidence_dir().parent / "evidence-2026" / "enrich2022.yaml"
    text = enrich.read_text(encoding="utf-8").replace("id: enrich2022", "id: our_trial")
    (tmp_path / "studies" / "our_trial.yaml").write_text(text, encoding="utf-8")
    if through == "evidence":
        request = ReportRequest(evidence=tmp_path / "studies", draws=DRAWS)
    else:
        case = template_file().read_text(encoding="utf-8")
        case = case.replace('# folder = "my_studies"', 'folder = "studies"')
        (tmp_path / "trust.toml").write_text(case, encoding="utf-8")
        request, _ = for_business_case(ReportRequest(scenario=tmp_path / "trust.toml"))
    facts = study_facts(prepare(request).evidence)
    assert [f.id for f in facts if not f.pooled] == ["our_trial"]
    assert sorted(f.id for f in facts if f.pooled) == ["alpha", "beta", "gamma"]
    (item,) = narrative.not_pooled_items(facts)
    assert "(our_trial)" in item and "the trial cannot be converted to bed-days" in item


# --- words read on the business case with the user's own studies and costs (pages review) --


def test_a_total_cost_file_is_not_described_as_a_build_up(case_data: ReportData) -> None:
    """The cost file gives the post's cost as one figure (synthetic_costs.yaml: total
    30,000), so the report must not say it was built from salary, on-costs and overheads."""
    a = case_data.inputs.analysis
    assert a is not None
    assert a.costs.basis_note == TOTAL_COST_NOTE
    method = _text(report_html(case_data)).split("Method in plain words")[2].split("Evidence")[0]
    assert "the whole cost of a post, one figure from the cost file" in method
    assert "overheads and capital" not in method
    assert "full basis: full cost" not in method  # the basis was said twice
    said = narrative.differences(a)
    assert "at its full cost (the whole cost of a post" in said


def test_two_studies_at_half_the_weight_each_give_one_warning(case_data: ReportData) -> None:
    """Two studies of 100 patients each: each holds 50% of the weight, which is "half or
    more" for both; page 1 said "One study, X, holds 50% ..." twice, once for each."""
    a, p = case_data.inputs.analysis, case_data.inputs.psa
    assert a is not None and p is not None
    two = [s.model_copy(update={"pooling_weight": 100.0}) for s in a.studies[:2]]
    said = [
        w
        for w in narrative.page_one_warnings(a.model_copy(update={"studies": two}), p)
        if "weight" in w
    ]
    names = [s.citation for s in two]
    assert said == [
        f"The weighted mean of ratios rests on 2 studies, {names[0]} and {names[1]}, each "
        "holding half of its weight, so the result is theirs alone."
    ]
    # one study at 2/3 of the weight (200 of 300 patients) keeps the one-study warning
    lop = [two[0].model_copy(update={"pooling_weight": 200.0}), two[1]]
    said = narrative.page_one_warnings(a.model_copy(update={"studies": lop}), p)
    assert f"One study, {names[0]}, holds 67% of the weight" in said[0]


def test_limitations_list_only_what_limits(case_data: ReportData) -> None:
    """A limitation with nothing in it ("0 of 1 studies are from outside the UK (none)") is
    not printed; one with something counts it in words that agree with the number."""
    from peervalue.report.html_report import _limitations

    a = case_data.inputs.analysis
    assert a is not None

    def limits(ids: set[str]) -> str:
        kept = a.model_copy(update={"studies": [s for s in a.studies if s.id in ids]})
        inputs = dataclasses.replace(case_data.inputs, analysis=kept)
        return _text(_limitations(dataclasses.replace(case_data, inputs=inputs)))

    alpha = limits({"alpha"})  # England, rct (tests/data/synthetic/alpha.yaml)
    assert "outside the UK" not in alpha and "not randomised" not in alpha
    assert "(none)" not in alpha
    both = limits({"alpha", "beta"})  # beta: Australia, uncontrolled
    assert "1 of 2 studies is from outside the UK (Australia); services" in both
    assert "1 of 2 studies is not randomised trials" not in both
    assert "1 of 2 studies is not a randomised trial (beta)" in both


def test_the_effect_choices_name_the_default_once(case_data: ReportData) -> None:
    from peervalue.report.structural_cells import HEAD, structural_cells

    sc = case_data.inputs.scenario
    assert sc is not None and sc.structural is not None
    _, words = structural_cells(sc)
    assert words.count("The default is") == 1
    assert words.startswith(
        f"The answer under each choice of effect (evidence: {sc.structural.evidence})."
    )
    assert "Ratio" not in HEAD  # beside "Benefit:cost", a bare "Ratio" read as that ratio


def test_evidence_weights_read_as_in_the_forest_plot(all_2026: str) -> None:
    """Chinman et al. 2001: 60 of 37,604 patients, 0.16% of the weight; the table said "0%"
    (as if left out) beside the forest plot's "0.2%"."""
    table = all_2026.split("id='evidence'")[1].split("</table>")[0]
    weights = re.findall(r"data-label='Weight'>([^<]*)<", table)
    assert len(weights) == 11
    assert "0.2%" in weights and "94.7%" in weights  # 60 and 35,600 of 37,604
    assert all(re.fullmatch(r"\d+\.\d%", w) for w in weights), weights


def test_the_appendix_says_in_what_terms_a_figure_is_drawn(case_data: ReportData) -> None:
    """The value is the file's (12 months, £300 at 2011-12) while the distribution's numbers
    are the model's (years, the case's 2024-25 prices): the row said 'fixed at 1' beside
    '12 months' and 'pert(336, ...)' beside '300 GBP/bed-day, 2011-12 prices'."""
    p = case_data.inputs.psa
    assert p is not None
    rows = {r.name: r for r in case_data.input_rows}
    follow_up = rows["alpha:follow_up"]
    assert follow_up.value == "12 months"
    # 12 months / 12 = 1 year
    assert follow_up.distribution == "fixed at 1, in years (x 0.0833333 from months)"
    weeks = rows["beta:follow_up"]
    assert weeks.value == "26 weeks"
    # 26 weeks x 7 / 365.25 = 0.498289 years
    assert weeks.distribution == "fixed at 0.498289, in years (x 0.019165 from weeks)"
    bed_day = rows["costs:bed_day"]
    assert bed_day.value == "300 GBP/bed-day, 2011-12 prices"
    from peervalue.costs.indices import nhs_indexes

    expected = nhs_indexes().get("pay-and-prices").factor("2011-12", "2024-25")
    assert bed_day.distribution.endswith(f", at 2024-25 prices (x {expected:.6g} from 2011-12)")
    # a figure the model takes as the file gives it says nothing more
    assert rows["alpha:arms.intervention"].distribution == "fixed at 40"


def test_the_evidence_table_names_assumed_inputs_in_words(all_2026: str) -> None:
    """The table's last column read 'peer_<wbr>input.<wbr>support_<wbr>duration'; now what
    the field is ('length of peer support'). all-2026 assumes Landers & Zhou's caseload and
    length of support (its tornado bars: landers2014:peer_input.caseload, .support_duration)."""
    section = all_2026.split("id='evidence'")[1].split("</table>")[0]
    assert "peer_input" not in section and "<wbr>" not in section
    assert "length of peer support" in section and "caseload" in section
