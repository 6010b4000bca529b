"""Prior distributions of the synthesis, written as ``kind:numbers`` (``halfnormal:0.5``).

Pure and light (no numpy): the request checks a prior's text here, and the model turns
it into densities in :mod:`peervalue.synthesis.bayes`.

Heterogeneity ``tau`` (a standard deviation, so positive):

* ``halfnormal:S``: density ``2 phi(tau / S) / S``, the weakly informative default
  (Röver et al. 2021 recommend half-normal or half-Cauchy priors; on log ratios a scale
  of 0.5 is a common, moderately conservative choice);
* ``halfcauchy:S``: heavier tailed, ``2 / (pi S (1 + (tau / S)^2))``;
* ``uniform:MAX``: flat from 0 to MAX.

Mean effect ``mu``: ``normal:MEAN,SD`` (vague when SD is large against the effects) or
``flat`` (an improper uniform prior; the posterior is proper with one study or more).
"""

from __future__ import annotations

import math
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict

TauKind = Literal["halfnormal", "halfcauchy", "uniform"]


class TauPrior(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    kind: TauKind
    scale: float

    def text(self) -> str:
        return f"{self.kind}:{self.scale:g}"


class MuPrior(BaseModel):
    """``sd`` is ``None`` for the flat prior."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    mean: float = 0.0
    sd: float | None = None

    def text(self) -> str:
        return "flat" if self.sd is None else f"normal:{self.mean:g},{self.sd:g}"


class NormalPrior(BaseModel):
    """A normal prior ``normal:MEAN,SD`` (the bias term's)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    mean: float
    sd: float

    def text(self) -> str:
        return f"normal:{self.mean:g},{self.sd:g}"


#: the default priors by scale (relative: log ratios; absolute: bed-days per patient-year)
DEFAULT_TAU: Final = {
    "relative": TauPrior(kind="halfnormal", scale=0.5),
    "absolute": TauPrior(kind="halfnormal", scale=10.0),
}
DEFAULT_MU: Final = {"relative": MuPrior(mean=0.0, sd=4.0), "absolute": MuPrior(mean=0.0, sd=100.0)}
#: the tau priors of the sensitivity table, by scale
SENSITIVITY_TAU: Final = {
    "relative": (
        TauPrior(kind="halfnormal", scale=0.25),
        TauPrior(kind="halfnormal", scale=0.5),
        TauPrior(kind="halfnormal", scale=1.0),
        TauPrior(kind="halfcauchy", scale=0.5),
        TauPrior(kind="uniform", scale=2.0),
    ),
    "absolute": (
        TauPrior(kind="halfnormal", scale=5.0),
        TauPrior(kind="halfnormal", scale=10.0),
        TauPrior(kind="halfnormal", scale=20.0),
        TauPrior(kind="halfcauchy", scale=10.0),
        TauPrior(kind="uniform", scale=50.0),
    ),
}
#: the bias of a non-randomised or high-risk study on the relative scale: ln(0.83) favouring
#: peer support, sd 0.2 (shown from 0.1 to 0.4)
DEFAULT_BIAS_RELATIVE: Final = NormalPrior(mean=round(math.log(0.83), 4), sd=0.2)
BIAS_SD_RANGE: Final = (0.1, 0.4)
BIAS_SOURCE: Final = (
    "Additive bias beta ~ N(ln 0.83, 0.2^2) on the log ratio for each non-randomised or "
    "high-risk-of-bias study (Turner et al. 2009 and Welton et al. 2009, JRSS A 172(1): bias "
    "terms with empirically based priors). The mean is the ratio of odds ratios 0.83 for "
    "trials with inadequate or unclear allocation concealment and subjective outcomes "
    "(Wood et al. 2008, BMJ 336:601; CITED, not checked against the paper here): such "
    "studies exaggerate benefit by about 17%. The sd is our judgement for designs without "
    "randomisation, shown from 0.1 to 0.4."
)


def _numbers(text: str, what: str, expected: str) -> list[float]:
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        raise ValueError(
            f"{what}: {text!r} is not a list of numbers; expected {expected}"
        ) from None
    if not all(math.isfinite(v) for v in values):
        raise ValueError(f"{what}: {text!r} holds a number that is not finite; expected {expected}")
    return values


TAU_EXPECTED: Final = (
    "halfnormal:SCALE, halfcauchy:SCALE or uniform:MAX with a number above 0, e.g. halfnormal:0.5"
)
MU_EXPECTED: Final = "normal:MEAN,SD with SD above 0 (e.g. normal:0,4), or flat"
BIAS_EXPECTED: Final = "normal:MEAN,SD with SD above 0, e.g. normal:-0.19,0.2"


def parse_tau_prior(text: str) -> TauPrior:
    """``halfnormal:0.5`` -> ``TauPrior``; a mistake raises ``ValueError`` saying what is
    expected."""
    kind, _, rest = text.strip().partition(":")
    kind = kind.strip().lower().replace("-", "").replace("_", "")
    if kind not in ("halfnormal", "halfcauchy", "uniform") or not rest:
        raise ValueError(f"got {text!r}; expected {TAU_EXPECTED}")
    values = _numbers(rest, "tau prior", TAU_EXPECTED)
    if len(values) != 1 or not values[0] > 0:
        raise ValueError(f"got {text!r}; expected {TAU_EXPECTED}")
    return TauPrior(kind=kind, scale=values[0])


def parse_mu_prior(text: str) -> MuPrior:
    """``normal:0,4`` or ``flat`` -> ``MuPrior``."""
    if text.strip().lower() == "flat":
        return MuPrior()
    prior = _parse_normal(text, MU_EXPECTED)
    return MuPrior(mean=prior.mean, sd=prior.sd)


def parse_bias_prior(text: str) -> NormalPrior:
    """``normal:-0.19,0.2`` -> ``NormalPrior``."""
    return _parse_normal(text, BIAS_EXPECTED)


def _parse_normal(text: str, expected: str) -> NormalPrior:
    kind, _, rest = text.strip().partition(":")
    if kind.strip().lower() != "normal" or not rest:
        raise ValueError(f"got {text!r}; expected {expected}")
    values = _numbers(rest, "prior", expected)
    if len(values) != 2 or not values[1] > 0:
        raise ValueError(f"got {text!r}; expected {expected}")
    return NormalPrior(mean=values[0], sd=values[1])
