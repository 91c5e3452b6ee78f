"""The margin part's clients: their orders, and how they answer margin calls.

Each account of the ``margin`` section is held by a participant of the world (one of the
lifecycle's investors when the account names one, else a client of the margin part alone).
At its orders' times a holder opens (or reduces) positions through the firm's trading desk:
spot on margin from the market maker, or perpetuals against it; an order sized by leverage
reads the account's equity on chain first, and draws its leverage from its own stream.

A holder answers a call after a delay drawn up to ``responds_within_hours``: cash from its
remaining liquidity first, then its reserve collateral (a substitution), then the desk
reviews the call.

An investor's account pledges the security token at its pledges' days, by title transfer
(an allowance to the engine for exactly those tokens, then ``pledge``: they move to the
engine's collateral custodian) or in place (``pledgeInPlace``: they stay in its wallet on
hold); a refusal is the token's or the engine's typed error.

A holder in default (``participant_default``, recorded ``default``) stops: its later orders
are not placed and the calls it gets are not answered (both recorded ``withheld``), so a
call it cannot meet runs to its deadline and the liquidator takes the account over.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sim.calendar import DAY, HOUR
from sim.engine.actor import Actor
from sim.engine.world import Participant
from sim.scenario.base import draw

if TYPE_CHECKING:
    from sim.contracts.margin import MarginEngine, PerpetualFutures
    from sim.engine.part import Part
    from sim.parts.margin.desk import MarginDesk
    from sim.parts.margin.price_feed import MarginFeed
    from sim.scenario.margin import MarginAccount, Order, Pledge


@dataclass(eq=False)
class MarginClient:
    """A participant's margin account and what it can still do for it."""

    name: str  # the account's name (its records' actor)
    participant: Participant
    spec: MarginAccount
    liquidity: int  # cash units still available for calls
    reserve: dict[str, int] = field(default_factory=dict)  # whole tokens
    responding: bool = False

    @property
    def wallet(self) -> str:
        return self.participant.wallet

    @property
    def retail(self) -> bool:
        return self.spec.type == "retail"


class AccountHolders(Actor):
    """The holders of the margin accounts (each act is recorded under the account's name).

    Args:
        part: the margin part.
        engine, perps: the margin engine and the perpetuals.
        trader: the firm's trading desk (it sends the trades).
        dealer: the market maker's account (the other side of every trade).
        tokens, units: each asset's token handle and units per whole token.
        indexes, markets: each tradable asset's underlying index and perpetual market.
        feed: the prices (a leverage order reads them).
        usd: cash-token units per dollar.
    """

    name = "account-holders"

    def __init__(
        self, part: Part, *, engine: MarginEngine, perps: PerpetualFutures, trader: str, dealer: str,
        tokens: dict[str, Any], units: dict[str, int], indexes: dict[str, int], markets: dict[str, int],
        feed: MarginFeed, usd: int,
    ) -> None:
        super().__init__(part)
        self.engine, self.perps, self.trader, self.dealer = engine, perps, trader, dealer
        self.tokens, self.units, self.indexes, self.markets = tokens, units, indexes, markets
        self.feed = feed
        self.usd = usd
        self.clients: list[MarginClient] = []
        self.defaults: set[MarginClient] = set()
        self.desk: MarginDesk  # who reviews a call once answered: set by the part
        self.pledged: dict[str, dict[str, dict[str, float]]] = {}  # kind -> method -> {"pledges", "tokens", "value_usd"}

    def count_pledge(self, kind: str, method: str, tokens: int, value_usd: float) -> None:
        """Add a pledge that went through to the totals by kind (``security_token``,
        ``plain``) and method (``title_transfer``, ``in_place``)."""
        done = self.pledged.setdefault(kind, {}).setdefault(method, {"pledges": 0, "tokens": 0, "value_usd": 0.0})
        done["pledges"] += 1
        done["tokens"] += tokens
        done["value_usd"] = round(done["value_usd"] + value_usd, 2)

    def pledge(self, client: MarginClient, pledge: Pledge) -> Iterator[Any]:
        """Pledge the security token at the pledge's day, by its method."""
        yield self.env.timeout(pledge.at_day * DAY)
        symbol, method = pledge.asset, pledge.method
        token, units = self.tokens[symbol], pledge.tokens * self.units[symbol]
        cents = self.feed.cents()[symbol]
        fields = {"account": client.name, "asset": symbol, "tokens": pledge.tokens, "method": method,
                  "value_usd": pledge.tokens * cents / 100}
        if client in self.defaults:
            self.record("pledge", "withheld", by=client.name, reason="Participant in default", **fields)
            return
        if method == "in_place":
            call = lambda: self.engine.pledgeInPlace(token, units, sender=client.wallet)  # noqa: E731
        else:
            def call() -> Any:
                token.approve(self.engine, units, sender=client.wallet)  # exactly this pledge's tokens
                return self.engine.pledge(token, units, sender=client.wallet)
        if self.act("pledge", call, by=client.name, **fields):
            self.count_pledge("security_token", method, pledge.tokens, fields["value_usd"])
        elif method == "title_transfer":
            token.approve(self.engine, 0, sender=client.wallet)  # a refused pledge leaves no allowance

    def default(self, client: MarginClient, at_day: float, participant: str) -> Iterator[Any]:
        """At ``at_day`` the holder of ``client`` stops paying (a ``participant_default``)."""
        yield self.env.timeout(at_day * DAY)
        self.defaults.add(client)
        self.record("default", by=client.name, account=client.name, participant=participant)

    def place_order(self, client: MarginClient, order: Order) -> Iterator[Any]:
        """Open (or reduce) a position at the order's day."""
        yield self.env.timeout(order.at_day * DAY)
        symbol = order.asset
        quantity = order.quantity
        fields: dict[str, Any] = {"account": client.name, "asset": symbol, "perpetual": order.perpetual}
        if client in self.defaults:
            self.record("order", "withheld", by=client.name, reason="Participant in default", **fields)
            return
        if quantity is None:
            leverage = float(draw(order.leverage, self.world.rng(f"leverage:{client.name}:{symbol}"), 1)[0])
            valued = self.quietly(lambda: self.engine.status(client.wallet))
            if valued.refused is not None:
                self.refused("order", valued.refused, by=client.name, **fields)
                return
            equity = valued.value.equity
            price = self.feed.marks[symbol] if order.perpetual else self.feed.cents()[symbol]
            quantity = max(1, int(leverage * equity // (price * (self.usd // 100))))
            fields["leverage"] = round(leverage, 4)
            if order.short:
                quantity = -quantity
        elif order.short:
            quantity = -abs(quantity)
        fields["quantity"] = quantity
        if order.perpetual:
            market = self.markets[symbol]
            long, short = (client.wallet, self.dealer) if quantity > 0 else (self.dealer, client.wallet)
            call = lambda: self.perps.trade(market, long, short, abs(quantity), sender=self.trader)  # noqa: E731
        else:
            index = self.indexes[symbol]
            call = lambda: self.engine.tradeSpot(client.wallet, index, quantity, sender=self.dealer)  # noqa: E731
        self.act("order", call, by=client.name, **fields)

    def answer_call(self, client: MarginClient) -> Iterator[Any]:
        """Answer a call: cash from the remaining liquidity, then reserve collateral."""
        rng = self.world.rng(f"respond:{client.name}:{int(self.env.now)}")
        delay = float(rng.uniform(0, client.spec.responds_within_hours)) * HOUR
        yield self.env.timeout(delay)
        client.responding = False
        if client in self.defaults:
            self.record("answer_call", "withheld", by=client.name, account=client.name, reason="Participant in default")
            return
        valued = self.quietly(lambda: self.engine.status(client.wallet))
        if valued.refused is not None:
            self.refused("top_up", valued.refused, by=client.name, account=client.name)
            return
        status = valued.value
        need = status.maintenance - status.equity
        if need > 0 and client.liquidity > 0:
            amount = min(need, client.liquidity)
            if self.act("top_up", lambda: self.engine.depositCash(amount, sender=client.wallet), by=client.name,
                        account=client.name, cash_usd=amount / self.usd):
                client.liquidity -= amount
                need -= amount
        if need > 0:
            for symbol, whole in list(client.reserve.items()):
                token, units = self.tokens[symbol], whole * self.units[symbol]
                if self.act("substitution", lambda t=token, u=units: self.engine.pledge(t, u, sender=client.wallet),
                            by=client.name, account=client.name, asset=symbol, tokens=whole):
                    del client.reserve[symbol]
                    self.count_pledge("plain", "title_transfer", whole, whole * self.feed.cents()[symbol] / 100)
        if self.engine.account(client.wallet).call_deadline == 0:
            return
        self.desk.review(client)
