"""One table of parameter distributions beside scipy's exact equivalent, shared by the
tests of the CDF (test_conditional.py) and of the inverse CDF (test_sobol.py)."""

from __future__ import annotations

import numpy as np
from scipy import stats

from peervalue.uncertainty.distributions import ParameterDistribution

#: (our distribution, scipy's), one of each kind with the arithmetic that gives scipy's
DISTRIBUTIONS: list[tuple[ParameterDistribution, object]] = [
    (ParameterDistribution("x", "normal", 5.0, sd=2.0), stats.norm(5, 2)),
    # log-normal mean 5 sd 2: sigma^2 = log(1 + 4 / 25), mu = log 5 - sigma^2 / 2
    (
        ParameterDistribution("x", "lognormal", 5.0, sd=2.0),
        stats.lognorm(np.sqrt(np.log1p(0.16)), scale=np.exp(np.log(5) - np.log1p(0.16) / 2)),
    ),
    # gamma mean 5 sd 2: shape 25 / 4, scale 4 / 5
    (ParameterDistribution("x", "gamma", 5.0, sd=2.0), stats.gamma(6.25, scale=0.8)),
    # beta mean 0.3 sd 0.1: a + b = 0.3 x 0.7 / 0.01 - 1 = 20, so a = 6, b = 14
    (ParameterDistribution("x", "beta", 0.3, sd=0.1), stats.beta(6, 14)),
    (ParameterDistribution("x", "uniform", 3.0, low=2.0, high=10.0), stats.uniform(2, 8)),
    # triangular(2, 3, 10): c = (3 - 2) / 8
    (
        ParameterDistribution("x", "triangular", 3.0, low=2.0, high=10.0),
        stats.triang(0.125, loc=2, scale=8),
    ),
    # PERT(2, 3, 10): beta(1 + 4 x 1 / 8, 1 + 4 x 7 / 8) = beta(1.5, 4.5) on 2-10 (its
    # inverse from a table: within 3e-6 of the range)
    (ParameterDistribution("x", "pert", 3.0, low=2.0, high=10.0), stats.beta(1.5, 4.5, 2, 8)),
    # a normal cut to [4, 9]: (4 - 5) / 2 = -0.5 and (9 - 5) / 2 = 2 sds; its inverse at
    # F(4) + u (F(9) - F(4))
    (
        ParameterDistribution("x", "normal", 5.0, sd=2.0, low=4.0, high=9.0),
        stats.truncnorm(-0.5, 2.0, loc=5, scale=2),
    ),
]
