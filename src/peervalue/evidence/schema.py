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
    NonNegative,
    Positive,
    Quantity,
    StrictModel,
    quantities_in,
    unit_check,
)
from peervalue.units import DURATION_UNITS

Count = Annotated[Quantity, unit_check("patients"), Positive]
Duration = Annotated[Quantity, unit_check(*sorted(DURATION_UNITS)), Positive]
BedDaysPerPatient = Annotated[Quantity, unit_check("bed-days/patient"), NonNegative]
SDBedDays = Annotated[Quantity, unit_check("bed-days/patient"), NonNegative]
Difference = Annotated[Quantity, unit_check("bed-days/patient")]
TotalBedDays = Annotated[Quantity, unit_check("bed-days")]
Admissions = Annotated[Quantity, unit_check("admissions/patient"), NonNegative]
LengthOfStay = Annotated[Quantity, unit_check("days/admission"), NonNegative]
PerFteYear = Annotated[Quantity, unit_check("bed-days/FTE-year")]
Fte = Annotated[Quantity, unit_check("FTE"), Positive]
FteYears = Annotated[Quantity, unit_check("FTE-years"), Positive]
Caseload = Annotated[Quantity, unit_check("patients/FTE"), Positive]

STUDY_ID = r"^[a-z][a-z0-9_-]*$"


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
    | BedDaysSavedPerFteYear,
    Field(discriminator="kind"),
]


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
    inclusion: str | None = Field(
        default=None, description="why this study is in the evidence base (and how sure we are)"
    )
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.peer_input is None and self.outcome.kind != "bed_days_saved_per_fte_year":
            raise ValueError(
                "'peer_input' is required unless the outcome is given as "
                "bed_days_saved_per_fte_year"
            )
        needs_control = self.outcome.kind in {"mean_bed_days", "admissions_and_length_of_stay"}
        if needs_control and self.arms.control is None and self.design is not Design.BEFORE_AFTER:
            raise ValueError(
                f"an outcome of kind '{self.outcome.kind}' compares two arms, "
                "so 'arms.control' is required"
            )
        return self

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
