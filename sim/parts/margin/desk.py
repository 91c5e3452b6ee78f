"""The margin desk: looks at every account at an interval, calls, reviews calls.

Every ``rules.check_every_hours`` the desk values each account on chain
(``MarginEngine.liquidatable``). An account the engine lets be liquidated (a retail account
under its close-out level, an unmet call past its deadline) goes to the liquidator at once;
an account under its maintenance requirement with no call open gets a call
(``issueCall``), and its holder starts answering it. When a holder has answered, the desk
reviews the call (``reviewCall``): met or still open. A valuation the chain refuses (a
stale price) is recorded and the account is looked at again next time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sim.calendar import HOUR
from sim.engine.actor import Actor

if TYPE_CHECKING:
    from sim.contracts.margin import MarginEngine
    from sim.engine.part import Part
    from sim.parts.margin.account_holders import AccountHolders, MarginClient
    from sim.parts.margin.liquidator import Liquidator


class MarginDesk(Actor):
    """Actor ``margin-desk``.

    Args:
        part: the margin part.
        engine: the margin engine.
        account: the desk's account (it holds the margin desk role).
        liquidator: who liquidates the accounts the engine lets be liquidated.
        usd: cash-token units per dollar.
        plot_events: where calls and met calls are noted for the timeline plot.
    """

    name = "margin-desk"

    def __init__(
        self, part: Part, engine: MarginEngine, account: str, liquidator: Liquidator, usd: int,
        plot_events: list[dict[str, Any]],
    ) -> None:
        super().__init__(part)
        self.engine = engine
        self.account = account
        self.liquidator = liquidator
        self.usd = usd
        self.plot_events = plot_events
        self.holders: AccountHolders  # who answers the calls: set by the part

    def check_accounts(self, every_hours: float) -> Iterator[Any]:
        """Look at every account every ``every_hours``, in the order the accounts opened."""
        interval = every_hours * HOUR
        while True:
            yield self.env.timeout(interval)
            self.world.sync()
            for client in self.holders.clients:
                self._check(client)

    def _check(self, client: MarginClient) -> None:
        valued = self.quietly(lambda: self.engine.liquidatable(client.wallet))
        if valued.refused is not None:
            self.refused("valuation", valued.refused, account=client.name)
            return
        allowed, status = valued.value
        account = self.engine.account(client.wallet)
        if allowed:
            self.liquidator.liquidate(client, account, status)
            return
        equity, maintenance = status[0], status[2]
        if account.call_deadline == 0 and (equity < 0 or equity < maintenance):
            called = self.act("margin_call", lambda: self.engine.issueCall(client.wallet, sender=self.account),
                              account=client.name, equity_usd=equity / self.usd, maintenance_usd=maintenance / self.usd)
            if called:
                self.plot_events.append({"t": int(self.env.now), "act": "margin_call", "account": client.name})
                if not client.responding:
                    client.responding = True
                    self.env.process(self.holders.answer_call(client))

    def review(self, client: MarginClient) -> None:
        """Review ``client``'s open call after its holder answered: met, or still open (a
        refused review is recorded; a review that leaves the call open writes nothing)."""
        reviewed = self.quietly(lambda: self.engine.reviewCall(client.wallet, sender=self.account))
        if reviewed.refused is not None:
            self.refused("review_call", reviewed.refused, account=client.name)
        elif reviewed.value.events_named("MarginCallMet"):
            self.record("call_met", account=client.name)
            self.plot_events.append({"t": int(self.env.now), "act": "call_met", "account": client.name})
