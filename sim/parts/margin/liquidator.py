"""The liquidator: takes over the book of an account the engine lets it liquidate, and sells
foreclosed security tokens through the market.

``MarginEngine.liquidate`` passes the account's perpetuals and spot positions to the
liquidation account at market, sells its plain collateral to it while the cash is negative,
and charges what stays negative, once no collateral is left, to the default fund (then
records it as uncovered). While collateral is left that could not be sold the debit is
carried on the account, secured by it (``debit_carried``): the desk may call the account
again and the liquidator liquidate it again. The liquidator records each liquidation
(``close_out`` for a retail account under its close-out level, ``liquidation`` for an unmet
call), each carried debit and each shortfall, and keeps their totals.

Security tokens pledged as collateral are not sold on the engine's ledger: the engine
forecloses the shares covering the debit at the mark, moving them to the liquidator's
wallet by transfers the token checks (``foreclosure``; a refusal, such as a lot still in its
Rule 144 holding period, is recorded ``foreclosure`` refused and leaves them pledged). The
liquidator then sells them on the lifecycle's venue, one foreclosure after another: it
offers what is unsold at ``liquidation_sale.discount_pct`` below the oracle's price
whenever it has no offer resting, buyers who fail the token's rules are refused by the
venue, trades settle by DvP; after ``max_days`` it withdraws what is still offered, waits
for the trades made to settle or fail, and pays the cash received into the account
(``settleForeclosure``); what stays owed is foreclosed on again from what is still pledged
(another sale), carried while that is refused, and a shortfall only when nothing is left.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import simpy

from sim.calendar import DAY, HOUR
from sim.chain.reverts import decode_revert
from sim.engine.actor import Actor, describe

if TYPE_CHECKING:
    from sim.contracts.margin import Account, MarginEngine
    from sim.engine.part import Part
    from sim.engine.world import Participant
    from sim.parts.margin.account_holders import MarginClient
    from sim.scenario.margin import LiquidationSale

SETTLEMENT_WAIT_DAYS = 10
"""After a sale's last offer, how long the liquidator waits for its trades to settle or fail."""


@dataclass
class Sale:
    """Shares foreclosed from one account, to be sold."""

    client: MarginClient
    shares: int  # whole tokens
    mark: int  # their value at the mark when foreclosed, cash units
    started: float  # simulation seconds


class Liquidator(Actor):
    """Actor ``liquidator``."""

    name = "liquidator"

    def __init__(self, part: Part, engine: MarginEngine, account: str, usd: int, plot_events: list[dict[str, Any]]) -> None:
        super().__init__(part)
        self.engine = engine
        self.account = account
        self.usd = usd
        self.plot_events = plot_events
        self.shortfall = 0
        self.default_fund_used = 0
        self.uncovered = 0
        # the market sale of foreclosed security tokens (set up by the part when it has one)
        self.market: Any = None  # the security service: the token, its venue
        self.participant: Participant | None = None
        self.terms: LiquidationSale | None = None
        self.cash: Any = None
        self.sales: simpy.Store | None = None
        self.sold = {"foreclosed_shares": 0, "shares_sold": 0, "proceeds": 0, "mark": 0, "unsold_shares": 0,
                     "sales": 0, "hours": []}
        self.buyer_refusals: Counter[str] = Counter()
        self.queued = 0  # token units foreclosed whose sale has not started
        self.carried: dict[str, str] = {}  # account name -> wallet, for accounts whose debit is carried

    def sell_through(self, market: Any, participant: Participant, terms: LiquidationSale, cash: Any) -> None:
        """Sell foreclosed security tokens on ``market``'s venue as ``participant``."""
        self.market, self.participant, self.terms, self.cash = market, participant, terms, cash
        self.sales = simpy.Store(self.env)

    def liquidate(self, client: MarginClient, account: Account, status: Any) -> None:
        """Liquidate ``client``'s account (the desk found it may be)."""
        act = "close_out" if client.retail and account.call_deadline == 0 else "liquidation"
        receipt = self.act(act, lambda: self.engine.liquidate(client.wallet, sender=self.account),
                           account=client.name, equity_usd=status[0] / self.usd, initial_usd=status[1] / self.usd).value
        if receipt is None:
            return
        self._foreclosures(receipt, client)
        self._shortfalls(receipt, client)
        self.plot_events.append({"t": int(self.env.now), "act": act, "account": client.name})

    def _foreclosures(self, receipt: Any, client: MarginClient) -> None:
        """Record what ``receipt`` foreclosed (and what the token refused), and queue its sale."""
        for e in receipt.events_named("ForeclosureRefused"):
            self.record("foreclosure", "refused", **describe(decode_revert(e.reason)), account=client.name,
                        tokens=e.amount // self.market.unit, in_place=e.inPlace)
        shares, mark = 0, 0
        for e in receipt.events_named("Foreclosed"):
            moved = (e.fromTitle + e.fromHold) // self.market.unit
            shares, mark = shares + moved, mark + e.markValue
            self.record("foreclosure", account=client.name, title_tokens=e.fromTitle // self.market.unit,
                        in_place_tokens=e.fromHold // self.market.unit, mark_usd=e.markValue / self.usd)
        if shares:
            self.sold["foreclosed_shares"] += shares
            self.queued += shares * self.market.unit
            self.sales.put(Sale(client, shares, mark, self.env.now))

    def _shortfalls(self, receipt: Any, client: MarginClient) -> None:
        for e in receipt.events_named("DebitCarried"):
            self.carried[client.name] = client.wallet
            self.record("debit_carried", account=client.name, debit_usd=e.debit / self.usd,
                        collateral_tokens=e.tokens)
        for e in receipt.events_named("ShortfallCharged"):
            self.carried.pop(client.name, None)
            self.shortfall += e.shortfall
            self.default_fund_used += e.fromDefaultFund
            self.uncovered += e.uncovered
            self.record("shortfall", account=client.name, shortfall_usd=e.shortfall / self.usd,
                        default_fund_usd=e.fromDefaultFund / self.usd, uncovered_usd=e.uncovered / self.usd,
                        retail=e.retail)

    # ------------------------------------------------------------ market sales

    def run_sales(self) -> Iterator[Any]:
        """Sell each foreclosure's shares in turn, as they come."""
        while True:
            sale = yield self.sales.get()
            yield from self._sell(sale)

    def _sell(self, sale: Sale) -> Iterator[Any]:
        market, me, terms = self.market, self.participant, self.terms
        token, venue, unit = market.token, market.venue, market.unit
        self.world.sync()
        self.queued -= sale.shares * unit
        # what it holds besides this sale's shares: unsold shares of earlier sales, later foreclosures
        keep = token.balanceOf(me.wallet) - self.queued - sale.shares * unit
        cash_before = self.cash.balanceOf(me.wallet)
        refusals_before = Counter(venue.buy_refusals)
        deadline = self.env.now + terms.max_days * DAY
        self.record("liquidation_sale", account=sale.client.name, shares=sale.shares, mark_usd=sale.mark / self.usd,
                    discount_pct=terms.discount_pct)
        while self.env.now < deadline:
            self.world.sync()
            offer = (token.availableBalanceOf(me.wallet) - self.queued - keep) // unit - venue.open_shares(me, "sell")
            if token.balanceOf(me.wallet) - self.queued <= keep:
                break  # every share delivered
            if offer > 0 and venue.open_shares(me, "sell") == 0:
                cents = venue.reference_price(me)
                if cents is not None:
                    venue.submit(me, "sell", offer, max(1, int(cents * (100 - terms.discount_pct) // 100)))
            yield self.env.timeout(HOUR)
        venue.withdraw({me}, "Liquidation sale ended")
        waited = self.env.now + SETTLEMENT_WAIT_DAYS * DAY
        while token.heldBalanceOf(me.wallet) > 0 and self.env.now < waited:  # trades made, not yet settled
            yield self.env.timeout(HOUR)
            self.world.sync()
        sold = (keep + self.queued + sale.shares * unit - token.balanceOf(me.wallet)) // unit
        proceeds = self.cash.balanceOf(me.wallet) - cash_before
        refused = Counter(venue.buy_refusals)
        refused.subtract(refusals_before)
        self.buyer_refusals.update(+refused)
        hours = (self.env.now - sale.started) / HOUR
        outcome = self.act("liquidation_settled", lambda: self.engine.settleForeclosure(
            sale.client.wallet, proceeds, sender=self.account), account=sale.client.name, shares_sold=sold,
            unsold=sale.shares - sold, proceeds_usd=proceeds / self.usd, mark_usd=sale.mark / self.usd,
            hours=round(hours, 2))
        if outcome:
            self.sold["sales"] += 1
            self.sold["shares_sold"] += sold
            self.sold["unsold_shares"] += sale.shares - sold
            self.sold["proceeds"] += proceeds
            self.sold["mark"] += sale.mark
            self.sold["hours"].append(hours)
            self._foreclosures(outcome.value, sale.client)
            self._shortfalls(outcome.value, sale.client)

    def sale_metrics(self) -> dict[str, Any]:
        """What the market sales of foreclosed tokens came to."""
        s, usd = self.sold, self.usd
        return {
            "foreclosed_shares": s["foreclosed_shares"],
            "liquidation_sales": s["sales"],
            "liquidation_shares_sold": s["shares_sold"],
            "liquidation_shares_unsold": s["unsold_shares"],
            "liquidation_proceeds": round(s["proceeds"] / usd, 2),
            "liquidation_mark_value": round(s["mark"] / usd, 2),
            "liquidation_proceeds_vs_mark_pct": round(100 * s["proceeds"] / s["mark"], 2) if s["mark"] else None,
            # the price the sold shares fetched against their mark when foreclosed
            "liquidation_price_vs_mark_pct": (round(100 * s["proceeds"] * s["foreclosed_shares"]
                                                    / (s["mark"] * s["shares_sold"]), 2) if s["shares_sold"] else None),
            "hours_to_liquidate_max": round(max(s["hours"]), 2) if s["hours"] else None,
            "liquidation_buyer_refusals_by_error": dict(sorted(self.buyer_refusals.items())),
        }
