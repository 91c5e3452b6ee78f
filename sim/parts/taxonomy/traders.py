"""The market: investors trading the token on the venues, and selling off on a ruling.

Every day from ``trading.starts_day`` (at 15:00 past the start's hour) a Poisson number of
trades is drawn: each picks a venue by its weight for the month, a seller among the holders,
a buyer among the investors and a size. When the token is reclassified a security, a share
of the holders try to sell everything within ten days, each to a buyer the venue screens as
eligible (``recipientRestriction``); locked lots refuse. The price is the day's market price
(``sim.parts.taxonomy.price``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.calendar import DAY, HOUR
from sim.engine.actor import Actor
from sim.parts.taxonomy.ledger import SECURITY_CLASSES
from sim.parts.taxonomy.monitor import month_of
from sim.scenario.base import draw

if TYPE_CHECKING:
    from sim.engine.part import Part
    from sim.engine.world import Participant
    from sim.parts.taxonomy.ledger import ClassHistory, Ledger
    from sim.parts.taxonomy.price import MarketPrice
    from sim.parts.taxonomy.venues import VenueOperators
    from sim.scenario.taxonomy import TaxonomySection


class Traders(Actor):
    """The investors as traders (stream ``trading``; their trades are the venues' records).

    Args:
        part: the taxonomy part.
        section: the scenario's ``taxonomy`` section.
        investors: the investors (the team does not trade).
        venues: the venue operators.
        ledger: the part's ledger.
        price: the market price.
        token: the token (to screen buyers in a sell-off).
    """

    name = "trading"

    def __init__(
        self, part: Part, section: TaxonomySection, *, investors: list[Participant], venues: VenueOperators,
        ledger: Ledger, price: MarketPrice, token: Any, classes: ClassHistory,
    ) -> None:
        super().__init__(part)
        self.section = section
        self.investors = investors
        self.venues = venues
        self.ledger = ledger
        self.price = price
        self.token = token
        self.classes = classes
        classes.listeners.append(self.reclassified)

    def trade_daily(self) -> Iterator[Any]:
        """Each day from the start of trading, a Poisson number of trades."""
        t = self.section.trading
        yield self.env.timeout(t.starts_day * DAY + 15 * HOUR)
        while True:
            for _ in range(int(self.rng.poisson(t.trades_per_day))):
                self._trade()
            yield self.env.timeout(DAY)

    def _trade(self) -> None:
        t, rng, ledger = self.section.trading, self.rng, self.ledger
        month = month_of(self.world.now()) - month_of(self.world.start)
        names = list(self.venues.listed)
        weights = np.array([self._weight(n, month) for n in names], dtype=float)
        sellers = [h for h in self.investors if ledger.tokens[h.wallet] > 0]
        if not names or weights.sum() == 0 or not sellers:
            return
        venue = names[int(rng.choice(len(names), p=weights / weights.sum()))]
        seller = sellers[int(rng.integers(len(sellers)))]
        buyer = self.investors[int(rng.integers(len(self.investors)))]
        size = int(draw(t.size_tokens, rng, 1)[0])
        if buyer is seller:
            return
        self.venues.trade(venue, seller, buyer, size, self.price.cents, "market")

    def _weight(self, name: str, month: int) -> float:
        weights = next(v.weights for v in self.section.venues if v.name == name)
        return weights[min(month, len(weights) - 1)]

    def reclassified(self, new_class: str) -> None:
        """A ruling or an exit report changed the class: a security sets off the sell-off."""
        if new_class in SECURITY_CLASSES and self.section.trading.sell_off_on_security_pct > 0:
            self.env.process(self.sell_off())

    def sell_off(self) -> Iterator[Any]:
        """Holders react to the token becoming a security: a share of them try to sell all
        they hold within ten days, each to a buyer the venue screens as eligible."""
        rng = self.world.rng(f"sell-off-{len(self.classes)}")
        share = self.section.trading.sell_off_on_security_pct / 100
        ledger = self.ledger
        sellers = [h for h in self.investors if ledger.tokens[h.wallet] > 0 and rng.random() < share]
        delays = np.sort(rng.uniform(0, 10 * DAY, size=len(sellers)))
        start = self.env.now
        for seller, at in zip(sellers, delays, strict=True):
            yield self.env.timeout(max(0.0, start + float(at) - self.env.now))
            self.world.sync()
            names = list(self.venues.listed)
            if not names or ledger.tokens[seller.wallet] == 0:
                continue
            venue = names[int(rng.integers(len(names)))]
            eligible = [h for h in self.investors if h is not seller and ledger.cash[h.wallet] > 0]
            rng.shuffle(eligible)
            buyer = next((h for h in eligible if self.token.recipientRestriction(h.wallet)[0] == 0), None)
            if buyer is not None:
                self.venues.trade(venue, seller, buyer, ledger.tokens[seller.wallet] // ledger.unit,
                                  self.price.cents, "sell_off")
