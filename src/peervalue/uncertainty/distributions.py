"""A probability distribution for every model parameter, read from the data files.

Nothing is typed twice: each :class:`~peervalue.model.spec.Parameter` already
carries its quantity (value, status, range, optional ``distribution``), and
:func:`parameter_distributions` turns it into a :class:`ParameterDistribution`
in model units by the rules below (first match wins; docs/uncertainty.md gives
the reasons):

1. a ``distribution`` declared on the quantity in the file;
2. an arm's mean bed-days with a reported SD: normal, standard error ``SD / sqrt(n)``
   (an arm without an SD borrows the other arm's, and says so), so the
   difference of the two means is normal with the usual standard error;
3. a reported count of readmitted patients (the model takes it as a proportion p of
   its arm of n): beta with the binomial standard error ``sqrt(p (1 - p) / n)``;
4. an ``assumed`` value: PERT over its range with the stated value as its mode (a file
   that wants every value in the range equally likely declares ``uniform``);
5. a reported or derived value with a range: at one end of the range, a one-sided PERT
   with its mode at that end (the range cannot be an interval around the value); inside
   it, the range read as a 95% interval (``sd = (high - low) / 3.92``): beta for a
   proportion between 0 and 1, normal for a signed outcome (bed-days saved can be
   negative), gamma for anything else that is positive (costs, counts, durations);
6. anything else: fixed at its value, and listed as such.

No draw ever leaves a quantity's stated range: the bounded kinds (uniform, triangular,
PERT) live on it, and a normal, log-normal, gamma or beta of a quantity with a range
(rule 5, or declared in the file) is truncated to it, drawn by rejection (the draws that
fall inside are the untruncated distribution's own draws, in stream order).

Each parameter draws from its own random stream, keyed by the parameter's name
and the seed, so the draws do not depend on the chunk size, on the order of
the studies, or on which other studies are in the analysis.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.random import PCG64, Generator, SeedSequence

from peervalue.model.core import Array
from peervalue.model.spec import EVENT_ARMS, ModelSpec, Parameter
from peervalue.provenance import BOUNDED_KINDS, DistributionKind, Status

#: a 95% interval spans 2 x 1.96 standard deviations of a normal distribution
SD_PER_95_INTERVAL = 2 * 1.959963984540054
#: kinds with unbounded support (or [0, 1] for beta), truncated to a stated range
UNBOUNDED_KINDS = frozenset({"normal", "lognormal", "gamma", "beta"})
#: a truncated distribution keeping less than this share of its mass inside the range is
#: drawn by inversion of its CDF instead of by rejection (which would loop many times)
MIN_REJECTION_MASS = 0.25
#: outcome fields whose value may be negative (peer support may add bed-days)
SIGNED_FIELDS = frozenset(
    {
        "outcome.total",
        "outcome.saved_per_patient",
        "outcome.saved_per_fte_year",
        "outcome.length_of_stay_saved",
    }
)
_ARM_MEANS = {
    "outcome.intervention_mean": (
        "outcome.intervention_sd",
        "outcome.control_sd",
        "arms.intervention",
    ),
    "outcome.control_mean": ("outcome.control_sd", "outcome.intervention_sd", "arms.control"),
}


@dataclass(frozen=True)
class ParameterDistribution:
    """How one parameter is drawn, in model units (years, output-year prices)."""

    name: str
    kind: DistributionKind
    value: float  #: the point value (deterministic analysis)
    sd: float | None = None
    #: the support of a bounded kind; for a normal, log-normal, gamma or beta, the range
    #: it is truncated to (None: not truncated)
    low: float | None = None
    high: float | None = None
    origin: str = ""  #: why this distribution: shown in tables and docs
    stated_range: tuple[float, float] | None = None  #: the quantity's own range, model units

    @property
    def is_fixed(self) -> bool:
        return self.kind == "fixed"

    def _shapes(self) -> tuple[float, float]:
        """Moment-matched parameters (mean = value, sd = sd), stated once for drawing and
        for scipy: lognormal (mu, sigma) of the log; gamma (shape, scale); beta (a, b)."""
        m, sd = self.value, self.sd or 0.0
        if self.kind == "lognormal":
            sigma2 = math.log1p(sd**2 / m**2)
            return math.log(m) - sigma2 / 2, math.sqrt(sigma2)
        if self.kind == "gamma":
            return (m / sd) ** 2, sd**2 / m
        common = m * (1 - m) / sd**2 - 1
        return m * common, (1 - m) * common

    def _scipy(self) -> Any:
        """The scipy distribution behind intervals (scipy is imported only here)."""
        from scipy import stats

        if self.kind == "normal":
            return stats.norm(self.value, self.sd or 0.0)
        if self.kind == "lognormal":
            mu, sigma = self._shapes()
            return stats.lognorm(sigma, scale=math.exp(mu))
        if self.kind == "gamma":
            shape, scale = self._shapes()
            return stats.gamma(shape, scale=scale)
        if self.kind == "beta":
            return stats.beta(*self._shapes())
        return None

    def mean(self) -> float:
        """The distribution's mean (differs from the point value for a lopsided range)."""
        if self.kind == "uniform":
            return (self.lo + self.hi) / 2
        if self.kind == "triangular":
            return (self.lo + self.value + self.hi) / 3
        if self.kind == "pert":
            return (self.lo + 4 * self.value + self.hi) / 6
        if self.is_truncated:
            dist = self._scipy()
            assert dist is not None
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # quad's warning where it is about to fail
                mean = float(dist.expect(lb=self.lo, ub=self.hi, conditional=True))
            if math.isfinite(mean) and self.lo <= mean <= self.hi:
                return mean
            # a density without bound at an end (a beta with a shape below 1) defeats quad:
            # the mean of the quantiles at 4,096 midpoints of the range's probability instead
            f_lo, f_hi = self._mass_inside()
            u = (np.arange(4096) + 0.5) / 4096
            return float(np.mean(dist.ppf(f_lo + u * (f_hi - f_lo))))
        return self.value

    @property
    def is_truncated(self) -> bool:
        """An unbounded kind with a spread, cut to ``[low, high]``."""
        return (
            self.kind in UNBOUNDED_KINDS
            and bool(self.sd)
            and self.low is not None
            and self.high is not None
        )

    def _mass_inside(self) -> tuple[float, float]:
        """CDF of the untruncated distribution at ``low`` and at ``high``."""
        dist = self._scipy()
        assert dist is not None
        return float(dist.cdf(self.lo)), float(dist.cdf(self.hi))

    def _pert_shapes(self) -> tuple[float, float]:
        width = self.hi - self.lo
        return 1 + 4 * (self.value - self.lo) / width, 1 + 4 * (self.hi - self.value) / width

    @property
    def lo(self) -> float:
        return self.value if self.low is None else self.low

    @property
    def hi(self) -> float:
        return self.value if self.high is None else self.high

    def interval(self, level: float = 0.95) -> tuple[float, float]:
        """The central ``level`` interval; for uniform, triangular and PERT, the whole range."""
        if self.kind == "fixed":
            return self.value, self.value
        if self.kind in BOUNDED_KINDS:
            return self.lo, self.hi
        if not self.sd:
            return self.value, self.value
        dist = self._scipy()
        assert dist is not None
        tail = (1 - level) / 2
        if self.is_truncated:
            f_lo, f_hi = self._mass_inside()
            low = float(dist.ppf(f_lo + tail * (f_hi - f_lo)))
            high = float(dist.ppf(f_hi - tail * (f_hi - f_lo)))
            return max(low, self.lo), min(high, self.hi)
        return float(dist.ppf(tail)), float(dist.ppf(1 - tail))

    def swing(self) -> tuple[float, float]:
        """Low and high for one-way sensitivity: the range stated in the file, if any,
        else the central 95% interval (a fixed input does not swing)."""
        if self.kind == "fixed":
            return self.value, self.value
        if self.stated_range is not None:
            return self.stated_range
        return self.interval()

    def sample(self, rng: Generator, n: int) -> Array:
        """``n`` draws from ``rng``, consuming the stream in order (chunk-size invariant).

        Every draw lies in ``[low, high]`` when those are set (and within the stated
        range, which they are built from)."""
        m, sd = self.value, self.sd or 0.0
        if self.kind == "fixed" or (self.kind in UNBOUNDED_KINDS and sd == 0):
            return np.full(n, m)
        if self.is_truncated:
            return self._sample_truncated(rng, n)
        if self.kind in UNBOUNDED_KINDS:
            return self._sample_unbounded(rng, n)
        lo, hi = self.lo, self.hi
        if hi <= lo:
            return np.full(n, m)
        # each formula lands in [lo, hi] in exact arithmetic; clip the last rounding bit
        if self.kind == "uniform":
            drawn = lo + (hi - lo) * rng.random(n)
        elif self.kind == "pert":
            drawn = beta_inverse(*self._pert_shapes())(rng.random(n))
            drawn *= hi - lo
            drawn += lo
        else:
            # triangular by inversion of its CDF: one uniform per draw
            u = rng.random(n)
            cut = (m - lo) / (hi - lo)
            left = lo + np.sqrt(u * (hi - lo) * (m - lo))
            right = hi - np.sqrt((1 - u) * (hi - lo) * (hi - m))
            drawn = np.where(u < cut, left, right)
        np.minimum(drawn, hi, out=drawn)
        return np.maximum(drawn, lo, out=drawn)

    def inverse(self, u: Array) -> Array:
        """The inverse of the distribution's CDF at ``u`` (uniforms in (0, 1)): one value
        per uniform, for quasi-random (Sobol) points. Exact special functions for the
        normal, log-normal, gamma and beta (cut ones through their mass inside the range),
        the PERT's table (:class:`BetaInverse`), closed forms for uniform and triangular."""
        u = np.asarray(u, dtype=np.float64)
        m, sd = self.value, self.sd or 0.0
        if self.kind == "fixed" or (self.kind in UNBOUNDED_KINDS and sd == 0):
            return np.full(u.shape, m)
        if self.kind in UNBOUNDED_KINDS:
            if self.is_truncated:
                f_lo, f_hi = self._mass_inside()
                u = f_lo + (f_hi - f_lo) * u
            drawn = self._ppf(u)
            if self.is_truncated:
                np.minimum(drawn, self.hi, out=drawn)
                np.maximum(drawn, self.lo, out=drawn)
            return drawn
        lo, hi = self.lo, self.hi
        if hi <= lo:
            return np.full(u.shape, m)
        if self.kind == "uniform":
            drawn = lo + (hi - lo) * u
        elif self.kind == "pert":
            drawn = beta_inverse(*self._pert_shapes())(u) * (hi - lo) + lo
        else:
            cut = (m - lo) / (hi - lo)
            left = lo + np.sqrt(u * (hi - lo) * (m - lo))
            right = hi - np.sqrt((1 - u) * (hi - lo) * (hi - m))
            drawn = np.where(u < cut, left, right)
        np.minimum(drawn, hi, out=drawn)
        return np.maximum(drawn, lo, out=drawn)

    def _ppf(self, u: Array) -> Array:
        """The untruncated inverse CDF of a normal, log-normal, gamma or beta."""
        from scipy import special

        m, sd = self.value, self.sd or 0.0
        if self.kind == "normal":
            out: Array = m + sd * special.ndtri(u)
        elif self.kind == "lognormal":
            mu, sigma = self._shapes()
            out = np.exp(mu + sigma * special.ndtri(u))
        elif self.kind == "gamma":
            shape, scale = self._shapes()
            out = special.gammaincinv(shape, u) * scale
        else:
            out = special.betaincinv(*self._shapes(), u)
        return out

    def _sample_truncated(self, rng: Generator, n: int) -> Array:
        """Draws of the untruncated distribution that fall in ``[low, high]``, in stream
        order: each round draws exactly as many as are still missing, so the stream is
        consumed up to the ``n``-th draw kept and no further (whatever the chunking).
        A range holding little of the mass is drawn by inverting the CDF instead."""
        lo, hi = self.lo, self.hi
        if hi <= lo:
            return np.full(n, self.value)
        f_lo, f_hi = self._mass_inside()
        if f_hi - f_lo < MIN_REJECTION_MASS:
            dist = self._scipy()
            drawn = np.asarray(dist.ppf(f_lo + (f_hi - f_lo) * rng.random(n)), dtype=float)
            return np.clip(drawn, lo, hi, out=drawn)
        out = np.empty(n)
        filled = 0
        while filled < n:
            raw = self._sample_unbounded(rng, n - filled)
            kept = raw[(raw >= lo) & (raw <= hi)]
            out[filled : filled + kept.size] = kept
            filled += kept.size
        return out

    def _sample_unbounded(self, rng: Generator, n: int) -> Array:
        m, sd = self.value, self.sd or 0.0
        if self.kind == "normal":
            return m + sd * rng.standard_normal(n)
        if self.kind == "lognormal":
            mu, sigma = self._shapes()
            return rng.lognormal(mu, sigma, n)
        if self.kind == "gamma":
            shape, scale = self._shapes()
            return rng.standard_gamma(shape, n) * scale
        return rng.beta(*self._shapes(), n)

    def describe(self) -> str:
        """``gamma(mean 334, sd 12)``-style text."""
        if self.kind == "fixed":
            return f"fixed at {self.value:.6g}"
        if self.kind == "uniform":
            return f"uniform({self.lo:.6g} to {self.hi:.6g})"
        if self.kind in {"triangular", "pert"}:
            return f"{self.kind}({self.lo:.6g}, mode {self.value:.6g}, {self.hi:.6g})"
        text = f"{self.kind}(mean {self.value:.6g}, sd {self.sd or 0:.6g})"
        if self.is_truncated:
            text += f" cut to {self.lo:.6g}-{self.hi:.6g}"
        return text


#: the inverse-CDF table of a beta: cells of equal probability in the body, and a finer
#: table in each tail over ``(u / TAIL)^(1 / shape)``, in which the inverse is nearly linear
#: (near 0 the inverse of a beta(a, b) CDF grows as u^(1/a))
BODY_CELLS = 4096
TAIL = 1 / 64
TAIL_CELLS = 256


class BetaInverse:
    """The inverse CDF of a beta(a, b) distribution by linear interpolation in a table of
    its exact values (scipy's ``betaincinv``): one uniform in, one draw out, about twice as
    fast as numpy's beta sampler (two gamma draws each). For the shapes a PERT has (a and
    b between 1 and 5) every value lies within 3e-6 of the exact inverse (a test checks
    this over random shapes), a thousandth of a percent of the range."""

    def __init__(self, a: float, b: float) -> None:
        from scipy.special import betaincinv  # here, not at import: the CLI starts fast

        self.a, self.b = a, b
        self.body = betaincinv(a, b, np.arange(BODY_CELLS + 1) / BODY_CELLS)
        self.step = np.diff(self.body)
        v = np.arange(TAIL_CELLS + 1) / TAIL_CELLS
        low = betaincinv(a, b, TAIL * v**a)
        high = 1.0 - betaincinv(b, a, TAIL * v**b)  # upper tail: 1 - inverse of beta(b, a)
        self.tails = np.concatenate([low, high])

    def __call__(self, u: Array) -> Array:
        """The inverse CDF at ``u`` (uniforms in [0, 1))."""
        t = u * BODY_CELLS
        i = t.astype(np.intp)
        t -= i
        x: Array = self.body[i]
        t *= self.step[i]
        x += t
        k = np.flatnonzero(np.abs(u - 0.5) > 0.5 - TAIL)
        if k.size:
            uk = u[k]
            low = uk < 0.5
            w = np.where(low, uk, 1.0 - uk) / TAIL
            w **= np.where(low, 1.0 / self.a, 1.0 / self.b)
            w *= TAIL_CELLS
            j = np.minimum(w.astype(np.intp), TAIL_CELLS - 1)
            w -= j
            j += np.where(low, 0, TAIL_CELLS + 1)
            x[k] = self.tails[j] + w * (self.tails[j + 1] - self.tails[j])
        return x


@lru_cache(maxsize=256)
def beta_inverse(a: float, b: float) -> BetaInverse:
    """The inverse-CDF table of beta(a, b), built once per shape (about 10 ms)."""
    return BetaInverse(a, b)


def _declared(p: Parameter) -> ParameterDistribution | None:
    d = p.quantity.distribution
    if d is None:
        return None
    f = p.factor
    low, high = (d.low, d.high) if d.low is not None else (p.quantity.range or (None, None))
    return ParameterDistribution(
        name=p.name,
        kind=d.kind,
        value=p.value,
        sd=None if d.sd is None else d.sd * f,
        low=None if low is None else low * f,
        high=None if high is None else high * f,
        origin="declared in the file" + (f": {d.rationale}" if d.rationale else ""),
    )


def _arm_mean(p: Parameter, by_name: dict[str, Parameter]) -> ParameterDistribution | None:
    fields = _ARM_MEANS.get(p.field)
    if fields is None:
        return None
    own_sd, other_sd, arm = (by_name.get(f"{p.owner}:{f}") for f in fields)
    sd_param = own_sd or other_sd
    if sd_param is None or arm is None:
        return None
    se = sd_param.value / math.sqrt(arm.value)
    borrowed = " (SD borrowed from the other arm)" if own_sd is None else ""
    return ParameterDistribution(
        name=p.name,
        kind="normal",
        value=p.value,
        sd=se,
        origin=f"arm mean: standard error SD / sqrt(n) = {sd_param.value:g} / "
        f"sqrt({arm.value:g}){borrowed}",
    )


def _event_share(p: Parameter, by_name: dict[str, Parameter]) -> ParameterDistribution | None:
    """A reported readmitted count (as a proportion p of its arm of n): beta with the
    binomial standard error ``sqrt(p (1 - p) / n)``."""
    arm_field = EVENT_ARMS.get(p.field)
    if arm_field is None or p.quantity.range is not None:
        return None
    arm = by_name.get(f"{p.owner}:{arm_field}")
    share = p.value
    if arm is None or not 0 < share < 1:
        return None
    sd = math.sqrt(share * (1 - share) / arm.value)
    return ParameterDistribution(
        name=p.name,
        kind="beta",
        value=share,
        sd=sd,
        origin=f"readmitted share: beta, binomial standard error sqrt(p (1 - p) / n), "
        f"n = {arm.value:g}",
    )


def _default(p: Parameter) -> ParameterDistribution:
    q, v = p.quantity, p.value
    if q.status is Status.ASSUMED and p.range is not None:
        low, high = p.range
        return ParameterDistribution(
            p.name,
            "pert",
            v,
            low=low,
            high=high,
            origin="assumed: PERT over its range, with the stated value as its mode",
        )
    if p.range is not None:
        low, high = p.range
        if low < high and (math.isclose(v, low) or math.isclose(v, high)):
            end = "top" if math.isclose(v, high) else "bottom"
            return ParameterDistribution(
                p.name,
                "pert",
                v,
                low=low,
                high=high,
                origin=f"value at the {end} of its range: one-sided PERT with its mode there",
            )
        sd = (high - low) / SD_PER_95_INTERVAL
        why = "range read as a 95% interval, cut to the range"
        if q.unit == "proportion" and 0 < v < 1 and sd**2 < v * (1 - v):
            kind: DistributionKind = "beta"
        elif p.field in SIGNED_FIELDS or v <= 0:
            kind = "normal"
        else:
            kind = "gamma"
        return ParameterDistribution(p.name, kind, v, sd=sd, low=low, high=high, origin=why)
    if p.field.endswith("_sd"):
        return ParameterDistribution(p.name, "fixed", v, origin="sets an arm mean's standard error")
    return ParameterDistribution(p.name, "fixed", v, origin="no stated uncertainty")


def parameter_distributions(spec: ModelSpec) -> list[ParameterDistribution]:
    """One distribution per parameter of ``spec``, in the spec's order."""
    return distributions_of(spec.parameters)


def distributions_of(parameters: Sequence[Parameter]) -> list[ParameterDistribution]:
    """One distribution per parameter, by the rules above, in the order given."""
    by_name = {p.name: p for p in parameters}
    return [
        _within_range(
            _declared(p) or _arm_mean(p, by_name) or _event_share(p, by_name) or _default(p),
            p.range,
        )
        for p in parameters
    ]


def _within_range(
    d: ParameterDistribution, stated: tuple[float, float] | None
) -> ParameterDistribution:
    """``d`` with the parameter's stated range; an unbounded kind is cut to that range
    (so no draw leaves it), a bounded kind already lies within its own low and high."""
    if stated is not None and d.kind in UNBOUNDED_KINDS:
        return replace(d, low=stated[0], high=stated[1], stated_range=stated)
    return replace(d, stated_range=stated)


def parameter_stream(seed: int, name: str) -> Generator:
    """The random stream of one parameter: independent of every other parameter's.

    The stream is keyed by the seed and every byte of the parameter's full name
    (prefixed by its length, so no two names share a key), not by a hash that
    two names could share.
    """
    key = name.encode("utf-8")
    return Generator(PCG64(SeedSequence(seed, spawn_key=(len(key), *key))))


#: the most draws of one parameter that first_draws keeps (the cache holds at most
#: FIRST_DRAWS_CACHED of them: 50 MB at this length, 10 MB at 10,000 draws)
FIRST_DRAWS_MAX = 50_000
FIRST_DRAWS_CACHED = 128


def first_draws(dist: ParameterDistribution, seed: int, n: int) -> Array:
    """The first ``n`` draws of ``dist`` from its own stream for ``seed``: the numbers
    :func:`draw_chunk` gives from a fresh ``parameter_stream(seed, dist.name)``.

    Up to FIRST_DRAWS_MAX draws they are kept, read-only, for the next call: a server runs
    every business case over the same national inputs, usually with the same seed and
    number of draws, and drawing them again is most of a 10,000-draw run's time."""
    if dist.is_fixed:
        return np.array([dist.value])
    if n > FIRST_DRAWS_MAX:
        return dist.sample(parameter_stream(seed, dist.name), n)
    return _kept_first_draws(dist, seed, n)


@lru_cache(maxsize=FIRST_DRAWS_CACHED)
def _kept_first_draws(dist: ParameterDistribution, seed: int, n: int) -> Array:
    drawn = dist.sample(parameter_stream(seed, dist.name), n)
    drawn.flags.writeable = False
    return drawn


def draw_chunk(
    dists: Sequence[ParameterDistribution], streams: dict[str, Generator], n: int
) -> dict[str, Array]:
    """The next ``n`` draws of every parameter (fixed ones as length-1 arrays)."""
    return {
        d.name: np.array([d.value]) if d.is_fixed else d.sample(streams[d.name], n) for d in dists
    }
