"""The result types of who pays and who gains (:mod:`peervalue.scenario.organisations`),
apart from the computation, so that the options appraisal and the business case's result
can carry them without importing the scenario schema."""

from __future__ import annotations

from peervalue.results import ResultModel


class OrganisationYear(ResultModel):
    """One organisation's year at the point values (undiscounted)."""

    organisation: str  #: the key (``trust`` ...)
    name: str
    year: int
    label: str
    benefit: float
    cash_releasing: float
    cost: float
    net_benefit: float
    cash_net_benefit: float


class OrganisationTotal(ResultModel):
    """One organisation over the whole horizon, discounted, at the point values."""

    organisation: str
    name: str
    lines: list[str]  #: the lines it pays or gains (``posts``, ``costs.set_up``, ``bed_days``)
    line_names: list[str]  #: the same lines in words ("peer worker posts", "Set-up cost")
    discounted_benefit: float
    discounted_cash_benefit: float
    discounted_cost: float
    net_present_value: float
    cash_net_present_value: float
    #: over the Monte Carlo draws (:mod:`peervalue.scenario.organisation_uncertainty`): the
    #: 2.5th and 97.5th percentiles of the NPV and the share of draws above 0; the same for
    #: the cash NPV (``None`` before the draws are split)
    net_present_value_p2_5: float | None = None
    net_present_value_p97_5: float | None = None
    prob_net_present_value_positive: float | None = None
    cash_net_present_value_p2_5: float | None = None
    cash_net_present_value_p97_5: float | None = None
    prob_cash_net_present_value_positive: float | None = None


class OptionOrganisation(ResultModel):
    """One option's net benefit for one organisation (discounted, at the point values)."""

    name: str  #: the option's name (as in the options table)
    organisation: str  #: the organisation's key
    organisation_name: str
    net_present_value: float
    cash_net_present_value: float


class ByOrganisation(ResultModel):
    """The business case by organisation: only those with any line, in key order."""

    organisations: list[OrganisationTotal]
    years: list[OrganisationYear]

    def rows(self) -> list[dict[str, object]]:
        """One flat row per organisation and year (the totals apart: :attr:`organisations`)."""
        return [y.model_dump() for y in self.years]
