"""Conditional Monte Carlo of the pooled P(ratio > 1) (``--probability conditional``,
issue 22 item 4): every distribution's CDF, the conditional probability against a brute
force, agreement with a long pseudo-random run within the error the run states for
itself, chunk invariance and the command line."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats

from peervalue.model.evaluate import evaluate
from peervalue.model.methods import POOLING_METHODS
from peervalue.model.spec import ModelSpec
from peervalue.uncertainty.conditional import (
    cdf,
    choose_conditioning,
    conditional_probability,
)
from peervalue.uncertainty.distributions import (
    ParameterDistribution,
    draw_chunk,
    parameter_distributions,
    parameter_stream,
)
from peervalue.uncertainty.psa import run_psa
from peervalue.uncertainty.summary import summarise
from tests.cli_helpers import run_cli
from tests.conftest import spec_of
from tests.distribution_cases import DISTRIBUTIONS

#: the issue's precision target: P(ratio > 1) to within +/- 0.001 (95%)
TARGET_HALF_WIDTH = 0.001


@pytest.mark.parametrize(
    ("dist", "exact"),
    [
        *DISTRIBUTIONS,
        # a triangular with its mode at the top of its range
        (
            ParameterDistribution("x", "triangular", 10.0, low=2.0, high=10.0),
            stats.triang(1.0, loc=2, scale=8),
        ),
    ],
)
def test_cdf_of_every_kind(dist: ParameterDistribution, exact: object) -> None:
    x = np.linspace(-1.0, 12.0, 1301)
    if dist.kind == "beta":
        x = np.linspace(-0.1, 1.1, 1201)
    want = exact.cdf(x)  # type: ignore[attr-defined]
    np.testing.assert_allclose(cdf(dist, x), want, rtol=1e-9, atol=1e-12)


@pytest.fixture(scope="module")
def bundled() -> ModelSpec:
    return spec_of()


def test_the_input_chosen_moves_the_pooled_net_benefit_most_among_affine_ones(
    bundled: ModelSpec,
) -> None:
    chosen = choose_conditioning(bundled, parameter_distributions(bundled))
    # On the bundled evidence: a caseload study's b = D / F with F = n x T / caseload is
    # d x caseload / T, so the weighted mean of ratios is affine in each caseload, and Min
    # 2007's (8-25) swings it most (Lawn's FTE swings it more, but b = D / FTE is not
    # affine); the ratio of sums, sum D / sum F, is not affine in any caseload, and Rivera
    # 2007's saved bed-days per patient (-10 to 10) swing it most.
    assert {m: c and c.dist.name for m, c in chosen.items()} == {
        "weighted": "min2007:peer_input.caseload",
        "sums": "rivera2007:outcome.saved_per_patient",
    }


def test_conditional_probability_matches_a_brute_force_over_the_input(
    bundled: ModelSpec,
) -> None:
    # For a handful of draws, redraw the conditioning input 100,000 times from its own
    # distribution with every other input held at the draw, and count the net benefits
    # above 0: the share must match g within its binomial error.
    dists = parameter_distributions(bundled)
    chosen = choose_conditioning(bundled, dists)
    n = 6
    streams = {d.name: parameter_stream(5, d.name) for d in dists if not d.is_fixed}
    values = draw_chunk(dists, streams, n)
    out = evaluate(bundled, values)
    nb = {m: out.pooled_net_benefit(m) for m in POOLING_METHODS}
    g = conditional_probability(bundled, values, nb, n, chosen)
    redraws = 100_000
    for m in POOLING_METHODS:
        c = chosen[m]
        assert c is not None
        inner = c.dist.sample(np.random.default_rng(9), redraws)
        for i in range(n):
            one = {k: v if v.shape[0] == 1 else np.full(redraws, v[i]) for k, v in values.items()}
            one[c.dist.name] = inner
            share = float(np.mean(evaluate(bundled, one).pooled_net_benefit(m) > 0))
            half = 4 * np.sqrt(max(share * (1 - share), 1e-4) / redraws)
            assert abs(g[m][i] - share) <= half, (m, i, g[m][i], share)


def test_a_draw_off_the_line_counts_its_own_indicator(bundled: ModelSpec) -> None:
    # Tell conditional_probability the net benefit at the draw is something the line
    # through its two ends does not give: it must fall back to that value's indicator.
    dists = parameter_distributions(bundled)
    chosen = choose_conditioning(bundled, dists)
    streams = {d.name: parameter_stream(5, d.name) for d in dists if not d.is_fixed}
    values = draw_chunk(dists, streams, 4)
    fake = {m: np.array([5e5, -5e5, 5e5, -5e5]) for m in POOLING_METHODS}
    g = conditional_probability(bundled, values, fake, 4, chosen)
    for m in POOLING_METHODS:
        np.testing.assert_array_equal(g[m], [1.0, 0.0, 1.0, 0.0])


@pytest.mark.parametrize("sampler", ["sobol", "random"])
def test_conditional_agrees_with_a_long_pseudo_random_run_within_its_stated_error(
    bundled: ModelSpec, sampler: str
) -> None:
    # The conditional run states a 95% half-width, t(0.975, 15) x the standard error from
    # the spread of its 16 scramblings (Sobol) or batches (pseudo-random); a 400,000-draw
    # pseudo-random share has 1.96 x sqrt(p (1 - p) / n) (about 0.0012 at p = 0.83). The
    # two agree within the sum, for both pooled methods.
    got = summarise(run_psa(bundled, 16_384, 1, sampler=sampler, probability="conditional"))  # type: ignore[arg-type]
    long = summarise(run_psa(bundled, 400_000, 2))
    err = got.sampler_error
    assert err is not None and err.scramblings == 16 and err.probability == "conditional"
    for m in POOLING_METHODS:
        p_long = long.pooled[m].prob_ratio_above_one
        p = got.pooled[m].prob_ratio_above_one
        assert got.pooled[m].prob_net_benefit_positive == p
        stated = err.t_95 * err.prob_ratio_above_one_se[m]
        assert 0 < stated < 0.01
        assert abs(p - p_long) <= stated + 1.96 * np.sqrt(p_long * (1 - p_long) / 400_000)


def test_sobol_conditional_meets_the_precision_target_at_16384_points(
    bundled: ModelSpec,
) -> None:
    # The target, +/- 0.001 (95%), on both pooled methods at 16,384 points, where
    # the plain Sobol share states about +/- 0.0015 and +/- 0.0028, and 16,384
    # pseudo-random draws about 1.96 x sqrt(0.98 x 0.02 / 16,384) = 0.0021 and
    # 1.96 x sqrt(0.83 x 0.17 / 16,384) = 0.0057.
    got = summarise(run_psa(bundled, 16_384, 1, sampler="sobol", probability="conditional"))
    plain = summarise(run_psa(bundled, 16_384, 1, sampler="sobol"))
    err, plain_err = got.sampler_error, plain.sampler_error
    assert err is not None and plain_err is not None
    for m in POOLING_METHODS:
        assert err.t_95 * err.prob_ratio_above_one_se[m] < TARGET_HALF_WIDTH
        assert err.prob_ratio_above_one_se[m] < 0.5 * plain_err.prob_ratio_above_one_se[m]


@pytest.mark.parametrize("sampler", ["sobol", "random"])
def test_conditional_runs_do_not_depend_on_the_chunk_size(bundled: ModelSpec, sampler: str) -> None:
    texts = {
        chunk: json.dumps(
            summarise(
                run_psa(
                    bundled,
                    4_000,
                    3,
                    chunk_size=chunk,
                    sampler=sampler,  # type: ignore[arg-type]
                    probability="conditional",
                )
            ).to_dict()
        )
        for chunk in (4_000, 777, 64)
    }
    assert len(set(texts.values())) == 1


def test_pseudo_random_batches_are_the_same_draws(bundled: ModelSpec) -> None:
    # Batching the draws for the error changes no draw: everything but the pooled
    # probabilities and the error is what the plain run reports.
    plain = summarise(run_psa(bundled, 5_000, 4)).to_dict()
    cond = summarise(run_psa(bundled, 5_000, 4, probability="conditional")).to_dict()
    assert cond.pop("sampler_error")["sampler"] == "random"
    assert cond["studies"] == plain["studies"]
    assert cond["curves"] == plain["curves"]
    for m in POOLING_METHODS:
        for key in ("ratio", "net_benefit_per_fte_year", "evpi_per_fte_year"):
            assert cond["pooled"][m][key] == plain["pooled"][m][key]


def test_cli_reports_the_conditional_estimate(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(
        capsys,
        "psa",
        "--sampler",
        "sobol",
        "--probability",
        "conditional",
        "-n",
        "1024",
        "-q",
        "--format",
        "json",
    )
    assert run.code == 0, run.err
    err = json.loads(run.out)["sampler_error"]
    assert err["probability"] == "conditional"
    assert err["conditioned_on"]["sums"] == "rivera2007:outcome.saved_per_patient"
    table = run_cli(capsys, "psa", "--probability", "conditional", "-n", "1024", "-q")
    assert table.code == 0, table.err
    assert "consecutive batches" in table.out and "given every input but" in table.out
    sobol = run_cli(capsys, "psa", "--sampler", "sobol", "-n", "1024", "-q", "--format", "json")
    assert "probability" not in json.loads(sobol.out)["sampler_error"]  # unchanged by default
