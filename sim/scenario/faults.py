"""Faults: failures the world injects at a given moment, each a scenario event.

A fault names its ``kind`` and the day it happens; each part reacts to the kinds that
concern it (a stale oracle stops every part's price feed; a settlement fail, a custodian's
unexplained deposit or a court-ordered transfer, a pause, lost keys concern the securities
lifecycle; a price spike concerns every feed that publishes its asset; a participant's
default concerns every part it holds an account in; a custodian's failure, the lifecycle)::

    faults:
      - {kind: stale_oracle, at_day: 6, hours: 6}
      - {kind: settlement_fail, at_day: 20, days: 3, share: 0.5}
      - {kind: oracle_spike, at_day: 12, factor: 3.0}
      - {kind: participant_default, at_day: 25, participant: direct-0007}
      - {kind: custodian_failure, at_day: 45, custodian: bank, recover_after_days: 2}
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from sim.scenario.base import MAX_DAYS, MAX_HOURS, MAX_TOKENS, NAME_PATTERN, Model, Money


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


class OracleSpike(FaultAt):
    """One wrong print: the first price update at or after ``at_day`` publishes ``asset``'s
    price times ``factor`` (a fat finger, a manipulated source); the update after it is
    right again. Every feed that publishes the asset prints it (the lifecycle's reference
    price, the margin part's prices and the marks of the asset's perpetual).

    Attributes:
        asset: the symbol: the security token's (the default, with the securities
            lifecycle) or one of the margin section's assets.
        factor: the printed price over the true one, above 0 and at most 1,000, not 1
            (3.0: three times the price; 0.5: half of it).
    """

    kind: Literal["oracle_spike"] = "oracle_spike"
    asset: str | None = Field(default=None, pattern=r"^[A-Z0-9]{1,11}$")
    factor: float = Field(gt=0, le=1_000)

    @field_validator("factor")
    @classmethod
    def _moves(cls, factor: float) -> float:
        if factor == 1:
            raise ValueError("Input should not be 1 (a spike prints another price than the true one)")
        return factor


class ParticipantDefault(FaultAt):
    """A participant stops paying: from ``at_day`` it affirms no settlement, places no order
    and answers no margin call, in every part it trades in.

    Attributes:
        participant: an investor's label (``direct-0007``) or a margin account's name.
    """

    kind: Literal["participant_default"] = "participant_default"
    participant: str = Field(pattern=NAME_PATTERN, max_length=64)


class CustodianFailure(FaultAt):
    """An omnibus custodian stops: no affirmation, booking, allocation or reconciliation.
    The clearing agent cancels its open instructions; after ``recover_after_days`` a
    trustee and the issuer's agent move each client's tokens and cash out of the vault to
    the client's own wallet, and the clients hold them themselves from then on.

    Attributes:
        custodian: the name of one of the scenario's omnibus custodians.
        recover_after_days: days from the failure to the recovery (fractions allowed).
    """

    kind: Literal["custodian_failure"] = "custodian_failure"
    custodian: str
    recover_after_days: float = Field(default=2.0, ge=0, le=MAX_DAYS)


Fault = Annotated[
    StaleOracle | SettlementFail | UnallocatedDeposit | ForcedTransfer | Pause | KeyLoss | OracleSpike
    | ParticipantDefault | CustodianFailure,
    Field(discriminator="kind"),
]

SECURITIES_FAULTS = (
    "settlement_fail", "unallocated_deposit", "forced_transfer", "pause", "key_loss", "custodian_failure",
)
"""The kinds only the securities lifecycle can play (they need its token, clearing or custodians)."""

__all__ = [
    "CustodianFailure",
    "Fault",
    "FaultAt",
    "ForcedTransfer",
    "KeyLoss",
    "OracleSpike",
    "ParticipantDefault",
    "Pause",
    "SECURITIES_FAULTS",
    "SettlementFail",
    "StaleOracle",
    "UnallocatedDeposit",
]
