"""Correlated jump-diffusion price paths in cents, with scripted shocks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.market.paths import SECONDS_PER_YEAR, CorrelatedPaths, PathSpec

DAY = 86_400


def two_assets(seed, rho=0.5, steps=250):
    paths = CorrelatedPaths(
        [
            PathSpec("A", 10_000, drift=0.05, volatility=0.3, jumps_per_year=4, jump_mean=-0.05, jump_sd=0.02),
            PathSpec("B", 5_000, volatility=0.2),
        ],
        {("A", "B"): rho},
        np.random.default_rng(seed),
    )
    return [paths.step(DAY) for _ in range(steps)]


def log_returns(prices, name):
    return np.diff(np.log([p[name] for p in prices]))


def correlated_prices(rho, steps=5_000, seed=1):
    paths = CorrelatedPaths(
        [PathSpec("A", 100_000_000, volatility=0.3), PathSpec("B", 100_000_000, volatility=0.2)],
        {("B", "A"): rho},
        np.random.default_rng(seed),
    )
    return [paths.step(DAY) for _ in range(steps)]


def test_same_seed_same_path():
    assert two_assets(7) == two_assets(7)
    assert two_assets(7) != two_assets(8)


def test_a_single_path_without_jumps_is_geometric_brownian_motion():
    """exp((mu - sigma**2 / 2) dt + sigma sqrt(dt) Z) per step, Z the generator's next normal."""
    paths = CorrelatedPaths([PathSpec("X", 1_000, drift=0.05, volatility=0.2)], None, np.random.default_rng(4))
    normals = np.random.default_rng(4).standard_normal(30)
    dt = DAY / SECONDS_PER_YEAR
    log_price = math.log(1_000)
    for z in normals:
        log_price += (0.05 - 0.2**2 / 2) * dt + 0.2 * math.sqrt(dt) * z
        assert paths.step(DAY)["X"] == max(1, round(math.exp(log_price)))


def test_a_single_path_has_the_stated_volatility():
    paths = CorrelatedPaths([PathSpec("X", 10_000_000, volatility=0.3)], None, np.random.default_rng(11))
    prices = [paths.step(DAY)["X"] for _ in range(20_000)]
    assert np.std(np.diff(np.log(prices))) * np.sqrt(365) == pytest.approx(0.3, rel=0.03)


def test_prices_stay_positive_whole_cents():
    paths = CorrelatedPaths(
        [PathSpec("A", 3, volatility=3.0, jumps_per_year=50, jump_mean=-0.5, jump_sd=0.2)],
        None,
        np.random.default_rng(2),
    )
    prices = [paths.step(DAY)["A"] for _ in range(2_000)]
    assert all(isinstance(p, int) and p >= 1 for p in prices)
    assert paths.cents["A"] == prices[-1]


def test_a_minus_20_percent_shock_moves_the_price_exactly_20_percent():
    paths = CorrelatedPaths([PathSpec("A", 10_000)], None, np.random.default_rng(0))
    assert paths.shock("A", -0.2) == 8_000
    assert paths.cents["A"] == 8_000


def test_a_shock_on_a_price_that_has_moved_is_exact_to_the_cent():
    paths = CorrelatedPaths([PathSpec("A", 10_000, volatility=0.5)], None, np.random.default_rng(4))
    for _ in range(30):
        paths.step(DAY)
    before = paths.cents["A"]
    assert paths.shock("A", -0.25) == round(before * 0.75)


def test_later_steps_continue_from_the_shocked_level():
    paths = CorrelatedPaths([PathSpec("A", 10_000, drift=0.10, volatility=0.0)], None, np.random.default_rng(0))
    paths.shock("A", -0.2)
    assert paths.step(SECONDS_PER_YEAR)["A"] == round(8_000 * math.exp(0.10))


def test_a_shock_leaves_the_other_paths_alone():
    paths = CorrelatedPaths(
        [PathSpec("A", 10_000), PathSpec("B", 5_000)], None, np.random.default_rng(0)
    )
    paths.shock("A", 0.5)
    assert paths.cents == {"A": 15_000, "B": 5_000}


def test_no_volatility_no_jumps_no_drift_the_price_stays_put():
    paths = CorrelatedPaths(
        [PathSpec("A", 12_345, volatility=0.0), PathSpec("B", 1, volatility=0.0)],
        None,
        np.random.default_rng(5),
    )
    for _ in range(1_000):
        assert paths.step(DAY) == {"A": 12_345, "B": 1}


def test_correlation_0_9_gives_log_returns_correlated_near_0_9():
    prices = correlated_prices(0.9)
    rho = np.corrcoef(log_returns(prices, "A"), log_returns(prices, "B"))[0, 1]
    assert rho == pytest.approx(0.9, abs=0.05)


def test_correlation_minus_0_5_gives_log_returns_correlated_near_minus_0_5():
    prices = correlated_prices(-0.5)
    rho = np.corrcoef(log_returns(prices, "A"), log_returns(prices, "B"))[0, 1]
    assert rho == pytest.approx(-0.5, abs=0.05)


def test_unpaired_assets_are_uncorrelated():
    prices = correlated_prices(0.0)
    rho = np.corrcoef(log_returns(prices, "A"), log_returns(prices, "B"))[0, 1]
    assert rho == pytest.approx(0.0, abs=0.05)


def test_correlation_exactly_1_is_accepted_and_moves_the_paths_together():
    paths = CorrelatedPaths(
        [PathSpec("A", 10_000, volatility=0.3), PathSpec("B", 10_000, volatility=0.3)],
        {("A", "B"): 1.0},
        np.random.default_rng(3),
    )
    for _ in range(250):
        prices = paths.step(DAY)
        assert prices["A"] == prices["B"]
    assert paths.cents["A"] != 10_000


def test_correlation_exactly_minus_1_is_accepted_and_mirrors_the_log_returns():
    paths = CorrelatedPaths(
        [PathSpec("A", 100_000_000, volatility=0.3), PathSpec("B", 100_000_000, volatility=0.3)],
        {("A", "B"): -1.0},
        np.random.default_rng(3),
    )
    prices = [paths.step(DAY) for _ in range(250)]
    # Both carry the same -sigma**2 / 2 drift; the random parts cancel exactly.
    both = log_returns(prices, "A") + log_returns(prices, "B")
    np.testing.assert_allclose(both, -(0.3**2) * DAY / SECONDS_PER_YEAR, atol=1e-6)
    assert np.std(log_returns(prices, "A")) > 0.01


def test_the_number_of_jumps_is_near_the_intensity_times_the_horizon():
    # No diffusion: apart from the compensating drift every move is a jump, each close to -10%.
    spec = PathSpec("A", 1_000_000_000, volatility=0.0, jumps_per_year=20, jump_mean=-0.1, jump_sd=0.005)
    paths = CorrelatedPaths([spec], None, np.random.default_rng(9))
    years = 20
    prices = [{"A": spec.initial_cents}] + [paths.step(DAY) for _ in range(365 * years)]
    drift = -spec.jumps_per_year * spec.jump_compensator * DAY / SECONDS_PER_YEAR
    excess = log_returns(prices, "A") - drift
    jumps = np.rint(excess / spec.jump_mean)
    assert np.all(jumps >= 0)
    assert jumps.sum() == pytest.approx(spec.jumps_per_year * years, rel=0.15)


def test_the_mean_price_grows_at_the_drift_despite_jumps():
    spec = PathSpec("A", 1_000_000, drift=0.08, volatility=0.25, jumps_per_year=3, jump_mean=-0.1, jump_sd=0.1)
    rng = np.random.default_rng(12)
    finals = []
    for _ in range(3_000):
        paths = CorrelatedPaths([spec], None, rng)
        for _ in range(12):
            paths.step(SECONDS_PER_YEAR / 12)
        finals.append(paths.cents["A"])
    assert np.mean(finals) == pytest.approx(spec.initial_cents * math.exp(spec.drift), rel=0.03)


def test_duplicate_names_are_refused():
    with pytest.raises(ValueError, match="duplicate path name 'A'"):
        CorrelatedPaths([PathSpec("A", 100), PathSpec("A", 200)], None, np.random.default_rng(0))


def test_a_non_positive_start_is_refused():
    with pytest.raises(ValueError, match=r"A: initial_cents\(=0\)"):
        PathSpec("A", 0)


def test_a_negative_volatility_is_refused():
    with pytest.raises(ValueError, match=r"A: volatility\(=-0.1\)"):
        PathSpec("A", 100, volatility=-0.1)


def test_a_negative_jump_intensity_is_refused():
    with pytest.raises(ValueError, match=r"A: jumps_per_year\(=-1\)"):
        PathSpec("A", 100, jumps_per_year=-1)


def test_a_negative_jump_sd_is_refused():
    with pytest.raises(ValueError, match=r"A: jump_sd\(=-0.01\)"):
        PathSpec("A", 100, jump_sd=-0.01)


def test_a_correlation_pair_naming_an_unknown_asset_is_refused():
    with pytest.raises(ValueError, match="unknown asset 'C'"):
        CorrelatedPaths([PathSpec("A", 100), PathSpec("B", 100)], {("A", "C"): 0.5}, np.random.default_rng(0))


def test_a_correlation_pair_of_an_asset_with_itself_is_refused():
    with pytest.raises(ValueError, match="pairs 'A' with itself"):
        CorrelatedPaths([PathSpec("A", 100), PathSpec("B", 100)], {("A", "A"): 1.0}, np.random.default_rng(0))


def test_a_correlation_outside_minus_1_to_1_is_refused():
    with pytest.raises(ValueError, match=r"\(=1.5\) must be in \[-1, 1\]"):
        CorrelatedPaths([PathSpec("A", 100), PathSpec("B", 100)], {("A", "B"): 1.5}, np.random.default_rng(0))


def test_a_pair_given_in_both_orders_with_different_values_is_refused():
    with pytest.raises(ValueError, match="given twice"):
        CorrelatedPaths(
            [PathSpec("A", 100), PathSpec("B", 100)],
            {("A", "B"): 0.5, ("B", "A"): 0.4},
            np.random.default_rng(0),
        )


def test_a_correlation_matrix_that_is_not_positive_semi_definite_is_refused():
    specs = [PathSpec("A", 100), PathSpec("B", 100), PathSpec("C", 100)]
    corr = {("A", "B"): 0.9, ("B", "C"): 0.9, ("A", "C"): -0.9}
    with pytest.raises(ValueError, match=r"correlation matrix over \['A', 'B', 'C'\] is not positive semi-definite"):
        CorrelatedPaths(specs, corr, np.random.default_rng(0))


def test_a_shock_on_an_unknown_name_is_refused():
    paths = CorrelatedPaths([PathSpec("A", 100)], None, np.random.default_rng(0))
    with pytest.raises(ValueError, match="unknown path 'Z'"):
        paths.shock("Z", -0.1)


@pytest.mark.parametrize("move", [-1.0, -1.5])
def test_a_shock_of_minus_100_percent_or_worse_is_refused(move):
    paths = CorrelatedPaths([PathSpec("A", 100)], None, np.random.default_rng(0))
    with pytest.raises(ValueError, match=rf"A: shock move\(={move}\)"):
        paths.shock("A", move)
    assert paths.cents["A"] == 100


def test_a_negative_step_is_refused():
    paths = CorrelatedPaths([PathSpec("A", 100)], None, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"seconds\(=-1\)"):
        paths.step(-1)
