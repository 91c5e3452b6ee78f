"""Delivery versus payment: the settlement contract's handle and deployment.

``deploy_dvp`` deploys a ``DvPSettlement``, gives the clearing agent its role, and makes
the settlement contract the hold operator of the tokens it settles::

    dvp = deploy_dvp(chain, admin=operator, clearing=clearing_agent,
                     tokens=[(security, issuer), (cash, cash_admin)], fail_penalty_bp=1.0)
    receipt = dvp.instruct(seller, buyer, security, 10, cash, 1_000_000, settle_by, ref,
                           sender=clearing_agent)
    dvp.affirm(receipt.return_value, True, sender=seller)   # seller's securities on hold
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from eth_hash.auto import keccak

from sim.chain.chain import Chain
from sim.chain.contract import Contract
from sim.errors import ConfigError

CLEARING_ROLE = keccak(b"CLEARING_ROLE")
HOLD_OPERATOR_ROLE = keccak(b"HOLD_OPERATOR_ROLE")
PPM_PER_BP = 100
"""One basis point in the contract's parts per million."""


class Status(IntEnum):
    """``IDvPSettlement.Status``."""

    NONE = 0
    PENDING = 1
    SETTLED = 2
    CANCELLED = 3
    BOUGHT_IN = 4


class DvPSettlement(Contract):
    """Handle on a ``DvPSettlement``."""

    def status(self, instruction_id: int) -> Status:
        return Status(self.statusOf(instruction_id))




def deploy_dvp(
    chain: Chain,
    *,
    admin: Any,
    clearing: Any,
    tokens: list[tuple[Any, Any]] = (),  # type: ignore[assignment]
    fail_penalty_bp: float = 1.0,
) -> DvPSettlement:
    """Deploy a settlement contract.

    Args:
        admin: holds ``DEFAULT_ADMIN_ROLE`` (sets the penalty rate).
        clearing: the clearing agent (``CLEARING_ROLE``: instruct, settle, fail, cancel, buy in).
        tokens: ``(token, token_admin)`` pairs; each admin grants the contract
            ``HOLD_OPERATOR_ROLE`` on its token.
        fail_penalty_bp: daily fail penalty in basis points of the cash amount (CSDR,
            Reg. 2017/389: 1.0 for liquid shares, 0.1 for sovereign bonds).
    """
    if not 0 <= fail_penalty_bp <= 10_000:
        raise ConfigError(f"fail_penalty_bp(={fail_penalty_bp!r}) must be between 0 and 10000")
    ppm = round(fail_penalty_bp * PPM_PER_BP)
    dvp = chain.deploy("DvPSettlement", admin, ppm, sender=admin)
    dvp.grantRole(CLEARING_ROLE, clearing, sender=admin)
    for token, token_admin in tokens:
        token.grantRole(HOLD_OPERATOR_ROLE, dvp, sender=token_admin)
    return dvp  # type: ignore[return-value]
