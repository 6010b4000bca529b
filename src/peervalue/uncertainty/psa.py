"""Vectorised, chunked Monte Carlo over the reference model.

:func:`run_psa` draws every parameter (see :mod:`.distributions`), runs
:func:`~peervalue.model.evaluate.evaluate` on a chunk of draws at a time (draws
along the first axis) and keeps:

* running sums and counts (means, probabilities, expected value of perfect
  information), in float64;
* the draws of the handful of outputs whose percentiles are reported: ratios and
  net benefits in float32 (4 bytes a draw each), so memory grows by about
  ``4 * (studies + 4)`` bytes per draw and the chunk's working arrays stay bounded;
* for the curves, the count of draws whose break-even lies below each point of the
  curve's grid (known before the first draw), chunk by chunk: the three break-even
  draws themselves (float64) are kept only when asked for (``keep_break_evens``,
  for figures drawn later), which saved 24 bytes a draw (240 MB at 10^7 draws).

Every parameter has its own random stream, so the numbers depend on the seed
and the number of draws only, never on the chunk size.

``sampler="sobol"`` draws quasi-random points instead: ``scramblings`` independently
scrambled Sobol sequences (scipy.stats.qmc, Owen scrambling, each seeded from the seed
and its number), one dimension per uncertain input, each point turned into draws by
every input's inverse CDF. The draws are split evenly between the scramblings; the
results pool every point, and the spread of each scrambling's own estimate gives their
standard error (``sampler_error``). Points come in sequence, so chunking does not change
them either.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from peervalue.model import core
from peervalue.model.core import Array
from peervalue.model.evaluate import ModelOutputs, evaluate
from peervalue.model.methods import POOLING_METHODS as METHODS
from peervalue.model.methods import PoolingMethod
from peervalue.model.spec import ModelSpec
from peervalue.uncertainty.conditional import (
    Conditioning,
    choose_conditioning,
    conditional_probability,
)
from peervalue.uncertainty.distributions import (
    ParameterDistribution,
    draw_chunk,
    parameter_distributions,
    parameter_stream,
)

#: draws processed together: the model's working arrays take about 2.3 KB a draw for six
#: studies (about 40 MB at this size; 150 MB at 65,536, the default until 10^7 draws had
#: to stay under 512 MiB), and smaller chunks are no slower
DEFAULT_CHUNK = 1 << 14
#: how the draws are made: pseudo-random streams, or scrambled Sobol points
Sampler = Literal["random", "sobol"]
#: how the pooled P(ratio > 1) is estimated: the share of draws above 1, or the average
#: probability given every input but one (:mod:`.conditional`), with a stated error
Probability = Literal["share", "conditional"]
#: independent scramblings of the Sobol sequence, whose spread gives the standard error
#: (the same number as peervalue.service.requests.SOBOL_SCRAMBLINGS, which checks draws)
SOBOL_SCRAMBLINGS = 16
#: the first word of each scrambling's seed (keeps them apart from the parameter streams)
SOBOL_KEY = 0x50B0
#: float sums are taken over blocks of this many consecutive draws (any chunk size)
BLOCK = 1024
#: the most draws x studies one chunk evaluates: its working arrays take about 120 bytes
#: a cell, so a chunk stays near 120 MiB however many studies there are (the results do
#: not depend on the chunk size)
MAX_CHUNK_CELLS = 1 << 19


def chunk_for(chunk_size: int, studies: int) -> int:
    """``chunk_size``, made smaller where ``studies`` would take a chunk over
    :data:`MAX_CHUNK_CELLS`."""
    return max(1, min(chunk_size, MAX_CHUNK_CELLS // max(1, studies)))


#: points of the curve of P(net benefit > 0) against the cost per bed-day (0 to twice
#: its point value), and the caseloads of the caseload curve
BED_DAY_CURVE_POINTS = 41
CASELOAD_GRID = tuple(float(k) for k in range(1, 41))


@dataclass
class KeptDraws:
    """Draws kept for percentiles (float32) and, when asked for, the break-evens behind
    the curves (float64, the exact values the curves compared with their grid).

    A Monte Carlo result carries them (``PsaResult.kept_draws``) when the request asks
    to keep them, so figures can be drawn from them later.
    """

    study_ratio: np.ndarray  #: shape (studies, draws): each study's draws contiguous
    pooled_ratio: dict[str, np.ndarray]
    pooled_net_benefit: dict[str, np.ndarray]
    break_even_bed_day_cost: dict[str, np.ndarray] | None = None
    break_even_caseload: np.ndarray | None = None

    @classmethod
    def empty(cls, draws: int, studies: int, break_evens: bool = False) -> KeptDraws:
        def one(dtype: type = np.float32) -> np.ndarray:
            return np.empty(draws, dtype=dtype)

        return cls(
            study_ratio=np.empty((studies, draws), dtype=np.float32),
            pooled_ratio={m: one() for m in METHODS},
            pooled_net_benefit={m: one() for m in METHODS},
            break_even_bed_day_cost={m: one(np.float64) for m in METHODS} if break_evens else None,
            break_even_caseload=one(np.float64) if break_evens else None,
        )


def counts_below(thresholds: Array, grid: Array) -> np.ndarray:
    """How many ``thresholds`` lie strictly below each grid value (NaN never does).

    Both are float64, so the comparison is exact: a draw counts at a grid value
    exactly when ``threshold < value``. Each draw is placed among the sorted grid
    values (``side="right"``: after every value it equals, NaN after all), and the
    counts accumulate along the grid, without sorting the draws. Counts of separate
    chunks add up to the counts of all their draws together.
    """
    values = np.asarray(grid, dtype=np.float64)
    order = np.argsort(values, kind="stable")
    ascending = values[order]
    first_above = places(ascending, np.asarray(thresholds, dtype=np.float64))
    counts = np.cumsum(np.bincount(first_above, minlength=values.size + 1))[: values.size]
    out = np.empty(values.size, dtype=np.int64)
    out[order] = counts
    return out


def places(ascending: Array, x: Array) -> np.ndarray:
    """``np.searchsorted(ascending, x, side="right")``: how many grid values are ``<= x``
    (NaN: all of them), the same integers.

    For an evenly spaced grid (the curves' grids) each place is first guessed by
    arithmetic, ``floor((x - first) / step) + 1``, then moved up or down while the grid
    says it is wrong (``ascending[j - 1] <= x < ascending[j]`` is what it must satisfy,
    compared exactly); a rounding slip moves it by one at most. Several times faster than
    a binary search for each draw."""
    k = ascending.size
    step = (ascending[-1] - ascending[0]) / (k - 1) if k > 1 else 0.0
    if k < 3 or not step > 0 or np.any(np.abs(np.diff(ascending) - step) > 1e-9 * step):
        return np.searchsorted(ascending, x, side="right")
    with np.errstate(invalid="ignore", over="ignore"):
        guess = np.floor((x - ascending[0]) / step) + 1.0
    np.clip(guess, 0, k, out=guess)
    guess[np.isnan(guess)] = k
    j: np.ndarray = guess.astype(np.intp)
    above = np.append(ascending, np.inf)  # above[j]: the first value past place j
    below = np.insert(ascending, 0, -np.inf)  # below[j]: the last value at or before it
    while True:
        up = (j < k) & (above[j] <= x)
        down = below[j] > x
        if not (up.any() or down.any()):
            return j
        j += up
        j -= down


def bed_day_cost_grid(point: ModelOutputs) -> Array:
    """The bed-day cost curve's grid: 0 to twice the point cost per bed-day."""
    c_bed = float(np.asarray(point.cost_per_bed_day).reshape(-1)[0])
    return np.linspace(0.0, 2.0 * c_bed, BED_DAY_CURVE_POINTS)


class _Sums:
    """Running sums and counts over draws, identical whatever the chunking.

    Float sums are taken over fixed blocks of :data:`BLOCK` consecutive draws
    (draw ``i`` belongs to block ``i // BLOCK``, whatever chunk it arrived in):
    a chunk's values are appended to the block still being filled, each full
    block is summed as one contiguous row, and block sums are added in draw
    order. The last, partial block is summed when the run ends. Regrouping the
    draws into other chunks therefore cannot change a single bit. Counts are
    integers.
    """

    def __init__(self) -> None:
        self.totals: dict[str, Array] = {}
        self.pending: dict[str, Array] = {}
        self.counts: dict[str, np.ndarray] = {}
        self.min_cost_per_fte_year = np.inf
        self.nonpositive_costs = 0

    def add(self, key: str, x: Array) -> None:
        """Add the draws ``x`` (shape ``(n,)`` or ``(n, studies)``) to the running total."""
        rows = np.asarray(x, dtype=np.float64).reshape(x.shape[0], -1)
        pending = self.pending.get(key)
        if pending is not None and pending.shape[0]:
            rows = np.concatenate([pending, rows])
        full = rows.shape[0] - rows.shape[0] % BLOCK
        self.pending[key] = rows[full:].copy()
        if full:
            self._fold(key, rows[:full], x.shape[1:])
        elif key not in self.totals:
            self.totals[key] = np.zeros(x.shape[1:])

    def _fold(self, key: str, rows: Array, shape: tuple[int, ...]) -> None:
        """Add whole blocks of ``rows`` (shape ``(k * BLOCK, columns)``) in draw order."""
        # One contiguous 1-D reduction per block and column: numpy sums each the
        # same way (pairwise over its values) however many blocks arrive at once.
        columns = np.ascontiguousarray(rows.T).reshape(rows.shape[1], -1, BLOCK)
        blocks = columns.sum(axis=2).T.reshape(-1, *shape)
        start = self.totals.get(key, np.zeros(shape))
        # cumsum adds in sequence: start + block 0 + block 1 + ...
        self.totals[key] = np.cumsum(np.concatenate([start[np.newaxis], blocks]), axis=0)[-1]

    def finish(self) -> None:
        """Add each partial last block, padded with zeros to a whole block."""
        for key, rows in self.pending.items():
            if rows.shape[0]:
                padded = np.zeros((BLOCK, rows.shape[1]))
                padded[: rows.shape[0]] = rows
                shape = self.totals[key].shape
                self._fold(key, padded, shape)
        self.pending = {}

    def count(self, key: str, mask: np.ndarray) -> None:
        self.counts[key] = self.counts.get(key, 0) + np.count_nonzero(mask, axis=0)

    def count_curve(self, key: str, thresholds: Array, grid: Array) -> None:
        """Add the draws whose break-even lies below each grid value (integers: exact)."""
        self.counts[key] = self.counts.get(key, 0) + counts_below(thresholds, grid)

    def mean(self, key: str, draws: int) -> Array:
        return self.totals[key] / draws

    def share(self, key: str, draws: int) -> Array:
        return np.asarray(self.counts[key], dtype=np.float64) / draws


@dataclass(frozen=True)
class PsaRun:
    """Raw output of :func:`run_psa`: sums, kept draws and what produced them."""

    spec: ModelSpec
    distributions: tuple[ParameterDistribution, ...]
    draws: int
    seed: int
    chunk_size: int
    point: ModelOutputs
    sums: _Sums
    stored: KeptDraws
    group_members: Mapping[str, tuple[int, ...]]
    cost_grid: Array  #: grid of the bed-day cost curve (counts in ``sums.counts``)
    sampler: Sampler = "random"
    #: draws in each Sobol scrambling, or batch of pseudo-random draws (their estimates
    #: are under ``rep:{r}:...`` keys)
    scrambling_sizes: tuple[int, ...] = ()
    probability: Probability = "share"
    #: the input each pooled method's conditional probability is conditioned on
    conditioned_on: Mapping[str, str | None] = field(default_factory=dict)


def _broadcast(a: Array, n: int) -> Array:
    return np.broadcast_to(a, (n, *a.shape[1:])) if a.shape[:1] != (n,) else a


def _group_pooled(out: ModelOutputs, members: Sequence[int], n: int) -> tuple[Array, Array]:
    """Weighted-mean pooled ratio and net benefit over the studies ``members``."""
    idx = list(members)
    b = _broadcast(out.bed_days_per_fte_year, n)[:, idx]
    w = _broadcast(out.weight, n)[:, idx]
    pooled_b = core.weighted_mean(b, w)
    c_bed, c_psw = out.cost_per_bed_day, out.cost_per_fte_year
    return (
        core.ratio(core.benefit(pooled_b, c_bed), c_psw),
        core.net_benefit(pooled_b, c_bed, c_psw),
    )


def _accumulate(
    out: ModelOutputs,
    n: int,
    start: int,
    sums: _Sums,
    stored: KeptDraws,
    groups: Mapping[str, Sequence[int]],
    cost_grid: Array,
    replicate: int | None = None,
    conditional: Mapping[PoolingMethod, Array] | None = None,
) -> None:
    stop = start + n
    ratio = _broadcast(out.ratio, n)
    stored.study_ratio[:, start:stop] = ratio.T
    sums.add("study_ratio", ratio)
    sums.count("study_ratio_above_one", ratio > 1)
    sums.count("study_ratio_not_finite", ~np.isfinite(ratio))
    net = _broadcast(out.net_benefit_per_fte_year, n)
    sums.add("study_net_benefit", net)
    sums.count("study_net_benefit_positive", net > 0)
    c_bed = _broadcast(out.cost_per_bed_day, n)
    c_psw = _broadcast(out.cost_per_fte_year, n)
    sums.min_cost_per_fte_year = min(sums.min_cost_per_fte_year, float(c_psw.min()))
    sums.nonpositive_costs += int(np.count_nonzero(c_psw <= 0))
    for m in METHODS:
        b = _broadcast(out.pooled_bed_days(m), n)
        r = _broadcast(out.pooled_ratio(m), n)
        nb = core.net_benefit(b, c_bed, c_psw)
        stored.pooled_ratio[m][start:stop] = r
        stored.pooled_net_benefit[m][start:stop] = nb
        break_even = np.broadcast_to(core.break_even_cost_per_bed_day(c_psw, b), (n,))
        sums.count_curve(f"curve:bed_day_cost:{m}", break_even, cost_grid)
        if stored.break_even_bed_day_cost is not None:
            stored.break_even_bed_day_cost[m][start:stop] = break_even
        sums.add(f"{m}:ratio", r)
        sums.count(f"{m}:ratio_above_one", r > 1)
        sums.add(f"{m}:net_benefit", nb)
        sums.count(f"{m}:net_benefit_positive", nb > 0)
        sums.add(f"{m}:max_net_benefit_0", np.maximum(nb, 0.0))
        if replicate is not None:
            sums.count(f"rep:{replicate}:{m}:ratio_above_one", r > 1)
            sums.add(f"rep:{replicate}:{m}:net_benefit", nb)
        if conditional is not None:
            sums.add(f"{m}:conditional", conditional[m])
            if replicate is not None:
                sums.add(f"rep:{replicate}:{m}:conditional", conditional[m])
    e = _broadcast(out.pooled_saved_per_patient_year, n)
    break_even = np.broadcast_to(core.break_even_caseload(c_psw, c_bed, e), (n,))
    sums.count_curve("curve:caseload", break_even, np.asarray(CASELOAD_GRID))
    if stored.break_even_caseload is not None:
        stored.break_even_caseload[start:stop] = break_even
    for name, members in groups.items():
        r, nb = _group_pooled(out, members, n)
        sums.add(f"group:{name}:ratio", r)
        sums.count(f"group:{name}:net_benefit_positive", nb > 0)


def run_psa(
    spec: ModelSpec,
    draws: int,
    seed: int,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
    groups: Mapping[str, Sequence[int]] | None = None,
    distributions: Sequence[ParameterDistribution] | None = None,
    keep_break_evens: bool = False,
    sampler: Sampler = "random",
    scramblings: int = SOBOL_SCRAMBLINGS,
    probability: Probability = "share",
) -> PsaRun:
    """Run ``draws`` Monte Carlo draws of the whole analysis with random seed ``seed``.

    ``groups`` maps a label to study positions (in ``spec.studies`` order); for
    each, the weighted-mean pooled ratio and probability of a positive net
    benefit are also accumulated (leave-one-out and subgroups use this).
    ``progress`` is called with the number of draws done after each chunk.
    ``keep_break_evens`` keeps every draw's break-evens (24 bytes a draw) for figures;
    the curves themselves are counted as the draws go. ``sampler="sobol"`` uses
    ``scramblings`` scrambled Sobol sequences (module docstring); it needs at least as
    many draws as scramblings. ``probability="conditional"`` also averages each pooled
    method's probability given every input but one (:mod:`.conditional`); with
    pseudo-random draws it splits them into ``scramblings`` consecutive batches (the
    same draws) whose spread gives its error, as the scramblings do for Sobol points.
    """
    # The run options were checked with the user's wording by the request
    # (peervalue.service.requests); these guard the function's own contract.
    if draws < 1 or chunk_size < 1 or seed < 0:
        raise ValueError(
            f"need draws >= 1, chunk_size >= 1, seed >= 0; got {draws}, {chunk_size}, {seed}"
        )
    dists = tuple(distributions or parameter_distributions(spec))
    streams = {d.name: parameter_stream(seed, d.name) for d in dists if not d.is_fixed}
    groups = dict(groups or {})
    chunk_size = chunk_for(chunk_size, len(spec.studies))
    sums = _Sums()
    stored = KeptDraws.empty(draws, len(spec.studies), keep_break_evens)
    point = evaluate(spec, {d.name: np.array([d.value]) for d in dists})
    cost_grid = bed_day_cost_grid(point)
    conditioning: dict[PoolingMethod, Conditioning | None] | None = None
    if probability == "conditional":
        conditioning = choose_conditioning(spec, dists)
    sizes: tuple[int, ...] = ()
    if sampler == "sobol" or conditioning is not None:
        if draws < scramblings:
            raise ValueError(f"need draws >= scramblings ({scramblings}); got {draws}")
        sizes = tuple(draws // scramblings + (r < draws % scramblings) for r in range(scramblings))

    def step(values: Mapping[str, Array], n: int, start: int, replicate: int | None) -> None:
        out = evaluate(spec, values)
        conditional = None
        if conditioning is not None:
            nb = {m: out.pooled_net_benefit(m) for m in METHODS}
            conditional = conditional_probability(spec, values, nb, n, conditioning)
        _accumulate(
            out, n, start, sums, stored, groups, cost_grid, replicate, conditional=conditional
        )
        if progress is not None:
            progress(start + n)

    if sampler == "sobol":
        _run_sobol(dists, seed, sizes, chunk_size, step)
    else:
        done = 0
        for r, size in enumerate(sizes or (draws,)):
            made = 0
            while made < size:
                n = min(chunk_size, size - made)
                step(draw_chunk(dists, streams, n), n, done, r if sizes else None)
                made += n
                done += n
    sums.finish()
    return PsaRun(
        spec=spec,
        distributions=dists,
        draws=draws,
        seed=seed,
        chunk_size=chunk_size,
        point=point,
        sums=sums,
        stored=stored,
        group_members={k: tuple(v) for k, v in groups.items()},
        cost_grid=cost_grid,
        sampler=sampler,
        scrambling_sizes=sizes,
        probability=probability,
        conditioned_on={
            m: None if c is None else c.dist.name for m, c in (conditioning or {}).items()
        },
    )


def _run_sobol(
    dists: Sequence[ParameterDistribution],
    seed: int,
    sizes: Sequence[int],
    chunk_size: int,
    step: Callable[[Mapping[str, Array], int, int, int | None], None],
) -> None:
    """Each scrambling's points, chunk by chunk, through every input's inverse CDF."""
    from numpy.random import SeedSequence
    from scipy.stats import qmc

    uncertain = [d for d in dists if not d.is_fixed]
    fixed = {d.name: np.array([d.value]) for d in dists if d.is_fixed}
    tiny = np.finfo(np.float64).eps
    done = 0
    for r, size in enumerate(sizes):
        key = SeedSequence(seed, spawn_key=(SOBOL_KEY, r))
        engine = qmc.Sobol(max(len(uncertain), 1), scramble=True, seed=np.random.default_rng(key))
        made = 0
        while made < size:
            n = min(chunk_size, size - made)
            with warnings.catch_warnings():
                # a chunk need not be a power of two: the sequence itself is unchanged
                warnings.simplefilter("ignore", UserWarning)
                u = np.clip(engine.random(n), tiny, 1.0 - tiny)
            values = dict(fixed)
            for j, d in enumerate(uncertain):
                values[d.name] = d.inverse(u[:, j])
            step(values, n, done, r)
            made += n
            done += n
