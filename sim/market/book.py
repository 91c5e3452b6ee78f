"""An order book: continuous price-time priority matching, and a periodic call auction.

The book matches orders; it does not know about chains or rules. Before two orders
trade, it asks ``check(buy, sell, shares)``, which returns ``None`` when the trade may
happen, or the side (``"buy"`` or ``"sell"``) whose order must be rejected (the venue's
pre-trade compliance check). A rejected order leaves the book and matching goes on.

Continuous: an incoming order trades against the best opposite orders while prices
cross, at the resting order's price; what is left rests in the book.

Call auction: all orders collected since the last auction trade at one price, the one
that executes the most shares; ties go to the smallest imbalance, then to the price
closest to the reference price, then to the lower price.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

Side = Literal["buy", "sell"]
Check = Callable[["Order", "Order", int], Side | None]


@dataclass
class Order:
    """An order: ``shares`` at ``limit_cents`` or better, until ``expires`` (sim seconds)."""

    id: int
    trader: str
    side: Side
    shares: int
    limit_cents: int
    time: float
    expires: float
    remaining: int = field(init=False)
    live: bool = field(default=True, init=False)

    def __post_init__(self) -> None:
        self.remaining = self.shares


@dataclass(frozen=True)
class Fill:
    """A trade between a buy and a sell order."""

    buy: Order
    sell: Order
    shares: int
    price_cents: int


@dataclass(frozen=True)
class Rejection:
    """An order the pre-trade check rejected while matching."""

    order: Order
    against: Order


class OrderBook:
    """Bids and asks in price-time priority, and their expiry times."""

    def __init__(self) -> None:
        self._bids: list[tuple[int, int, Order]] = []
        self._asks: list[tuple[int, int, Order]] = []
        self._expiries: list[tuple[float, int, Order]] = []
        self._seq = 0

    def add(self, order: Order) -> None:
        self._seq += 1
        if order.side == "buy":
            heapq.heappush(self._bids, (-order.limit_cents, self._seq, order))
        else:
            heapq.heappush(self._asks, (order.limit_cents, self._seq, order))
        heapq.heappush(self._expiries, (order.expires, self._seq, order))

    def orders(self) -> list[Order]:
        """Live orders, bids first, each side in priority order."""
        return [o for _, _, o in sorted(self._bids) if o.live] + [o for _, _, o in sorted(self._asks) if o.live]

    def expire(self, now: float) -> list[Order]:
        """Remove the orders whose expiry has come, in expiry order; return them."""
        expired = []
        while self._expiries and self._expiries[0][0] <= now:
            order = heapq.heappop(self._expiries)[2]
            if order.live and order.remaining > 0:
                order.live = False
                expired.append(order)
        return expired

    def remove(self, order: Order) -> None:
        order.live = False

    def _best(self, heap: list[tuple[int, int, Order]], now: float) -> Order | None:
        while heap:
            order = heap[0][2]
            if order.live and order.remaining > 0 and order.expires > now:
                return order
            heapq.heappop(heap)
            order.live = False
        return None

    def match(self, incoming: Order, check: Check, now: float) -> tuple[list[Fill], list[Rejection]]:
        """Match ``incoming`` continuously; rest what is left. Returns fills and rejections."""
        fills: list[Fill] = []
        rejections: list[Rejection] = []
        opposite = self._asks if incoming.side == "buy" else self._bids
        while incoming.remaining > 0 and incoming.live:
            best = self._best(opposite, now)
            if best is None:
                break
            crosses = (
                best.limit_cents <= incoming.limit_cents
                if incoming.side == "buy"
                else best.limit_cents >= incoming.limit_cents
            )
            if not crosses:
                break
            shares = min(incoming.remaining, best.remaining)
            buy, sell = (incoming, best) if incoming.side == "buy" else (best, incoming)
            if _rejected(check, buy, sell, shares, rejections):
                continue
            fills.append(Fill(buy, sell, shares, best.limit_cents))
            incoming.remaining -= shares
            best.remaining -= shares
        if incoming.remaining > 0 and incoming.live:
            self.add(incoming)
        return fills, rejections

    def auction(self, check: Check, now: float, reference_cents: int) -> tuple[list[Fill], list[Rejection]]:
        """Run a call auction over the live orders."""
        bids = [o for _, _, o in sorted(self._bids) if o.live and o.remaining > 0 and o.expires > now]
        asks = [o for _, _, o in sorted(self._asks) if o.live and o.remaining > 0 and o.expires > now]
        price = clearing_price(bids, asks, reference_cents)
        fills: list[Fill] = []
        rejections: list[Rejection] = []
        if price is None:
            return fills, rejections
        buyers = [o for o in bids if o.limit_cents >= price]
        sellers = [o for o in asks if o.limit_cents <= price]
        b = s = 0
        while b < len(buyers) and s < len(sellers):
            buy, sell = buyers[b], sellers[s]
            if not buy.live or buy.remaining == 0:
                b += 1
                continue
            if not sell.live or sell.remaining == 0:
                s += 1
                continue
            shares = min(buy.remaining, sell.remaining)
            if _rejected(check, buy, sell, shares, rejections):
                continue
            fills.append(Fill(buy, sell, shares, price))
            buy.remaining -= shares
            sell.remaining -= shares
        return fills, rejections


def _rejected(check: Check, buy: Order, sell: Order, shares: int, rejections: list[Rejection]) -> bool:
    """Ask the pre-trade check; on a refusal take the rejected order out and note it."""
    side = check(buy, sell, shares)
    if side is None:
        return False
    rejected, other = (buy, sell) if side == "buy" else (sell, buy)
    rejected.live = False
    rejections.append(Rejection(rejected, other))
    return True


def clearing_price(bids: list[Order], asks: list[Order], reference_cents: int) -> int | None:
    """The uniform price that executes the most shares (None: the book does not cross)."""
    candidates = sorted({o.limit_cents for o in bids} | {o.limit_cents for o in asks})
    best: tuple[int, int, int, int] | None = None
    chosen = None
    for price in candidates:
        demand = sum(o.remaining for o in bids if o.limit_cents >= price)
        supply = sum(o.remaining for o in asks if o.limit_cents <= price)
        volume = min(demand, supply)
        if volume == 0:
            continue
        key = (-volume, abs(demand - supply), abs(price - reference_cents), price)
        if best is None or key < best:
            best, chosen = key, price
    return chosen
