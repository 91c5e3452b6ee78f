"""Geometric Brownian motion in cents."""

from __future__ import annotations

import numpy as np
import pytest

from sim.market.price import SECONDS_PER_YEAR, GeometricBrownianMotion


def path(seed, steps=250, vol=0.2):
    gbm = GeometricBrownianMotion(1_000, 0.05, vol, np.random.default_rng(seed))
    return [gbm.step(86_400) for _ in range(steps)]


def test_same_seed_same_path():
    assert path(7) == path(7)
    assert path(7) != path(8)


def test_zero_volatility_compounds_the_drift():
    gbm = GeometricBrownianMotion(10_000, 0.10, 0.0, np.random.default_rng(0))
    assert gbm.step(SECONDS_PER_YEAR) == round(10_000 * np.exp(0.10))


def test_prices_stay_positive_whole_cents():
    prices = path(3, steps=2_000, vol=2.0)
    assert all(isinstance(p, int) and p >= 1 for p in prices)


def test_log_returns_have_the_stated_volatility():
    gbm = GeometricBrownianMotion(10_000_000, 0.0, 0.3, np.random.default_rng(11))
    prices = [gbm.step(86_400) for _ in range(20_000)]
    returns = np.diff(np.log(prices))
    assert np.std(returns) * np.sqrt(365) == pytest.approx(0.3, rel=0.03)


def test_a_non_positive_start_is_refused():
    with pytest.raises(ValueError, match="initial_cents"):
        GeometricBrownianMotion(0, 0.0, 0.1, np.random.default_rng(0))
