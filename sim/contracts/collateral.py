"""The collateral registry: eligibility, haircuts and concentration limits, on chain.

``CollateralRegistry`` reads what each token is from the ``AssetRegistry``
(``sim.contracts.assets``) and answers what it is worth as collateral: eligible or not, its
haircut (a supervisory schedule by class, issuer kind, rating and residual maturity, or a
haircut set for the asset), the currency add-on, and whether a pledge keeps an account
within its concentration limits. ``sim.reference.collateral`` is the same rules in Python::

    collateral = deploy_collateral_registry(chain, assets, admin=risk)
    collateral.setEligible(bill, True, sender=risk)
    collateral.haircut(bill, "USD")     # basis points
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from eth_hash.auto import keccak

from sim.chain.chain import Chain
from sim.chain.contract import Contract
from sim.contracts.assets import AssetRegistry, currency_code

COLLATERAL_ADMIN_ROLE = keccak(b"COLLATERAL_ADMIN_ROLE")
BPS = 10_000


class LockedPolicy(IntEnum):
    """How tokens still in a holding period count when pledged (``CollateralRegistry.LockedPolicy``)."""

    INELIGIBLE = 0  # at zero: restricted securities are not publicly traded
    OTHER_EXPOSURE = 1  # 12 CFR 217.132 Table 1, "other exposure types": 25% (US capital schedule only)

    @property
    def label(self) -> str:
        return self.name.lower()


class Schedule(IntEnum):
    """The published haircut schedules (``CollateralRegistry.Schedule``, same numbers)."""

    BASEL_II = 0  # the Basel II comprehensive approach, by rating
    US_CAPITAL_217_132 = 1  # 12 CFR 217.132 Table 1, by the issuer's risk weight
    CFTC_23_156 = 2  # 17 CFR 23.156(a)(3), uncleared swap margin (funds: 12 CFR 45 App. B)

    @property
    def label(self) -> str:
        """The schedule's name as scenarios spell it (``cftc_23_156``)."""
        return self.name.lower()


DEFAULT_SCHEDULE = Schedule.CFTC_23_156
"""Model choice: margin collateral at an FCM or swap dealer is valued by the CFTC's schedule
for swap dealers' initial margin collateral (17 CFR 23.156), applied to a margin account at
an FCM too (futures margin collateral is the clearing house's and the FCM's to set)."""


@dataclass(frozen=True)
class Limits:
    """Concentration limits, basis points of an account's collateral value after haircuts.

    Defaults by analogy with CFTC Reg 1.25 (2025) for money-market funds (10% per fund, 25%
    per fund family, 50% in all funds): those limit how an FCM invests customer funds, and
    only for large funds (a fund under $1 billion, or of a manager under $25 billion: 10%),
    so as collateral concentration limits they are a model choice; no limit per asset or
    issuer unless a scenario sets one.
    """

    per_asset: int = BPS
    per_issuer: int = BPS
    per_fund: int = 1_000
    per_fund_family: int = 2_500
    all_funds: int = 5_000


class CollateralRegistry(Contract):
    """Handle on a ``CollateralRegistry``."""

    def haircut(self, token: Any, currency: str = "USD") -> int:
        """Haircut of ``token`` in an account kept in ``currency``, basis points."""
        return self.haircutOf(token, currency_code(currency))

    def set_limits(self, limits: Limits, *, sender: Any) -> Any:
        return self.setLimits(
            (limits.per_asset, limits.per_issuer, limits.per_fund, limits.per_fund_family, limits.all_funds),
            sender=sender,
        )


def deploy_collateral_registry(
    chain: Chain, assets: AssetRegistry, *, admin: Any, collateral_admin: Any = None,
    schedule: Schedule = DEFAULT_SCHEDULE,
) -> CollateralRegistry:
    """Deploy a collateral registry valuing by ``schedule`` (fixed for its life)."""
    registry = chain.deploy("CollateralRegistry", admin, assets, int(schedule), sender=admin, handle=CollateralRegistry)
    registry.grantRole(COLLATERAL_ADMIN_ROLE, collateral_admin if collateral_admin is not None else admin, sender=admin)
    return registry


__all__ = [
    "LockedPolicy",
    "COLLATERAL_ADMIN_ROLE",
    "DEFAULT_SCHEDULE",
    "CollateralRegistry",
    "Limits",
    "Schedule",
    "deploy_collateral_registry",
]
