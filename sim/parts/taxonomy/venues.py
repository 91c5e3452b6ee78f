"""The venue operators: list the token, settle trades, delist when the class forbids them.

Each venue lists the token on its day; the ``VenueRegistry`` refuses a listing its kind may
not hold for the token's class. A trade on a venue moves tokens and cash on chain
(``VenueRegistry.trade``, which the token's compliance checks), at today's price, for at
most what the seller holds and the buyer can pay, between a sell order and a buy order
their owners signed for that venue (EIP-712, valid for a day). A venue whose trade is refused because
the token's class no longer permits its listing delists.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sim.calendar import DAY
from sim.contracts.taxonomy import Order
from sim.engine.actor import Actor

if TYPE_CHECKING:
    from sim.engine.part import Part
    from sim.engine.world import Participant
    from sim.parts.taxonomy.ledger import ClassHistory, Ledger


class VenueOperators(Actor):
    """Actor ``venue`` (each act names its venue).

    Args:
        part: the taxonomy part.
        venues: the venue registry; ``venue_address``: each venue's account, by name.
        token, cash: the token and the cash token.
        ledger, classes: the part's ledger and class history.
        usd: cash-token units per dollar.
    """

    name = "venue"

    def __init__(
        self, part: Part, *, venues: Any, venue_address: dict[str, str], token: Any, cash: Any, ledger: Ledger,
        classes: ClassHistory, usd: int,
    ) -> None:
        super().__init__(part)
        self.venues, self.venue_address = venues, venue_address
        self.token, self.cash = token, cash
        self.ledger, self.classes = ledger, classes
        self.usd = usd
        self.listed: dict[str, str] = {}  # venue name -> address, while listed
        self.trades: dict[str, Counter[str]] = {}  # by the token's class at the time: settled, refused
        self.refused_after_reclassification: Counter[str] = Counter()  # by seller
        self._nonces = 0  # orders signed so far

    def list_token(self, name: str, day: float) -> Iterator[Any]:
        """List the token on ``name`` on ``day`` (refused when its kind may not trade the class)."""
        yield self.env.timeout(day * DAY)
        address = self.venue_address[name]
        listed = self.act("list", lambda: self.venues.list(self.token, sender=address), venue=name,
                          asset_class=self.classes.current)
        if listed:
            self.listed[name] = address

    def delist(self, name: str) -> None:
        address = self.listed.pop(name)
        self.act("delist", lambda: self.venues.delist(self.token, sender=address), venue=name,
                 asset_class=self.classes.current)

    def trade(self, venue: str, seller: Participant, buyer: Participant, size: int, price_cents: int, motive: str) -> None:
        """Settle a trade of up to ``size`` whole tokens on ``venue`` at ``price_cents`` (capped
        by the seller's tokens and the buyer's cash); record it, and its refusal."""
        ledger = self.ledger
        price = max(1, price_cents) * (self.usd // 100)
        whole = min(size, ledger.tokens[seller.wallet] // ledger.unit, ledger.cash[buyer.wallet] // price)
        if whole <= 0:
            return
        amount, payment = ledger.whole(whole), whole * price
        asset_class = self.classes.current
        counts = self.trades.setdefault(asset_class, Counter())
        address = self.listed[venue]
        sell, buy = self._order(seller, address, True, amount, payment), self._order(buyer, address, False, amount, payment)
        _, refused = self.act(
            "trade",
            lambda: self.venues.settle(sell, buy, amount, payment, sender=address),
            venue=venue, seller=seller.label, buyer=buyer.label, tokens=whole, price_usd=price / self.usd,
            asset_class=asset_class, motive=motive,
        )
        if refused is None:
            counts["settled"] += 1
            ledger.move_tokens(seller.wallet, buyer.wallet, amount)
            ledger.pay(buyer.wallet, seller.wallet, payment)
            return
        counts["refused"] += 1
        if len(self.classes) > 1:
            self.refused_after_reclassification[seller.label] += 1
        if type(refused).__name__ == "VenueListingNotPermitted":
            self.delist(venue)

    def _order(self, owner: Participant, venue: str, sell: bool, amount: int, payment: int) -> Any:
        """``owner``'s signed order for exactly this trade on ``venue`` (valid for a day)."""
        self._nonces += 1
        order = Order(owner.wallet, venue, self.token.address, self.cash.address, sell, amount, payment, self._nonces,
                      self.world.now() + DAY)
        return self.venues.sign_order(order)
