"""Quasi-random draws (``--sampler sobol``, issue 22 item 4): every distribution's inverse
CDF, chunk invariance, and agreement with a long pseudo-random run within the error the
Sobol run states for itself."""

from __future__ import annotations

import json

import numpy as np
import pytest

from peervalue.model.methods import POOLING_METHODS
from peervalue.model.spec import ModelSpec
from peervalue.uncertainty.distributions import ParameterDistribution
from peervalue.uncertainty.psa import run_psa
from peervalue.uncertainty.summary import summarise
from tests.cli_helpers import run_cli
from tests.conftest import spec_of
from tests.distribution_cases import DISTRIBUTIONS


@pytest.mark.parametrize(("dist", "exact"), DISTRIBUTIONS)
def test_inverse_cdf_of_every_kind(dist: ParameterDistribution, exact: object) -> None:
    u = np.linspace(0.0005, 0.9995, 2001)
    want = exact.ppf(u)  # type: ignore[attr-defined]
    np.testing.assert_allclose(dist.inverse(u), want, rtol=1e-9, atol=3e-6 * 8)
    assert np.all(np.diff(dist.inverse(u)) >= 0)


@pytest.fixture(scope="module")
def bundled() -> ModelSpec:
    return spec_of()


def test_sobol_draws_do_not_depend_on_the_chunk_size(bundled: ModelSpec) -> None:
    texts = {
        chunk: json.dumps(
            summarise(run_psa(bundled, 4_000, 3, chunk_size=chunk, sampler="sobol")).to_dict()
        )
        for chunk in (4_000, 777, 64)
    }
    assert len(set(texts.values())) == 1


def test_sobol_agrees_with_a_long_pseudo_random_run_within_its_stated_error(
    bundled: ModelSpec,
) -> None:
    # The Sobol run states a 95% interval, estimate +/- t(0.975, 15) x its standard error
    # from the spread of 16 scramblings; a 400,000-draw pseudo-random run has its own
    # binomial error (1.96 x sqrt(p (1 - p) / n), about 0.0012 at p = 0.83). The two must
    # agree within the sum of the two half-widths, for both pooled probabilities and both
    # mean net benefits (their pseudo-random error from the draws' own standard deviation).
    sobol = summarise(run_psa(bundled, 16_384, 1, sampler="sobol"))
    run = run_psa(bundled, 400_000, 2)
    long = summarise(run)
    err = sobol.sampler_error
    assert err is not None and err.scramblings == 16
    assert err.t_95 == pytest.approx(2.131, abs=1e-3)  # t(0.975, 15 df)
    for m in POOLING_METHODS:
        p_long = long.pooled[m].prob_ratio_above_one
        p_sobol = sobol.pooled[m].prob_ratio_above_one
        stated = err.t_95 * err.prob_ratio_above_one_se[m]
        assert 0 < stated < 0.02
        assert abs(p_sobol - p_long) <= stated + 1.96 * np.sqrt(p_long * (1 - p_long) / 400_000)
    for m in POOLING_METHODS:
        nb = run.stored.pooled_net_benefit[m].astype(np.float64)
        long_half = 1.96 * nb.std() / np.sqrt(nb.size)
        stated = err.t_95 * err.net_benefit_mean_se[m]
        diff = sobol.pooled[m].net_benefit_per_fte_year.mean - nb.mean()
        assert abs(diff) <= stated + long_half
        # quasi-random points pin the mean far better than as many pseudo-random draws
        assert err.net_benefit_mean_se[m] < 0.5 * nb.std() / np.sqrt(16_384)


def test_cli_reports_the_sobol_error(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "psa", "--sampler", "sobol", "-n", "1024", "-q", "--format", "json")
    assert run.code == 0, run.err
    got = json.loads(run.out)
    assert got["sampler_error"]["scramblings"] == 16
    assert set(got["sampler_error"]["prob_ratio_above_one_se"]) == {"weighted", "sums"}
    plain = run_cli(capsys, "psa", "-n", "1024", "-q", "--format", "json")
    assert "sampler_error" not in json.loads(plain.out)  # pseudo-random output unchanged
