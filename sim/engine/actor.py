"""Actors: who acts in a part, each with its own name, random stream and record.

An actor is a noun (``Issuer``, ``MarginDesk``); its SimPy processes are verb phrases
(``run_offering``, ``check_accounts``). It belongs to one part and acts on the chain only
through contract handles. Each act happens at the simulated time of the process that does
it: ``act`` moves the chain's clock there first, runs the call and records the outcome; a
contract refusal becomes a ``refused`` record with the restriction code, the reason and
the error's name, never an exception that stops the run::

    outcome = self.act("mint", lambda: token.mint(wallet, 100, sender=agent), investor=label)
    if outcome:                     # went through; outcome.value is the receipt
        ...
    receipt, refused = outcome      # or unpack: refused is the typed revert, or None

What a subclass gives: ``name`` (its record's ``actor`` and the name of its random stream)
and its processes; it receives its collaborators from its part (explicitly, at
construction), never from attributes of an engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from sim.errors import ContractRevert, CustomError, Error, Panic, TransferRestricted

if TYPE_CHECKING:
    from sim.engine.part import Part

T = TypeVar("T")

REASONS = {
    "OracleStalePrice": "Oracle price is stale",
    "OracleNoPrice": "No oracle price",
    "VaultInsufficientPosition": "Client position in custody too small",
    "VaultNotClient": "Not a client of the custodian",
    "DvPDeadlinePassed": "Settlement deadline passed",
    "DvPNotAffirmed": "Instruction not affirmed by both parties",
    "TokenRecoveryWithHolds": "Wallet has tokens on hold for a pending settlement",
    "TokenRecoveryInvestorMismatch": "New wallet belongs to another investor",
    "CashNotAllowListed": "Account not on the cash token's allow-list",
}
"""Plain-language reasons for refusals that carry no ERC-1404 code."""


def describe(error: ContractRevert) -> dict[str, Any]:
    """The fields a refusal record carries: ``code`` (if any), ``reason``, ``error``."""
    if isinstance(error, TransferRestricted):
        return {"code": error.code, "reason": error.message, "error": type(error).__name__}
    if isinstance(error, CustomError):
        name = type(error).__name__
        words = re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()
        return {"reason": REASONS.get(name, words.capitalize()), "error": name}
    if isinstance(error, Error):
        return {"reason": error.reason, "error": "Error"}
    if isinstance(error, Panic):
        return {"reason": f"Panic: {error.meaning}", "error": "Panic"}
    return {"reason": str(error), "error": type(error).__name__}


class Outcome(NamedTuple, Generic[T]):
    """What an act came to: its ``value`` (a receipt, a call's result) or the ``refused``
    typed revert. True when it went through; unpacks as ``(value, refused)``."""

    value: T | None
    refused: ContractRevert | None = None

    @property
    def ok(self) -> bool:
        return self.refused is None

    def __bool__(self) -> bool:
        return self.refused is None


def chunks(items: list, size: int):
    """``items`` in consecutive slices of at most ``size`` (one transaction each)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Actor:
    """Base of the actors (see the module's docstring).

    Args:
        part: the part the actor belongs to (its records go to that part's metrics).
        name: overrides the class's ``name`` (one actor per custodian, say).
    """

    name: str = "actor"

    def __init__(self, part: Part, name: str | None = None) -> None:
        if name is not None:
            self.name = name
        self.part = part
        self.world = part.world
        self.env = part.world.env
        self.rng = part.world.rng(self.name)

    def record(self, act: str, outcome: str = "ok", *, by: str | None = None, **fields: Any) -> dict[str, Any]:
        """Write one record of this actor (or of ``by``, a participant it acts for)."""
        return self.part.record(by or self.name, act, outcome, **fields)

    def act(self, act: str, call: Callable[[], T], *, by: str | None = None, **fields: Any) -> Outcome[T]:
        """Run a chain call now; record it as ``ok`` or ``refused`` (as ``by`` when given)."""
        self.world.sync()
        try:
            value = call()
        except ContractRevert as refused:
            self.record(act, "refused", by=by, **describe(refused), **fields)
            return Outcome(None, refused)
        self.record(act, by=by, **fields)
        return Outcome(value)

    def refused(self, act: str, error: ContractRevert, *, by: str | None = None, **fields: Any) -> None:
        """Record a refusal found some other way (a read that reverted)."""
        self.record(act, "refused", by=by, **describe(error), **fields)

    def quietly(self, call: Callable[[], T]) -> Outcome[T]:
        """Run a chain call now without recording it."""
        self.world.sync()
        try:
            return Outcome(call())
        except ContractRevert as refused:
            return Outcome(None, refused)


__all__ = ["Actor", "Outcome", "REASONS", "chunks", "describe"]
