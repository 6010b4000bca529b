"""Cost perspective: the public sector's full cost of a post, or the trust's cash.

``public-sector`` (the economic case) counts the employer pension at the full rate and
every overhead and capital component of the cost set. ``trust-cash`` counts what the
trust pays: the employer pension at the trust's share of the rate at the price year (14%
to 2014-15, 14.3% in 2015-16 and 2016-17, 14.38% from April 2017; from April 2019 the rest
of the full rate is paid centrally: ``data/pay/nhs-pension-employer.yaml``) and only a
stated share of the overheads and capital, the part one more post really adds::

    public-sector = salary x (1 + NI + full pension) + overheads + capital
    trust-cash    = salary x (1 + NI + trust pension) + share x (overheads + capital)

(overheads given as proportions of salary are scaled by the share in the same way).
"""

from __future__ import annotations

from typing import Literal

from peervalue.costs.schema import PAY_COMPONENTS, CostFile, PeerWorkerCost
from peervalue.errors import quote
from peervalue.provenance import Quantity, Source, Status
from peervalue.results import ResultModel

Perspective = Literal["public-sector", "trust-cash"]
PERSPECTIVES: tuple[Perspective, ...] = ("public-sector", "trust-cash")

#: the employer pension rate trusts pay themselves, from 1 April 2017 (14.3% + 0.08% levy)
TRUST_PENSION_RATE = 0.1438
TRUST_PENSION_SOURCE = Source(
    citation="NHS Employers, NHS Pension Scheme employer contributions (14 March 2024)",
    url="https://www.nhsemployers.org/articles/nhs-pension-scheme-employer-contributions",
    locator="employers pay 14.38%; the remaining 9.4% of the 23.7% rate is paid centrally",
)


def trust_pension(rate: Quantity | None = None, price_year: str | None = None) -> Quantity:
    """The employer pension a trust pays, as a proportion of salary: ``rate`` when given,
    else the trust's share at ``price_year`` (:func:`peervalue.costs.pension.trust_pension_at`:
    14% to 2014-15, 14.3% in 2015-16 and 2016-17, 14.38% from 2017-18), else 14.38%."""
    if rate is not None:
        return rate
    if price_year is not None:
        from peervalue.costs.pension import trust_pension_at

        return trust_pension_at(price_year)
    return Quantity(
        value=TRUST_PENSION_RATE,
        unit="proportion",
        status=Status.REPORTED,
        source=TRUST_PENSION_SOURCE,
    )


def trust_cash_problem(costs: CostFile, set_name: str, own_total: bool) -> tuple[str, str] | None:
    """Why ``costs`` cannot be costed the trust's way (what is wrong, what is expected), or
    ``None``: the cost must be built from components with the employer pension apart."""
    expected = (
        "a cost set built from components with 'employer_superannuation' apart "
        "(england-2011-12, england-2024-25, england-2025-26), a 'salary' or 'band', or "
        "perspective 'public-sector'"
    )
    if own_total:
        return (
            "'trust-cash' needs the cost of a post built from salary, on-costs and overheads; "
            "'cost_per_fte_year' gives only the whole",
            expected,
        )
    comps = costs.peer_worker.components
    if comps is None:
        return (
            f"'trust-cash' needs the cost of a post built from components; the cost set "
            f"{quote(set_name)} gives a total cost per FTE-year",
            expected,
        )
    if comps.employer_superannuation is None:
        return (
            f"'trust-cash' replaces the employer pension, but the cost set {quote(set_name)} "
            "gives employer on-costs as one 'on_costs' figure",
            expected,
        )
    return None


def with_trust_pension(
    costs: CostFile, rate: Quantity | None, price_year: str | None = None
) -> CostFile:
    """``costs`` with the employer pension at the trust's rate (``rate``, else the trust's
    share at ``price_year``); the components are checked first."""
    comps = costs.peer_worker.components
    assert comps is not None  # trust_cash_problem has refused a total
    pension = trust_pension(rate, price_year)
    comps = comps.model_copy(update={"employer_superannuation": pension})
    return costs.model_copy(update={"peer_worker": PeerWorkerCost(components=comps)})


class BuildUpLine(ResultModel):
    """One component of a post's cost per FTE-year, both ways."""

    component: str
    public_sector: float  #: GBP a year, at the price year
    trust_cash: float  #: GBP a year, at the price year
    rate_public_sector: float | None  #: a proportion of salary, where the component is one
    rate_trust_cash: float | None


class CostBuildUp(ResultModel):
    """A post's cost per FTE-year built from salary, on-costs and overheads, from the public
    sector's perspective and from the trust's cash."""

    cost_set: str
    price_year: str
    overhead_share: float
    trust_pension_rate: float
    lines: list[BuildUpLine]
    public_sector: float
    trust_cash: float

    def rows(self) -> list[dict[str, object]]:
        return [line.model_dump() for line in self.lines]


def build_up(
    amounts: dict[str, float],
    rates: dict[str, float],
    salary: float,
    overhead_share: float,
    trust_pension_rate: float = TRUST_PENSION_RATE,
    cost_set: str = "",
    price_year: str = "",
) -> CostBuildUp:
    """Both perspectives' build-up from a salary, the components given as proportions of it
    (``rates``) and those in pounds a year (``amounts``), all at one price year."""
    lines = [
        BuildUpLine(
            component="salary",
            public_sector=salary,
            trust_cash=salary,
            rate_public_sector=None,
            rate_trust_cash=None,
        )
    ]
    for name in [*rates, *amounts]:
        is_rate = name in rates
        full = rates[name] if is_rate else amounts[name]
        if name == "employer_superannuation":
            trust = trust_pension_rate if is_rate else trust_pension_rate * salary
        elif name in PAY_COMPONENTS:
            trust = full
        else:
            trust = overhead_share * full
        lines.append(
            BuildUpLine(
                component=name,
                public_sector=full * salary if is_rate else full,
                trust_cash=trust * salary if is_rate else trust,
                rate_public_sector=full if is_rate else None,
                rate_trust_cash=trust if is_rate else None,
            )
        )
    return CostBuildUp(
        cost_set=cost_set,
        price_year=price_year,
        overhead_share=overhead_share,
        trust_pension_rate=trust_pension_rate,
        lines=lines,
        public_sector=sum(line.public_sector for line in lines),
        trust_cash=sum(line.trust_cash for line in lines),
    )
