"""What each token is: the ``AssetRegistry``, its classes and its asset records.

The registry is where a token's class lives on chain (a tokenized security, a digital
commodity, a money-market fund...), with what collateral rules need to know of it: the
issuer and its kind, a rating, a maturity, the currency, a fund's permitted holdings.
The taxonomy routes compliance modules and venue listings by the class; the collateral
registry takes haircuts from the record::

    assets = deploy_asset_registry(chain, admin=regulator)
    assets.record(token, Asset(AssetClass.MONEY_MARKET_FUND, holdings=(bill,)), sender=regulator)
    AssetClass(assets.classOf(token))          # AssetClass.MONEY_MARKET_FUND
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from eth_hash.auto import keccak

from sim.chain.chain import Chain
from sim.chain.contract import Contract
from sim.errors import ConfigError

REGISTRAR_ROLE = keccak(b"REGISTRAR_ROLE")
CLASSIFIER_ROLE = keccak(b"CLASSIFIER_ROLE")


class AssetClass(IntEnum):
    """The classes of ``AssetRegistry.AssetClass`` (same numbers)."""

    UNKNOWN = 0
    TOKENIZED_SECURITY = 1
    DIGITAL_COMMODITY = 2
    COLLECTIBLE = 3
    TOOL = 4
    STABLECOIN = 5
    CASH = 6
    GOVERNMENT_SECURITY = 7
    MONEY_MARKET_FUND = 8
    EQUITY = 9
    SECURITY_BASED_SWAP = 10
    EXEMPT_NETWORK_TOKEN = 11


class IssuerKind(IntEnum):
    SOVEREIGN = 0
    OTHER = 1


RATINGS = ("AAA", "AA+", "AA", "AA-", "A+", "A", "A-", "BBB+", "BBB", "BBB-", "BB+", "BB", "BB-")
"""Notches 1..13 of the rating scale; 0 is unrated, 14 below BB-."""
BELOW_BB_MINUS = 14


def rating_notch(rating: str | None) -> int:
    """``"AA-"`` -> 4; None -> 0 (unrated); anything below BB- -> 14."""
    if rating is None:
        return 0
    if rating in RATINGS:
        return RATINGS.index(rating) + 1
    return BELOW_BB_MINUS


@dataclass(frozen=True)
class Asset:
    """What a token is (``AssetRegistry.Asset``)."""

    asset_class: AssetClass
    currency: str = "USD"
    issuer_kind: IssuerKind = IssuerKind.OTHER
    rating: int = 0
    main_index: bool = False  # an equity in a main index; on a digital commodity: gold
    issuer: str = ""
    maturity: int = 0
    holdings: tuple[str, ...] = field(default=())  # a fund's: names of assets it may hold


def currency_code(code: str) -> bytes:
    """A three-letter ISO 4217 code as the ``bytes3`` the contracts take."""
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
             asset.issuer or "0x" + "00" * 20, asset.maturity, currency_code(asset.currency)),
            sender=sender,
        )
        if asset.asset_class == AssetClass.MONEY_MARKET_FUND and asset.holdings:
            self.setFundHoldings(token, list(asset.holdings), sender=sender)
        return receipt

    def asset_class(self, token: Any) -> AssetClass:
        """The class of ``token`` now."""
        return AssetClass(self.classOf(token))


def deploy_asset_registry(chain: Chain, *, admin: Any, registrar: Any = None) -> AssetRegistry:
    registry = chain.deploy("AssetRegistry", admin, sender=admin, handle=AssetRegistry)
    registry.grantRole(REGISTRAR_ROLE, registrar if registrar is not None else admin, sender=admin)
    return registry


__all__ = [
    "CLASSIFIER_ROLE",
    "REGISTRAR_ROLE",
    "Asset",
    "AssetClass",
    "AssetRegistry",
    "IssuerKind",
    "RATINGS",
    "currency_code",
    "deploy_asset_registry",
    "rating_notch",
]
