"""Faults: failures the world injects at a given moment, each a scenario event.

A fault names its ``kind`` and the day it happens; each part reacts to the kinds that
concern it (a stale oracle stops every part's price feed; a settlement fail, a custodian's
unexplained deposit or a court-ordered transfer, a pause, lost keys concern the securities
lifecycle)::

    faults:
      - {kind: stale_oracle, at_day: 6, hours: 6}
      - {kind: settlement_fail, at_day: 20, days: 3, share: 0.5}
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from sim.scenario.base import MAX_DAYS, MAX_HOURS, MAX_TOKENS, Model, Money


class FaultAt(Model):
    """Base of the faults: each happens at ``at_day`` (fractions of a day allowed), before
    the scenario's end (the scenario checks it against ``duration_days``)."""

    at_day: float = Field(ge=0, le=MAX_DAYS)


class StaleOracle(FaultAt):
    """The price feed stops: no updates for ``hours``."""

    kind: Literal["stale_oracle"] = "stale_oracle"
    hours: int = Field(gt=0, le=MAX_HOURS)


class SettlementFail(FaultAt):
    """Sellers fail to deliver: for ``days``, ``share`` of sellers do not affirm."""

    kind: Literal["settlement_fail"] = "settlement_fail"
    days: int = Field(gt=0, le=MAX_DAYS)
    share: float = Field(default=1.0, gt=0, le=1)


class UnallocatedDeposit(FaultAt):
    """Cash arrives at a custodian's omnibus account without instructions."""

    kind: Literal["unallocated_deposit"] = "unallocated_deposit"
    custodian: str
    cash_usd: Money
    allocate_after_days: float | None = Field(default=1.0, ge=0, le=MAX_DAYS)


class ForcedTransfer(FaultAt):
    """The token's agent moves tokens out of a custodian's account (a court order)."""

    kind: Literal["forced_transfer"] = "forced_transfer"
    custodian: str
    shares: int = Field(gt=0, le=MAX_TOKENS)


class Pause(FaultAt):
    """The token's agent pauses holder transfers for ``hours``."""

    kind: Literal["pause"] = "pause"
    hours: int = Field(gt=0, le=MAX_HOURS)


class KeyLoss(FaultAt):
    """``count`` self-custody investors lose their keys; the agent recovers their tokens."""

    kind: Literal["key_loss"] = "key_loss"
    count: int = Field(default=1, gt=0, le=100_000)
    recover_after_days: float = Field(default=2.0, ge=0, le=MAX_DAYS)


Fault = Annotated[
    StaleOracle | SettlementFail | UnallocatedDeposit | ForcedTransfer | Pause | KeyLoss,
    Field(discriminator="kind"),
]

SECURITIES_FAULTS = ("settlement_fail", "unallocated_deposit", "forced_transfer", "pause", "key_loss")
"""The kinds only the securities lifecycle can play (they need its token, clearing or custodians)."""

__all__ = [
    "Fault",
    "FaultAt",
    "ForcedTransfer",
    "KeyLoss",
    "Pause",
    "SECURITIES_FAULTS",
    "SettlementFail",
    "StaleOracle",
    "UnallocatedDeposit",
]
