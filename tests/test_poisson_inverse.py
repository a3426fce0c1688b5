"""The fast Poisson inversion used for monthly break counts agrees with scipy's."""

import numpy as np
import pytest
from scipy.stats import poisson

from sim.core.assets import poisson_inverse


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_poisson_inverse_equals_scipy_ppf() -> None:
    rng = np.random.default_rng(0)
    for _ in range(5000):
        u, lam = rng.random(), rng.uniform(0.001, 80)
        assert poisson_inverse(u, lam) == int(poisson.ppf(u, lam)), (u, lam)
    assert poisson_inverse(0.5, 0.0) == 0
    assert poisson_inverse(0.5, 1000.0) == int(poisson.ppf(0.5, 1000.0))


def test_more_hazard_never_fewer_breaks_on_the_same_uniform() -> None:
    rng = np.random.default_rng(1)
    for _ in range(2000):
        u, lam = rng.random(), rng.uniform(0, 40)
        assert poisson_inverse(u, lam * 1.3) >= poisson_inverse(u, lam)
