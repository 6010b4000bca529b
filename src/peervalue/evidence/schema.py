"""The study file schema: what one study contributes to the analysis.

One YAML (or TOML) file describes one study. Every number is a
:class:`~peervalue.provenance.Quantity` with unit, source and status. The
format is documented for users in ``docs/evidence-format.md``; keep the two in
step.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, model_validator

from peervalue.provenance import (
    BOUNDED_KINDS,
    NonNegative,
    Positive,
    Quantity,
    StrictModel,
    at_least,
    on_zero_one,
    quantities_in,
    unit_check,
    whole_number,
)
from peervalue.units import DURATION_UNITS, MIN_CASELOAD, MIN_FTE, MIN_FTE_YEARS, YEARS_PER

Count = Annotated[Quantity, unit_check("patients"), Positive, whole_number("patients")]
Duration = Annotated[Quantity, unit_check(*sorted(DURATION_UNITS)), Positive]
BedDaysPerPatient = Annotated[Quantity, unit_check("bed-days/patient"), NonNegative]
SDBedDays = Annotated[Quantity, unit_check("bed-days/patient"), NonNegative]
Difference = Annotated[Quantity, unit_check("bed-days/patient")]
TotalBedDays = Annotated[Quantity, unit_check("bed-days")]
Admissions = Annotated[Quantity, unit_check("admissions/patient"), NonNegative]
LengthOfStay = Annotated[Quantity, unit_check("days/admission"), NonNegative]
PerFteYear = Annotated[Quantity, unit_check("bed-days/FTE-year")]
Fte = Annotated[Quantity, unit_check("FTE"), Positive, at_least(MIN_FTE)]
FteYears = Annotated[Quantity, unit_check("FTE-years"), Positive, at_least(MIN_FTE_YEARS)]
Caseload = Annotated[Quantity, unit_check("patients/FTE"), Positive, at_least(MIN_CASELOAD)]


def _at_most_one(q: Quantity) -> Quantity:
    """A probability: no value, range end or distribution bound above 1."""
    highs = [("value", q.value)]
    if q.range is not None:
        highs.append(("range high", q.range[1]))
    dist = q.distribution
    if dist is not None and dist.high is not None:
        highs.append(("distribution high", dist.high))
    for what, figure in highs:
        if figure > 1:
            raise ValueError(
                f"{what} {figure:g} is above 1; a probability is a proportion from 0 to 1 "
                "(write 38% as 0.38)"
            )
    return q


Probability = Annotated[
    Quantity, unit_check("proportion"), NonNegative, AfterValidator(_at_most_one), on_zero_one
]


def _inside_zero_one(q: Quantity) -> Quantity:
    """A control-arm risk that a ratio can act on: above 0 and below 1."""
    if q.value in (0, 1):
        who = "nobody" if q.value == 0 else "everybody"
        raise ValueError(
            f"a control risk of {q.value:g} ({who} readmitted) leaves no odds or risk for a "
            "ratio to act on; expected a proportion above 0 and below 1 (with counts of "
            "readmitted patients, use kind readmission_counts)"
        )
    return q


#: the control arm's risk behind an odds or risk ratio: strictly between 0 and 1
ControlRisk = Annotated[Probability, AfterValidator(_inside_zero_one)]
#: the mean days of one readmission: a readmission that saves bed-days lasts some time
ReadmissionStay = Annotated[Quantity, unit_check("days/admission"), Positive]
#: admissions per patient whose stay was shortened (at least some admissions)
ShortenedAdmissions = Annotated[Quantity, unit_check("admissions/patient"), Positive]
#: patients with at least one event (e.g. readmitted) in an arm
Events = Annotated[Quantity, unit_check("patients"), NonNegative, whole_number("patients")]
#: an odds ratio or risk ratio, peer support over control (below 1: fewer events)
RatioMeasure = Annotated[Quantity, unit_check("ratio"), Positive]
EventsPerPatient = Annotated[Quantity, unit_check("events/patient"), NonNegative]
#: a resource category: lower-case words joined by underscores, e.g. emergency_department_visit
RESOURCE_CATEGORY = r"^[a-z][a-z0-9_]*$"
#: a difference in length of stay, control minus peer support (signed)
LengthOfStayChange = Annotated[Quantity, unit_check("days/admission")]

STUDY_ID = r"^[a-z][a-z0-9_-]*$"

#: days in a year of the duration units (``peervalue.units.YEARS_PER`` is in years)
DAYS_PER_YEAR = 365.25
#: the most bed-days one FTE-year of peer work can save: a caseload of 100 people (several
#: times any reported peer caseload) each kept out of hospital every day of the year
MAX_SAVED_PER_FTE_YEAR = 100 * DAYS_PER_YEAR


#: how far a figure may pass its frame before it is refused: 1%, so that durations written
#: in different units (6 months against a 26-week follow-up: 182.6 and 182 days) still fit
FRAME_SLACK = 1.01


def _days(q: Quantity, figure: float) -> float:
    return figure * YEARS_PER[q.unit] * DAYS_PER_YEAR


def _highs(q: Quantity) -> list[tuple[str, float]]:
    """(name, figure) of the value, the range high and the distribution high."""
    highs = [("", q.value)]
    if q.range is not None:
        highs.append(("range high ", q.range[1]))
    if q.distribution is not None and q.distribution.high is not None:
        highs.append(("distribution high ", q.distribution.high))
    return highs


def _magnitudes(q: Quantity) -> list[tuple[str, float]]:
    """(name, figure) of the value and of every end of its range and distribution."""
    figures = [("", q.value)]
    if q.range is not None:
        figures += [("range low ", q.range[0]), ("range high ", q.range[1])]
    dist = q.distribution
    if dist is not None and dist.low is not None and dist.high is not None:
        figures += [("distribution low ", dist.low), ("distribution high ", dist.high)]
    return figures


class FollowUp:
    """A study's follow-up as the frame its per-patient figures must fit: in days, at its
    value and at its longest (range or distribution high)."""

    def __init__(self, q: Quantity) -> None:
        self.days = _days(q, q.value)
        self.longest = max(_days(q, figure) for _, figure in _highs(q))
        unit = q.unit.removesuffix("s")
        self.words = (
            f"a {q.value:g}-day follow-up"
            if unit == "day"
            else f"a {q.value:g}-{unit} ({self.days:,.0f}-day) follow-up"
        )

    def limit(self, what: str) -> float:
        """The follow-up a figure is held to: its value for a value, its longest for a
        range or distribution end."""
        return self.days if not what else self.longest


class Design(StrEnum):
    RCT = "rct"
    CONTROLLED = "controlled"
    BEFORE_AFTER = "before-after"
    UNCONTROLLED = "uncontrolled"


class PeerRole(StrEnum):
    ADDITIONAL = "additional"
    SUBSTITUTION = "substitution"


def _author(name: str) -> str:
    if not name.split():
        raise ValueError("an author is blank; write the name, surname first, e.g. 'Sledge WH'")
    return name


class Citation(StrictModel):
    authors: list[Annotated[str, AfterValidator(_author)]] = Field(min_length=1)
    year: int = Field(ge=1900, le=2100)
    title: str = Field(min_length=1)
    journal: str | None = None
    doi: str | None = None
    url: str | None = None
    note: str | None = None

    def short(self) -> str:
        first = self.authors[0].split()[0].rstrip(",")
        etal = (
            " et al."
            if len(self.authors) > 2
            else (f" & {self.authors[1].split()[0]}" if len(self.authors) == 2 else "")
        )
        return f"{first}{etal} {self.year}"


class Arms(StrictModel):
    """Patients analysed in each arm. ``control`` is absent for uncontrolled designs."""

    intervention: Count
    control: Count | None = None


class MeanBedDays(StrictModel):
    """Mean inpatient bed-days per patient in each arm over the follow-up.

    Bed-days saved per patient = control_mean - intervention_mean. For a
    before-after design, ``control`` means "before".
    """

    kind: Literal["mean_bed_days"]
    intervention_mean: BedDaysPerPatient
    control_mean: BedDaysPerPatient
    intervention_sd: SDBedDays | None = None
    control_sd: SDBedDays | None = None


class TotalBedDaysSaved(StrictModel):
    """A reported total of bed-days saved among the intervention patients."""

    kind: Literal["total_bed_days_saved"]
    total: TotalBedDays


class BedDaysSavedPerPatient(StrictModel):
    """Bed-days saved per intervention patient over the follow-up, given directly."""

    kind: Literal["bed_days_saved_per_patient"]
    saved_per_patient: Difference


class AdmissionsAndLengthOfStay(StrictModel):
    """Admissions per patient and mean length of stay in each arm.

    Bed-days per patient = admissions x length of stay; saved = control - intervention.
    """

    kind: Literal["admissions_and_length_of_stay"]
    intervention_admissions: Admissions
    control_admissions: Admissions
    intervention_length_of_stay: LengthOfStay
    control_length_of_stay: LengthOfStay


class ReadmissionCounts(StrictModel):
    """Patients readmitted in each arm (events), out of the arm sizes in ``arms``.

    Bed-days saved per patient = (control_readmitted / n_control -
    intervention_readmitted / n_intervention) x length_of_stay: the difference in the
    probability of readmission times the mean length of a readmission
    (``peervalue.model.conversions``). In the Monte Carlo each proportion is drawn
    from a beta distribution with the binomial standard error ``sqrt(p (1 - p) / n)``.
    """

    kind: Literal["readmission_counts"]
    intervention_readmitted: Events
    control_readmitted: Events
    length_of_stay: ReadmissionStay


class ReadmissionOddsRatio(StrictModel):
    """An odds ratio of readmission (peer support over control) and the control arm's risk.

    Intervention risk = OR x p / (1 - p + OR x p) for control risk p; bed-days saved
    per patient = (p - intervention risk) x length_of_stay.
    """

    kind: Literal["readmission_odds_ratio"]
    odds_ratio: RatioMeasure
    control_risk: ControlRisk
    length_of_stay: ReadmissionStay


class ReadmissionRiskRatio(StrictModel):
    """A risk ratio of readmission (peer support over control) and the control arm's risk.

    Intervention risk = RR x p (at most 1); bed-days saved per patient =
    (p - intervention risk) x length_of_stay.
    """

    kind: Literal["readmission_risk_ratio"]
    risk_ratio: RatioMeasure
    control_risk: ControlRisk
    length_of_stay: ReadmissionStay

    @model_validator(mode="after")
    def _a_probability(self) -> Self:
        risk = self.risk_ratio.value * self.control_risk.value
        if risk > 1:
            raise ValueError(
                f"risk_ratio x control_risk = {self.risk_ratio.value:g} x "
                f"{self.control_risk.value:g} = {risk:g}, which is above 1; the intervention "
                "arm's risk must be a probability (check both figures)"
            )
        return self


class LengthOfStayDifference(StrictModel):
    """A shorter (or longer) stay: days per admission saved, times admissions per patient.

    Bed-days saved per patient = length_of_stay_saved x admissions; ``admissions`` is
    1 when the difference is in the index stay every patient had.
    """

    kind: Literal["length_of_stay_difference"]
    length_of_stay_saved: LengthOfStayChange
    admissions: ShortenedAdmissions


class NoUsableOutcome(StrictModel):
    """A study that is recorded but cannot be pooled: it reports no hospital-use figure
    that converts to bed-days (or the figure could not be found). It is listed with its
    reason and never enters the arithmetic."""

    kind: Literal["no_usable_outcome"]
    reason: str = Field(min_length=1, description="why the study cannot be pooled")
    reported: str | None = Field(
        default=None, description="what the study does report on hospital or emergency use"
    )
    searched: list[str] = Field(
        default_factory=list, description="where the missing figures were looked for"
    )


class BedDaysSavedPerFteYear(StrictModel):
    """Bed-days saved per FTE-year of peer work, as a secondary analysis reported it.

    Use this to enter a published per-study table (such as the 2013 report's)
    directly; it bypasses the per-patient and peer-input arithmetic.
    """

    kind: Literal["bed_days_saved_per_fte_year"]
    saved_per_fte_year: PerFteYear


Outcome = Annotated[
    MeanBedDays
    | TotalBedDaysSaved
    | BedDaysSavedPerPatient
    | AdmissionsAndLengthOfStay
    | BedDaysSavedPerFteYear
    | ReadmissionCounts
    | ReadmissionOddsRatio
    | ReadmissionRiskRatio
    | LengthOfStayDifference
    | NoUsableOutcome,
    Field(discriminator="kind"),
]

#: outcome kinds measured in bed-days or length of stay (the ``bed-days-only`` set)
BED_DAY_KINDS = frozenset(
    {
        "mean_bed_days",
        "total_bed_days_saved",
        "bed_days_saved_per_patient",
        "admissions_and_length_of_stay",
        "bed_days_saved_per_fte_year",
        "length_of_stay_difference",
    }
)
#: outcome kinds converted from a readmission risk (times a length of stay)
READMISSION_KINDS = frozenset(
    {"readmission_counts", "readmission_odds_ratio", "readmission_risk_ratio"}
)
NOT_POOLED = "no_usable_outcome"


class Randomisation(StrEnum):
    INDIVIDUAL = "individual"
    CLUSTER = "cluster"
    NONE = "none"


class RiskOfBias(StrEnum):
    LOW = "low"
    SOME_CONCERNS = "some concerns"
    HIGH = "high"


class Quality(StrictModel):
    """What a reader needs to judge a study, as data that filters and subgroups use.

    ``design``, ``country`` and ``peer_role`` (peers added to or replacing staff) are
    fields of the study itself; this block adds the rest.
    """

    randomisation: Randomisation
    comparison: str = Field(min_length=1, description="what the comparison group had")
    bundled: bool = Field(
        description="the intervention bundles more than peer support (e.g. staff bridging)"
    )
    risk_of_bias: RiskOfBias
    risk_of_bias_reason: str = Field(min_length=1)


class ResourceUse(StrictModel):
    """Use of another resource (not a psychiatric bed) per patient in each arm.

    Counted only when a run asks for every resource (``--resources all``): the saving
    per patient, ``control_mean - intervention_mean``, is valued at the cost file's
    ``other_resources.<category>`` unit cost and added to the bed-day benefit.
    """

    category: str = Field(pattern=RESOURCE_CATEGORY)
    intervention_mean: EventsPerPatient
    control_mean: EventsPerPatient


class PeerInput(StrictModel):
    """How much peer support work produced the outcome, in one of three forms.

    * ``fte`` and ``employment_duration``: FTE-years = fte x employment_duration
      (in years), where ``fte`` peer workers were employed for that long;
    * ``caseload`` and ``support_duration``: FTE-years = intervention patients x
      support_duration / caseload, where each patient was supported for
      ``support_duration`` and one full-time peer worker supports ``caseload``
      patients at a time;
    * ``fte_years``: given directly.
    """

    fte: Fte | None = None
    employment_duration: Duration | None = None
    caseload: Caseload | None = None
    support_duration: Duration | None = None
    fte_years: FteYears | None = None

    @model_validator(mode="before")
    @classmethod
    def _renamed(cls, data: object) -> object:
        if isinstance(data, dict) and "duration" in data:
            raise ValueError(
                "'duration' has been renamed: write 'employment_duration' beside 'fte' (how "
                "long the peer workers were employed) or 'support_duration' beside 'caseload' "
                "(how long each patient was supported)"
            )
        return data

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        forms = [self.fte is not None, self.caseload is not None, self.fte_years is not None]
        if sum(forms) != 1:
            raise ValueError(
                "give exactly one of: 'fte' with 'employment_duration', 'caseload' with "
                "'support_duration', or 'fte_years'"
            )
        if self.fte is not None:
            if self.support_duration is not None:
                raise ValueError(
                    "'support_duration' goes with 'caseload'; with 'fte' give "
                    "'employment_duration' (how long the peer workers were employed)"
                )
            if self.employment_duration is None:
                raise ValueError("'employment_duration' is required with 'fte'")
        if self.caseload is not None:
            if self.employment_duration is not None:
                raise ValueError(
                    "'employment_duration' goes with 'fte'; with 'caseload' give "
                    "'support_duration' (how long each patient was supported)"
                )
            if self.support_duration is None:
                raise ValueError("'support_duration' is required with 'caseload'")
        if self.fte_years is not None and (
            self.employment_duration is not None or self.support_duration is not None
        ):
            raise ValueError("no duration is used with 'fte_years'; remove it")
        return self


class Study(StrictModel):
    """One study's contribution to the evidence base."""

    id: str = Field(pattern=STUDY_ID, description="short lower-case identifier, e.g. sledge2011")
    citation: Citation
    country: str = Field(min_length=1)
    design: Design
    #: how the design is known, where no source states it (e.g. inferred from a review)
    design_basis: str | None = Field(default=None, min_length=1)
    peer_role: PeerRole
    setting: str = Field(min_length=1)
    intervention: str | None = None
    follow_up: Duration
    arms: Arms
    outcome: Outcome
    peer_input: PeerInput | None = None
    #: other resources (emergency visits, crisis-team contacts), counted with --resources all
    other_resources: list[ResourceUse] = Field(default_factory=list)
    quality: Quality | None = None
    inclusion: str | None = Field(
        default=None, description="why this study is in the evidence base (and how sure we are)"
    )
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        listed_only = self.outcome.kind == NOT_POOLED and not self.other_resources
        if self.peer_input is None and not (
            self.outcome.kind == "bed_days_saved_per_fte_year" or listed_only
        ):
            raise ValueError(
                "'peer_input' is required unless the outcome is given as "
                "bed_days_saved_per_fte_year (or the study is only listed: no_usable_outcome "
                "and no other_resources)"
            )
        if self.other_resources and self.outcome.kind == "bed_days_saved_per_fte_year":
            raise ValueError(
                "other_resources need the patients and the peer input behind the saving; "
                "they cannot be added to an outcome given as bed_days_saved_per_fte_year"
            )
        if (
            self.other_resources
            and self.arms.control is None
            and self.design is not Design.BEFORE_AFTER
        ):
            raise ValueError("other_resources compare two arms, so 'arms.control' is required")
        categories = [r.category for r in self.other_resources]
        if len(set(categories)) != len(categories):
            raise ValueError("a resource category is given twice in other_resources")
        q = self.quality
        if q is not None and (self.design is Design.RCT) != (
            q.randomisation is not Randomisation.NONE
        ):
            raise ValueError(
                f"quality.randomisation {q.randomisation.value!r} does not fit design "
                f"{self.design.value!r}; expected 'individual' or 'cluster' for an rct, "
                "'none' for any other design"
            )
        self._events_within_arms()
        self._within_follow_up()
        needs_control = self.outcome.kind in {
            "mean_bed_days",
            "admissions_and_length_of_stay",
            "readmission_counts",
        }
        exempt = self.design is Design.BEFORE_AFTER and self.outcome.kind != "readmission_counts"
        if needs_control and self.arms.control is None and not exempt:
            raise ValueError(
                f"an outcome of kind '{self.outcome.kind}' compares two arms, "
                "so 'arms.control' is required"
            )
        return self

    def _events_within_arms(self) -> None:
        outcome = self.outcome
        if not isinstance(outcome, ReadmissionCounts):
            return
        arms = [
            ("intervention", outcome.intervention_readmitted, self.arms.intervention),
            ("control", outcome.control_readmitted, self.arms.control),
        ]
        for arm, events, n in arms:
            if n is None:
                continue
            for end, highest in _highs(events):
                if highest > n.value:
                    raise ValueError(
                        f"outcome.{arm}_readmitted ({end}{highest:g}) is more than the "
                        f"{n.value:g} patients in arms.{arm}; expected a number of readmitted "
                        f"patients from 0 to arms.{arm}"
                    )
            dist = events.distribution
            unbounded = (
                dist.kind not in BOUNDED_KINDS | {"fixed"}
                if dist is not None
                else events.range is not None and not events.is_assumed
            )
            if unbounded:
                how = (
                    f"a {dist.kind} distribution"
                    if dist is not None
                    else "a reported figure's range (read as a 95% interval, drawn from a gamma)"
                )
                raise ValueError(
                    f"outcome.{arm}_readmitted is drawn from {how}, which runs above the "
                    f"{n.value:g} patients in arms.{arm}; declare distribution "
                    "{kind: uniform} or {kind: pert} over a range within the arm"
                )

    def _within_follow_up(self) -> None:
        """Per-patient figures that fit inside the follow-up: nobody spends more days in
        hospital (or saves more bed-days, or has a longer readmission, or more peer support)
        than the follow-up lasts."""
        frame = FollowUp(self.follow_up)
        outcome = self.outcome

        def per_patient(field: str, q: Quantity, what: str = "bed-days per patient") -> None:
            for end, figure in _magnitudes(q) if what.startswith("bed-days saved") else _highs(q):
                limit = frame.limit(end)
                if abs(figure) > limit * FRAME_SLACK:
                    raise ValueError(
                        f"{field}: {end}{figure:g} {what} in {frame.words}; no patient can "
                        f"spend more days in hospital than the follow-up lasts (expected at "
                        f"most {limit:,.0f})"
                    )

        if isinstance(outcome, MeanBedDays):
            for arm in ("intervention", "control"):
                mean: Quantity = getattr(outcome, f"{arm}_mean")
                per_patient(f"outcome.{arm}_mean", mean)
                sd: Quantity | None = getattr(outcome, f"{arm}_sd")
                n = getattr(self.arms, arm)
                if sd is not None:
                    self._sd_within(f"outcome.{arm}_sd", sd, mean, n, frame)
        elif isinstance(outcome, AdmissionsAndLengthOfStay):
            for arm in ("intervention", "control"):
                adm: Quantity = getattr(outcome, f"{arm}_admissions")
                los: Quantity = getattr(outcome, f"{arm}_length_of_stay")
                product = adm.value * los.value
                if product > frame.days * FRAME_SLACK:
                    raise ValueError(
                        f"outcome.{arm}_admissions x outcome.{arm}_length_of_stay: "
                        f"{adm.value:g} admissions of {los.value:g} days is {product:,.4g} "
                        f"bed-days per patient in {frame.words}; the stays must fit in the "
                        f"follow-up (expected at most {frame.days:,.0f} bed-days per patient)"
                    )
        elif isinstance(outcome, BedDaysSavedPerPatient):
            per_patient(
                "outcome.saved_per_patient", outcome.saved_per_patient, "bed-days saved per patient"
            )
        elif isinstance(outcome, TotalBedDaysSaved):
            n = self.arms.intervention
            for end, figure in _magnitudes(outcome.total):
                limit = frame.limit(end) * n.value
                if abs(figure) > limit * FRAME_SLACK:
                    raise ValueError(
                        f"outcome.total: {end}{figure:,.10g} bed-days saved by "
                        f"{n.value:g} patients (arms.intervention) in {frame.words} is "
                        f"{abs(figure) / n.value:,.4g} per patient; no patient can save more "
                        f"days than the follow-up lasts (expected at most {limit:,.0f} "
                        "bed-days in all)"
                    )
        elif isinstance(outcome, LengthOfStayDifference):
            adm = outcome.admissions
            saved = outcome.length_of_stay_saved
            product = abs(saved.value) * adm.value
            if product > frame.days * FRAME_SLACK:
                raise ValueError(
                    f"outcome.length_of_stay_saved x outcome.admissions: {saved.value:g} days "
                    f"x {adm.value:g} admissions is {product:,.4g} bed-days saved per patient "
                    f"in {frame.words}; no patient can save more days than the follow-up "
                    f"lasts (expected at most {frame.days:,.0f})"
                )
        elif isinstance(outcome, ReadmissionCounts | ReadmissionOddsRatio | ReadmissionRiskRatio):
            for end, figure in _highs(outcome.length_of_stay):
                limit = frame.limit(end)
                if figure > limit * FRAME_SLACK:
                    raise ValueError(
                        f"outcome.length_of_stay: {end}{figure:g} days per readmission in "
                        f"{frame.words}; a readmission counted in the follow-up cannot last "
                        f"longer than it (expected at most {limit:,.0f} days)"
                    )
        elif isinstance(outcome, BedDaysSavedPerFteYear):
            for end, figure in _magnitudes(outcome.saved_per_fte_year):
                if abs(figure) > MAX_SAVED_PER_FTE_YEAR:
                    raise ValueError(
                        f"outcome.saved_per_fte_year: {end}{figure:,.10g} bed-days saved per "
                        f"FTE-year is beyond the plausible {MAX_SAVED_PER_FTE_YEAR:,.0f} (a "
                        "caseload of 100 people, several times any reported peer caseload, "
                        "each kept out of hospital every day of the year)"
                    )
        support = self.peer_input.support_duration if self.peer_input else None
        if support is not None:
            for end, figure in _highs(support):
                days, limit = _days(support, figure), frame.limit(end)
                if days > limit * FRAME_SLACK:
                    raise ValueError(
                        f"peer_input.support_duration: {end}{figure:g} {support.unit} "
                        f"({days:,.0f} days) of peer support in {frame.words}; only support "
                        "within the follow-up can have produced its outcome (expected at "
                        f"most {limit:,.0f} days; support after it is not counted)"
                    )

    @staticmethod
    def _sd_within(
        field: str, sd: Quantity, mean: Quantity, n: Quantity | None, frame: FollowUp
    ) -> None:
        """An arm's SD that bed-days from 0 to the follow-up can have: values in [0, F] with
        mean m have a standard deviation of at most sqrt(m (F - m)) (the Bhatia-Davis
        inequality), times sqrt(n / (n - 1)) for a sample SD of n patients."""
        m, days = mean.value, frame.days
        correction = n.value / (n.value - 1) if n is not None and n.value > 1 else 2.0
        most = (max(m * (days - m), 0.0) * correction) ** 0.5
        if sd.value > most * FRAME_SLACK:
            raise ValueError(
                f"{field}: an SD of {sd.value:,.10g} bed-days per patient around a mean of "
                f"{m:g} in {frame.words} would need patients with more bed-days than the "
                f"follow-up has days; bed-days between 0 and {days:,.0f} with mean {m:g} have "
                f"an SD of at most {most:,.4g} (sqrt(mean x (follow-up - mean)))"
            )

    @property
    def pooled(self) -> bool:
        """Whether the study enters the bed-day analysis (``no_usable_outcome`` ones do not)."""
        return self.outcome.kind != NOT_POOLED

    def pooled_in(self, resources: str) -> bool:
        """Whether the study enters an analysis counting ``resources`` (``bed-days`` or
        ``all``): with every resource, a study with other resources counts even when it
        reports no bed-day outcome (its bed-days saved are then zero)."""
        return self.pooled or (resources == "all" and bool(self.other_resources))

    def quantities(self) -> dict[str, Quantity]:
        """Every quantity in the study, keyed by its dotted field path."""
        return quantities_in(self)

    def support_quantity(self) -> Quantity:
        """How long each intervention patient had peer support: the caseload form's
        ``support_duration``, else the follow-up (support taken to last the follow-up).

        Bed-days saved "per patient-year" always means per patient-year of this
        support, the quantity a caseload multiplies (``b = caseload x d / T``).
        """
        pi = self.peer_input
        if pi is not None and pi.support_duration is not None:
            return pi.support_duration
        return self.follow_up

    def assumed_fields(self) -> list[str]:
        """Dotted paths of the quantities that are assumptions, not reported figures."""
        return [path for path, q in self.quantities().items() if q.is_assumed]
