"""Quantities with provenance: the building block of every data file.

A :class:`Quantity` is a number that carries its unit, where it came from and
how much we trust it::

    value: 9.0
    unit: bed-days/patient
    status: derived
    formula: "control_mean - intervention_mean = 19.08 - 10.08"
    source: {citation: "Sledge et al. 2011", url: "https://...", locator: "Abstract"}

``status`` is one of

``reported``
    printed in the cited source; ``source`` is required.
``derived``
    computed from reported figures; ``formula`` is required.
``assumed``
    our judgement where no source gives the figure; ``range`` (low, high) and
    ``rationale`` are required, and the range feeds the uncertainty analysis.
"""

from __future__ import annotations

import math
import re
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from peervalue.errors import quote
from peervalue.units import (
    CURRENCY_UNITS,
    POSITIVE_MINIMA,
    SMALLEST_NONZERO,
    UNITS,
    Bound,
    bound_problem,
)

FiniteNumber = Annotated[float, Field(strict=True, allow_inf_nan=False)]
NonNegativeNumber = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0)]

_PRICE_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


class Status(StrEnum):
    REPORTED = "reported"
    DERIVED = "derived"
    ASSUMED = "assumed"


class StrictModel(BaseModel):
    """Base for every file schema: unknown (for example misspelt) keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(StrictModel):
    """Where a figure comes from.

    ``kind`` is ``primary`` (the study, the official publication) or ``secondary`` (a
    review, a news report, a package or site that republished the figure); unset means
    not stated.
    """

    citation: str = Field(min_length=1, description="short citation, e.g. 'Sledge et al. 2011'")
    url: str | None = Field(default=None, description="address of the page or document")
    locator: str | None = Field(default=None, description="table, page or section")
    kind: Literal["primary", "secondary"] | None = None


def check_price_year(text: str) -> str:
    """Check a financial year written ``YYYY-YY`` (e.g. ``2011-12``)."""
    match = _PRICE_YEAR.match(text)
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValueError(
            f"price year {quote(text)} is not a financial year written YYYY-YY, such as '2011-12'"
        )
    return text


PriceYear = Annotated[str, AfterValidator(check_price_year)]


DistributionKind = Literal[
    "fixed", "normal", "lognormal", "gamma", "beta", "uniform", "triangular", "pert"
]
#: kinds drawn between a low and a high value (default: the quantity's range)
BOUNDED_KINDS = frozenset({"uniform", "triangular", "pert"})


class Distribution(StrictModel):
    """How the uncertainty analysis draws a quantity, when the default does not fit.

    ``fixed`` draws the point value every time. ``normal``, ``lognormal``,
    ``gamma`` and ``beta`` have mean = the quantity's value and standard
    deviation ``sd``. ``uniform``, ``triangular`` and ``pert`` run over
    ``low``-``high`` (default: the quantity's ``range``); the mode of the
    triangle and of the PERT (a beta scaled to the range, weighted 4:1 to the
    mode) is the value.
    The defaults chosen when no distribution is given are in docs/uncertainty.md.
    """

    kind: DistributionKind
    sd: NonNegativeNumber | None = None
    low: FiniteNumber | None = None
    high: FiniteNumber | None = None
    rationale: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.kind in {"normal", "lognormal", "gamma", "beta"} and self.sd is None:
            raise ValueError(f"a {self.kind} distribution needs 'sd' (its standard deviation)")
        if (self.kind == "fixed" or self.kind in BOUNDED_KINDS) and self.sd is not None:
            raise ValueError(f"a {self.kind} distribution takes no 'sd'; give 'low' and 'high'")
        if (self.low is None) != (self.high is None):
            raise ValueError("give both 'low' and 'high', or neither")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low {self.low} is above high {self.high}")
        if self.low is not None and self.kind not in BOUNDED_KINDS:
            raise ValueError(f"a {self.kind} distribution takes no 'low' or 'high'")
        return self


class Quantity(StrictModel):
    """A number with unit, provenance and (where assumed) a plausible range."""

    value: FiniteNumber
    unit: str
    status: Status
    source: Source | None = None
    formula: str | None = None
    range: tuple[FiniteNumber, FiniteNumber] | None = None
    rationale: str | None = None
    price_year: PriceYear | None = None
    note: str | None = None
    distribution: Distribution | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.unit not in UNITS:
            raise ValueError(
                f"unknown unit {quote(self.unit)}; expected one of: {', '.join(UNITS)}"
            )
        self._check_bounds()
        if self.status is Status.REPORTED and self.source is None:
            raise ValueError("a reported value needs a 'source' (citation, url, locator)")
        if self.status is Status.DERIVED and not self.formula:
            raise ValueError("a derived value needs a 'formula' saying how it was computed")
        if self.status is Status.ASSUMED:
            if self.range is None:
                raise ValueError("an assumed value needs a 'range' [low, high]")
            if not self.rationale:
                raise ValueError("an assumed value needs a one-line 'rationale'")
        if self.range is not None:
            low, high = self.range
            if low > high:
                raise ValueError(f"range low {low} is above high {high}")
            if not low <= self.value <= high:
                raise ValueError(f"value {self.value} lies outside its range [{low}, {high}]")
        dist = self.distribution
        if dist is not None:
            self._check_distribution(dist)
        if (
            dist is not None
            and dist.low is not None
            and dist.high is not None
            and not dist.low <= self.value <= dist.high
        ):
            raise ValueError(
                f"value {self.value} lies outside its distribution's [{dist.low}, {dist.high}]"
            )
        if (
            dist is not None
            and dist.low is not None
            and dist.high is not None
            and self.range is not None
            and (dist.low < self.range[0] or dist.high > self.range[1])
        ):
            # the range is what the figure can be; a distribution running past it would
            # draw values the file itself says are impossible (or be cut to it silently)
            low, high = self.range
            raise ValueError(
                f"its {dist.kind} distribution runs over [{dist.low:g}, {dist.high:g}], wider "
                f"than the figure's own range [{low:g}, {high:g}]; give the distribution 'low' "
                "and 'high' within the range (or leave them out to draw over the range), or "
                "widen the range"
            )
        if self.unit in CURRENCY_UNITS and self.price_year is None:
            raise ValueError(f"a value in {self.unit} needs a 'price_year' such as '2011-12'")
        if self.unit not in CURRENCY_UNITS and self.price_year is not None:
            # a price year would rebase the figure as if it were money
            raise ValueError(
                f"'price_year' belongs to money figures (GBP) only, not to a value in {self.unit}"
            )
        return self

    def _check_bounds(self) -> None:
        """Every figure within the plausibility bound of its unit (peervalue.units.BOUNDS)."""
        figures: list[tuple[str, float]] = [("value", self.value)]
        if self.range is not None:
            figures += [("range low", self.range[0]), ("range high", self.range[1])]
        dist = self.distribution
        if dist is not None:
            for name in ("sd", "low", "high"):
                figure = getattr(dist, name)
                if figure is not None:
                    figures.append((f"distribution {name}", figure))
        for what, figure in figures:
            problem = bound_problem(self.unit, figure, what)
            if problem is not None:
                raise ValueError(problem)

    def _check_distribution(self, dist: Distribution) -> None:
        v = self.value
        if dist.kind in BOUNDED_KINDS and dist.low is None and self.range is None:
            raise ValueError(
                f"a {dist.kind} distribution needs 'low' and 'high', or a 'range' on the quantity"
            )
        if dist.kind in {"gamma", "lognormal"} and v <= 0:
            raise ValueError(f"a {dist.kind} distribution needs a value above zero, got {v:g}")
        if dist.kind == "beta":
            if not 0 < v < 1:
                raise ValueError(f"a beta distribution needs a value between 0 and 1, got {v:g}")
            if dist.sd is not None and dist.sd**2 >= v * (1 - v):
                raise ValueError(
                    f"a beta distribution with mean {v:g} needs sd below "
                    f"{(v * (1 - v)) ** 0.5:.4g}, got {dist.sd:g}"
                )

    @property
    def is_assumed(self) -> bool:
        return self.status is Status.ASSUMED

    def short(self) -> str:
        """``9 bed-days/patient (derived)``-style text for tables."""
        return f"{self.value:g} {self.unit} ({self.status.value})"


def quantities_in(document: StrictModel) -> dict[str, Quantity]:
    """Every :class:`Quantity` in ``document`` (and its blocks, lists and mappings), keyed
    by its dotted path (``outcome.control_mean``, ``extra[0].unit_cost``,
    ``other_resources.crisis_team_contact``), in field order."""
    found: dict[str, Quantity] = {}

    def walk(prefix: str, obj: object) -> None:
        if isinstance(obj, Quantity):
            found[prefix] = obj
        elif isinstance(obj, StrictModel):
            for name in type(obj).model_fields:
                walk(f"{prefix}.{name}" if prefix else name, getattr(obj, name))
        elif isinstance(obj, list):
            for i, item in enumerate(obj):
                walk(f"{prefix}[{i}]", item)
        elif isinstance(obj, dict):
            for key, item in obj.items():
                walk(f"{prefix}.{key}", item)

    walk("", document)
    return found


def unit_check(*allowed: str) -> AfterValidator:
    """A validator that accepts a :class:`Quantity` only in one of ``allowed`` units."""

    def check(q: Quantity) -> Quantity:
        if q.unit not in allowed:
            raise ValueError(
                f"unit {quote(q.unit)} is not valid here; expected {' or '.join(allowed)}"
            )
        return q

    return AfterValidator(check)


#: the largest share of an unbounded distribution's draws allowed below a figure's least
#: plausible value (its 95% interval may reach it, no more)
MAX_SHARE_BELOW = 0.025


def _gamma_below(shape: float, x: float) -> float:
    """P(X < x) for a gamma of ``shape`` and scale 1 (the regularised lower incomplete gamma
    function), for ``0 < x <= shape``: its power series (each term x / (shape + n) times
    the last, so it converges), or, for a shape so large that the series is long, the
    Wilson-Hilferty normal approximation (accurate to about 1e-4 there)."""
    if shape > 1e5:
        z = ((x / shape) ** (1 / 3) - (1 - 1 / (9 * shape))) / math.sqrt(1 / (9 * shape))
        return 0.5 * math.erfc(-z / math.sqrt(2))
    term = total = 1.0
    n = 0
    while term > 1e-15 * total and n < 1_000_000:
        n += 1
        term *= x / (shape + n)
        total += term
    log_p = shape * math.log(x) - x - math.lgamma(shape + 1) + math.log(total)
    return min(1.0, math.exp(log_p))


def share_below(q: Quantity, limit: float) -> float:
    """The share of draws of ``q``'s declared gamma or log-normal (not cut to a range) that
    fall below ``limit`` (0 < limit <= value); 0 for any other distribution."""
    dist = q.distribution
    if dist is None or dist.kind not in {"gamma", "lognormal"} or not dist.sd or q.range:
        return 0.0
    m, sd = q.value, dist.sd
    if dist.kind == "gamma":
        return _gamma_below((m / sd) ** 2, limit * m / sd**2)
    sigma2 = math.log1p(sd**2 / m**2)
    mu = math.log(m) - sigma2 / 2
    return 0.5 * math.erfc(-(math.log(limit) - mu) / math.sqrt(2 * sigma2))


def _spread_problem(q: Quantity, limit: float, what: str) -> str | None:
    """Why ``q``'s gamma or log-normal draws too often below ``limit`` (``what`` says what
    the limit is), or None."""
    share = share_below(q, limit)
    if share <= MAX_SHARE_BELOW:
        return None
    dist = q.distribution
    assert dist is not None and dist.sd is not None
    return (
        f"a {dist.kind} distribution with sd {dist.sd:,.10g} around {q.value:,.10g} {q.unit} "
        f"draws below {what} in {share:.1%} of draws (at most {MAX_SHARE_BELOW:.1%} may), so "
        "the per-FTE and break-even results would explode; give a smaller 'sd', or a 'range' "
        "on the quantity for the draws to stay within"
    )


def _smallest(minimum: Bound, unit: str) -> str:
    return f"the smallest plausible {minimum.limit:,.10g} {unit} ({minimum.reason})"


def _positive(q: Quantity) -> Quantity:
    if q.value <= 0:
        raise ValueError(f"must be greater than zero, got {q.value:g}")
    if q.range is not None and q.range[0] <= 0:
        raise ValueError(f"the range must stay above zero, got low {q.range[0]:g}")
    dist = q.distribution
    if dist is not None and dist.kind == "normal":
        raise ValueError(
            "a normal distribution can draw zero or negative values, but this figure must "
            "stay above zero; use gamma or lognormal (or uniform, triangular, pert)"
        )
    if dist is not None and dist.low is not None and dist.low <= 0:
        raise ValueError(f"the distribution must stay above zero, got low {dist.low:g}")
    minimum = POSITIVE_MINIMA.get(q.unit)
    near_zero = (
        _spread_problem(
            q, SMALLEST_NONZERO, f"{SMALLEST_NONZERO:g} (this figure must stay above zero)"
        )
        if minimum is None or minimum.limit > q.value  # (at_least refuses such a value)
        else _spread_problem(q, minimum.limit, _smallest(minimum, q.unit))
    )
    if near_zero is not None:
        raise ValueError(near_zero)
    return q


def _non_negative(q: Quantity) -> Quantity:
    if q.value < 0:
        raise ValueError(f"must not be negative, got {q.value:g}")
    if q.range is not None and q.range[0] < 0:
        raise ValueError(f"the range must not go below zero, got low {q.range[0]:g}")
    dist = q.distribution
    if dist is not None and dist.low is not None and dist.low < 0:
        raise ValueError(f"the distribution must not go below zero, got low {dist.low:g}")
    return q


Positive = AfterValidator(_positive)
NonNegative = AfterValidator(_non_negative)


def _figures(q: Quantity) -> list[tuple[str, float]]:
    """(name, figure) of the value, its range ends and its distribution's low and high."""
    figures = [("value", q.value)]
    if q.range is not None:
        figures += [("range low", q.range[0]), ("range high", q.range[1])]
    dist = q.distribution
    if dist is not None and dist.low is not None and dist.high is not None:
        figures += [("distribution low", dist.low), ("distribution high", dist.high)]
    return figures


def at_least(minimum: Bound) -> AfterValidator:
    """A validator refusing a value, range end or distribution low below ``minimum``
    (a positive figure so small it makes per-FTE results explode)."""

    def check(q: Quantity) -> Quantity:
        for what, figure in _figures(q):
            if figure < minimum.limit:
                raise ValueError(
                    f"{what} {figure:,.10g} {q.unit} is below the smallest plausible "
                    f"{minimum.limit:,.10g} {q.unit} ({minimum.reason})"
                )
        dist = q.distribution
        if dist is not None and dist.kind == "normal":
            raise ValueError(
                f"a normal distribution can draw values below the smallest plausible "
                f"{minimum.limit:g} {q.unit}; use gamma or lognormal (or uniform, triangular, pert)"
            )
        below = _spread_problem(q, minimum.limit, _smallest(minimum, q.unit))
        if below is not None:
            raise ValueError(below)
        return q

    return AfterValidator(check)


def at_most(maximum: Bound) -> AfterValidator:
    """A validator refusing a value, range end or distribution high above ``maximum``."""

    def check(q: Quantity) -> Quantity:
        for what, figure in _figures(q):
            if figure > maximum.limit:
                raise ValueError(
                    f"{what} {figure:,.10g} {q.unit} is above the largest plausible "
                    f"{maximum.limit:,.10g} {q.unit} ({maximum.reason})"
                )
        return q

    return AfterValidator(check)


def whole_number(unit: str) -> AfterValidator:
    """A validator for a count of people: its value and range ends are whole numbers."""

    def check(q: Quantity) -> Quantity:
        for what, figure in _figures(q):
            if not what.startswith("distribution") and figure != round(figure):
                raise ValueError(
                    f"{what} {figure:g} is not a whole number of {unit}; a count of people "
                    f"is whole (round it, or give the figure it came from)"
                )
        return q

    return AfterValidator(check)


#: distributions whose draws stay between 0 and 1 when their bounds do
ZERO_ONE_KINDS = frozenset({"fixed", "beta", "uniform", "triangular", "pert"})


def _on_zero_one(q: Quantity) -> Quantity:
    """A probability is drawn only from a distribution on 0-1: beta, or uniform,
    triangular or PERT with bounds in [0, 1] (checked by the bounds on the value); a
    reported or derived figure with a range must fit the beta the range is read as."""
    dist = q.distribution
    if dist is not None and dist.kind not in ZERO_ONE_KINDS:
        raise ValueError(
            f"a {dist.kind} distribution draws values outside 0-1, but this figure is a "
            "probability; use beta (with 'sd'), or uniform, triangular or pert over a range "
            "within [0, 1]"
        )
    if dist is None and q.range is not None and q.status is not Status.ASSUMED:
        low, high = q.range
        sd = (high - low) / (2 * 1.959963984540054)
        if sd > 0 and not (0 < q.value < 1 and sd**2 < q.value * (1 - q.value)):
            raise ValueError(
                f"the range [{low:g}, {high:g}] read as a 95% interval is too wide for a "
                f"beta distribution around {q.value:g}, so the draws would leave 0-1; "
                "declare distribution {kind: uniform} (or pert) over the range"
            )
    return q


on_zero_one = AfterValidator(_on_zero_one)
