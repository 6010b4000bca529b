"""The scenario file: a local business case for employing peer support workers.

A scenario is a TOML file (documented for users in ``docs/scenarios.md``) that
layers a service's own figures over the national defaults
(``data/scenarios/national-defaults.toml``, the same format). Every figure is a
:class:`~peervalue.provenance.Quantity` block with its unit and status, or a bare
number, which stands for a figure the service sets itself, with no range.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Final, Literal, Self

from pydantic import Field, field_validator, model_validator

from peervalue.errors import quote
from peervalue.provenance import PriceYear, Quantity, StrictModel, quantities_in
from peervalue.scenario.discounting import SCHEDULE_WORDS, DiscountSchedule, first_rate
from peervalue.scenario.inputs import Figure, Input, unit_of
from peervalue.scenario.option_file import OptionList
from peervalue.units import (
    MAX_COST_PER_FTE_YEAR,
    MAX_SALARY,
    MIN_CASELOAD,
    MIN_COST_PER_FTE_YEAR,
    MIN_FTE,
    MIN_SALARY,
    Bound,
)

#: the rationale given to a bare number: a figure the service sets itself
LOCAL_FIGURE = "set in the scenario file (a local figure, without a range)"


def local_figure(value: float, unit: str, price_year: str | None) -> dict[str, Any]:
    """The quantity block a bare number stands for."""
    block: dict[str, Any] = {
        "value": value,
        "unit": unit,
        "status": "assumed",
        "range": [value, value],
        "rationale": LOCAL_FIGURE,
    }
    if unit.startswith("GBP") and price_year is not None:
        block["price_year"] = price_year
    return block


def expand_bare_numbers(data: Any) -> Any:
    """Replace each bare number where a figure belongs by its quantity block.

    Money figures take the scenario's price year. Anything unexpected is left for
    validation to report.
    """
    if not isinstance(data, dict):
        return data
    about = data.get("scenario")
    year = about.get("price_year") if isinstance(about, dict) else None
    year = year if isinstance(year, str) else None

    def is_number(x: Any) -> bool:
        return isinstance(x, int | float) and not isinstance(x, bool)

    out = dict(data)
    for path, unit in UNIT_OF.items():
        table, _, field = path.partition(".")
        if table == "extra":
            items = out.get("extra")
            if isinstance(items, list):
                out["extra"] = [
                    {**item, field: local_figure(item[field], unit, year)}
                    if isinstance(item, dict) and is_number(item.get(field))
                    else item
                    for item in items
                ]
            continue
        block = out.get(table)
        if isinstance(block, dict) and is_number(block.get(field)):
            out[table] = {**block, field: local_figure(block[field], unit, year)}
    return out


#: a share is also drawn only from a distribution on 0-1 (``zero_one``)
Share = Annotated[Quantity, Figure("proportion", low=0, high=1, noun="a share", zero_one=True)]
Caseload = Annotated[Quantity, Figure("patients/FTE", low=0, low_open=True, floor=MIN_CASELOAD)]
Effect = Annotated[Quantity, Figure("bed-days/patient-year")]
#: at most 10: the widest gap the bundled evidence's countries give, England's mean length of
#: stay over the United States', is about 4 to 5 (39 days / 8.2 days); 10 leaves room and
#: refuses a slip such as 12 for 1.2
Multiplier = Annotated[Quantity, Figure("ratio", low=0, low_open=True, high=10, noun="a ratio")]
#: an uplift to costs for optimism: from 0 (none) to 2 (costs trebled; the Green Book's
#: largest generic uplift, for equipment and development, is 200%)
Uplift = Annotated[Quantity, Figure("proportion", low=0, high=2, noun="an uplift")]
#: months before a new worker is fully effective: at most a year
LagMonths = Annotated[Quantity, Figure("months", low=0, high=12, noun="the effect lag in months")]
#: a yearly rise in pay or prices (nominal cash for affordability): -10% to +30% a year
YearlyRise = Annotated[Quantity, Figure("proportion", low=-0.1, high=0.3, noun="a yearly rise")]
OneOff = Annotated[Quantity, Figure("GBP", low=0, cost="once")]
PerPost = Annotated[Quantity, Figure("GBP/FTE", low=0, cost="per-post")]
PerYear = Annotated[Quantity, Figure("GBP/year", low=0, cost="per-year")]
BedDayCost = Annotated[Quantity, Figure("GBP/bed-day", low=0, low_open=True)]
FteYearCost = Annotated[
    Quantity,
    Figure(
        "GBP/FTE-year",
        low=0,
        low_open=True,
        floor=MIN_COST_PER_FTE_YEAR,
        ceiling=MAX_COST_PER_FTE_YEAR,
    ),
]
Salary = Annotated[
    Quantity, Figure("GBP/year", low=0, low_open=True, floor=MIN_SALARY, ceiling=MAX_SALARY)
]
EventRate = Annotated[Quantity, Figure("events/patient-year")]
EventCost = Annotated[Quantity, Figure("GBP/event", low=0)]
Fte = Annotated[float, Field(strict=True, ge=0, le=1e5, allow_inf_nan=False)]

#: the effect's source: the synthesis's relative effect applied to the baseline (``predictive``,
#: the default: a new service's effect; ``posterior-mean``: the mean effect;
#: ``randomised-only`` and ``bias-adjusted``: the predictive of those variants), the 2013
#: absolute methods (``pooled-weighted``, ``pooled-sums``), or the service's own figure
EffectSource = Literal[
    "predictive",
    "posterior-mean",
    "randomised-only",
    "bias-adjusted",
    "pooled-weighted",
    "pooled-sums",
    "own",
]
#: the sources that take the synthesis's relative effect (``peervalue.scenario.baseline``)
RELATIVE_SOURCES: tuple[str, ...] = (
    "predictive",
    "posterior-mean",
    "randomised-only",
    "bias-adjusted",
)
#: the evidence set a relative source synthesises when the scenario names none
DEFAULT_SYNTHESIS_SET = "all-2026"

#: at most one admission a month, every month: people readmitted most often average far fewer
MAX_ADMISSIONS: Final = Bound(
    12.0, "an admission every month of the year; the people readmitted most often average fewer"
)
#: a stay longer than a year is long-stay care, not an acute admission
MAX_LENGTH_OF_STAY: Final = Bound(
    366.0, "a stay longer than a year is long-stay care, not an acute admission"
)
MIN_SUPPORT_MONTHS: Final = Bound(0.25, "about a week of peer support, shorter than any study's")
MAX_SUPPORT_MONTHS: Final = Bound(
    24.0, "two years; the studies' peer support lasted from about two to twelve months"
)
#: admissions a year x days per admission cannot pass a year in hospital
MAX_BASELINE_DAYS: Final = 366.0
Admissions = Annotated[
    Quantity,
    Figure("admissions/patient-year", low=0, noun="admissions a year", ceiling=MAX_ADMISSIONS),
]
LengthOfStay = Annotated[
    Quantity, Figure("days/admission", low=0, low_open=True, ceiling=MAX_LENGTH_OF_STAY)
]
SupportMonths = Annotated[
    Quantity,
    Figure("months", low=0, low_open=True, floor=MIN_SUPPORT_MONTHS, ceiling=MAX_SUPPORT_MONTHS),
]
CostPerspective = Literal["public-sector", "trust-cash"]


class About(StrictModel):
    """Who the business case is for, when it starts and over what period."""

    name: Annotated[
        str,
        Input("Name of the business case", "Shown in every output.", "text", form="text"),
    ] = Field(min_length=1, max_length=200)
    organisation: Annotated[
        str, Input("Organisation", "Shown in every output.", "text", form="text")
    ] = Field(default="", max_length=200)
    price_year: Annotated[
        PriceYear,
        Input(
            "Price year",
            "Every pound is at this year's prices. Cost sets and figures from other years are "
            "rebased with the NHS pay and prices index (2008-09 to 2027-28).",
            "`YYYY-YY`",
            form="text",
            hint="Every pound is at this financial year's prices, e.g. 2024-25.",
        ),
    ]
    #: labels the years (financial years from April); a typo such as year 202 or 20250
    #: would label them "201-02" or "20250-51"
    start: Annotated[
        dt.date | None,
        Input(
            "Start date",
            "Labels the years as financial years (April to March); from 1948 to 2100.",
            "date",
            form="date",
            hint="Labels the years (financial years from April).",
            unset="none",
        ),
    ] = Field(default=None, ge=dt.date(1948, 1, 1), le=dt.date(2100, 12, 31))
    horizon_years: Annotated[
        int,
        Input("Horizon", "Years the business case runs for.", "years", "number", "years"),
    ] = Field(ge=1, le=50)
    discount_rate: Annotated[
        float,
        Field(ge=0, le=0.2, allow_inf_nan=False),
        Input(
            "Discount rate",
            "With discount_schedule `constant` (or unset, at a rate other than 3.5%): every "
            "year at this rate. Year 1 is not discounted.",
            "fraction",
            "percent",
            "% a year",
        ),
    ]
    notes: Annotated[
        list[str], Input("Notes", "Your own notes on the case.", "text", unset="none")
    ] = Field(default_factory=list)
    #: the Green Book's schedules, or the same rate every year; unset: the Green Book's
    #: standard schedule when ``discount_rate`` is its 3.5%, else that rate every year
    discount_schedule: Annotated[
        DiscountSchedule | None,
        Input(
            "Discount schedule",
            "`green-book`: 3.5% a year to year 31, then 3.0% (HM Treasury Green Book, the "
            "declining long-term rate; the first year is the Green Book's year 0). "
            "`green-book-health`: 1.5% a year to year 31, then 1.29% (health effects). "
            "`constant`: every year at `discount_rate`.",
            form="select",
            choices=SCHEDULE_WORDS,
            hint="The Green Book's rate falls from 3.5% to 3.0% after 30 years.",
            unset="`green-book` (or `constant` when you set another discount rate)",
        ),
    ] = None

    @model_validator(mode="after")
    def _rate_fits_schedule(self) -> Self:
        schedule = self.discount_schedule
        if schedule is None or schedule == "constant":
            return self
        own = first_rate(schedule, self.discount_rate)
        if not math.isclose(self.discount_rate, 0.035) and not math.isclose(
            self.discount_rate, own
        ):
            raise ValueError(
                f"'discount_rate' {self.discount_rate:g} is used only with discount_schedule "
                f"'constant'; the schedule {schedule!r} sets its own rates (from {own:.3g}); "
                'set discount_schedule = "constant" to discount every year at your rate, or '
                "leave discount_rate out"
            )
        return self

    def resolved_schedule(self) -> DiscountSchedule:
        """The schedule the case is discounted by (an unset one resolved, see the field)."""
        if self.discount_schedule is not None:
            return self.discount_schedule
        return "green-book" if math.isclose(self.discount_rate, 0.035) else "constant"


class Staffing(StrictModel):
    """Funded peer worker posts by year, and how many are filled and for how long.

    ``funded_fte`` is one number (every year) or a list, one per year (a ramp-up);
    a list shorter than the horizon carries its last value on.
    """

    funded_fte: Annotated[
        Fte | list[Fte],
        Input(
            "Funded peer support posts, year by year",
            "One number, or one number a year (a ramp-up). The last value carries on to the "
            "end of the horizon.",
            "FTE",
            "fte",
            "FTE",
            hint="One number, or one a year separated by semicolons (a ramp-up such as "
            "2; 4; 4); the last number carries on to the end of the horizon. Write a "
            "part-time post with a decimal point, such as 2.5.",
        ),
    ]
    vacancy_rate: Annotated[
        Share,
        Input(
            "Vacancy rate",
            "Average share of funded posts standing empty. Empty posts cost nothing and "
            "support no one.",
            form="percent",
            form_unit="%",
        ),
    ]
    turnover_rate: Annotated[
        Share,
        Input(
            "Turnover",
            "Share of posts refilled each year from year 2 (recruited and trained again).",
            form="percent",
            form_unit="% of posts a year",
        ),
    ]
    caseload: Annotated[
        Caseload,
        Input(
            "Caseload",
            "People one full-time peer worker supports at a time.",
            form="number",
            form_unit="people per FTE",
        ),
    ]
    effect_lag_months: Annotated[
        LagMonths | None,
        Input(
            "Months before a new worker is fully effective",
            "A new or replacement worker's first months (training, building a caseload) count "
            "as this many months without effect, in the year the post is created or refilled.",
            form="number",
            form_unit="months (0 to 12)",
            unset="none (a whole document without it: no lag)",
        ),
    ] = None

    @field_validator("funded_fte", mode="before")
    @classmethod
    def _fte_numbers(cls, value: Any) -> Any:
        # one clear message in place of one per member of the union
        items = value if isinstance(value, list) else [value]
        for i, x in enumerate(items):
            where = f"item {i + 1}: " if isinstance(value, list) else ""
            if isinstance(x, bool) or not isinstance(x, int | float):
                raise ValueError(
                    f"{where}got {quote(x)}; expected a number of FTE, or a list of them "
                    "(one a year)"
                )
            if not math.isfinite(x) or not 0 <= x <= 1e5:
                raise ValueError(f"{where}got {x!r}; expected FTE from 0 to 100,000")
            if 0 < x < MIN_FTE.limit:
                raise ValueError(
                    f"{where}got {x!r} FTE, below the smallest plausible post of "
                    f"{MIN_FTE.limit:g} FTE ({MIN_FTE.reason}); write 0 for a year without posts"
                )
        return value


class Costs(StrictModel):
    """Unit costs: a cost set (bundled name or file) and the scenario's own figures."""

    set: Annotated[
        str,
        Input(
            "Unit cost set",
            "The unit costs: a bundled cost set (`peervalue costs list`) or a cost file.",
            "name or file",
            "select",
        ),
    ] = Field(min_length=1)
    cost_per_bed_day: Annotated[
        BedDayCost | None,
        Input(
            "Your cost per bed-day",
            "Your local bed-day cost.",
            form="number",
            form_unit="£ per bed-day",
            hint="Leave blank to use the cost set's figure.",
            unset="the set's",
            replaces_cost_set=True,
        ),
    ] = None
    cost_per_fte_year: Annotated[
        FteYearCost | None,
        Input(
            "Cost per FTE-year",
            "Or the whole cost of a post (not with `salary` or `band`).",
            unset="the set's",
            replaces_cost_set=True,
        ),
    ] = None
    salary: Annotated[
        Salary | None,
        Input(
            "Your peer support worker salary",
            "A salary to which the set's on-costs and overheads are added.",
            form="number",
            form_unit="£ a year",
            hint="Leave blank to use the cost set's; its on-costs and overheads are added.",
            unset="the set's",
            replaces_cost_set=True,
        ),
    ] = None
    #: an Agenda for Change band ("3" or "4"): the middle of the band as the salary
    band: Annotated[
        str | None,
        Input(
            "Agenda for Change band",
            "Or an Agenda for Change band: the middle of the band (entry to top as its range) "
            "at the latest year of the bundled pay table (2011-12, 2023-24, 2024-25, 2025-26) "
            "not after the price year.",
            '`"3"` or `"4"`',
            replaces_cost_set=True,
        ),
    ] = Field(default=None, min_length=1, max_length=5)
    #: whose costs: the public sector's (full employer pension, all overheads and capital)
    #: or the trust's cash (the pension share trusts pay, a share of overheads and capital)
    perspective: Annotated[
        CostPerspective,
        Input(
            "Cost perspective",
            "`public-sector`: the full cost (employer pension at the full rate, every "
            "overhead and capital). `trust-cash`: what the trust pays, with employer pension "
            "at `trust_pension_rate` and only `trust_overhead_share` of the overheads and "
            "capital; needs a cost set built from components with the pension apart.",
            form="select",
            choices=(
                ("public-sector", "Public sector: full pension, overheads and capital"),
                ("trust-cash", "Trust cash: 14.38% pension and the overheads a post adds"),
            ),
        ),
    ] = "public-sector"
    trust_pension_rate: Annotated[
        Share | None,
        Input(
            "Employer pension the trust pays",
            "With `trust-cash`: replaces the cost set's employer pension rate. Unset: the "
            "trust's share at the price year (14% to 2014-15, 14.3% in 2015-16 and 2016-17, "
            "14.38% from 2017-18; data/pay/nhs-pension-employer.yaml).",
            form="percent",
            form_unit="% of salary",
            hint="Leave blank for the trust's share at the price year (14.38% from 2017-18).",
            unset="the trust's share at the price year",
            replaces_cost_set=True,
        ),
    ] = None
    trust_overhead_share: Annotated[
        Share | None,
        Input(
            "Share of overheads and capital the trust adds",
            "With `trust-cash`: the share of the cost set's overheads and capital that one "
            "more post really adds to the trust's spending.",
            form="percent",
            form_unit="% of overheads",
            unset="the defaults'",
        ),
    ] = None
    set_up: Annotated[
        OneOff, Input("Set-up cost", "One-off, in year 1.", form="number", form_unit="£ once")
    ]
    recruitment_per_post: Annotated[
        PerPost,
        Input(
            "Recruitment",
            "For each new post and each refilled post.",
            form="number",
            form_unit="£ per post filled",
        ),
    ]
    training_per_post: Annotated[
        PerPost,
        Input(
            "Training",
            "For each new post and each refilled post.",
            form="number",
            form_unit="£ per new worker",
        ),
    ]
    supervision_per_year: Annotated[
        PerYear,
        Input(
            "Peer supervision",
            "In each year with funded posts.",
            form="number",
            form_unit="£ a year",
        ),
    ]
    optimism_bias: Annotated[
        Uplift | None,
        Input(
            "Optimism bias on costs",
            "Uplift to every cost for optimism (HM Treasury Green Book supplementary "
            "guidance: 0% to 41% on operating costs).",
            form="percent",
            form_unit="% added to the costs",
            unset="none (a whole document without it: no uplift)",
        ),
    ] = None

    @model_validator(mode="after")
    def _one_peer_cost(self) -> Self:
        given = [
            name
            for name in ("cost_per_fte_year", "salary", "band")
            if getattr(self, name) is not None
        ]
        if len(given) > 1:
            raise ValueError(
                f"give one of 'cost_per_fte_year' (the whole cost of a post), 'salary' or "
                f"'band' (to which the cost set's on-costs and overheads are added), not "
                f"{' and '.join(repr(g) for g in given)}"
            )
        return self


class Evidence(StrictModel):
    """The effect of peer support: pooled from studies, or the service's own estimate."""

    source: Annotated[
        EffectSource,
        Input(
            "Where the effect comes from",
            "The effect. `predictive` (the default) takes the evidence synthesis's relative "
            "effect for a new service (its predictive distribution, heterogeneity included) "
            "and applies it to the `[baseline]` bed-days; `posterior-mean` takes its mean "
            "effect instead; `randomised-only` and `bias-adjusted` take the predictive effect "
            "of those variants. `pooled-weighted` (the 2013 method) takes studies' bed-days "
            "saved weighted by all their patients; `pooled-sums` takes all bed-days saved over "
            "all patient-years of support. `own` takes `saved_per_patient_year`.",
            form="select",
            choices=(
                ("predictive", "The synthesis: a new service's relative effect (default)"),
                ("posterior-mean", "The synthesis: the mean relative effect"),
                ("randomised-only", "The synthesis of randomised trials only"),
                ("bias-adjusted", "The synthesis, adjusted for bias in weaker designs"),
                (
                    "pooled-weighted",
                    "The studies' bed-days, weighted by patients (the 2013 method)",
                ),
                ("pooled-sums", "The studies, all bed-days over all patient-years"),
                ("own", "Our own estimate (below)"),
            ),
        ),
    ]
    #: a folder of study files (relative to the scenario file); default: the bundled six
    folder: Annotated[
        str | None,
        Input(
            "Study folder",
            "Your own study files, relative to the scenario file.",
            "folder",
            unset="the bundled six",
        ),
    ] = Field(default=None, min_length=1)
    #: a bundled evidence set (``peervalue evidence sets``), e.g. ``all-2026``; with
    #: ``folder``, the set's studies are taken from that folder
    set: Annotated[
        str | None,
        Input(
            "Evidence",
            "A bundled evidence set (`peervalue evidence sets`): `all-2026`, `rct-only`, "
            "`uk-only`, `bed-days-only` or `cmh2013` (the six). With `folder`, the set's "
            "studies are taken from your folder.",
            "name",
            "select",
            hint="Which studies the effect is pooled from; see the Evidence page.",
            unset="all-2026 for the synthesis, the bundled six for the 2013 methods",
        ),
    ] = Field(default=None, min_length=1, max_length=100)
    #: pool only the studies with this value of a study field, e.g. ``design=rct``
    subgroup: Annotated[
        str | None,
        Input(
            "Of those studies, pool",
            '`subgroup = "design=rct"` pools only some studies (by `design`, `country` or '
            "`peer_role`).",
            "field=value",
            "select",
            unset="all the studies",
        ),
    ] = Field(default=None, pattern=r"^(design|country|peer_role)=.+$")
    saved_per_patient_year: Annotated[
        Effect | None,
        Input(
            "Our own estimate of bed-days saved",
            'With `source = "own"`.',
            form="number",
            form_unit="bed-days per patient-year",
            hint="Used only when the effect is 'our own estimate'.",
        ),
    ] = None
    transferability: Annotated[
        Multiplier,
        Input(
            "Transferability to this service",
            "Multiplies the effect, for example by the ratio of mean length of stay in England "
            "to that in the studies' country (England's over the United States' is about 4 "
            "to 5). Results are also shown without it.",
            form="number",
            form_unit="times the studies' effect",
        ),
    ]

    @model_validator(mode="after")
    def _own_needs_figure(self) -> Self:
        if self.source == "own" and self.saved_per_patient_year is None:
            raise ValueError(
                "source 'own' needs 'saved_per_patient_year' (bed-days saved per patient-year "
                "of peer support)"
            )
        if self.source == "own" and (self.folder or self.subgroup or self.set):
            raise ValueError(
                "'folder', 'set' and 'subgroup' choose studies to pool; source 'own' pools none"
            )
        if self.set is not None:
            from peervalue.evidence.sets import bundled_set_names

            if self.set not in bundled_set_names():
                raise ValueError(
                    f"'set' {quote(self.set)} is not a bundled evidence set; expected one of: "
                    f"{', '.join(bundled_set_names())}"
                )
        if self.source != "own" and self.saved_per_patient_year is not None:
            raise ValueError(
                f"'saved_per_patient_year' is used only with source 'own', not {self.source!r}"
            )
        return self


class Baseline(StrictModel):
    """Hospital use without peer support among the people supported: what the synthesis's
    relative effect applies to (:mod:`peervalue.scenario.baseline`). Bed-days per
    patient-year of support = admissions a year x days per admission x 12 / months of
    support (each person is followed for the year after support begins)."""

    admissions_per_patient_year: Annotated[
        Admissions,
        Input(
            "Admissions a year without peer support",
            "Admissions (or readmissions) per person in the year after peer support would "
            "begin, among the people a service supports, without peer support.",
            form="number",
            form_unit="admissions per person a year",
            hint="The national default is the control arm of the UK trial CORE: 83 of 216 "
            "readmitted within a year.",
        ),
    ]
    length_of_stay: Annotated[
        LengthOfStay,
        Input(
            "Days per admission",
            "Your mean length of stay per admission (days in hospital).",
            form="number",
            form_unit="days per admission",
            hint="England's adult acute mean stay was 32 days in 2014 and 39 in 2023.",
        ),
    ]
    support_months: Annotated[
        SupportMonths,
        Input(
            "Months of peer support per person",
            "How long each person is supported; with the caseload it sets how many people "
            "a worker supports in a year.",
            form="number",
            form_unit="months per person",
        ),
    ]

    @model_validator(mode="after")
    def _no_more_than_a_year_in_hospital(self) -> Self:
        def highest(q: Quantity) -> float:
            ends: list[float] = [float(q.value), *(float(x) for x in q.range or ())]
            d = q.distribution
            if d is not None and d.high is not None:
                ends.append(float(d.high))
            return max(ends)

        a, los = highest(self.admissions_per_patient_year), highest(self.length_of_stay)
        if a * los > MAX_BASELINE_DAYS:
            raise ValueError(
                f"'admissions_per_patient_year' up to {a:g} admissions a year of "
                f"'length_of_stay' up to {los:g} days is {a * los:,.0f} days in hospital a "
                f"year, more than the {MAX_BASELINE_DAYS:g} days a year holds; expected "
                "admissions a year x days per admission of at most 366"
            )
        return self


class Benefits(StrictModel):
    """How much of the saving is cash, and how much to trim for optimism."""

    cash_releasing_share: Annotated[
        Share,
        Input(
            "Cash-releasing share",
            "Share of the saving that releases cash. The rest is capacity freed for other "
            "patients.",
            form="percent",
            form_unit="% of bed-days saved",
        ),
    ]
    optimism_bias: Annotated[
        Share,
        Input(
            "Optimism bias on benefits",
            "Share by which benefits are reduced (Green Book supplementary guidance).",
            form="percent",
            form_unit="% off the benefits",
        ),
    ]


class Affordability(StrictModel):
    """Yearly rises in pay and prices, for the nominal cash of the financial case (the
    economic case stays in real terms, at the price year's prices)."""

    pay_award: Annotated[
        YearlyRise | None,
        Input(
            "Pay award",
            "Yearly rise in Agenda for Change pay: the peer workers' pay, recruitment, "
            "training and supervision in each year's own prices.",
            form="percent",
            form_unit="% a year",
            unset="none (no rise)",
        ),
    ] = None
    price_inflation: Annotated[
        YearlyRise | None,
        Input(
            "NHS cost inflation",
            "Yearly rise in the cost of a bed-day and of other prices (set-up, other "
            "resources), for the cash released in each year's own prices.",
            form="percent",
            form_unit="% a year",
            unset="none (no rise)",
        ),
    ] = None


#: the organisations a line of the business case can belong to (who pays a cost, who gains
#: a benefit); their names are set in ``[organisations]``
OrganisationKey = Literal["trust", "icb", "local_authority", "other"]
#: the keys in the order outputs list them, with what each stands for
ORGANISATION_KEYS: tuple[tuple[str, str], ...] = (
    ("trust", "The trust"),
    ("icb", "The integrated care board"),
    ("local_authority", "The local authority"),
    ("other", "Another organisation"),
)
#: the most characters an organisation's name holds
MAX_ORGANISATION_NAME: Final = 100


def organisation_key(value: Any) -> Any:
    """An organisation's key as given, or a message that names it and the four keys."""
    keys = [k for k, _ in ORGANISATION_KEYS]
    if value not in keys:
        raise ValueError(
            f"got {quote(value)}, which is not an organisation's key; expected one of "
            f"{', '.join(keys)} (their names are set in [organisations])"
        )
    return value


def _who_pays(title: str, help: str) -> Input:
    return Input(
        title,
        help + " One of `trust`, `icb`, `local_authority` or `other`.",
        form="select",
        choices=ORGANISATION_KEYS,
    )


def _name_of(key: str, default: str) -> Input:
    return Input(
        f"Name for `{key}`",
        f"How outputs name the organisation `{key}`; 1 to {MAX_ORGANISATION_NAME} characters.",
        "text",
        form="text",
        hint=f"Shown in the tables of who pays and who gains (default: {default}).",
    )


class Organisations(StrictModel):
    """Who pays each cost and who gains each benefit, and the organisations' names.

    Every line of the business case belongs to one of four organisations (keys ``trust``,
    ``icb``, ``local_authority``, ``other``); the results show each organisation's costs,
    benefits and net benefit by year (:mod:`peervalue.scenario.organisations`). Each
    ``[[extra]]`` resource names its own organisation (``organisation``).
    """

    trust: Annotated[str, _name_of("trust", "The trust")] = "The trust"
    icb: Annotated[str, _name_of("icb", "Integrated care board")] = "Integrated care board"
    local_authority: Annotated[str, _name_of("local_authority", "Local authority")] = (
        "Local authority"
    )
    other: Annotated[str, _name_of("other", "Other")] = "Other"
    posts: Annotated[
        OrganisationKey,
        _who_pays("Who pays for the posts", "The organisation that employs the peer workers."),
    ] = "trust"
    set_up: Annotated[
        OrganisationKey, _who_pays("Who pays the set-up cost", "The one-off set-up cost.")
    ] = "trust"
    recruitment_per_post: Annotated[
        OrganisationKey, _who_pays("Who pays for recruitment", "Recruitment of each post.")
    ] = "trust"
    training_per_post: Annotated[
        OrganisationKey, _who_pays("Who pays for training", "Training of each new worker.")
    ] = "trust"
    supervision_per_year: Annotated[
        OrganisationKey, _who_pays("Who pays for supervision", "Peer supervision each year.")
    ] = "trust"
    bed_days: Annotated[
        OrganisationKey,
        _who_pays(
            "Who gains from the bed-days saved",
            "The organisation whose hospital beds are freed (its cash-releasing share too).",
        ),
    ] = "trust"

    @field_validator(
        "posts",
        "set_up",
        "recruitment_per_post",
        "training_per_post",
        "supervision_per_year",
        "bed_days",
        mode="before",
    )
    @classmethod
    def _a_key(cls, value: Any) -> Any:
        return organisation_key(value)

    @field_validator("trust", "icb", "local_authority", "other", mode="before")
    @classmethod
    def _a_name(cls, value: Any) -> Any:
        if not isinstance(value, str):
            raise ValueError(f"got {quote(value)}; expected a name in quotes")
        name = value.strip()
        if not name or len(name) > MAX_ORGANISATION_NAME:
            raise ValueError(
                f"the name is {len(name)} characters long; expected 1 to "
                f'{MAX_ORGANISATION_NAME} characters, such as "Anytown NHS Foundation Trust"'
            )
        if any(ord(c) < 32 or c == "\x7f" for c in name):
            raise ValueError("the name holds a control character; expected one line of text")
        return name

    @model_validator(mode="after")
    def _distinct_names(self) -> Self:
        names = [self.name(k) for k, _ in ORGANISATION_KEYS]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(
                f"two organisations are named {twice[0]!r}; give each of trust, icb, "
                "local_authority and other its own name"
            )
        return self

    def name(self, key: str) -> str:
        """The name of the organisation ``key`` (``trust`` ...)."""
        return str(getattr(self, key))


class ExtraResource(StrictModel):
    """Another resource the evidence does not cover, such as A&E attendances avoided."""

    name: Annotated[
        str,
        Input(
            "Resource",
            "A resource the evidence does not cover, such as A&E attendances or crisis-team "
            "contacts (the 2013 report allowed for no costs other than hospital bed use).",
            "text",
            unset="none",
        ),
    ] = Field(min_length=1, max_length=100)
    avoided_per_patient_year: Annotated[
        EventRate, Input("Events avoided", "Events avoided per patient-year of support.")
    ]
    unit_cost: Annotated[EventCost, Input("Unit cost", "The cost of one event.")]
    organisation: Annotated[
        OrganisationKey,
        Input(
            "Who gains",
            "The organisation whose costs the events avoided would have fallen on: `trust`, "
            "`icb`, `local_authority` or `other` (names in `[organisations]`).",
            unset="`trust`",
        ),
    ] = "trust"

    @field_validator("organisation", mode="before")
    @classmethod
    def _a_key(cls, value: Any) -> Any:
        return organisation_key(value)


class MonteCarlo(StrictModel):
    """How many draws the business case's uncertainty takes, and from which seed."""

    draws: Annotated[
        int,
        Input(
            "Monte Carlo draws",
            "How many draws the uncertainty takes; a run's own draws override it.",
            "draws",
            form="select",
            choices=(("1000", "1,000 (quick)"), ("10000", "10,000"), ("50000", "50,000 (slow)")),
        ),
    ] = Field(default=10_000, ge=1, le=200_000)
    #: below 2**128, as every run's seed (service/requests.py): a larger one could be saved
    #: but never run
    seed: Annotated[
        int,
        Input(
            "Random seed",
            "The same seed gives the same answer; a run's own seed overrides it.",
            form="number",
            hint="The same seed gives the same answer.",
        ),
    ] = Field(default=1, ge=0, lt=2**128)


#: the most characters each of the case's own sections holds: about a page of A4 each
MAX_CASE_TEXT: Final = 4_000


def plain_text(value: Any) -> str:
    """A section of the case in the author's words: plain text of at most
    :data:`MAX_CASE_TEXT` characters, with no control characters but line breaks and tabs."""
    if not isinstance(value, str):
        raise ValueError(
            f"got {quote(value)}; expected plain text (a string in quotes) of at most "
            f"{MAX_CASE_TEXT:,} characters"
        )
    if len(value) > MAX_CASE_TEXT:
        raise ValueError(
            f"the text is {len(value):,} characters long; expected at most {MAX_CASE_TEXT:,} "
            "characters (about a page): shorten it, or summarise it and attach the rest"
        )
    bad = next((c for c in value if (ord(c) < 32 and c not in "\n\r\t") or c == "\x7f"), None)
    if bad is not None:
        raise ValueError(
            f"the text holds the control character U+{ord(bad):04X} at character "
            f"{value.index(bad) + 1}; expected plain text (letters, numbers, punctuation, "
            "line breaks)"
        )
    return value


class CaseText(StrictModel):
    """The three cases of HM Treasury's Five Case Model that only the case's authors can
    write, in their own words; the report fills the economic and financial cases from the
    results and shows these beside them (:mod:`peervalue.report.five_case`)."""

    strategic: Annotated[
        str,
        Input(
            "Strategic case",
            "The case for change in your own words (plain text): where the service is now, "
            "what peer support workers would change and how that fits your strategy. The "
            "report shows it under the Strategic case."
            f" At most {MAX_CASE_TEXT:,} characters.",
            "text",
            form="textarea",
            hint=f"Plain text, at most {MAX_CASE_TEXT:,} characters; a blank line starts a "
            "new paragraph. Leave it empty and the report says what belongs here.",
            unset="none (the report says what belongs here)",
        ),
    ] = ""
    commercial: Annotated[
        str,
        Input(
            "Commercial case",
            "How the posts will be recruited, employed or commissioned, in your own words "
            "(plain text). The report shows it under the Commercial case."
            f" At most {MAX_CASE_TEXT:,} characters.",
            "text",
            form="textarea",
            hint=f"Plain text, at most {MAX_CASE_TEXT:,} characters.",
            unset="none (the report says what belongs here)",
        ),
    ] = ""
    management: Annotated[
        str,
        Input(
            "Management case",
            "How the service will be delivered, governed and evaluated, in your own words "
            "(plain text). The report shows it under the Management case."
            f" At most {MAX_CASE_TEXT:,} characters.",
            "text",
            form="textarea",
            hint=f"Plain text, at most {MAX_CASE_TEXT:,} characters.",
            unset="none (the report says what belongs here)",
        ),
    ] = ""

    @model_validator(mode="before")
    @classmethod
    def _not_the_results(cls, data: Any) -> Any:
        given = [k for k in ("economic", "financial") if isinstance(data, dict) and k in data]
        if given:
            raise ValueError(
                f"'{given[0]}': the economic and financial cases are filled from the results "
                "of the run, not written; [case] holds 'strategic', 'commercial' and "
                "'management'"
            )
        return data

    @field_validator("strategic", "commercial", "management", mode="before")
    @classmethod
    def _plain(cls, value: Any) -> str:
        return plain_text(value)


class ScenarioFile(StrictModel):
    """A complete scenario (the national defaults are one too)."""

    scenario: About
    monte_carlo: MonteCarlo = Field(default_factory=MonteCarlo)
    staffing: Staffing
    costs: Costs
    evidence: Evidence
    #: a whole document written before the table existed (an API body) takes the national
    #: defaults' baseline
    baseline: Baseline = Field(default_factory=lambda: _national_baseline())
    benefits: Benefits
    affordability: Affordability = Field(default_factory=Affordability)
    #: the strategic, commercial and management cases in the authors' words
    case: CaseText = Field(default_factory=CaseText)
    extra: list[ExtraResource] = Field(default_factory=list)
    #: who pays each cost and who gains each benefit (:mod:`peervalue.scenario.organisations`)
    organisations: Organisations = Field(default_factory=lambda: Organisations())
    #: other ways of running the service, appraised beside business as usual
    #: (:mod:`peervalue.scenario.option_file`); unset: the case alone
    options: OptionList | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_numbers(cls, data: Any) -> Any:
        return expand_bare_numbers(data)

    @model_validator(mode="after")
    def _fte_fits_the_horizon(self) -> Self:
        fte = self.staffing.funded_fte
        if isinstance(fte, list):
            if not fte:
                raise ValueError("'staffing.funded_fte' is an empty list; give one FTE a year")
            if len(fte) > self.scenario.horizon_years:
                raise ValueError(
                    f"'staffing.funded_fte' gives {len(fte)} years but the horizon is "
                    f"{self.scenario.horizon_years}"
                )
        if not any(self.funded_fte_by_year()):
            raise ValueError(
                "'staffing.funded_fte' is 0 in every year: the case funds no posts; give the "
                "FTE funded in at least one year"
            )
        names = [e.name for e in self.extra]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(
                f"'extra' names {', '.join(repr(n) for n in twice)} more than once; give each "
                "resource once (with its own name)"
            )
        return self

    def quantities(self) -> dict[str, Quantity]:
        """Every figure by its dotted path (``staffing.caseload``, ``extra[0].unit_cost``)."""
        return quantities_in(self)

    def funded_fte_by_year(self) -> list[float]:
        """Funded FTE for each year of the horizon (a short list carries its last value on)."""
        fte = self.staffing.funded_fte
        years = self.scenario.horizon_years
        if isinstance(fte, list):
            return [fte[min(i, len(fte) - 1)] for i in range(years)]
        return [fte] * years


@cache
def _bundled_baseline() -> Baseline:
    from peervalue.fileio import read_mapping

    return Baseline.model_validate(read_mapping(bundled_defaults_file())["baseline"])


def _national_baseline() -> Baseline:
    """The national defaults' ``[baseline]`` (read from the bundled file, once)."""
    return _bundled_baseline()


def bundled_defaults_file() -> Path:
    from importlib import resources

    return Path(str(resources.files("peervalue") / "data" / "scenarios" / "national-defaults.toml"))


def template_file() -> Path:
    from importlib import resources

    return Path(str(resources.files("peervalue") / "data" / "scenarios" / "template.toml"))


#: the unit of every figure, by its place in the file (``extra`` items: by field name),
#: generated from the fields' declarations
UNIT_OF: dict[str, str] = unit_of(ScenarioFile)
