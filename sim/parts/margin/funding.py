"""The funding keeper: applies each perpetual's funding at its interval.

Every ``funding_hours`` the keeper asks ``PerpetualFutures.applyFunding`` for the market:
longs pay shorts the mark's premium over the index per contract (capped), settled into the
margin engine's cash ledger. A refusal (a stale price) is recorded like any other.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sim.calendar import HOUR
from sim.engine.actor import Actor

if TYPE_CHECKING:
    from sim.contracts.margin import PerpetualFutures
    from sim.engine.part import Part


class FundingKeeper(Actor):
    """Actor ``keeper``: sends ``applyFunding`` as the market admin."""

    name = "keeper"

    def __init__(self, part: Part, perps: PerpetualFutures, admin: str) -> None:
        super().__init__(part)
        self.perps = perps
        self.admin = admin

    def apply_funding(self, symbol: str, market: int, funding_hours: float) -> Iterator[Any]:
        """Apply ``market``'s funding every ``funding_hours``."""
        interval = funding_hours * HOUR
        while True:
            yield self.env.timeout(interval)
            self.act("funding", lambda: self.perps.applyFunding(market, sender=self.admin), asset=symbol)
