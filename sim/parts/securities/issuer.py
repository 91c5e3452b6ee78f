"""The issuer: offering, allocation, distributions, redemption.

Offering: during the window the issuer takes subscriptions. Each is screened on chain
first (``recipientRestriction`` of the beneficial owner: verified, jurisdiction,
accreditation) and committed: a self- or segregated-custody subscriber approves the issuer
for the amount, an omnibus client's custodian checks the client's cash. At the close the
issuer allocates: everything asked if the offering is not oversubscribed, else pro rata
(largest remainders get the odd shares) or first come, first served. Each allocation is
then delivered by the transfer agent's mint, which the token's compliance checks (the 36th
non-accredited purchaser of a 506(b) offering is refused here), and paid: the issuer
pulls the cash, or the custodian pays from the client's ledger. A refused mint takes no
money; a payment that fails has its shares burnt back.

Distributions: on each record date the issuer reads the holders of record on chain (for
an omnibus vault, the custodian's sub-ledger splits it per client) and pays on the payment
date in the cash token, one batch transfer. A bond pays coupons on its schedule and, at
maturity, its face value against the burning of every token: supply ends at zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from sim.calendar import DAY, add_months, iso
from sim.chain.reverts import decode_revert
from sim.contracts import Restriction
from sim.engine.actor import Actor, chunks, describe
from sim.parts.securities.investors import PAYMENT_BATCH

if TYPE_CHECKING:
    from sim.engine.part import Part
    from sim.engine.world import Participant
    from sim.parts.securities.custodian import Custodians
    from sim.parts.securities.investors import Investors
    from sim.parts.securities.system import System
    from sim.report.holders import HolderIndex
    from sim.scenario import Scenario


@dataclass
class Subscription:
    participant: Participant
    shares: int


def allocate(requests: list[tuple[str, int]], offered: int, method: str) -> dict[str, int]:
    """Shares for each ``(label, requested)`` subscription, in subscription order.

    Not oversubscribed: everyone gets what they asked. Oversubscribed, ``pro_rata``: each
    gets ``requested * offered // total`` and the shares left go one each to the largest
    remainders (earlier subscriptions first among equal remainders), so exactly
    ``offered`` shares are allocated and nobody gets more than asked; ``first_come``:
    subscriptions are filled in order until the shares run out.
    """
    total = sum(shares for _, shares in requests)
    if total <= offered:
        return {label: shares for label, shares in requests}
    allocations: dict[str, int] = {}
    if method == "first_come":
        left = offered
        for label, shares in requests:
            allocations[label] = min(shares, left)
            left -= allocations[label]
        return allocations
    remainders = []
    for order, (label, shares) in enumerate(requests):
        exact = shares * offered
        allocations[label] = exact // total
        remainders.append((-(exact % total), order, label))
    left = offered - sum(allocations.values())
    for _, _, label in sorted(remainders)[:left]:
        allocations[label] += 1
    return allocations


class Issuer(Actor):
    """The issuer and its transfer agent (actor ``issuer``).

    Args:
        part: the securities lifecycle.
        system: its contracts.
        investors: the investors (their cash, the dealer).
        custodians: who pays and books for custody clients.
        holders: the index of holders of record (for distributions).
    """

    name = "issuer"

    def __init__(
        self, part: Part, system: System, scenario: Scenario, investors: Investors, custodians: Custodians,
        holders: HolderIndex,
    ) -> None:
        super().__init__(part)
        self.system = system
        self.scenario = scenario
        self.investors = investors
        self.custodians = custodians
        self.holder_index = holders
        self.offering = scenario.offering
        self.price_cents = round(self.offering.price * 100)
        self.subscriptions: list[Subscription] = []
        self.closed = False
        self.on_maturity: list[Callable[[str], None]] = []
        """Called with the reason before a bond's redemption (open settlements end first)."""

    # ------------------------------------------------------------------ offering

    def take_subscription(self, p: Participant) -> None:
        system = self.system
        shares = p.subscription_cents // self.price_cents
        fields = {"investor": p.label, "shares": shares}
        if self.closed or shares == 0:
            self.record("subscribe", "refused", reason="Offering closed" if self.closed else "Below one share", **fields)
            return
        (code, reason), _ = self.quietly(lambda: system.token.recipientRestriction(p.wallet))
        if code != Restriction.SUCCESS:
            self.record("subscribe", "refused", **describe(decode_revert(reason)), **fields)
            return
        affordable = self.investors.cash_available(p) // self.price_cents
        shares = min(shares, affordable)
        if shares == 0:
            self.record("subscribe", "refused", reason="Insufficient cash", investor=p.label, shares=0)
            return
        cost = system.cash_units(shares * self.price_cents)
        if p.mode != "omnibus":
            committed = self.act(
                "subscribe",
                lambda: system.cash.approve(system.issuer, cost, sender=p.wallet),
                investor=p.label,
                shares=shares,
                cash_cents=shares * self.price_cents,
            )
            if not committed:
                return
        else:
            self.record("subscribe", investor=p.label, shares=shares, cash_cents=shares * self.price_cents)
        self.subscriptions.append(Subscription(p, shares))

    def run_offering(self):
        """Close the offering on its day: allocate, mint, collect; place the dealer's inventory."""
        yield self.env.timeout(self.offering.closes_day * DAY - self.env.now)
        self.closed = True
        self._record_distribution()
        allocations = self.allocate()
        self.record(
            "allocate",
            subscriptions=len(self.subscriptions),
            requested_shares=sum(s.shares for s in self.subscriptions),
            allocated_shares=sum(allocations.values()),
            offered_shares=self.offering.shares,
        )
        for subscription in self.subscriptions:
            shares = allocations.get(subscription.participant.label, 0)
            if shares > 0:
                self._deliver(subscription.participant, shares)
        self._place_dealer_inventory()

    def _record_distribution(self) -> None:
        """Reg S: the distribution compliance period runs from the later of the first offer
        (the offering's opening) and the closing (17 CFR 230.902(f)): recorded at the close,
        before the allocations are minted."""
        lockup = self.system.modules.get("lockup")
        if lockup is None or lockup.mode() != 1:
            return
        system, now = self.system, self.world.now()
        first = now - round((self.offering.closes_day - self.offering.opens_day) * DAY)
        self.act("record_distribution", lambda: lockup.recordDistribution(first, now, sender=system.issuer),
                 first_offer=iso(first), closing=iso(now))

    def allocate(self) -> dict[str, int]:
        """Shares per subscriber label (pro rata or first come when oversubscribed)."""
        requests = [(s.participant.label, s.shares) for s in self.subscriptions]
        return allocate(requests, self.offering.shares, self.offering.allocation)

    def _deliver(self, p: Participant, shares: int) -> None:
        system = self.system
        units = shares * system.token_unit
        cents = shares * self.price_cents
        cost = system.cash_units(cents)
        fields = {"investor": p.label, "shares": shares, "cash_cents": cents}
        if p.mode == "omnibus":
            vault, operator = p.custody.vault, p.custody.operator
            if not self.act("mint", lambda: system.token.mint(vault, units, sender=system.agent), **fields):
                return
            paid = self.act("payment", lambda: vault.withdraw(system.cash, p.wallet, system.issuer, cost, sender=operator), **fields)
            if not paid:
                self.act("burn", lambda: system.token.burn(vault, units, sender=system.agent), investor=p.label, shares=shares)
                return
            booked = self.custodians.of(p).act(
                "allocate", lambda: vault.allocate(system.token, p.wallet, units, sender=operator), investor=p.label, shares=shares
            )
            if not booked:
                self.custodians.of(p).hold_unallocated(system.token, units)
            return
        if not self.act("mint", lambda: system.token.mint(p.wallet, units, sender=system.agent), **fields):
            return
        paid = self.act(
            "payment", lambda: system.cash.transferFrom(p.wallet, system.issuer, cost, sender=system.issuer), **fields
        )
        if not paid:
            self.act("burn", lambda: system.token.burn(p.wallet, units, sender=system.agent), investor=p.label, shares=shares)
            return
        self.custodians.moved(p, "token", units)
        self.custodians.moved(p, "cash", -cost)

    def _place_dealer_inventory(self) -> None:
        trading = self.scenario.trading
        dealer = self.investors.dealer
        if trading is None or trading.market_maker is None or dealer is None:
            return
        system = self.system
        shares = trading.market_maker.shares
        self.act(
            "mint",
            lambda: system.token.mint(dealer.wallet, shares * system.token_unit, sender=system.agent),
            investor="dealer",
            shares=shares,
        )

    # ------------------------------------------------------------- distributions

    def holders(self) -> list[tuple[str, int, Participant | None]]:
        """Holders of record now: (account, token units, participant, None for a vault or other).

        From the holder index; every account that holds is listed, known or not (a court's
        receiver, a lost wallet), so distributions reach every holder of record.
        """
        by_wallet = self.world.participants.by_wallet
        return [(account, balance, by_wallet(account)) for account, balance in self.holder_index.holders()]

    def pay_dividends(self):
        """Dividends every few months: record date, then payment after the lag."""
        dividends = self.scenario.dividends
        if dividends is None:
            return
        per_share_cents = round(dividends.per_share * 100)
        first = self.world.start + dividends.first_record_day * DAY
        yield from self._distribution_schedule(
            first, dividends.every_months, dividends.payment_lag_days, per_share_cents, "dividend", None
        )

    def pay_coupons_and_redeem(self):
        """A bond's coupons on schedule, then redemption at maturity."""
        bond = self.scenario.security.bond
        if bond is None:
            return
        face_cents = round(bond.face_value * 100)
        coupon_cents = Fraction(face_cents) * Fraction(str(bond.coupon_rate_pct)) * bond.coupon_every_months / 1200
        maturity = self.world.start + bond.maturity_day * DAY
        first_payment = add_months(self.world.start, bond.coupon_every_months)
        yield from self._distribution_schedule(
            first_payment - bond.record_lag_days * DAY,
            bond.coupon_every_months,
            bond.record_lag_days,
            coupon_cents,
            "coupon",
            maturity,
        )
        yield self.env.timeout(max(0.0, maturity - self.world.now()))
        self._redeem(face_cents)

    def _distribution_schedule(self, first_record: int, every_months: int, lag_days: int, per_share_cents, act: str, until):
        end = self.world.start + int(self.scenario.duration_days * DAY)
        k = 0
        while True:
            record_date = add_months(first_record, every_months * k) if k else first_record
            payment = record_date + lag_days * DAY
            if payment >= end or (until is not None and payment > until):
                return
            yield self.env.timeout(max(0.0, record_date - self.world.now()))
            entitlements = self._entitlements(per_share_cents)
            self.record(f"{act}_record_date", holders=len(entitlements))
            yield self.env.timeout(max(0.0, payment - self.world.now()))
            self._pay(entitlements, act)
            k += 1

    def _entitlements(self, per_share_cents) -> list[tuple[str, int, list[tuple[Participant, int]]]]:
        """Per holder of record: (account, cents, per-client split for a vault)."""
        system = self.system
        unit = system.token_unit
        result = []
        for account, balance, p in self.holders():
            custody = next((c for c in system.custodians.values() if c.vault is not None and c.vault.address == account), None)
            if custody is None:
                result.append((account, int(balance * per_share_cents // unit), []))
                continue
            split = []
            for client in self.investors.participants:
                if client.custody is custody:
                    owned = sum(custody.vault.positionOf(system.token, client.wallet))
                    if owned > 0:
                        split.append((client, int(owned * per_share_cents // unit)))
            result.append((account, sum(c for _, c in split), split))
        return result

    def _pay(self, entitlements, act: str) -> None:
        system = self.system
        payees = [(account, cents, split) for account, cents, split in entitlements if cents > 0]
        total = sum(cents for _, cents, _ in payees)
        if total == 0:
            return
        self.world.sync()
        system.cash.mint(system.issuer, system.cash_units(total), sender=system.cash_issuer)
        for batch in chunks(payees, PAYMENT_BATCH):
            paid = self.act(
                act,
                lambda batch=batch: system.cash.batchTransfer(
                    [a for a, _, _ in batch], [system.cash_units(c) for _, c, _ in batch], sender=system.issuer
                ),
                holders=len(batch),
                cash_cents=sum(c for _, c, _ in batch),
            )
            if not paid:
                return
        for account, cents, split in payees:
            holder = self.world.participants.by_wallet(account)
            if holder is not None:
                self.custodians.moved(holder, "cash", system.cash_units(cents))
            elif split:
                custody = split[0][0].custody
                self.custodians[custody.name].credit_clients(
                    system.cash, [(c, system.cash_units(x)) for c, x in split if x > 0], act
                )

    def _redeem(self, face_cents: int) -> None:
        """Pay face value for every token and burn them all."""
        system = self.system
        for listener in self.on_maturity:
            listener("bond matured")
        entitlements = self._entitlements(face_cents)
        holders = self.holders()
        self._pay(entitlements, "redemption")
        for batch in chunks(holders, PAYMENT_BATCH):
            burnt = self.act(
                "burn_at_maturity",
                lambda batch=batch: system.token.batchBurn(
                    [a for a, _, _ in batch], [b for _, b, _ in batch], sender=system.agent
                ),
                holders=len(batch),
                shares=sum(b for _, b, _ in batch) // system.token_unit,
            )
            if not burnt:
                return
        for account, balance, p in holders:
            if p is not None:
                self.custodians.moved(p, "token", -balance)
                continue
            custody = next((c for c in system.custodians.values() if c.vault is not None and c.vault.address == account), None)
            if custody is not None:
                self.custodians[custody.name].book_redemption(system.token)
