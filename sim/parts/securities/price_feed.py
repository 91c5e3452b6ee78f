"""The security token's reference price, pushed on chain at an interval.

The path starts at the scenario's initial price (default: the offering price) and moves
by geometric Brownian motion with the ``oracle`` section's drift and volatility (a single
path of ``sim.market.paths``, no jumps), drawn from the feed's own random stream. The feed
pushes it at once and every ``update_hours``; a ``stale_oracle`` fault stops the pushes for
a while (``sim.parts.prices``): on-chain reads then age past the oracle's maximum and are
refused, and the record says so. An ``oracle_spike`` on the token makes one update print
the path's price times the spike's factor: its ``price`` record carries ``spike`` (the
factor) and ``path_cents`` (the true price) beside the ``price_cents`` it printed, and is
refused with ``OracleDeviationTooLarge`` when the oracle's deviation guard stops it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.calendar import HOUR
from sim.contracts.oracle import to_oracle_price
from sim.market.paths import CorrelatedPaths, PathSpec
from sim.parts.prices import PriceFeed, spiked_cents

if TYPE_CHECKING:
    from sim.engine.part import Part
    from sim.parts.securities.system import System
    from sim.scenario import Scenario


class OracleFeed(PriceFeed):
    """The feed of the security token's price (actor ``oracle``)."""

    name = "oracle"

    def __init__(self, part: Part, system: System, scenario: Scenario) -> None:
        config = scenario.oracle
        initial = config.initial_price if config.initial_price is not None else scenario.offering.price
        self.symbol = system.token_symbol
        rng = part.world.rng(self.name)
        paths = CorrelatedPaths(
            [PathSpec(self.symbol, round(initial * 100), config.drift_pct / 100, config.volatility_pct / 100)],
            None,
            rng,
        )
        super().__init__(part, paths, config.update_hours * HOUR)
        self.system = system
        self.spikes_published = 0
        self.spikes_refused = 0

    @property
    def cents(self) -> int:
        """The token's price now, in cents (whether pushed or not)."""
        return self.paths.cents[self.symbol]

    def push(self) -> None:
        system, cents = self.system, self.cents
        factor = self.spiked().get(self.symbol)
        if factor is None:
            self.act("price", lambda: system.oracle.setPrice(system.token, to_oracle_price(cents), sender=system.feeder),
                     price_cents=cents)
            return
        printed = spiked_cents(cents, factor)
        if self.act("price", lambda: system.oracle.setPrice(system.token, to_oracle_price(printed), sender=system.feeder),
                    price_cents=printed, path_cents=cents, spike=factor):
            self.spikes_published += 1
        else:
            self.spikes_refused += 1
