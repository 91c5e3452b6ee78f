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

A custodian can fail (a ``custodian_failure``): it records its books as they stand
(``failure``) and stops: no affirmation, booking, allocation or reconciliation; what it
would have done on the vault is recorded ``withheld`` and left to its trustee. After the
recovery delay a ``Trustee`` takes over the vault (the vault's admin grants it the
operator role), does what the custodian left undone, returns each client's cash to the
client's wallet (``withdraw``), has the issuer's agent move each client's tokens out of the
vault to that wallet (``forcedTransfer`` without override: the token's rules still run,
and a transfer they refuse, a locked lot, is tried again every day) and books each such
outflow against the client (``bookOutflow``). A client whose position is out holds its
tokens itself from then on (``self_custody``); the trustee's last ``reconcile`` shows what
is left in the vault.

``Custodians`` is the lifecycle's register of its custodians: who acts for a client, which
vault an address is, and the movements a segregated custodian must book.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from sim.calendar import DAY, HOUR, day_start
from sim.contracts.custody import OPERATOR_ROLE
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
        self.failed = False
        self.backlog: list[tuple[str, Callable[[str], Any], dict[str, Any]]] = []
        """What the custodian could not do on its vault once failed: (act, call of an
        operator account, fields), for its trustee."""
        self.trustee: Trustee | None = None

    @property
    def vault(self):
        return self.custody.vault

    def clients(self) -> list[Participant]:
        """The world's participants this custodian holds for, in the order they joined."""
        return [p for p in self.world.participants if p.custody is self.custody]

    def _operate(self, act: str, call: Callable[[str], Any], **fields: Any) -> bool:
        """``call(operator)`` on the vault as the custodian's operations desk, recorded as
        ``act``; once the custodian has failed nothing is done: the act is recorded
        ``withheld`` and left to the trustee (``backlog``), or done by the trustee at once
        when it has taken over."""
        if self.failed and self.trustee is not None:
            account = self.trustee.account
            return bool(self.trustee.act(act, lambda: call(account), **fields))
        if self.failed:
            self.backlog.append((act, call, fields))
            self.record(act, "withheld", reason="Custodian failed", **fields)
            return False
        return bool(self.act(act, lambda: call(self.custody.operator), **fields))

    # -------------------------------------------------------------------- books

    def moved(self, p: Participant, asset: str, units: int) -> None:
        """A segregated client's wallet gained (or lost) ``units`` of ``asset`` by our doing."""
        self.book_of[p.wallet][asset] += units

    def book(self, instruction_id: int) -> None:
        """Book a final DvP instruction of the vault into the sub-ledger."""
        dvp = self.system.dvp
        self._operate("book", lambda operator: self.vault.book(dvp, instruction_id, sender=operator),
                      instruction=instruction_id)

    def credit_clients(self, token, credits: list[tuple[Participant, int]], why: str) -> None:
        """Allocate tokens the vault received for its clients (a distribution)."""
        self._operate(
            "allocate",
            lambda operator: self.vault.allocateMany(token, [p.wallet for p, _ in credits], [x for _, x in credits],
                                                     sender=operator),
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
            self._operate(
                "book_outflow",
                lambda operator: self.vault.bookOutflow(system.token, [p.wallet for p, _ in positions],
                                                        [x for _, x in positions], sender=operator),
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
        while not self.failed:
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
            self.suspense = suspense = self.custody.operator
            self._operate("open_suspense", lambda operator: self.vault.openAccount(suspense, sender=operator))
        suspense = self.suspense
        self._operate(
            "resolve_break",
            lambda operator: self.vault.allocate(token, suspense, units, sender=operator),
            token=token.symbol(),
            units=units,
            reason="unallocated inbound credited to suspense",
        )

    def resolve_outflow(self, client: Participant, units: int) -> None:
        """Debit the client a court-ordered transfer concerned."""
        system = self.system
        self._operate(
            "resolve_break",
            lambda operator: self.vault.bookOutflow(system.token, [client.wallet], [units], sender=operator),
            investor=client.label,
            units=units,
            reason="court-ordered transfer booked against the client",
        )

    def fail(self) -> None:
        """The custodian stops (a ``custodian_failure``), recording its clients' positions as
        its books stand: whole tokens and cash cents, available and reserved together."""
        system = self.system
        self.failed = True
        self.world.sync()
        positions = {
            p.label: {"tokens": sum(self.vault.positionOf(system.token, p.wallet)) // system.token_unit,
                      "cash_cents": system.cents(sum(self.vault.positionOf(system.cash, p.wallet)))}
            for p in self.clients()
        }
        self.record("failure", clients=len(positions), positions=positions)


class Trustee(Actor):
    """The trustee of a failed custodian (actor ``trustee:<name>``): it takes over the vault
    and gives each client back what the sub-ledger says it owns (see the module's docstring).

    Args:
        part: the securities lifecycle.
        system: its contracts (the issuer's agent moves the tokens out).
        custodian: the failed custodian.
    """

    def __init__(self, part: Part, system: System, custodian: CustodianActor) -> None:
        super().__init__(part, f"trustee:{custodian.custody.name}")
        self.system = system
        self.custodian = custodian
        self.account = ""
        self._unbooked: dict[Participant, int] = {}  # tokens moved out for a client, not yet booked

    @property
    def vault(self):
        return self.custodian.vault

    def recover(self) -> Iterator[Any]:
        """Take over the vault, catch up its books, return cash and tokens, retrying daily
        what the token's rules refuse; then reconcile what is left."""
        system, custodian, vault = self.system, self.custodian, self.vault
        name = custodian.custody.name
        self.account = account = self.world.chain.new_account()
        if not self.act("appoint_trustee", lambda: vault.grantRole(OPERATOR_ROLE, account, sender=custodian.custody.operator),
                        custodian=name):
            return
        custodian.trustee = self
        backlog, custodian.backlog = custodian.backlog, []
        for act, call, fields in backlog:
            self.act(act, lambda call=call: call(account), **fields)
        if custodian.suspense is not None:
            self._withdraw_suspense(custodian.suspense)
        in_vault = {p: True for p in custodian.clients()}  # client -> its tokens are still in the vault
        while in_vault:
            for p in list(in_vault):
                cash_out = self._return_cash(p)  # again each day: a distribution may have come in
                if in_vault[p] and self._recover_tokens(p):
                    in_vault[p] = False
                    p.mode, p.custody = "self", None  # its wallet holds and settles for it from now on
                    self.record("self_custody", investor=p.label)
                if not in_vault[p] and cash_out:
                    del in_vault[p]
            if in_vault:
                yield self.env.timeout(DAY)
        for token in (system.token, system.cash):
            ledger, on_chain = vault.reconcile(token)
            self.record("reconcile", "ok" if ledger == on_chain else "break", token=token.symbol(), ledger=ledger,
                        on_chain=on_chain, difference=on_chain - ledger)

    def _return_cash(self, p: Participant) -> bool:
        """The client's cash, out of the vault to its wallet (True once nothing is left)."""
        system, vault, account = self.system, self.vault, self.account
        available, _ = vault.positionOf(system.cash, p.wallet)
        if available == 0:
            return True
        return bool(self.act("return_cash", lambda: vault.withdraw(system.cash, p.wallet, p.wallet, available, sender=account),
                             investor=p.label, cash_cents=system.cents(available)))

    def _recover_tokens(self, p: Participant) -> bool:
        """The issuer's agent moves the client's tokens from the vault to its wallet (the
        token's rules run); the trustee books the outflow. True once nothing is left."""
        system, vault, account = self.system, self.vault, self.account
        units = self._unbooked.get(p, 0)
        if not units:  # (tokens already moved are only booked: never moved twice)
            units, _ = vault.positionOf(system.token, p.wallet)
            if units == 0:
                return True
            moved = self.act("recover_tokens",
                             lambda: system.token.forcedTransfer(vault, p.wallet, units, False, sender=system.agent),
                             investor=p.label, shares=units // system.token_unit)
            if not moved:
                return False
            self._unbooked[p] = units
        if not self.act("book_outflow", lambda: vault.bookOutflow(system.token, [p.wallet], [units], sender=account),
                        investor=p.label, shares=units // system.token_unit, reason="recovered to the client's wallet"):
            return False
        del self._unbooked[p]
        return True

    def _withdraw_suspense(self, suspense: str) -> None:
        """What the custodian's suspense account holds leaves the vault for the trustee's
        own account, to be held for whoever proves a claim to it."""
        vault, account = self.vault, self.account
        for token in (self.system.token, self.system.cash):
            available, _ = vault.positionOf(token, suspense)
            if available:
                self.act("withdraw_suspense",
                         lambda token=token, amount=available: vault.withdraw(token, suspense, account, amount, sender=account),
                         token=token.symbol(), units=available)


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

    def failed(self, p: Participant) -> bool:
        """Whether ``p``'s custodian has failed (and ``p`` is still its client)."""
        return p.custody is not None and self._by_name[p.custody.name].failed

    def vault_of(self, address: str) -> CustodianActor | None:
        """The custodian whose vault is ``address``, if any."""
        return next((c for c in self._by_name.values() if c.vault is not None and c.vault.address == address), None)

    def label_of(self, address: str) -> str:
        """``custodian:<name>`` for a vault's address, else the address."""
        custodian = self.vault_of(address)
        return custodian.name if custodian is not None else address
