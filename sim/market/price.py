"""Price paths: geometric Brownian motion, in cents.

Over a step of ``dt`` years the price moves by ``exp((mu - sigma**2 / 2) dt + sigma sqrt(dt) Z)``
with Z standard normal drawn from the run's generator, so the same seed gives the same
path. Prices are kept in exact integer cents, never below one cent.
"""

from __future__ import annotations

import math

import numpy as np

SECONDS_PER_YEAR = 365 * 86_400


class GeometricBrownianMotion:
    """A price in cents that moves by GBM steps.

    Args:
        initial_cents: the starting price.
        drift: annual drift (0.05 is 5%).
        volatility: annual volatility (0.2 is 20%).
        rng: the generator the shocks are drawn from.
    """

    def __init__(self, initial_cents: int, drift: float, volatility: float, rng: np.random.Generator) -> None:
        if initial_cents <= 0:
            raise ValueError(f"initial_cents(={initial_cents}) must be > 0")
        self.cents = initial_cents
        self._log_price = math.log(initial_cents)
        self.drift = drift
        self.volatility = volatility
        self.rng = rng

    def step(self, seconds: float) -> int:
        """Advance by ``seconds``; return the new price in cents."""
        dt = seconds / SECONDS_PER_YEAR
        shock = float(self.rng.standard_normal())
        self._log_price += (self.drift - self.volatility**2 / 2) * dt + self.volatility * math.sqrt(dt) * shock
        self.cents = max(1, round(math.exp(self._log_price)))
        return self.cents
