"""One request model per kind of run: the inputs, the run options, and every check of them.

A request says what to analyse and how. Its inputs are either paths (a folder or
file of studies, a cost file) or in-memory documents (a list of
:class:`~peervalue.evidence.schema.Study`, a :class:`~peervalue.costs.schema.CostFile`);
``None`` means the bundled default. Every run option (draws, seed, caseload,
level, population, horizon, discount rate ...) is checked here, once, with the
wording users see; the CLI, the Python API and the web layer only fill in a
request, so they can never disagree about what is valid.

Build a request with the class itself (``PsaRequest(draws=10_000)``; a mistake
raises pydantic's ``ValidationError``, whose ``loc`` is the field) or with
:func:`make_request`, which turns every mistake into an
:class:`~peervalue.errors.InputError` naming the field (or the CLI option) and
what is expected.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Final, Literal, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from peervalue.costs.schema import CostFile
from peervalue.errors import InputError, InputErrorGroup, Problem, field_ref, quote, see_also
from peervalue.evidence.schema import Study
from peervalue.model.methods import CostBasis, PoolingMethod, Resources, Weighting
from peervalue.provenance import PriceYear
from peervalue.scenario.schema import ScenarioFile
from peervalue.synthesis.priors import (
    MuPrior,
    NormalPrior,
    TauPrior,
    parse_bias_prior,
    parse_mu_prior,
    parse_tau_prior,
)
from peervalue.uncertainty.results import MetaI2, MetaInterval, MetaMethod, MetaPrediction
from peervalue.units import MIN_CASELOAD, MIN_FTE

#: the most Monte Carlo draws one run accepts: a run keeps about 4 x (studies + 4)
#: bytes a draw for percentiles
MAX_DRAWS: Final = 20_000_000
DEFAULT_CHUNK: Final = 1 << 14
#: scrambled Sobol sequences of a quasi-random run (peervalue.uncertainty.psa)
SOBOL_SCRAMBLINGS: Final = 16
MAX_CHUNK: Final = 1 << 22
#: the longest horizon, in years, that discounting and the value of information accept
MAX_HORIZON: Final = 50
MAX_DISCOUNT_RATE: Final = 0.2
MAX_CASELOAD: Final = 1000.0
MAX_POPULATION_FTE: Final = 1e6

SubgroupField = Literal[
    "design", "country", "peer_role", "randomisation", "bundled", "risk_of_bias", "outcome"
]
TwoWayAxis = Literal["caseload", "cost_per_bed_day", "cost_per_fte_year", "effect"]


def _option_error(problem: str, expected: str) -> PydanticCustomError:
    """A run-option mistake in the user's words: ``got ...; expected ...``."""
    return PydanticCustomError(
        "run_option", "{problem}; expected {expected}", {"problem": problem, "expected": expected}
    )


def _check(test: Any, expected: str) -> AfterValidator:
    """An after-validator that refuses a value failing ``test``, saying what was expected."""

    def check(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            raise _option_error(f"got {value}", expected)
        if not test(value):
            shown = f"{value:,}" if isinstance(value, int) else f"{value:g}"
            raise _option_error(f"got {shown}", expected)
        return value

    return AfterValidator(check)


Draws = Annotated[
    int,
    Field(strict=True),
    _check(
        lambda n: 1 <= n <= MAX_DRAWS,
        f"a whole number from 1 to {MAX_DRAWS:,} (the cap keeps the kept draws, about "
        "4 bytes x (studies + 10) each, within a few GiB of memory)",
    ),
]
Seed = Annotated[
    int,
    Field(strict=True),
    _check(lambda s: 0 <= s < 2**128, "a whole number 0 or above, below 2**128"),
]
ChunkSize = Annotated[
    int,
    Field(strict=True),
    _check(lambda n: 1 <= n <= MAX_CHUNK, f"a whole number from 1 to {MAX_CHUNK:,}"),
]
PopulationFte = Annotated[
    float,
    Field(strict=True),
    _check(
        lambda x: MIN_FTE.limit <= x <= MAX_POPULATION_FTE,
        f"a number of FTE from {MIN_FTE.limit:g} ({MIN_FTE.reason}) to {MAX_POPULATION_FTE:g}",
    ),
]
Horizon = Annotated[
    int,
    Field(strict=True),
    _check(lambda h: 1 <= h <= MAX_HORIZON, f"a whole number of years from 1 to {MAX_HORIZON}"),
]
DiscountRate = Annotated[
    float,
    Field(strict=True),
    _check(
        lambda r: 0 <= r <= MAX_DISCOUNT_RATE,
        f"a rate from 0 to {MAX_DISCOUNT_RATE:g} as a fraction "
        "(0.035 is 3.5%, the Green Book rate)",
    ),
]
Caseload = Annotated[
    float,
    Field(strict=True),
    _check(
        lambda k: MIN_CASELOAD.limit <= k <= MAX_CASELOAD,
        f"a number of patients from {MIN_CASELOAD.limit:g} ({MIN_CASELOAD.reason}) to "
        f"{MAX_CASELOAD:g}",
    ),
]
Level = Annotated[
    float,
    Field(strict=True),
    _check(lambda x: 0 < x < 1, "a level between 0 and 1, e.g. 0.95"),
]


def _refuse_empty_path(value: Any, expected: str) -> Any:
    """An empty or blank path is a slip (it would mean the current folder)."""
    if isinstance(value, str) and not value.strip():
        raise _option_error("got an empty path", expected)
    return value


#: an optional business case (a scenario file or document) for a plot or a report; an
#: empty path is refused
OptionalScenario = Annotated[
    Path | ScenarioFile | None,
    BeforeValidator(
        lambda scenario: _refuse_empty_path(
            scenario, f"a scenario file ({see_also('new-scenario')})"
        )
    ),
]


def _check_set_name(name: str) -> str:
    """A bundled evidence set's name. Only names: a request never names a file for a set,
    so one from the network cannot make the server read a path (the library's
    :func:`peervalue.evidence.sets.select_set` takes a set file)."""
    from peervalue.evidence.sets import bundled_set_names

    names = bundled_set_names()
    if name not in names:
        looks_like_a_file = "/" in name or "\\" in name or name.endswith((".yaml", ".yml", ".toml"))
        raise _option_error(
            f"got {quote(name)}, which is not a bundled evidence set"
            + (" (a set is named, never given as a file)" if looks_like_a_file else ""),
            f"one of {', '.join(names)} ({see_also('evidence-sets')})",
        )
    return name


class Request(BaseModel):
    """Base of every request: frozen, and an unknown (misspelt) option is an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class EvidenceRequest(Request):
    """Which studies: a folder or file (``Path``), a list of studies, or ``None`` (bundled).

    ``evidence_label`` names the evidence in outputs; by default the path, "bundled
    evidence (...)", or "in-memory evidence (N studies)". A
    :class:`~peervalue.evidence.load.Evidence` from :func:`peervalue.load_evidence` is
    accepted too: its studies and its label are used.
    """

    evidence: Path | list[Study] | None = None
    evidence_label: str | None = None
    #: a bundled evidence set's name (``peervalue evidence sets``): which of the evidence's
    #: studies to use. ``None``: the evidence as given (the bundled six).
    evidence_set: str | None = None
    #: what the benefits count: psychiatric bed-days (the reference analysis), or every
    #: resource a study reports (``other_resources``) valued at the cost file's unit costs
    resources: Resources = "bed-days"

    @field_validator("evidence_set")
    @classmethod
    def _known_set(cls, name: str | None) -> str | None:
        return None if name is None else _check_set_name(name)

    @model_validator(mode="before")
    @classmethod
    def _from_evidence(cls, data: Any) -> Any:
        from peervalue.evidence.load import Evidence

        if isinstance(data, dict) and isinstance(data.get("evidence"), Evidence):
            ev = data["evidence"]
            data = {**data, "evidence": list(ev.listed)}  # unpooled ones are split off again
            data.setdefault("evidence_label", ev.origin)
        return data

    @field_validator("evidence", mode="before")
    @classmethod
    def _no_empty_path(cls, evidence: Any) -> Any:
        return _refuse_empty_path(evidence, "a folder of study files, or one study file")

    @field_validator("evidence", mode="before")
    @classmethod
    def _recheck_studies(cls, evidence: Any) -> Any:
        # A study changed after it was built (``model_copy(update=...)``) skipped the
        # checks of its file format: check every study again, as its fields now stand.
        if isinstance(evidence, (list, tuple)):
            return [s.model_dump() if isinstance(s, Study) else s for s in evidence]
        return evidence

    @field_validator("evidence")
    @classmethod
    def _unique_ids(cls, evidence: Path | list[Study] | None) -> Path | list[Study] | None:
        if isinstance(evidence, list):
            if not evidence:
                raise ValueError("the list of studies is empty; give at least one study")
            seen: set[str] = set()
            for study in evidence:
                if study.id in seen:
                    raise ValueError(f"study id {study.id!r} is used by two studies")
                seen.add(study.id)
        return evidence


class StudyRequest(EvidenceRequest):
    """One study of the evidence, by id (``peervalue evidence show``)."""

    study_id: str = Field(min_length=1, max_length=200)


def _covered_year(year: str | None) -> str | None:
    """A price year the bundled price index covers (``None`` passes)."""
    if year is None:
        return None
    from peervalue.costs.indices import nhs_pay_and_prices

    index = nhs_pay_and_prices()
    if not index.covers(year):
        raise _option_error(
            f"got {year!r}, which the {index.name} does not cover", index.expected_years()
        )
    return year


#: a financial year ``YYYY-YY`` that the bundled price index covers
CoveredYear = Annotated[PriceYear, AfterValidator(_covered_year)]
#: how money is rebased: one index for everything, or the pay index for salary and
#: employer on-costs and the pay-and-prices index for the rest
Indexation = Literal["pay-and-prices", "pay-for-pay"]


class RunRequest(EvidenceRequest):
    """The inputs of a model run: evidence, unit costs and the pooling weights.

    ``costs`` is a cost file (``Path``), the name of a bundled cost set
    (``peervalue costs list``), a :class:`~peervalue.costs.schema.CostFile`, or
    ``None`` for the bundled England 2011-12 costs. Every price year in an
    in-memory cost document must be covered by the price index; a file is
    checked when it is loaded.

    ``price_year`` expresses every money figure at that year's prices (default: the
    cost set's own); ``indexation`` says which index moves what (``pay-and-prices``,
    the default, moves every cost by one index, so ratios and break-even bed-days do
    not depend on the year; ``pay-for-pay`` moves salary and employer on-costs by the
    NHSCII pay series and the rest by pay and prices).
    """

    costs: Path | CostFile | None = None
    weighting: Weighting = "all"
    price_year: CoveredYear | None = None
    indexation: Indexation = "pay-and-prices"
    cost_basis: CostBasis | None = None

    @field_validator("costs", mode="before")
    @classmethod
    def _no_empty_costs(cls, costs: Any) -> Any:
        return _refuse_empty_path(costs, "a cost file, or a bundled cost set's name")

    @field_validator("costs", mode="before")
    @classmethod
    def _recheck_costs(cls, costs: Any) -> Any:
        # as for studies: a cost document changed by ``model_copy(update=...)`` is checked again
        return costs.model_dump() if isinstance(costs, CostFile) else costs

    @field_validator("costs")
    @classmethod
    def _cost_years(cls, costs: Path | CostFile | None) -> Path | CostFile | None:
        if isinstance(costs, CostFile):
            from peervalue.costs.load import price_year_problems

            problems = price_year_problems(costs)
            if problems:
                raise ValueError("; ".join(p.sentence().rstrip(".") for p in problems))
        return costs


class AnalysisRequest(RunRequest):
    """The reference analysis (``peervalue reproduce`` / ``analyse``).

    ``with_reference`` attaches the published 2013 result; ``leave_one_out`` and
    ``subgroup`` add pooled results without each study, or within each value of
    a study field, with probabilities from ``draws`` Monte Carlo draws (``seed``).
    """

    kind: Literal["analysis"] = "analysis"
    with_reference: bool = False
    #: also pool on the other cost basis (pay beside full), as ``reproduce`` shows
    compare_cost_basis: bool = False
    leave_one_out: bool = False
    subgroup: SubgroupField | None = None
    draws: Draws = 20_000
    seed: Seed = 1


class PsaRequest(RunRequest):
    """Monte Carlo over every input's distribution (``peervalue psa``).

    The value of information is scaled to ``population_fte`` FTE over ``horizon``
    years discounted at ``discount_rate``. ``keep_draws`` keeps the run's draws
    on the result (``PsaResult.kept_draws``) for figures drawn later.
    """

    kind: Literal["psa"] = "psa"
    draws: Draws = 100_000
    seed: Seed = 1
    chunk_size: ChunkSize = DEFAULT_CHUNK
    population_fte: PopulationFte = 100.0
    horizon: Horizon = 5
    discount_rate: DiscountRate = 0.035
    keep_draws: bool = False
    #: pseudo-random draws, or scrambled Sobol points with a standard error from the
    #: spread between SOBOL_SCRAMBLINGS independent scramblings
    sampler: Literal["random", "sobol"] = "random"
    #: the pooled P(ratio > 1) as the share of draws above 1, or as the average of its
    #: probability given every input but one (uncertainty.conditional), with a standard
    #: error from SOBOL_SCRAMBLINGS scramblings (sobol) or batches of draws (random)
    probability: Literal["share", "conditional"] = "share"

    @field_validator("sampler")
    @classmethod
    def _enough_for_the_scramblings(cls, sampler: str, info: ValidationInfo) -> str:
        draws = info.data.get("draws")
        if sampler == "sobol" and isinstance(draws, int) and draws < SOBOL_SCRAMBLINGS:
            raise _option_error(
                f"sobol with {draws:,} draws",
                f"at least {SOBOL_SCRAMBLINGS} draws (one point for each of its "
                f"{SOBOL_SCRAMBLINGS} scramblings; a power of two per scrambling, such as "
                "16,384 draws in all, is best)",
            )
        return sampler

    @field_validator("probability")
    @classmethod
    def _enough_for_the_batches(cls, probability: str, info: ValidationInfo) -> str:
        draws = info.data.get("draws")
        if probability == "conditional" and isinstance(draws, int) and draws < SOBOL_SCRAMBLINGS:
            raise _option_error(
                f"conditional with {draws:,} draws",
                f"at least {SOBOL_SCRAMBLINGS} draws (its error comes from "
                f"{SOBOL_SCRAMBLINGS} independent batches or scramblings of the draws)",
            )
        return probability


class SensitivityRequest(RunRequest):
    """One-way sensitivity of pooled net benefit per FTE-year (tornado data)."""

    kind: Literal["sensitivity"] = "sensitivity"
    pooling: PoolingMethod = "weighted"


class ThresholdRequest(RunRequest):
    """Break-even values of bed-days, cost per bed-day, caseload and peer worker cost."""

    kind: Literal["threshold"] = "threshold"
    pooling: PoolingMethod = "weighted"


class MetaRequest(RunRequest):
    """Meta-analysis of bed-days saved per patient-year of support, and pooled ratios."""

    kind: Literal["meta"] = "meta"
    caseload: Caseload = 15.0
    level: Level = 0.95
    #: one method, or ``None`` for all (fixed, DerSimonian-Laird, REML, Paule-Mandel)
    method: MetaMethod | None = None
    interval: MetaInterval = "normal"
    prediction: MetaPrediction = "t"
    i2_from: MetaI2 = "q"


def _prior_text(parse: Any) -> BeforeValidator:
    """A prior given as text (``halfnormal:0.5``) becomes its model."""

    def check(value: Any) -> Any:
        if isinstance(value, str):
            try:
                return parse(value)
            except ValueError as exc:
                raise PydanticCustomError(
                    "run_option", "{message}", {"message": str(exc)}
                ) from None
        return value

    return BeforeValidator(check)


class SynthesisRequest(EvidenceRequest):
    """The evidence synthesis (``peervalue synthesis``): every study on one ``scale`` and
    the exact Bayesian random-effects model with its priors (text such as
    ``halfnormal:0.5`` or the prior models of :mod:`peervalue.synthesis.priors`; ``None``:
    the scale's default), the bias adjustment, meta-regression and small-study checks."""

    kind: Literal["synthesis"] = "synthesis"
    scale: Literal["relative", "absolute"] = "relative"
    tau_prior: Annotated[TauPrior | None, _prior_text(parse_tau_prior)] = None
    mu_prior: Annotated[MuPrior | None, _prior_text(parse_mu_prior)] = None
    bias_prior: Annotated[NormalPrior | None, _prior_text(parse_bias_prior)] = None
    #: ``False``: no bias-adjusted rows (the adjustment is switched off)
    bias: bool = True
    level: Level = 0.95


#: the largest amount ``costs rebase`` moves between price years, in pounds
MAX_REBASE_AMOUNT: Final = 1e13


class RebaseRequest(Request):
    """Move ``value`` from ``from_year`` to ``to_year`` prices by one series of the index."""

    kind: Literal["rebase"] = "rebase"
    value: Annotated[
        float,
        Field(strict=True, allow_inf_nan=False),
        _check(
            lambda v: abs(v) <= MAX_REBASE_AMOUNT,
            f"an amount of at most {MAX_REBASE_AMOUNT:,.0f} pounds in magnitude (fifty times "
            "the NHS's yearly budget; larger amounts are slips and overflow when rebased)",
        ),
    ]
    from_year: CoveredYear
    to_year: CoveredYear
    series: Literal["pay-and-prices", "pay", "prices"] = "pay-and-prices"


class CostComparisonRequest(EvidenceRequest):
    """Rebase the ``older`` cost set to the ``newer`` one's price year, beside re-costing
    at the ``newer`` set's published figures (cost files or bundled set names)."""

    kind: Literal["cost-comparison"] = "cost-comparison"
    older: Path = Path("england-2011-12")
    newer: Path = Path("england-2024-25")
    weighting: Weighting = "all"


#: the most Monte Carlo draws of a business case (draws x years are kept in memory)
MAX_SCENARIO_DRAWS: Final = 200_000
ScenarioDraws = Annotated[
    int,
    Field(strict=True),
    _check(
        lambda n: 1 <= n <= MAX_SCENARIO_DRAWS,
        f"a whole number from 1 to {MAX_SCENARIO_DRAWS:,} (a business case keeps every "
        "draw of every year)",
    ),
]


class ScenarioRequest(Request):
    """A local business case: a scenario file (``Path``) or document, run with its
    uncertainty. ``draws`` and ``seed`` default to the file's ``[monte_carlo]`` table,
    else 10,000 and 1."""

    kind: Literal["scenario"] = "scenario"
    scenario: Path | ScenarioFile
    draws: ScenarioDraws | None = None
    seed: Seed | None = None


#: the most draws x grid cells a two-way analysis evaluates at once
MAX_TWO_WAY_CELLS: Final = 25_000_000


class TwoWayRequest(RunRequest):
    """Two-way sensitivity over a ``grid`` x ``grid`` of two inputs (``axes``), for the
    reference analysis or, with ``scenario``, for a business case's net present value."""

    kind: Literal["two-way"] = "two-way"
    axes: tuple[TwoWayAxis, TwoWayAxis]
    grid: Annotated[
        int, Field(strict=True), _check(lambda g: 2 <= g <= 101, "a whole number from 2 to 101")
    ] = 25
    draws: Draws = 2_000
    seed: Seed = 1
    pooling: PoolingMethod = "weighted"
    scenario: Path | ScenarioFile | None = None

    @field_validator("axes")
    @classmethod
    def _two_inputs(cls, axes: tuple[TwoWayAxis, TwoWayAxis]) -> tuple[TwoWayAxis, TwoWayAxis]:
        if axes[0] == axes[1]:
            raise _option_error(
                f"got {quote(axes[0])} twice",
                "two different inputs, e.g. caseload,cost_per_bed_day",
            )
        return axes

    @field_validator("scenario")
    @classmethod
    def _scenario_alone(
        cls, scenario: Path | ScenarioFile | None, info: ValidationInfo
    ) -> Path | ScenarioFile | None:
        # the scenario file sets its own evidence, costs and price year: others are not used
        defaults = {
            "evidence": None,
            "evidence_set": None,
            "resources": "bed-days",
            "costs": None,
            "price_year": None,
            "weighting": "all",
            "pooling": "weighted",
            "indexation": "pay-and-prices",
            "cost_basis": None,
        }
        given = [
            name
            for name, default in defaults.items()
            if name in info.data and info.data[name] != default
        ]
        if scenario is not None and given:
            raise _option_error(
                f"a scenario together with {', '.join(given)}",
                "the scenario alone: its file sets the evidence, the costs and the price year",
            )
        return scenario

    @field_validator("draws")
    @classmethod
    def _bounded_cells(cls, draws: int, info: ValidationInfo) -> int:
        grid = info.data.get("grid")
        if isinstance(grid, int) and draws * grid**2 > MAX_TWO_WAY_CELLS:
            raise _option_error(
                f"{draws:,} draws x {grid}^2 grid cells = {draws * grid**2:,} evaluations",
                f"at most {MAX_TWO_WAY_CELLS:,}: fewer draws or a coarser grid",
            )
        return draws


class ReconcileRequest(Request):
    """The bridge from our reference result to the published 4.8 : 1 (``peervalue reconcile``)."""

    kind: Literal["reconcile"] = "reconcile"
    evidence: Path | None = None
    costs: Path | None = None


#: the most draws a cumulative analysis keeps (steps x methods x draws ratios are held)
MAX_CUMULATIVE_DRAWS: Final = 200_000


class CumulativeRequest(RunRequest):
    """The pooled result as studies are added one at a time (``peervalue cumulative``), in
    order of publication year or of weight (largest first), with ``draws`` Monte Carlo
    draws (``seed``) for each step's interval and probability of benefit."""

    kind: Literal["cumulative"] = "cumulative"
    order: Literal["year", "weight"] = "year"
    draws: Annotated[
        int,
        Field(strict=True),
        _check(
            lambda n: 100 <= n <= MAX_CUMULATIVE_DRAWS,
            f"a whole number from 100 to {MAX_CUMULATIVE_DRAWS:,} (every step's draws are kept)",
        ),
    ] = 20_000
    seed: Seed = 1


class EvidenceComparisonRequest(RunRequest):
    """Two to five evidence sets side by side (``peervalue compare``): each set's pooled
    ratio by method and probability of benefit from ``draws`` Monte Carlo draws
    (``seed``), the studies that differ, and what changed, in words. The first set is
    the baseline; ``evidence_set`` (one set) is not used here."""

    kind: Literal["evidence-comparison"] = "evidence-comparison"
    evidence_sets: Annotated[list[str], Field(min_length=2, max_length=5)]
    draws: Annotated[
        int,
        Field(strict=True),
        _check(
            lambda n: 100 <= n <= MAX_CUMULATIVE_DRAWS,
            f"a whole number from 100 to {MAX_CUMULATIVE_DRAWS:,}",
        ),
    ] = 20_000
    seed: Seed = 1

    @field_validator("evidence_sets", mode="before")
    @classmethod
    def _two_to_five(cls, names: Any) -> Any:
        if isinstance(names, (list, tuple)) and not 2 <= len(names) <= 5:
            got = "one set" if len(names) == 1 else f"{len(names)} sets"
            raise _option_error(
                f"got {got}",
                "two to five evidence sets to compare, the first being the baseline (give "
                "the option once for each set)",
            )
        return names

    @field_validator("evidence_sets")
    @classmethod
    def _known_sets(cls, names: list[str]) -> list[str]:
        for name in names:
            _check_set_name(name)
        twice = [name for i, name in enumerate(names) if name in names[:i]]
        if twice:
            raise _option_error(f"got {quote(twice[0])} twice", "different evidence sets")
        return names

    @model_validator(mode="after")
    def _no_single_set(self) -> Self:
        if self.evidence_set is not None:
            raise _option_error(
                "a single evidence_set as well", "the sets to compare in evidence_sets only"
            )
        return self


#: the most draws an EVPPI run keeps (every input's draws are held for the regressions)
MAX_EVPPI_DRAWS: Final = 200_000


class EvppiRequest(RunRequest):
    """What further research is worth: EVPPI per input and per group (``peervalue evppi``)."""

    kind: Literal["evppi"] = "evppi"
    draws: Annotated[
        int,
        Field(strict=True),
        _check(
            lambda n: 100 <= n <= MAX_EVPPI_DRAWS,
            f"a whole number from 100 to {MAX_EVPPI_DRAWS:,} (every input's draws are kept)",
        ),
    ] = 20_000
    seed: Seed = 1
    pooling: PoolingMethod = "weighted"
    population_fte: PopulationFte = 100.0
    horizon: Horizon = 5
    discount_rate: DiscountRate = 0.035


#: the most draws an EVSI run keeps, and the sample sizes per arm it accepts
MAX_EVSI_DRAWS: Final = 200_000
MAX_TRIAL_ARM: Final = 100_000
MAX_TRIAL_COST: Final = 1e9
TrialCost = Annotated[
    float,
    Field(strict=True),
    _check(lambda c: 0 <= c <= MAX_TRIAL_COST, f"an amount in pounds from 0 to {MAX_TRIAL_COST:g}"),
]


class EvsiRequest(RunRequest):
    """What a proposed two-arm trial is worth (``peervalue evsi``): EVSI by regression on
    the synthesis's predictive effect, ENBS and the best size per arm (``n``).

    The evidence defaults to the ``all-2026`` set (the synthesis needs studies with a
    relative effect) and the costs to ``england-2024-25``. ``population_low`` and
    ``population_high`` range the population (default half and twice ``population_fte``);
    each trial cost has a stated range (``*_low``, ``*_high``)."""

    kind: Literal["evsi"] = "evsi"
    design: Literal["rct-readmission", "rct-bed-days"] = "rct-readmission"
    n: Annotated[tuple[int, ...], Field(min_length=1, max_length=20)] = (
        50,
        100,
        200,
        300,
        400,
        600,
        800,
        1200,
        1600,
        2400,
    )
    follow_up_months: Annotated[
        int, Field(strict=True), _check(lambda m: 1 <= m <= 60, "whole months from 1 to 60")
    ] = 12
    population_fte: PopulationFte = 500.0
    population_low: PopulationFte | None = None
    population_high: PopulationFte | None = None
    horizon: Horizon = 10
    discount_rate: DiscountRate = 0.035
    setup_cost: TrialCost = 500_000.0
    setup_cost_low: TrialCost = 250_000.0
    setup_cost_high: TrialCost = 1_000_000.0
    cost_per_participant: TrialCost = 1_500.0
    cost_per_participant_low: TrialCost = 750.0
    cost_per_participant_high: TrialCost = 3_000.0
    draws: Annotated[
        int,
        Field(strict=True),
        _check(
            lambda n: 1_000 <= n <= MAX_EVSI_DRAWS,
            f"a whole number from 1,000 to {MAX_EVSI_DRAWS:,} (every draw is kept)",
        ),
    ] = 50_000
    bootstrap: Annotated[
        int, Field(strict=True), _check(lambda b: 0 <= b <= 1000, "a whole number from 0 to 1,000")
    ] = 200
    seed: Seed = 1

    @model_validator(mode="before")
    @classmethod
    def _default_evidence(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("evidence") is None and not data.get("evidence_set"):
            data = {**data, "evidence_set": "all-2026"}
        if isinstance(data, dict) and data.get("costs") is None:
            data = {**data, "costs": Path("england-2024-25")}
        return data

    @field_validator("n")
    @classmethod
    def _sizes(cls, n: tuple[int, ...]) -> tuple[int, ...]:
        bad = [x for x in n if not 10 <= x <= MAX_TRIAL_ARM]
        if bad:
            raise _option_error(
                f"got {bad[0]:,} patients per arm",
                f"sizes per arm from 10 to {MAX_TRIAL_ARM:,}, e.g. 100,200,400,800",
            )
        if len(set(n)) != len(n):
            raise _option_error("a size given twice", "different sizes per arm")
        return tuple(sorted(n))

    @model_validator(mode="after")
    def _ranges(self) -> Self:
        checks = [
            ("setup_cost", self.setup_cost_low, self.setup_cost, self.setup_cost_high),
            (
                "cost_per_participant",
                self.cost_per_participant_low,
                self.cost_per_participant,
                self.cost_per_participant_high,
            ),
            (
                "population_fte",
                self.population_low if self.population_low is not None else 0.0,
                self.population_fte,
                self.population_high if self.population_high is not None else math.inf,
            ),
        ]

        def shown(x: float) -> str:
            return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:g}"

        for name, low, value, high in checks:
            if not low <= value <= high:
                raise _option_error(
                    f"{name} {shown(value)} outside its range {shown(low)} to {shown(high)}",
                    f"a range ({name}'s low and high) that holds the value",
                )
        return self


#: request fields named by the option a user types, where a message needs the option
OPTION_NAMES: Final = {
    "evidence": "--evidence",
    "evidence_set": "--evidence-set",
    "costs": "--costs",
}


class PlotRequest(RunRequest):
    """Figures (``peervalue plot``, and the report): the results behind ``figures`` are
    computed once each. ``scenario`` draws the business-case figures (payback, and the
    two-way map of the business case's net present value)."""

    kind: Literal["plot"] = "plot"
    figures: tuple[str, ...]
    draws: Draws = 20_000
    seed: Seed = 1
    scenario: OptionalScenario = None

    @field_validator("figures")
    @classmethod
    def _known_figures(cls, figures: tuple[str, ...]) -> tuple[str, ...]:
        from peervalue.figures.catalogue import FIGURES

        unknown = [f for f in figures if f not in FIGURES]
        if unknown or not figures:
            got = f"unknown figure {quote(unknown[0])}" if unknown else "no figure"
            raise _option_error(got, f"one of {', '.join(FIGURES)} ({see_also('figures')})")
        return figures

    @field_validator("scenario")
    @classmethod
    def _scenario_sets_its_own_inputs(
        cls, scenario: Path | ScenarioFile | None, info: ValidationInfo
    ) -> Path | ScenarioFile | None:
        """A business case's figures take their evidence and costs from the scenario file;
        options that would choose them are refused rather than ignored."""
        from peervalue.figures.catalogue import FIGURES

        figures = info.data.get("figures") or ()
        if scenario is None or not all(
            FIGURES[f].scope in ("scenario", "any") for f in figures if f in FIGURES
        ):
            return scenario
        given = [
            OPTION_NAMES[name]
            for name in ("evidence", "evidence_set", "costs")
            if info.data.get(name) is not None
        ]
        if given:
            raise _option_error(
                f"{' and '.join(given)} with a business case's figure "
                f"({', '.join(figures)}), whose evidence and costs come from the scenario file",
                "the evidence and costs set in the scenario file's [evidence] and [costs] "
                "tables, without these options",
            )
        return scenario

    @field_validator("figures")
    @classmethod
    def _bridge_for_the_six(cls, figures: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        chosen = info.data.get("evidence_set")
        if "bridge" in figures and chosen not in (None, "cmh2013"):
            raise _option_error(
                f"the bridge with {field_ref('evidence_set', str(chosen))}",
                f"another figure, or the bridge without {field_ref('evidence_set')} (or with "
                "cmh2013): it walks from the 2013 six to the published 4.8 : 1",
            )
        return figures


class ReportRequest(RunRequest):
    """A report (``peervalue report``): every figure and table for the evidence, and with
    ``scenario`` for a business case, from one run of each result (``draws``, ``seed``)."""

    kind: Literal["report"] = "report"
    draws: Draws = 100_000
    seed: Seed = 1
    scenario: OptionalScenario = None


R = TypeVar("R", bound=Request)


#: fields that take a path or a document: what to say when the value is neither
_DOCUMENT_FIELDS: Final = {
    "evidence": "a path to a folder or study file, a list of studies, or nothing (bundled)",
    "costs": "a path to a cost file, a cost document, or nothing (bundled)",
}


def _is_path_branch(tag: object) -> bool:
    """The location step pydantic gives the ``Path`` member of a ``Path | document`` union."""
    return isinstance(tag, str) and ("path" in tag or "lax-or-strict" in tag)


def request_problems(
    exc: ValidationError, labels: Mapping[str, str] | None = None
) -> list[InputError]:
    """One :class:`InputError` per bad field, named by ``labels`` (e.g. CLI options), or
    else by the field, which each front end names its own way (``request_field``).

    For ``evidence`` and ``costs`` (a path or a document), a value that is neither
    gets one problem saying so; a document with mistakes gets one problem per
    mistake, at its path inside the document.
    """
    from peervalue.fileio import problems_from

    labels = labels or {}
    kept: list[ErrorDetails] = []
    neither: dict[str, object] = {}
    for err in exc.errors(include_url=False):
        loc = err["loc"]
        top = str(loc[0]) if loc else ""
        if top in _DOCUMENT_FIELDS and len(loc) > 1 and isinstance(loc[1], str):
            if _is_path_branch(loc[1]) or len(loc) == 2:
                # the value is neither a path nor a document: said once, below
                neither.setdefault(top, err.get("input"))
                continue
            err = {**err, "loc": (top, *loc[2:])}  # drop the union member's tag
        kept.append(err)
    by_field: dict[str, list[Problem]] = {}
    for err, problem in zip(kept, problems_from(kept), strict=True):
        top = str(err["loc"][0]) if err["loc"] else "request"
        inner = problem.field.removeprefix(top).lstrip(".")
        where = labels.get(top, top)
        by_field.setdefault(where, []).append(Problem(inner, problem.problem, problem.expected))
    for top, value in neither.items():
        where = labels.get(top, top)
        if where not in by_field:
            by_field[where] = [
                Problem("", f"got {type(value).__name__} {quote(value)}", _DOCUMENT_FIELDS[top])
            ]
    # unlabelled, an error names the request field, for each front end to name its own way
    fields = set(_all_fields(exc))
    return [
        InputError(where, problems, request_field=where if where in fields else None)
        for where, problems in by_field.items()
    ]


def _all_fields(exc: ValidationError) -> list[str]:
    return [str(err["loc"][0]) for err in exc.errors(include_url=False) if err["loc"]]


def make_request(cls: type[R], labels: Mapping[str, str] | None = None, **values: Any) -> R:
    """Build request ``cls`` from ``values``; a mistake raises :class:`InputError`.

    ``labels`` maps field names to what the user typed (``{"draws": "--draws"}``),
    so messages name the option rather than the field. Several bad fields raise
    :class:`InputErrorGroup`.
    """
    try:
        return cls(**values)
    except ValidationError as exc:
        errors = request_problems(exc, labels)
        if len(errors) == 1:
            raise errors[0] from None
        raise InputErrorGroup(errors) from None


class CaseSensitivityRequest(Request):
    """Sensitivity of a business case's own net present value (economic or cash): a tornado
    of every uncertain input, or (``axes``) a two-way grid of two of them
    (:mod:`peervalue.service.case_sensitivity`)."""

    kind: Literal["case-sensitivity"] = "case-sensitivity"
    scenario: Path | ScenarioFile
    #: one of the scenario's ``[[options]]`` by name: its NPV in place of the case's
    option: str | None = None
    outcome: Literal["economic", "cash"] = "economic"
    axes: tuple[str, str] | None = None
    grid: Annotated[
        int, Field(strict=True), _check(lambda g: 2 <= g <= 51, "a whole number from 2 to 51")
    ] = 11
    draws: Annotated[
        int, Field(strict=True), _check(lambda n: 1 <= n <= 20_000, "from 1 to 20,000")
    ] = 1_000
    seed: Seed = 1
