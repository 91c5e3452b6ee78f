"""Faults: the world's injected failures the securities lifecycle plays, each at its time.

The fault injector records each fault, then makes it happen to whom it concerns: a stale
oracle interrupts the price feed (``sim.parts.prices``), a settlement fail tells the
clearing agent sellers will not deliver, the custodian's breaks and the token agent's
pauses and recoveries are its own acts.

| kind | what happens |
|---|---|
| ``stale_oracle`` | the price feed stops; reads age past the oracle's maximum and are refused |
| ``settlement_fail`` | a share of sellers do not deliver: their instructions fail, accrue penalties, may be bought in |
| ``unallocated_deposit`` | cash lands in an omnibus vault without instructions: a break until the custodian credits it to suspense |
| ``forced_transfer`` | the token's agent moves shares out of an omnibus vault (court order): a break until booked against the client |
| ``pause`` | the agent pauses holder transfers; orders and settlements are refused meanwhile |
| ``key_loss`` | self-custody holders lose their keys; the agent recovers their tokens to new wallets |
| ``oracle_spike`` | one update of the token's price prints it times a factor; the oracle's deviation guard, when set, refuses it |
| ``participant_default`` | an investor stops paying: no orders, no affirmations; its later instructions fail, are bought in or cancelled |
| ``custodian_failure`` | an omnibus custodian stops; its open instructions are cancelled; a trustee and the agent return every client's tokens and cash to the client's wallet |

A spike is handed to the price feed at the start (its first update at or after the
fault's time prints it); the other faults happen at their time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.calendar import DAY, HOUR
from sim.contracts import Identity
from sim.engine.actor import Actor
from sim.parts.securities.custodian import Trustee
from sim.scenario.faults import (
    CustodianFailure,
    ForcedTransfer,
    KeyLoss,
    OracleSpike,
    ParticipantDefault,
    Pause,
    SettlementFail,
    StaleOracle,
    UnallocatedDeposit,
)

if TYPE_CHECKING:
    from sim.engine.part import Part
    from sim.parts.securities.clearing import ClearingAgent
    from sim.parts.securities.custodian import Custodians
    from sim.parts.securities.investors import Investors
    from sim.parts.securities.price_feed import OracleFeed
    from sim.parts.securities.system import System
    from sim.parts.securities.venue import Venue
    from sim.scenario import Scenario


class Faults(Actor):
    """The fault injector (actor ``faults``) and whom its faults concern."""

    name = "faults"

    def __init__(
        self, part: Part, system: System, scenario: Scenario, *, feed: OracleFeed, clearing: ClearingAgent,
        custodians: Custodians, investors: Investors, venue: Venue,
    ) -> None:
        super().__init__(part)
        self.system = system
        self.scenario = scenario
        self.faults = list(scenario.faults)
        self.feed = feed
        self.clearing = clearing
        self.custodians = custodians
        self.investors = investors
        self.venue = venue

    def schedule(self) -> None:
        for fault in self.faults:
            if isinstance(fault, OracleSpike) and fault.asset in (None, self.system.token_symbol):
                self.feed.spike(fault.at_day * DAY, self.system.token_symbol, fault.factor)
            self.env.process(self._run(fault))

    def _run(self, fault):
        yield self.env.timeout(fault.at_day * DAY)
        details = {}
        if isinstance(fault, OracleSpike):
            details = {"asset": fault.asset or self.system.token_symbol, "factor": fault.factor}
        elif isinstance(fault, ParticipantDefault):
            details = {"participant": fault.participant}
        elif isinstance(fault, CustodianFailure):
            details = {"custodian": fault.custodian}
        self.record("fault", kind=fault.kind, **details)
        if isinstance(fault, StaleOracle):
            self.feed.stop(fault.hours * HOUR)
        elif isinstance(fault, SettlementFail):
            self.clearing.withhold_deliveries(fault.share, self.env.now + fault.days * DAY)
        elif isinstance(fault, UnallocatedDeposit):
            yield from self._unallocated_deposit(fault)
        elif isinstance(fault, ForcedTransfer):
            yield from self._forced_transfer(fault)
        elif isinstance(fault, Pause):
            yield from self._pause(fault)
        elif isinstance(fault, KeyLoss):
            yield from self._key_loss(fault)
        elif isinstance(fault, ParticipantDefault):
            self._default(fault)
        elif isinstance(fault, CustodianFailure):
            yield from self._custodian_failure(fault)

    def _default(self, fault: ParticipantDefault) -> None:
        """An investor stops paying (a margin account's default is the margin part's)."""
        p = next((p for p in self.investors.participants if p.label == fault.participant), None)
        if p is not None:
            self.investors.default(p)

    def _custodian_failure(self, fault: CustodianFailure):
        """The custodian stops, its clients' resting orders leave the book, its open
        instructions are cancelled; after the delay its trustee recovers the clients' assets."""
        custodian = self.custodians[fault.custodian]
        clients = set(custodian.clients())
        custodian.fail()
        self.venue.withdraw(clients, "Custodian failed")
        self.clearing.custodian_failed(custodian.vault.address)
        yield self.env.timeout(fault.recover_after_days * DAY)
        yield from Trustee(self.part, self.system, custodian).recover()

    def _unallocated_deposit(self, fault: UnallocatedDeposit):
        system = self.system
        custodian = self.custodians[fault.custodian]
        units = system.cash_units(round(fault.cash_usd * 100))
        self.act("deposit_unallocated",
                 lambda: system.cash.mint(custodian.vault, units, sender=system.cash_issuer),
                 custodian=fault.custodian, cash_cents=round(fault.cash_usd * 100))
        if fault.allocate_after_days is not None:
            yield self.env.timeout(fault.allocate_after_days * DAY)
            custodian.resolve_unallocated(system.cash, units)

    def _forced_transfer(self, fault: ForcedTransfer):
        system = self.system
        custodian = self.custodians[fault.custodian]
        clients = custodian.clients()
        holdings = [(self.investors.shares_available(p), i, p) for i, p in enumerate(clients)]
        shares, _, subject = max(holdings, default=(0, 0, None), key=lambda h: (h[0], -h[1]))
        shares = min(shares, fault.shares)
        if subject is None or shares == 0:
            self.record("forced_transfer", "refused", reason="No client position to transfer", custodian=fault.custodian)
            return
        receiver = self.world.chain.new_account()
        system.registry.register(receiver, Identity(investor_id=f"{self.scenario.name}:court-receiver",
                                                    investor_type="institutional"), sender=system.agent)
        units = shares * system.token_unit
        moved = self.act(
            "forced_transfer",
            lambda: system.token.forcedTransfer(custodian.vault, receiver, units, True, sender=system.agent),
            custodian=fault.custodian, investor=subject.label, shares=shares,
        )
        if moved:
            yield self.env.timeout(2 * DAY)
            custodian.resolve_outflow(subject, units)

    def _pause(self, fault: Pause):
        system = self.system
        self.act("pause", lambda: system.token.pause(sender=system.agent), hours=fault.hours)
        yield self.env.timeout(fault.hours * HOUR)
        self.act("unpause", lambda: system.token.unpause(sender=system.agent))

    def _key_loss(self, fault: KeyLoss):
        system = self.system
        holders = [p for p in self.investors.participants
                   if p.mode == "self" and p.active and system.token.balanceOf(p.wallet) > 0]
        picked = [holders[int(i)] for i in self.rng.choice(len(holders), size=min(fault.count, len(holders)), replace=False)] if holders else []
        for p in picked:
            p.active = False
            self.record("key_lost", investor=p.label)
        yield self.env.timeout(fault.recover_after_days * DAY)
        for p in picked:
            yield from self._recover(p)

    def _recover(self, p):
        """Register a new wallet for the investor and move everything to it; retry daily while holds block it."""
        system = self.system
        new_wallet = self.world.chain.new_account()
        if system.standard != "erc3643":  # T-REX's recovery re-registers the identity under the new wallet
            system.registry.register(new_wallet, p.identity, sender=system.agent)
        system.allow_cash([new_wallet])
        while True:
            recovered = self.act(
                "recover_wallet",
                lambda: system.token.recoverWallet(p.wallet, new_wallet, sender=system.agent),
                investor=p.label,
            )
            if recovered:
                break
            yield self.env.timeout(DAY)
        # The cash token has no recovery: cash in the lost wallet stays there.
        stranded = system.cash.balanceOf(p.wallet)
        if stranded > 0:
            self.record("cash_stranded", investor=p.label, cash_cents=system.cents(stranded))
        self.world.participants.onboarded(p, new_wallet)
        p.active = True
