"""The venue: an alternative trading system with a pre-trade compliance check.

Orders come in with a limit price set around the oracle's on-chain price (an order is
refused when that price is stale). The price and what the trader can spend, shares and
cash, come from one read of the order desk (``sim.contracts.desk``: the same figures as
``priceOf`` and the two ``availableBalanceOf``). At entry the venue checks, on chain,
what depends on one side alone: a buyer must be able to hold the token at all
(``recipientRestriction``: verification, jurisdiction, accreditation, applied to the
beneficial owner), a seller must be able to deliver (``senderRestriction``: pause,
freeze, holds, the Rule 144 lock-up); and, off chain, that the trader has the cash or
shares not already committed to open orders. When two orders would trade,
``transferRestriction(seller, buyer, shares)`` decides (ERC-1404's
``detectTransferRestriction`` code with its error, in one call); a refusal rejects the
order of the side it concerns (a lock-up the seller's, a holder cap the buyer's) and
matching goes on. Every refusal is recorded with its restriction code and message.

Matching is continuous (price-time priority, at the resting order's price) or a periodic
call auction (one price for all). Each trade goes to the clearing agent as a ``Trade`` put
into the ``trades`` hand-off (``sim.engine.handoff``), taken in the instant it is made.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.calendar import DAY, HOUR
from sim.chain.reverts import decode_revert
from sim.contracts import Restriction
from sim.contracts.oracle import cents_of
from sim.engine.actor import Actor, describe
from sim.market.book import Fill, Order, OrderBook

if TYPE_CHECKING:
    from sim.engine.handoff import Handoff
    from sim.engine.part import Part
    from sim.engine.world import Participant
    from sim.parts.securities.system import System
    from sim.scenario.securities import Trading

SENDER_SIDE = {
    Restriction.PAUSED,
    Restriction.SENDER_FROZEN,
    Restriction.INSUFFICIENT_BALANCE,
    Restriction.FROZEN_TOKENS,
    Restriction.TOKENS_ON_HOLD,
    Restriction.LOCKUP_ACTIVE,
}
"""Refusals that concern the seller's order; the others concern the buyer's."""


@dataclass(frozen=True)
class Trade:
    """A trade the venue made, on its way to clearing."""

    buyer: Participant
    seller: Participant
    shares: int
    price_cents: int


class Venue(Actor):
    """The ATS (actor ``venue``); its trades go into ``trades``."""

    name = "venue"

    def __init__(self, part: Part, system: System, trading: Trading | None, trades: Handoff) -> None:
        super().__init__(part)
        self.system = system
        self.trading = trading
        self.trades = trades
        self.book = OrderBook()
        self._next_id = 0
        self._owner: dict[int, Participant] = {}
        self._verdicts: dict[tuple[int, int], dict] = {}
        self._open: dict[int, Order] = {}  # resting orders by id
        self._open_shares: dict[tuple[str, str], int] = {}  # (trader, side) -> shares resting
        self._open_cash: dict[str, int] = {}  # trader -> cents committed by resting buys
        self.buy_refusals: Counter[str] = Counter()  # buy orders refused, at entry or in matching, by error

    # ------------------------------------------------------------------- prices

    def reference_price(self, p: Participant) -> int | None:
        """The oracle's price in cents, read on chain; None (and a refusal) when stale."""
        system = self.system
        result, refused = self.quietly(lambda: system.oracle.priceOf(system.token))
        if refused is not None:
            self.record("order", "refused", **describe(refused), investor=p.label)
            return None
        price, _ = result
        return cents_of(price)

    def desk(self, p: Participant) -> tuple[int, int, int] | None:
        """What ``p``'s order needs, from one read of the order desk: the oracle's price in
        cents, the whole shares and the cents ``p`` can spend now (its custodian's books for
        an omnibus client); None (and a refusal, as ``reference_price``'s) when the price is
        stale."""
        system = self.system
        self.world.sync()
        view = system.desk.view(p.wallet, p.custody.vault if p.mode == "omnibus" else None)
        if view.refusal is not None:
            self.record("order", "refused", **describe(view.refusal), investor=p.label)
            return None
        return cents_of(view.price), view.security_available // system.token_unit, system.cents(view.cash_available)

    def latest_cents(self) -> int:
        """The oracle's last price in cents, whatever its age (the auction's reference)."""
        return self.system.latest_cents()

    # ---------------------------------------------------------------- commitments

    def open_shares(self, p: Participant, side: str) -> int:
        """Shares of ``p``'s resting orders on ``side``."""
        return self._open_shares.get((p.label, side), 0)

    def open_cash(self, p: Participant) -> int:
        """Cents ``p``'s resting buy orders commit."""
        return self._open_cash.get(p.label, 0)

    def _commit(self, order: Order, sign: int) -> None:
        """Add (sign 1) or take away (-1) what a resting order commits of its trader."""
        key = (order.trader, order.side)
        self._open_shares[key] = self._open_shares.get(key, 0) + sign * order.remaining
        if order.side == "buy":
            self._open_cash[order.trader] = self._open_cash.get(order.trader, 0) + sign * order.remaining * order.limit_cents

    def _retire(self, orders) -> None:
        """Resting orders that left the book (filled, rejected, expired) commit nothing more."""
        for order in orders:
            if order.id in self._open and (not order.live or order.remaining == 0):
                self._commit(order, -1)
                del self._open[order.id]
                del self._owner[order.id]

    # ------------------------------------------------------------------- orders

    def submit(self, p: Participant, side: str, shares: int, limit_cents: int) -> None:
        """Check an order at entry, then match it (continuous) or queue it (auction)."""
        system = self.system
        fields = {"investor": p.label, "side": side, "shares": shares, "price_cents": limit_cents}
        units = shares * system.token_unit
        if side == "buy":
            (code, reason), _ = self.quietly(lambda: system.token.recipientRestriction(p.wallet))
        else:
            (code, reason), _ = self.quietly(lambda: system.token.senderRestriction(p.party, units))
        if code != Restriction.SUCCESS:
            refusal = describe(decode_revert(reason))
            if side == "buy" and "error" in refusal:
                self.buy_refusals[refusal["error"]] += 1
            self.record("order", "refused", **refusal, **fields)
            return
        self._next_id += 1
        now = self.env.now
        order = Order(self._next_id, p.label, side, shares, limit_cents, now, now + self.trading.order_ttl_hours * HOUR)
        self._owner[order.id] = p
        self.record("order", order=order.id, **fields)
        self._expire()
        if self.trading.venue == "continuous":
            fills, rejections = self.book.match(order, self._check, now)
            self._after_matching(fills, rejections)
        else:
            self.book.add(order)
        if order.live and order.remaining > 0:
            self._open[order.id] = order
            self._commit(order, 1)
        else:
            del self._owner[order.id]

    def _check(self, buy: Order, sell: Order, shares: int) -> str | None:
        """Pre-trade check of one potential trade; the side to reject, or None."""
        system = self.system
        self.world.sync()
        buyer, seller = self._owner[buy.id], self._owner[sell.id]
        verdict: dict = {}
        if buyer is seller:
            verdict = {"reason": "Self-trade prevented", "side": "buy" if buy.time >= sell.time else "sell"}
        elif buyer.party == seller.party:
            verdict = {}  # two clients of one omnibus custodian: settled in its books
        else:
            code, reason = system.token.transferRestriction(seller.party, buyer.party, shares * system.token_unit)
            if code != Restriction.SUCCESS:
                verdict = {**describe(decode_revert(reason)), "side": "sell" if code in SENDER_SIDE else "buy"}
        if not verdict:
            return None
        self._verdicts[(buy.id, sell.id)] = verdict
        return verdict["side"]

    def _after_matching(self, fills: list[Fill], rejections) -> None:
        for rejection in rejections:
            order, against = rejection.order, rejection.against
            key = (order.id, against.id) if order.side == "buy" else (against.id, order.id)
            verdict = dict(self._verdicts.pop(key))
            verdict.pop("side")
            if order.side == "buy" and "error" in verdict:  # the token's rules (not a self-trade)
                self.buy_refusals[verdict["error"]] += 1
            self.record(
                "order_rejected",
                "refused",
                **verdict,
                order=order.id,
                investor=order.trader,
                side=order.side,
                shares=order.remaining,
            )
        trades = [(self._owner[f.buy.id], self._owner[f.sell.id], f.shares, f.price_cents) for f in fills]
        for fill in fills:  # resting orders filled: their commitments shrink
            for order in (fill.buy, fill.sell):
                if order.id in self._open:
                    self._adjust(order, fill.shares)
        self._retire([o for f in fills for o in (f.buy, f.sell)] + [r.order for r in rejections])
        for buyer, seller, shares, price in trades:
            self.trades.put(Trade(buyer, seller, shares, price))

    def _adjust(self, order: Order, filled: int) -> None:
        """A resting order traded ``filled`` shares: release what they had committed."""
        key = (order.trader, order.side)
        self._open_shares[key] -= filled
        if order.side == "buy":
            self._open_cash[order.trader] -= filled * order.limit_cents

    def withdraw(self, traders: set[Participant], reason: str) -> None:
        """Take every resting order of ``traders`` off the book (``order_withdrawn``): they
        could not settle (their custodian has failed)."""
        withdrawn = [order for order in self._open.values() if self._owner[order.id] in traders]
        for order in withdrawn:
            self.book.remove(order)
            self.record("order_withdrawn", order=order.id, investor=order.trader, side=order.side,
                        shares=order.remaining, reason=reason)
        self._retire(withdrawn)

    def _expire(self) -> None:
        expired = self.book.expire(self.env.now)
        for order in expired:
            self.record("order_expired", order=order.id, investor=order.trader, shares=order.remaining)
        self._retire(expired)

    # ------------------------------------------------------------------ auctions

    def run_auctions(self):
        """A call auction every interval, within the trading window."""
        if self.trading is None or self.trading.venue != "call_auction":
            return
        start = self.trading.starts_day * DAY
        stop = self.trading.stops_day * DAY if self.trading.stops_day is not None else float("inf")
        interval = self.trading.auction_every_hours * HOUR
        yield self.env.timeout(max(0.0, start - self.env.now) + interval)
        while self.env.now <= stop:
            self._expire()
            fills, rejections = self.book.auction(self._check, self.env.now, self.latest_cents())
            self.record("auction", trades=len(fills), shares=sum(f.shares for f in fills))
            self._after_matching(fills, rejections)
            yield self.env.timeout(interval)
