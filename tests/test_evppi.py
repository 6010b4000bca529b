"""EVPPI: against a closed form (a linear model with normal inputs), against the model's own
closed form (one uniform cost), and against a nested two-level Monte Carlo."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from scipy import stats

from peervalue.model.evaluate import evaluate
from peervalue.model.spec import ModelSpec
from peervalue.service.evppi import run_evppi
from peervalue.service.requests import EvppiRequest
from peervalue.uncertainty.distributions import (
    draw_chunk,
    parameter_distributions,
    parameter_stream,
)
from peervalue.uncertainty.evppi import evppi_ordering, evppi_regression
from tests.conftest import SYNTHETIC, SYNTHETIC_COSTS, spec_of

#: Monte Carlo and estimator error with 50,000 draws: the ordering method is biased up by
#: about 1/sqrt(blocks) of the spread; 5% covers both here
REL_TOL = 0.05


def _expected_max(mu: float, sd: float) -> float:
    """E[max(X, 0)] for X ~ normal(mu, sd^2)."""
    return float(mu * stats.norm.cdf(mu / sd) + sd * stats.norm.pdf(mu / sd))


def test_linear_model_with_normal_inputs() -> None:
    # NB = 500 + 800 t1 + 600 t2 + 400 t3, t ~ N(0, 1): E[NB | t1] = 500 + 800 t1, so
    # EVPPI(t1) = E[max(500 + 800 t1, 0)] - 500, and for (t1, t2) the sd is hypot(800, 600)
    rng = np.random.default_rng(7)
    t = rng.standard_normal((50_000, 3))
    nb = 500 + t @ np.array([800.0, 600.0, 400.0])
    exact_1 = _expected_max(500, 800) - 500
    exact_12 = _expected_max(500, float(np.hypot(800, 600))) - 500
    assert evppi_ordering(t[:, 0], nb) == pytest.approx(exact_1, rel=REL_TOL)
    assert evppi_regression(t[:, :1], nb) == pytest.approx(exact_1, rel=REL_TOL)
    assert evppi_regression(t[:, :2], nb) == pytest.approx(exact_12, rel=REL_TOL)
    # an input the net benefit does not depend on is worth nothing
    assert evppi_ordering(rng.standard_normal(50_000), nb) < 0.1 * exact_1


@pytest.fixture(scope="module")
def spec() -> ModelSpec:
    return spec_of(SYNTHETIC, SYNTHETIC_COSTS)


def test_one_uncertain_cost_is_worth_the_whole_evpi(spec: ModelSpec) -> None:
    # Ratio of sums on the synthetic evidence: NB = 72.5 x 300 - c = 21,750 - c with the cost
    # c uniform on 15,000-25,000; knowing c resolves everything, so EVPPI(c) = EVPI =
    # E[max(21,750 - c, 0)] - 1,750 = 6,750^2 / 2 / 10,000 - 1,750 = 528.125
    dists = [
        replace(d, kind="uniform", low=15_000.0, high=25_000.0, value=20_000.0)
        if d.name == "costs:peer_worker.total"
        else replace(d, kind="fixed")
        for d in parameter_distributions(spec)
    ]
    n = 50_000
    values = draw_chunk(dists, {d.name: parameter_stream(3, d.name) for d in dists}, n)
    nb = np.broadcast_to(evaluate(spec, values).pooled_net_benefit("sums"), (n,))
    cost = values["costs:peer_worker.total"]
    assert evppi_ordering(cost, nb) == pytest.approx(528.125, rel=REL_TOL)
    assert evppi_regression(cost.reshape(-1, 1), nb) == pytest.approx(528.125, rel=REL_TOL)


def test_group_regression_matches_a_nested_monte_carlo(spec: ModelSpec) -> None:
    # Two inputs vary: the cost (uniform 15,000-25,000) and alpha's FTE (its PERT, 1-3).
    # EVPPI of the cost alone by regression on one set of draws, against the nested
    # estimate: outer draws of the cost, each with its own inner draws of the FTE.
    varied = {"costs:peer_worker.total", "alpha:peer_input.fte"}
    dists = [
        replace(d, kind="uniform", low=15_000.0, high=25_000.0, value=20_000.0)
        if d.name == "costs:peer_worker.total"
        else (d if d.name in varied else replace(d, kind="fixed"))
        for d in parameter_distributions(spec)
    ]
    n = 40_000
    values = draw_chunk(dists, {d.name: parameter_stream(5, d.name) for d in dists}, n)
    nb = np.broadcast_to(evaluate(spec, values).pooled_net_benefit("sums"), (n,))
    cost = values["costs:peer_worker.total"]
    regression = evppi_regression(cost.reshape(-1, 1), nb)
    # the outer cost values are the uniform's quantiles (stratified), so that the nested
    # estimate's own error comes from the inner draws only
    outer, inner = 400, 2_000
    rng = np.random.default_rng(11)
    cost_outer = (15_000 + 10_000 * (np.arange(outer) + 0.5) / outer).reshape(-1, 1)
    fte = next(d for d in dists if d.name == "alpha:peer_input.fte")
    fte_inner = fte.sample(rng, inner).reshape(1, -1)
    nested_values = {d.name: np.array([d.value]) for d in dists}
    nested_values["costs:peer_worker.total"] = cost_outer
    nested_values["alpha:peer_input.fte"] = fte_inner
    nested_nb = np.broadcast_to(
        evaluate(spec, nested_values).pooled_net_benefit("sums"), (outer, inner)
    )
    conditional = nested_nb.mean(axis=1)
    nested = float(np.mean(np.maximum(conditional, 0)) - max(float(nested_nb.mean()), 0))
    assert nested > 100  # a case where the cost matters
    assert regression == pytest.approx(nested, rel=REL_TOL)


def test_evppi_service_on_the_bundled_evidence() -> None:
    r = run_evppi(EvppiRequest(draws=5_000))
    assert r.evpi_per_fte_year >= 0
    assert {g.name for g in r.groups} >= {"all peer staffing", "all outcomes", "unit costs"}
    for row in [*r.groups, *r.inputs]:
        assert 0 <= row.evppi_per_fte_year <= r.evpi_per_fte_year * 1.2 + 1
    assert r.inputs == sorted(r.inputs, key=lambda x: -x.evppi_per_fte_year)
