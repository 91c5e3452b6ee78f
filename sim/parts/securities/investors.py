"""Investors: populations drawn from distributions, onboarded, subscribing and trading.

Each population of the scenario becomes ``count`` participants whose type, jurisdiction,
income, net worth, cash and appetite are drawn from the population's distributions with
the investors' own random stream. A participant holds its tokens in one of three ways:

- ``self``: its own wallet is the holder of record and signs its own affirmations;
- ``segregated``: a wallet the custodian opened for it, registered under its investor id
  (the beneficial owner is visible on chain), operated by the custodian;
- ``omnibus``: the custodian's vault is the holder of record; the participant's wallet
  only carries its identity, and its position lives in the vault's sub-ledger.

Processes: ``subscribe`` (each subscriber at a random moment of the offering window) and
``place_orders`` (a Poisson stream of orders over all traders: the superposition of each
trader's own Poisson stream, so one process serves any number of investors). A trader
whose keys are lost, who is in default (``participant_default``: recorded ``default``) or
whose custodian has failed places no order (``may_trade``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.calendar import DAY
from sim.contracts import Identity, investor_id
from sim.engine.actor import Actor, chunks
from sim.engine.world import Participant
from sim.scenario.base import draw
from sim.scenario.securities import Population

if TYPE_CHECKING:
    from sim.engine.part import Part
    from sim.parts.securities.custodian import Custodians
    from sim.parts.securities.issuer import Issuer
    from sim.parts.securities.system import System
    from sim.parts.securities.venue import Venue
    from sim.scenario import Scenario

REGISTRATION_BATCH = 100
PAYMENT_BATCH = 200
"""Recipients per batch transfer: a transaction stays far under its 30M gas."""


class Investors(Actor):
    """The lifecycle's investors (and its dealer), and their own processes.

    Args:
        part: the securities lifecycle.
        system: its contracts.
        custodians: the custodians, who open accounts for their clients and book what moves.
    """

    name = "investors"

    def __init__(self, part: Part, system: System, custodians: Custodians, scenario: Scenario) -> None:
        super().__init__(part)
        self.system = system
        self.custodians = custodians
        self.scenario = scenario
        self.issuer: Issuer  # where subscriptions go, and orders: set by the part
        self.venue: Venue
        self.participants: list[Participant] = []
        self.dealer: Participant | None = None
        self.defaults: set[Participant] = set()
        self.elsewhere: dict[str, tuple[int, int]] = {}
        """Reg CF purchases elsewhere the intermediary knows of: label -> (cents, days before start)."""
        for population in scenario.investors:
            self._generate(population)

    # ---------------------------------------------------------------- creation

    def _generate(self, population: Population) -> None:
        rng, n = self.rng, population.count
        types = list(population.types)
        type_of = rng.choice(len(types), size=n, p=[population.types[t] for t in types])
        places = list(population.jurisdictions)
        place_of = rng.choice(len(places), size=n, p=[population.jurisdictions[j] for j in places])
        incomes = draw(population.income_usd, rng, n)
        worths = draw(population.net_worth_usd, rng, n)
        cash = draw(population.cash_usd, rng, n)
        wants = draw(population.subscription_usd, rng, n) if population.subscription_usd else np.zeros(n)
        pending = rng.random(n) < population.kyc_pending_share
        # attested limits only when given: a population without them draws as it always did
        attested = {field: draw(getattr(population, field), rng, n)
                    for field in ("reg_cf_limit_usd", "reg_a_limit_usd") if getattr(population, field) is not None}
        custody = None if population.custody == "self" else population.custody
        mode = "self" if custody is None else next(c.mode for c in self.scenario.custodians if c.name == custody)
        for i in range(n):
            label = f"{population.name}-{i + 1:04d}"
            partner = population.counted_with
            identity = Identity(
                investor_id=f"{self.scenario.name}:{label}",
                counted_with=None if partner is None else f"{self.scenario.name}:{partner}-{i + 1:04d}",
                investor_type=types[type_of[i]],
                jurisdiction=places[place_of[i]],
                us_person=population.us_person,
                income_usd=int(incomes[i]),
                net_worth_usd=int(worths[i]),
                bands=population.bands,
                reg_cf_limit_cents=round(attested["reg_cf_limit_usd"][i] * 100) if "reg_cf_limit_usd" in attested else None,
                reg_a_limit_cents=round(attested["reg_a_limit_usd"][i] * 100) if "reg_a_limit_usd" in attested else None,
                verified=not bool(pending[i]),
            )
            participant = Participant(
                label=label,
                group=population.name,
                identity=identity,
                mode=mode,
                custody=self.system.custodians.get(custody) if custody else None,
                orders_per_day=population.orders_per_day,
                cash_cents=round(cash[i] * 100),
                subscription_cents=round(wants[i] * 100),
            )
            self.participants.append(self.world.participants.add(participant))
        if population.reg_cf_elsewhere_usd is not None:  # drawn last: other draws stay as they were
            bought = draw(population.reg_cf_elsewhere_usd, rng, n)
            for i in range(n):
                cents = round(bought[i] * 100)
                if cents > 0:
                    label = f"{population.name}-{i + 1:04d}"
                    self.elsewhere[label] = (cents, population.reg_cf_elsewhere_days_before_start)

    def onboard(self) -> None:
        """Open wallets, register identities, fund cash, open custody accounts (at t=0)."""
        chain, system = self.world.chain, self.system
        for p in self.participants:
            self.world.participants.onboarded(p, chain.new_account())
        for batch in chunks(self.participants, REGISTRATION_BATCH):
            system.registry.register_many([p.wallet for p in batch], [p.identity for p in batch], sender=system.agent)
        system.allow_cash([p.wallet for p in self.participants])
        self.record("onboard", investors=len(self.participants))
        self._record_purchases_elsewhere()
        for custody in system.custodians.values():
            clients = [p for p in self.participants if p.custody is custody]
            if custody.vault is not None and clients:
                for batch in chunks(clients, PAYMENT_BATCH):
                    custody.vault.openAccounts([p.wallet for p in batch], sender=custody.operator)
                self.custodians[custody.name].record("open_accounts", clients=len(clients))
        self._fund()
        trading = self.scenario.trading
        if trading is not None and trading.market_maker is not None:
            self._add_dealer(trading.market_maker.cash_usd)

    def _record_purchases_elsewhere(self) -> None:
        """The intermediary records what investors bought in other issuers' Reg CF offerings:
        the limit runs across all issuers (17 CFR 227.100(a)(2); 227.303(b)(1))."""
        if not self.elsewhere:
            return
        system, module = self.system, self.system.modules["investment-limit"]
        start = self.world.chain.now()
        by_label = {p.label: p for p in self.participants}
        for label, (cents, days) in self.elsewhere.items():
            identity = by_label[label].identity
            assert identity is not None
            module.recordPurchaseElsewhere(
                investor_id(identity.investor_id), start - days * DAY, cents, sender=system.issuer
            )
        self.record("purchases_elsewhere", investors=len(self.elsewhere),
                    cash_cents=sum(c for c, _ in self.elsewhere.values()))

    def _fund(self) -> None:
        """Give every participant its starting cash in the cash token."""
        system = self.system
        direct = [p for p in self.participants if p.mode != "omnibus" and p.cash_cents > 0]
        total = sum(p.cash_cents for p in self.participants)
        if total == 0:
            return
        system.cash.mint(system.cash_issuer, system.cash_units(total), sender=system.cash_issuer)
        for batch in chunks(direct, PAYMENT_BATCH):
            system.cash.batchTransfer(
                [p.wallet for p in batch], [system.cash_units(p.cash_cents) for p in batch], sender=system.cash_issuer
            )
        for p in direct:
            self.custodians.moved(p, "cash", system.cash_units(p.cash_cents))
        for custody in system.custodians.values():
            clients = [p for p in self.participants if p.custody is custody and p.mode == "omnibus" and p.cash_cents > 0]
            if clients and custody.vault is not None:
                amounts = [system.cash_units(p.cash_cents) for p in clients]
                system.cash.transfer(custody.vault, sum(amounts), sender=system.cash_issuer)
                for batch in chunks(clients, PAYMENT_BATCH):
                    custody.vault.allocateMany(
                        system.cash, [p.wallet for p in batch], [system.cash_units(p.cash_cents) for p in batch],
                        sender=custody.operator,
                    )
        self.record("fund", cash_cents=total, investors=len(self.participants))

    def _add_dealer(self, cash_usd: float) -> None:
        system = self.system
        identity = Identity(investor_id=f"{self.scenario.name}:dealer", investor_type="institutional")
        wallet = self.world.chain.new_account()
        system.registry.register(wallet, identity, sender=system.agent)
        system.allow_cash([wallet])
        dealer = Participant("dealer", "dealer", identity=identity, cash_cents=round(cash_usd * 100))
        self.world.participants.add(dealer)
        self.world.participants.onboarded(dealer, wallet)
        system.cash.mint(wallet, system.cash_units(dealer.cash_cents), sender=system.cash_issuer)
        self.dealer = dealer
        self.record("onboard_dealer", investor="dealer", cash_cents=dealer.cash_cents)

    # ------------------------------------------------------------------ holdings

    def shares_available(self, p: Participant) -> int:
        """Whole shares ``p`` can sell now (not on hold, frozen or reserved)."""
        system = self.system
        if p.mode == "omnibus":
            available, _ = p.custody.vault.positionOf(system.token, p.wallet)
            return available // system.token_unit
        return system.token.availableBalanceOf(p.wallet) // system.token_unit

    def shares_owned(self, p: Participant) -> int:
        """Token units ``p`` owns (held and reserved included)."""
        system = self.system
        if p.mode == "omnibus":
            return sum(p.custody.vault.positionOf(system.token, p.wallet))
        return system.token.balanceOf(p.wallet)

    def cash_available(self, p: Participant) -> int:
        """Cents ``p`` can spend now."""
        system = self.system
        if p.mode == "omnibus":
            available, _ = p.custody.vault.positionOf(system.cash, p.wallet)
            return system.cents(available)
        return system.cents(system.cash.availableBalanceOf(p.wallet))

    # ------------------------------------------------------------------- default

    def default(self, p: Participant) -> None:
        """``p`` stops paying (a ``participant_default``): no more orders or affirmations."""
        self.defaults.add(p)
        self.record("default", investor=p.label)

    def in_default(self, p: Participant) -> bool:
        return p in self.defaults

    def may_trade(self, p: Participant) -> bool:
        """Whether ``p`` places orders now: keys in hand, not in default, custodian working."""
        return p.active and p not in self.defaults and not self.custodians.failed(p)

    # ----------------------------------------------------------------- processes

    def subscribe(self):
        """Each subscriber subscribes once, at a random moment of the offering window."""
        offering = self.scenario.offering
        opens, closes = offering.opens_day * DAY, offering.closes_day * DAY
        subscribers = [p for p in self.participants if p.subscription_cents > 0]
        times = self.rng.uniform(opens, closes, size=len(subscribers))
        for at, p in sorted(zip(times, subscribers, strict=True), key=lambda pair: pair[0]):
            yield self.env.timeout(max(0.0, float(at) - self.env.now))
            self.issuer.take_subscription(p)

    def place_orders(self):
        """A Poisson stream of orders over all traders, each picked by its own rate."""
        trading = self.scenario.trading
        traders = [p for p in self.participants if p.orders_per_day > 0]
        if trading is None or not traders:
            return
        rates = np.array([p.orders_per_day for p in traders])
        total = float(rates.sum())
        # Cumulative weights: the draw below is numpy's ``choice(n, p=weights)`` (one uniform
        # looked up in the normalised cumulative sum) without rebuilding the sum every order.
        cdf = (rates / total).cumsum()
        cdf /= cdf[-1]
        start = trading.starts_day * DAY
        stop = (trading.stops_day * DAY) if trading.stops_day is not None else float("inf")
        if self.env.now < start:
            yield self.env.timeout(start - self.env.now)
        while True:
            yield self.env.timeout(float(self.rng.exponential(DAY / total)))
            if self.env.now >= stop:
                return
            trader = traders[int(cdf.searchsorted(self.rng.random(), side="right"))]
            if self.may_trade(trader):
                self._decide(trader, trading)

    def _decide(self, p: Participant, trading) -> None:
        venue = self.venue
        desk = venue.desk(p)
        if desk is None:
            return
        reference, shares, cash = desk
        shares -= venue.open_shares(p, "sell")
        cash -= venue.open_cash(p)
        sell = shares > 0 and (cash < reference or self.rng.random() < 0.5)
        if not sell and cash < reference:
            return
        noise = float(self.rng.normal(0.0, trading.limit_spread_pct / 100))
        limit = max(1, round(reference * (1 + noise)))
        wanted = max(1, int(draw(trading.order_size, self.rng, 1)[0]))
        if sell:
            venue.submit(p, "sell", min(wanted, shares), limit)
        else:
            affordable = cash // limit
            if affordable >= 1:
                venue.submit(p, "buy", min(wanted, affordable), limit)
