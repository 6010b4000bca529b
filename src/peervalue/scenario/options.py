"""Options appraisal: several ways of running the service compared draw by draw.

Pure computation over a per-draw NPV matrix (options x draws), all options computed from
the same draws of their shared inputs (common random numbers), so that a difference
between two options is not blurred by noise. Business as usual (no posts, no cost, no
benefit) is an option like the others: a row of zeros.

For option ``i`` and draw ``k`` with NPV ``v[i, k]``:

* the mean NPV ``m_i = mean_k v[i, k]``;
* the incremental NPV against the next cheaper option (options ordered by mean discounted
  cost, ties kept in the order given): ``m_i - m_j``, ``j`` the option just before ``i``;
* P(best) ``= mean_k [v[i, k] = max_j v[j, k]] / #ties``: the share of draws in which
  ``i`` has the highest NPV (a tie shares the draw), so the shares sum to 1;
* the expected loss of choosing ``i``: ``mean_k (max_j v[j, k] - v[i, k]) >= 0``, the NPV
  given up on average against the best option of each draw (the expected-loss curve of
  dampack, the acceptability frontier of BCEA). It equals ``E[max] - m_i``, so the choice
  with the least expected loss is the one with the highest mean NPV, and that least loss
  is the expected value of perfect information about the choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import Field

from peervalue.results import ResultModel
from peervalue.scenario.organisation_results import OptionOrganisation

if TYPE_CHECKING:
    from peervalue.model.core import Array

# numpy is imported inside the functions: the result types below are imported by the
# table renderers, which a command such as ``evidence list`` loads without numpy

#: the implicit option: no posts, no cost, no benefit
BUSINESS_AS_USUAL = "business as usual"
#: at most this many options beside business as usual in one scenario
MAX_OPTIONS = 10


class OptionRow(ResultModel):
    """One option of the appraisal (money at the scenario's prices, discounted)."""

    name: str
    #: the economic and cash NPV at the point values (NaN when not given)
    net_present_value: float
    cash_net_present_value: float
    mean_net_present_value: float
    net_present_value_p2_5: float
    net_present_value_p97_5: float
    mean_cash_net_present_value: float
    mean_discounted_cost: float
    #: the next cheaper option (by mean discounted cost) and the mean NPV gained over it
    compared_with: str | None
    incremental_net_present_value: float
    prob_best: float  #: share of draws in which this option has the highest NPV
    expected_loss: float  #: mean over draws of the best NPV less this option's
    #: the year the cumulative discounted cash net benefit turns positive, at the point
    #: values (NaN: not within the horizon, or not given; business as usual never does)
    cash_payback_year: float = float("nan")


class OptionsAppraisal(ResultModel):
    """Every option side by side, business as usual among them."""

    draws: int  #: the draws compared (those finite for every option)
    options: list[OptionRow]
    #: the option with the least expected loss (the highest mean NPV)
    best: str
    #: expected value of perfect information about the choice (the least expected loss)
    evpi: float
    #: each option's net benefit by organisation (who pays and who gains); business as
    #: usual is zero for every organisation and not listed
    by_organisation: list[OptionOrganisation] = Field(default_factory=list)


def _matrix(a: Array | Sequence[Sequence[float]], shape: tuple[int, int], what: str) -> Array:
    import numpy as np

    m = np.asarray(a, dtype=np.float64)
    if m.shape != shape:
        raise ValueError(f"{what} has shape {m.shape}; expected {shape} (options x draws)")
    return m


def prob_best(npv: Array) -> Array:
    """Share of draws in which each option (row) has the highest NPV; ties share a draw."""
    import numpy as np

    best = npv.max(axis=0)
    is_best = (npv == best).astype(np.float64)
    return np.asarray((is_best / is_best.sum(axis=0)).mean(axis=1))


def expected_loss(npv: Array) -> Array:
    """Mean over draws (columns) of the best NPV in the draw less each option's (row's)."""
    import numpy as np

    return np.asarray((npv.max(axis=0) - npv).mean(axis=1))


def appraise(
    names: Sequence[str],
    npv: Array | Sequence[Sequence[float]],
    cash_npv: Array | Sequence[Sequence[float]],
    discounted_cost: Array | Sequence[Sequence[float]],
    point_npv: Sequence[float] | None = None,
    point_cash_npv: Sequence[float] | None = None,
    point_cash_payback: Sequence[float] | None = None,
) -> OptionsAppraisal:
    """The options table from per-draw matrices of shape ``(options, draws)``: economic
    NPV, cash NPV and discounted cost, with NPVs (and the cash payback year) at the point
    values where given.

    Draws not finite for some option are left out for all (``draws``: those kept);
    ``names`` must be distinct."""
    import numpy as np

    if len(set(names)) != len(names):
        raise ValueError(f"option names must be distinct, got {list(names)}")
    v = np.asarray(npv, dtype=np.float64)
    if v.ndim != 2 or v.shape[0] != len(names) or v.shape[1] < 1:
        raise ValueError(f"npv has shape {v.shape}; expected ({len(names)}, draws)")
    cash = _matrix(cash_npv, v.shape, "cash_npv")
    cost = _matrix(discounted_cost, v.shape, "discounted_cost")
    # a draw that cannot be computed for some option (not finite) is left out of the
    # comparison for every option; with none left, every figure over the draws is NaN
    kept = np.isfinite(v).all(axis=0) & np.isfinite(cash).all(axis=0)
    kept &= np.isfinite(cost).all(axis=0)
    nan = float("nan")
    if not kept.any():
        v = cash = cost = np.full((len(names), 1), nan)
    else:
        v, cash, cost = v[:, kept], cash[:, kept], cost[:, kept]
    points = list(point_npv) if point_npv is not None else [nan] * len(names)
    cash_points = list(point_cash_npv) if point_cash_npv is not None else [nan] * len(names)
    paybacks = list(point_cash_payback) if point_cash_payback is not None else [nan] * len(names)
    with np.errstate(all="ignore"):  # NaN where no draw is kept
        mean, mean_cash, mean_cost = v.mean(axis=1), cash.mean(axis=1), cost.mean(axis=1)
        low, high = np.percentile(v, [2.5, 97.5], axis=1)
        p_best, loss = prob_best(v), expected_loss(v)
    # cheapest first; a stable sort keeps tied options in the order given
    order = [int(i) for i in np.argsort(mean_cost, kind="stable")]
    cheaper: dict[int, int | None] = {
        i: (order[k - 1] if k > 0 else None) for k, i in enumerate(order)
    }
    rows = []
    for i, name in enumerate(names):
        j = cheaper[i]
        rows.append(
            OptionRow(
                name=name,
                net_present_value=float(points[i]),
                cash_net_present_value=float(cash_points[i]),
                mean_net_present_value=float(mean[i]),
                net_present_value_p2_5=float(low[i]),
                net_present_value_p97_5=float(high[i]),
                mean_cash_net_present_value=float(mean_cash[i]),
                mean_discounted_cost=float(mean_cost[i]),
                compared_with=None if j is None else names[j],
                incremental_net_present_value=nan if j is None else float(mean[i] - mean[j]),
                prob_best=float(p_best[i]),
                expected_loss=float(loss[i]),
                cash_payback_year=float(paybacks[i]),
            )
        )
    top = int(np.argmin(loss)) if kept.any() else 0
    return OptionsAppraisal(
        draws=int(kept.sum()), options=rows, best=names[top], evpi=float(loss[top])
    )
