"""The liquidator: takes over the book of an account the engine lets it liquidate.

``MarginEngine.liquidate`` passes the account's perpetuals and spot positions to the
liquidation account at market, sells its collateral to it while the cash is negative, and
charges what stays negative to the default fund (then records it as uncovered). The
liquidator records each liquidation (``close_out`` for a retail account under its close-out
level, ``liquidation`` for an unmet call) and each shortfall, and keeps their totals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.engine.actor import Actor

if TYPE_CHECKING:
    from sim.contracts.margin import Account, MarginEngine
    from sim.engine.part import Part
    from sim.parts.margin.account_holders import MarginClient


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

    def liquidate(self, client: MarginClient, account: Account, status: Any) -> None:
        """Liquidate ``client``'s account (the desk found it may be)."""
        act = "close_out" if client.retail and account.call_deadline == 0 else "liquidation"
        receipt = self.act(act, lambda: self.engine.liquidate(client.wallet, sender=self.account),
                           account=client.name, equity_usd=status[0] / self.usd, initial_usd=status[1] / self.usd).value
        if receipt is None:
            return
        for e in receipt.events_named("ShortfallCharged"):
            self.shortfall += e.shortfall
            self.default_fund_used += e.fromDefaultFund
            self.uncovered += e.uncovered
            self.record("shortfall", account=client.name, shortfall_usd=e.shortfall / self.usd,
                        default_fund_usd=e.fromDefaultFund / self.usd, uncovered_usd=e.uncovered / self.usd,
                        retail=e.retail)
        self.plot_events.append({"t": int(self.env.now), "act": act, "account": client.name})
