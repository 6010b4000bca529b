"""Numbers on figures: money ticks that never repeat or turn scientific, plain numbers for
labels and alt text, and probabilities worded by the one rule the reports use
(:func:`peervalue.report.words.percent`)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from matplotlib.ticker import Formatter

from peervalue.report.words import CURRENCY_SIGN
from peervalue.report.words import percent as percent

#: (divisor, suffix) from the largest: millions, thousands, units
_SCALES: tuple[tuple[float, str], ...] = ((1e6, "m"), (1e3, "k"), (1.0, ""))


def plain(x: float, figures: int = 3) -> str:
    """A number for a label, never in scientific notation: thousands with separators and no
    decimals (``1,440``), smaller values to ``figures`` significant figures without trailing
    zeros (``0.0123``, ``17.2``, ``1``)."""
    if not math.isfinite(x):
        return "n/a"
    if abs(x) >= 10 ** (figures - 1) or x == 0:
        return f"{x:,.0f}"
    decimals = figures - 1 - math.floor(math.log10(abs(x)))
    text = f"{x:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _scale(largest: float) -> tuple[float, str]:
    """Millions from 1m, thousands from 10k (so £1,500 stays whole), else units."""
    if largest >= 1e6:
        return _SCALES[0]
    if largest >= 1e4:
        return _SCALES[1]
    return _SCALES[2]


def money_labels(values: Sequence[float], currency: str = "GBP") -> list[str]:
    """Labels for tick values: one scale (m, k or units) for all, and as many decimals as
    it takes for neighbouring values to read differently (``£0.5 £1.0 £1.5``, not
    ``£0 £1 £2``); never scientific notation."""
    symbol = CURRENCY_SIGN.get(currency, currency + " ")
    finite = [v for v in values if math.isfinite(v)]
    largest = max((abs(v) for v in finite), default=0.0)
    divisor, suffix = _scale(largest)
    scaled = [v / divisor for v in finite]
    # decimals from the smallest gap between ticks (a step of 0.5 needs one decimal), and as
    # many as it takes to write every tick exactly: steps of 0.25m read "£0.2m £0.5m £0.8m",
    # two of the three wrong, with the one decimal the gap alone gives
    gaps = [abs(b - a) for a, b in itertools.pairwise(scaled) if b != a]
    decimals = 0
    if gaps:
        decimals = max(0, -math.floor(math.log10(min(gaps)) + 1e-9))
    while decimals < 6 and any(
        abs(round(v, decimals) - v) > 1e-9 * max(1.0, abs(v)) for v in scaled
    ):
        decimals += 1
    if suffix and largest / divisor < 10:
        decimals = max(decimals, 1)  # "£1.5m", never "£2m" beside "£1m"
    decimals = min(decimals, 6)

    def one(v: float) -> str:
        if not math.isfinite(v):
            return "n/a"
        s = v / divisor
        if round(s, decimals) == 0:
            return f"{symbol}0"
        sign = "-" if s < 0 and round(abs(s), decimals) != 0 else ""
        return f"{sign}{symbol}{abs(s):,.{decimals}f}{suffix}"

    return [one(v) for v in values]


def money_value(x: float, currency: str = "GBP") -> str:
    """One amount for a label: whole units with separators (``£1,234``), pence under £10
    (``£1.44``), ``£1.2m`` from a million; never scientific notation."""
    symbol = CURRENCY_SIGN.get(currency, currency + " ")
    if not math.isfinite(x):
        return "n/a"
    a = abs(x)
    if a < 0.005:  # rounds to no pence: "£0", as an exact nought reads, never "-£0.00"
        return f"{symbol}0"
    sign = "-" if x < 0 else ""
    if a >= 1e6:
        return f"{sign}{symbol}{a / 1e6:,.1f}m"
    if a >= 10 or a == 0:
        return f"{sign}{symbol}{a:,.0f}"
    return f"{sign}{symbol}{a:.2f}"


class MoneyFormatter(Formatter):
    """A tick formatter from :func:`money_labels`: the labels of a whole axis are chosen
    together, so neighbours cannot read the same."""

    def __init__(self, currency: str = "GBP") -> None:
        self.currency = currency
        self._labels: dict[float, str] = {}

    def set_locs(self, locs: list[float]) -> None:
        super().set_locs(locs)
        values = [float(v) for v in locs]
        self._labels = dict(zip(values, money_labels(values, self.currency), strict=True))

    def __call__(self, x: float, pos: int | None = None) -> str:
        found = self._labels.get(float(x))
        return found if found is not None else money_value(x, self.currency)
