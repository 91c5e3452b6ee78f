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
    """Who issued an asset (``AssetRegistry.IssuerKind``, same numbers)."""

    SOVEREIGN = 0  # a central government, its central bank or agencies, an MDB
    OTHER = 1  # a corporate or any other issuer
    GSE = 2  # a government-sponsored enterprise without government capital support
    SUPPORTED_GSE = 3  # a GSE operating with US government capital support (17 CFR 23.156(a)(1)(v))
    SECURITIZATION = 4  # a securitization exposure (an asset-backed security)


DEFAULT_RISK_WEIGHT = {
    IssuerKind.SOVEREIGN: 0,  # the US government, its central bank, its agencies (12 CFR 217.32(a)(1))
    IssuerKind.OTHER: 100,  # corporate exposures (12 CFR 217.32(f)(1))
    IssuerKind.GSE: 20,  # GSE debt (12 CFR 217.32(c)(1))
    IssuerKind.SUPPORTED_GSE: 20,
    IssuerKind.SECURITIZATION: 100,  # not read: 217.132 has a securitization column of its own
}
"""An issuer's risk weight in percent when a record does not give one: the US capital rule's
for a US issuer of that kind; a foreign sovereign's depends on its country: give it
(12 CFR 217.32(a)(1), (c)(1), (f)(1))."""


RATINGS = ("AAA", "AA+", "AA", "AA-", "A+", "A", "A-", "BBB+", "BBB", "BBB-", "BB+", "BB", "BB-")
# Notches 1..13 of the rating scale; 0 is unrated, 14 below BB- (a scale, not a default).
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
    """What a token is (``AssetRegistry.Asset``).

    ``risk_weight`` is the issuer's risk weight in percent (12 CFR 217.32); None takes
    ``DEFAULT_RISK_WEIGHT`` for the issuer kind. ``main_index``: an equity in the S&P 500 or
    a related main index (on a digital commodity: gold); ``composite_index``: in the S&P
    Composite 1500 but not the S&P 500. A fund's ``holdings`` are what it may hold and
    ``holding_weights_bps`` the share of its value in each (summing to 10,000; one holding
    is all of it; empty: not known).
    """

    asset_class: AssetClass
    currency: str = "USD"
    issuer_kind: IssuerKind = IssuerKind.OTHER
    rating: int = 0
    main_index: bool = False
    issuer: str = ""
    maturity: int = 0
    holdings: tuple[str, ...] = field(default=())
    risk_weight: int | None = None
    composite_index: bool = False
    holding_weights_bps: tuple[int, ...] = field(default=())

    @property
    def weight(self) -> int:
        """The risk weight in percent, given or by the issuer kind."""
        return DEFAULT_RISK_WEIGHT[self.issuer_kind] if self.risk_weight is None else self.risk_weight

    @property
    def weights(self) -> tuple[int, ...]:
        """The holdings' shares in basis points (one holding: all of it; empty: not known)."""
        if self.holding_weights_bps:
            return self.holding_weights_bps
        return (10_000,) if len(self.holdings) == 1 else ()


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
             asset.issuer or "0x" + "00" * 20, asset.maturity, currency_code(asset.currency), asset.weight,
             asset.composite_index),
            sender=sender,
        )
        if asset.asset_class == AssetClass.MONEY_MARKET_FUND and asset.holdings:
            self.setFundHoldings(token, list(asset.holdings), list(asset.weights), sender=sender)
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
    "DEFAULT_RISK_WEIGHT",
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
