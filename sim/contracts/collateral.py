"""Handles and deployment of the asset and collateral registries."""

from __future__ import annotations

from typing import Any

from eth_hash.auto import keccak

from sim.chain.chain import HANDLES, Chain
from sim.chain.contract import Contract
from sim.errors import ConfigError
from sim.margin.collateral import Asset, AssetClass, Limits

REGISTRAR_ROLE = keccak(b"REGISTRAR_ROLE")
COLLATERAL_ADMIN_ROLE = keccak(b"COLLATERAL_ADMIN_ROLE")


def _currency(code: str) -> bytes:
    raw = code.encode()
    if len(raw) != 3 or not code.isalpha() or not code.isupper():
        raise ConfigError(f"currency(={code!r}) must be a three-letter ISO 4217 code such as 'USD'")
    return raw


class AssetRegistry(Contract):
    """Handle on an ``AssetRegistry``."""

    def record(self, token: Any, asset: Asset, *, sender: Any) -> Any:
        """Register ``token`` as ``asset`` (and a fund's holdings, given as token addresses
        in ``holdings``)."""
        receipt = self.register(
            token,
            (int(asset.asset_class), int(asset.issuer_kind), asset.rating, asset.main_index,
             asset.issuer or "0x" + "00" * 20, asset.maturity, _currency(asset.currency)),
            sender=sender,
        )
        if asset.asset_class == AssetClass.MONEY_MARKET_FUND and asset.holdings:
            self.setFundHoldings(token, list(asset.holdings), sender=sender)
        return receipt


class CollateralRegistry(Contract):
    """Handle on a ``CollateralRegistry``."""

    def haircut(self, token: Any, currency: str = "USD") -> int:
        """Haircut of ``token`` in an account kept in ``currency``, basis points."""
        return self.haircutOf(token, _currency(currency))

    def set_limits(self, limits: Limits, *, sender: Any) -> Any:
        return self.setLimits(
            (limits.per_asset, limits.per_issuer, limits.per_fund, limits.per_fund_family, limits.all_funds),
            sender=sender,
        )


HANDLES["AssetRegistry"] = AssetRegistry
HANDLES["CollateralRegistry"] = CollateralRegistry


def deploy_asset_registry(chain: Chain, *, admin: Any, registrar: Any = None) -> AssetRegistry:
    registry = chain.deploy("AssetRegistry", admin, sender=admin)
    registry.grantRole(REGISTRAR_ROLE, registrar if registrar is not None else admin, sender=admin)
    return registry  # type: ignore[return-value]


def deploy_collateral_registry(
    chain: Chain, assets: AssetRegistry, *, admin: Any, collateral_admin: Any = None
) -> CollateralRegistry:
    registry = chain.deploy("CollateralRegistry", admin, assets, sender=admin)
    registry.grantRole(COLLATERAL_ADMIN_ROLE, collateral_admin if collateral_admin is not None else admin, sender=admin)
    return registry  # type: ignore[return-value]


__all__ = [
    "COLLATERAL_ADMIN_ROLE",
    "REGISTRAR_ROLE",
    "AssetRegistry",
    "CollateralRegistry",
    "deploy_asset_registry",
    "deploy_collateral_registry",
]
