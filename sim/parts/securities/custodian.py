"""A custodian: omnibus or segregated accounts, books, and the daily reconciliation.

Omnibus: the custodian's ``CustodyVault`` is the holder of record; clients' positions are
its sub-ledger. The custodian affirms its clients' trades through the vault, books final
settlements into the sub-ledger, allocates distributions it receives per client, and
settles trades between two of its own clients internally (both legs in its books,
nothing on chain). Reconciliation compares the vault's ledger total with its on-chain
balance for the security and the cash token.

Segregated: each client holds in a wallet the custodian opened under the client's
investor id. The custodian keeps its own book of what each wallet should hold, updated as
it learns of movements (allocations, settlements, distributions); reconciliation compares
that book with the chain, wallet by wallet.

A difference is a break: recorded every day it lasts. A break the custodian can explain
(an unallocated inbound transfer, a court-ordered transfer out) it resolves after
investigating; the resolution is recorded too.

``Custodians`` is the lifecycle's register of its custodians: who acts for a client, which
vault an address is, and the movements a segregated custodian must book.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from sim.calendar import DAY, HOUR, day_start
from sim.engine.actor import Actor

if TYPE_CHECKING:
    from sim.engine.part import Part
    from sim.engine.world import Participant
    from sim.parts.securities.system import Custody, System


class CustodianActor(Actor):
    """One custodian (actor ``custodian:<name>``)."""

    def __init__(self, part: Part, system: System, custody: Custody, reconcile_hour: int) -> None:
        super().__init__(part, f"custodian:{custody.name}")
        self.system = system
        self.custody = custody
        self.reconcile_hour = reconcile_hour
        self.book_of: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.suspense: str | None = None

    @property
    def vault(self):
        return self.custody.vault

    def clients(self) -> list[Participant]:
        """The world's participants this custodian holds for, in the order they joined."""
        return [p for p in self.world.participants if p.custody is self.custody]

    # -------------------------------------------------------------------- books

    def moved(self, p: Participant, asset: str, units: int) -> None:
        """A segregated client's wallet gained (or lost) ``units`` of ``asset`` by our doing."""
        self.book_of[p.wallet][asset] += units

    def book(self, instruction_id: int) -> None:
        """Book a final DvP instruction of the vault into the sub-ledger."""
        self.act("book", lambda: self.vault.book(self.system.dvp, instruction_id, sender=self.custody.operator),
                 instruction=instruction_id)

    def credit_clients(self, token, credits: list[tuple[Participant, int]], why: str) -> None:
        """Allocate tokens the vault received for its clients (a distribution)."""
        self.act(
            "allocate",
            lambda: self.vault.allocateMany(token, [p.wallet for p, _ in credits], [x for _, x in credits],
                                            sender=self.custody.operator),
            clients=len(credits),
            reason=why,
        )

    def book_redemption(self, token) -> None:
        """Debit every client for the tokens burnt at maturity."""
        system = self.system
        clients = self.clients()
        positions = [(p, sum(self.vault.positionOf(token, p.wallet))) for p in clients]
        positions = [(p, x) for p, x in positions if x > 0]
        if positions:
            self.act(
                "book_outflow",
                lambda: self.vault.bookOutflow(system.token, [p.wallet for p, _ in positions], [x for _, x in positions],
                                               sender=self.custody.operator),
                clients=len(positions),
                reason="redemption",
            )

    def hold_unallocated(self, token, units: int) -> None:
        """Tokens that reached the vault but could not be credited to their client."""
        self.record("unallocated", token=token.symbol(), units=units)

    def settle_internally(self, trade: int, seller: Participant, buyer: Participant, shares: int, cash_cents: int) -> None:
        """A trade between two clients of this vault: both legs in the sub-ledger."""
        system = self.system
        operator = self.custody.operator
        units = shares * system.token_unit
        cash = system.cash_units(cash_cents)
        delivered = self.act(
            "settle_internal",
            lambda: self.vault.internalTransfer(system.token, seller.wallet, buyer.wallet, units, sender=operator),
            trade=trade, leg="securities", shares=shares,
        )
        if delivered:
            paid = self.act(
                "settle_internal",
                lambda: self.vault.internalTransfer(system.cash, buyer.wallet, seller.wallet, cash, sender=operator),
                trade=trade, leg="cash", cash_cents=cash_cents,
            )
            if not paid:  # give the securities back: both legs or neither
                self.act(
                    "settle_internal",
                    lambda: self.vault.internalTransfer(system.token, buyer.wallet, seller.wallet, units, sender=operator),
                    trade=trade, leg="securities-reversed", shares=shares,
                )

    # ---------------------------------------------------------- reconciliation

    def reconcile_daily(self):
        """Reconcile every day at the custodian's hour."""
        start = self.world.start
        first = day_start(start) + self.reconcile_hour * HOUR
        if first <= start:
            first += DAY
        yield self.env.timeout(first - self.world.now())
        while True:
            self.reconcile()
            yield self.env.timeout(DAY)

    def reconcile(self) -> None:
        system = self.system
        self.world.sync()
        if self.vault is not None:
            for token in (system.token, system.cash):
                ledger, on_chain = self.vault.reconcile(token)
                self._report(token, ledger, on_chain, wallets=None)
            return
        clients = self.clients()
        for asset, token in (("token", system.token), ("cash", system.cash)):
            expected = actual = 0
            breaks = 0
            for p in clients:
                book = self.book_of[p.wallet][asset]
                chain = token.balanceOf(p.wallet)
                expected += book
                actual += chain
                breaks += book != chain
            self._report(token, expected, actual, wallets=breaks)

    def _report(self, token, ledger: int, on_chain: int, wallets: int | None) -> None:
        fields = {"token": token.symbol(), "ledger": ledger, "on_chain": on_chain, "difference": on_chain - ledger}
        if wallets is not None:
            fields["wallets_with_breaks"] = wallets
        self.record("reconcile", "ok" if ledger == on_chain and not wallets else "break", **fields)

    # -------------------------------------------------------------------- faults

    def resolve_unallocated(self, token, units: int) -> None:
        """Credit an unexplained inbound amount to the custodian's suspense account."""
        if self.suspense is None:
            self.suspense = self.custody.operator
            self.act("open_suspense", lambda: self.vault.openAccount(self.suspense, sender=self.custody.operator))
        self.act(
            "resolve_break",
            lambda: self.vault.allocate(token, self.suspense, units, sender=self.custody.operator),
            token=token.symbol(),
            units=units,
            reason="unallocated inbound credited to suspense",
        )

    def resolve_outflow(self, client: Participant, units: int) -> None:
        """Debit the client a court-ordered transfer concerned."""
        system = self.system
        self.act(
            "resolve_break",
            lambda: self.vault.bookOutflow(system.token, [client.wallet], [units], sender=self.custody.operator),
            investor=client.label,
            units=units,
            reason="court-ordered transfer booked against the client",
        )


class Custodians:
    """The lifecycle's custodians by name, and what the other actors ask of them."""

    def __init__(self, actors: list[CustodianActor]) -> None:
        self._by_name = {actor.custody.name: actor for actor in actors}

    def __getitem__(self, name: str) -> CustodianActor:
        return self._by_name[name]

    def __iter__(self) -> Iterator[CustodianActor]:
        return iter(self._by_name.values())

    def of(self, p: Participant) -> CustodianActor:
        """The custodian of ``p`` (who affirms, books and settles internally for it)."""
        return self._by_name[p.custody.name]

    def moved(self, p: Participant, asset: str, units: int) -> None:
        """A movement of ``p``'s wallet the system made; a segregated custodian books it."""
        if p.mode == "segregated":
            self._by_name[p.custody.name].moved(p, asset, units)

    def vault_of(self, address: str) -> CustodianActor | None:
        """The custodian whose vault is ``address``, if any."""
        return next((c for c in self._by_name.values() if c.vault is not None and c.vault.address == address), None)

    def label_of(self, address: str) -> str:
        """``custodian:<name>`` for a vault's address, else the address."""
        custodian = self.vault_of(address)
        return custodian.name if custodian is not None else address
