"""The price feed: a geometric Brownian motion pushed on chain at an interval.

The path starts at the scenario's initial price (default: the offering price) and moves
with the scenario's drift and volatility, drawn from the feed's own random stream. A
``stale_oracle`` fault stops the pushes for a while: on-chain reads then age past the
oracle's maximum and are refused, and the record says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.actors.base import Actor
from sim.calendar import HOUR
from sim.contracts.oracle import to_oracle_price
from sim.market.price import GeometricBrownianMotion

if TYPE_CHECKING:
    from sim.engine.simulation import Simulation


class OracleFeed(Actor):
    name = "oracle"

    def __init__(self, sim: Simulation) -> None:
        super().__init__(sim)
        config = sim.scenario.oracle
        initial = config.initial_price if config.initial_price is not None else sim.scenario.offering.price
        self.path = GeometricBrownianMotion(
            round(initial * 100), config.drift_pct / 100, config.volatility_pct / 100, self.rng
        )
        self.interval = config.update_hours * HOUR
        self.stopped_until = -1.0

    def publish(self):
        """Push the price now and every interval after."""
        while True:
            if self.env.now >= self.stopped_until:
                self.act(
                    "price",
                    lambda: self.system.oracle.setPrice(
                        self.system.token, to_oracle_price(self.path.cents), sender=self.system.feeder
                    ),
                    price_cents=self.path.cents,
                )
            yield self.env.timeout(self.interval)
            self.path.step(self.interval)

    def stop(self, seconds: float) -> None:
        self.stopped_until = self.env.now + seconds
        self.record("feed_stopped", hours=round(seconds / HOUR))
