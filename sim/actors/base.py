"""What every actor shares: a name, its own random stream, the recorder, the clock.

An actor is a noun (``Issuer``, ``Venue``); its SimPy processes are verb phrases
(``run_offering``, ``settle_cycles``). Each act on the chain happens at the simulated
time of the process that does it: ``act`` moves the chain's clock there first, runs the
call, and records the outcome; a contract refusal becomes a ``refused`` record with the
restriction code and message, never an exception that stops the run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from sim.errors import ContractRevert, CustomError, Error, Panic, TransferRestricted

if TYPE_CHECKING:
    from sim.engine.simulation import Simulation

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


class Actor:
    """Base of the actors; subclasses set ``name`` and add processes."""

    name: str = "actor"

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.rng = sim.rng(self.name)

    @property
    def env(self):
        return self.sim.env

    @property
    def system(self):
        return self.sim.system

    def record(self, act: str, outcome: str = "ok", **fields: Any) -> dict[str, Any]:
        return self.sim.recorder.record(self.sim.env.now, self.name, act, outcome, **fields)

    def act(self, act: str, call: Callable[[], object], **fields: Any) -> bool:
        """Run a chain call now; record it as ``ok`` or ``refused``; True when it went through."""
        self.sim.sync()
        try:
            call()
        except ContractRevert as refused:
            self.record(act, "refused", **describe(refused), **fields)
            return False
        self.record(act, **fields)
        return True

    def quietly(self, call: Callable[[], T]) -> tuple[T | None, ContractRevert | None]:
        """Run a chain call now without recording it; return (result, refusal)."""
        self.sim.sync()
        try:
            return call(), None
        except ContractRevert as refused:
            return None, refused
