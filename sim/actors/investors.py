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
trader's own Poisson stream, so one process serves any number of investors).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.actors.base import Actor
from sim.calendar import DAY
from sim.contracts import Identity
from sim.scenario.models import Distribution, Fixed, LogNormal, Population

if TYPE_CHECKING:
    from sim.engine.simulation import Simulation
    from sim.engine.system import Custody

REGISTRATION_BATCH = 100
PAYMENT_BATCH = 200
"""Recipients per batch transfer: a transaction stays far under its 30M gas."""


def chunks(items: list, size: int):
    """``items`` in consecutive slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def draw(dist: Distribution, rng: np.random.Generator, size: int) -> np.ndarray:
    """``size`` draws from a scenario distribution (never negative)."""
    if isinstance(dist, Fixed):
        return np.full(size, dist.value, dtype=float)
    if isinstance(dist, LogNormal):
        return np.maximum(0.0, rng.lognormal(mean=np.log(dist.median), sigma=dist.sigma, size=size))
    return rng.uniform(dist.low, dist.high, size=size)


@dataclass
class Participant:
    """An investor of the run (or the dealer)."""

    label: str
    population: str
    identity: Identity
    wallet: str
    mode: str
    custody: Custody | None = None
    orders_per_day: float = 0.0
    cash_cents: int = 0
    subscription_cents: int = 0
    active: bool = True
    lost_wallets: list[str] = field(default_factory=list)

    @property
    def party(self) -> str:
        """The on-chain account that holds for it and is party to its settlements."""
        if self.mode == "omnibus":
            assert self.custody is not None and self.custody.vault is not None
            return self.custody.vault.address
        return self.wallet


class Investors(Actor):
    """All participants of the run, and their own processes."""

    name = "investors"

    def __init__(self, sim: Simulation) -> None:
        super().__init__(sim)
        self.participants: list[Participant] = []
        self.by_wallet: dict[str, Participant] = {}
        self.dealer: Participant | None = None
        for population in sim.scenario.investors:
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
        custody = None if population.custody == "self" else population.custody
        mode = "self" if custody is None else next(c.mode for c in self.sim.scenario.custodians if c.name == custody)
        for i in range(n):
            label = f"{population.name}-{i + 1:04d}"
            identity = Identity(
                investor_id=f"{self.sim.scenario.name}:{label}",
                investor_type=types[type_of[i]],
                jurisdiction=places[place_of[i]],
                us_person=population.us_person,
                income_usd=int(incomes[i]),
                net_worth_usd=int(worths[i]),
                verified=not bool(pending[i]),
            )
            self.participants.append(
                Participant(
                    label=label,
                    population=population.name,
                    identity=identity,
                    wallet="",
                    mode=mode,
                    custody=self.system.custodians.get(custody) if custody else None,
                    orders_per_day=population.orders_per_day,
                    cash_cents=round(cash[i] * 100),
                    subscription_cents=round(wants[i] * 100),
                )
            )

    def onboard(self) -> None:
        """Open wallets, register identities, fund cash, open custody accounts (at t=0)."""
        chain, system = self.sim.chain, self.system
        for p in self.participants:
            p.wallet = chain.new_account()
            self.by_wallet[p.wallet] = p
        for batch in chunks(self.participants, REGISTRATION_BATCH):
            system.registry.register_many([p.wallet for p in batch], [p.identity for p in batch], sender=system.agent)
        system.allow_cash([p.wallet for p in self.participants])
        self.record("onboard", investors=len(self.participants))
        for custody in system.custodians.values():
            clients = [p for p in self.participants if p.custody is custody]
            if custody.vault is not None and clients:
                for batch in chunks(clients, PAYMENT_BATCH):
                    custody.vault.openAccounts([p.wallet for p in batch], sender=custody.operator)
                self.sim.record_as(f"custodian:{custody.name}", "open_accounts", clients=len(clients))
        self._fund()
        trading = self.sim.scenario.trading
        if trading is not None and trading.market_maker is not None:
            self._add_dealer(trading.market_maker.cash_usd)

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
            self.sim.notify_moved(p, "cash", system.cash_units(p.cash_cents))
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
        identity = Identity(investor_id=f"{self.sim.scenario.name}:dealer", investor_type="institutional")
        wallet = self.sim.chain.new_account()
        system.registry.register(wallet, identity, sender=system.agent)
        system.allow_cash([wallet])
        dealer = Participant("dealer", "dealer", identity, wallet, "self", cash_cents=round(cash_usd * 100))
        system.cash.mint(wallet, system.cash_units(dealer.cash_cents), sender=system.cash_issuer)
        self.dealer = dealer
        self.by_wallet[wallet] = dealer
        self.record("onboard_dealer", investor="dealer", cash_cents=dealer.cash_cents)

    def rewallet(self, p: Participant, new_wallet: str) -> None:
        """After a recovery: ``p`` acts from ``new_wallet`` from now on."""
        p.lost_wallets.append(p.wallet)
        self.by_wallet[new_wallet] = p
        p.wallet = new_wallet

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

    # ----------------------------------------------------------------- processes

    def subscribe(self):
        """Each subscriber subscribes once, at a random moment of the offering window."""
        offering = self.sim.scenario.offering
        opens, closes = offering.opens_day * DAY, offering.closes_day * DAY
        subscribers = [p for p in self.participants if p.subscription_cents > 0]
        times = self.rng.uniform(opens, closes, size=len(subscribers))
        for at, p in sorted(zip(times, subscribers, strict=True), key=lambda pair: pair[0]):
            yield self.env.timeout(max(0.0, float(at) - self.env.now))
            self.sim.issuer.take_subscription(p)

    def place_orders(self):
        """A Poisson stream of orders over all traders, each picked by its own rate."""
        trading = self.sim.scenario.trading
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
            if trader.active:
                self._decide(trader, trading)

    def _decide(self, p: Participant, trading) -> None:
        venue = self.sim.venue
        reference = venue.reference_price(p)
        if reference is None:
            return
        shares = self.shares_available(p) - venue.open_shares(p, "sell")
        cash = self.cash_available(p) - venue.open_cash(p)
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
