"""The token's market price: a geometric Brownian motion, stepped daily.

The venues trade at the day's price (whole cents): a single path of ``sim.market.paths``
with no drift and the ``trading`` section's volatility, from the stream ``price``. Nothing
goes on chain: the price is the venues' reference, not an oracle's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.calendar import DAY
from sim.market.paths import CorrelatedPaths, PathSpec
from sim.parts.prices import PriceFeed

if TYPE_CHECKING:
    from sim.engine.part import Part


class MarketPrice(PriceFeed):
    """The token's market price (stream ``price``), stepped daily; nothing goes on chain."""

    name = "price"

    def __init__(self, part: Part, price_usd: float, volatility_pct: float) -> None:
        paths = CorrelatedPaths([PathSpec("token", round(price_usd * 100), 0.0, volatility_pct / 100)], None,
                                part.world.rng(self.name))
        super().__init__(part, paths, DAY)

    @property
    def cents(self) -> int:
        return self.paths.cents["token"]

    def push(self) -> None:
        """The price is the venues' reference, not an oracle's: nothing to write."""
