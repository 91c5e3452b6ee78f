"""Prices on chain: the oracle's handle and deployment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from eth_hash.auto import keccak

from sim.chain.chain import Chain
from sim.chain.contract import Contract
from sim.errors import ConfigError

FEEDER_ROLE = keccak(b"FEEDER_ROLE")
PRICE_DECIMALS = 8
"""Prices are US dollars with 8 decimals per whole token (as Chainlink's USD feeds)."""


def to_oracle_price(cents: int) -> int:
    """Oracle units of a price in US cents."""
    return cents * 10 ** (PRICE_DECIMALS - 2)


def from_oracle_price(price: int) -> Decimal:
    """US dollars of an oracle price."""
    return Decimal(price) / 10**PRICE_DECIMALS


def cents_of(price: int) -> int:
    """Whole US cents of an oracle price (rounded down, at least one)."""
    return max(1, price // 10 ** (PRICE_DECIMALS - 2))


class PriceOracle(Contract):
    """Handle on a ``PriceOracle``."""


def deploy_oracle(
    chain: Chain, *, admin: Any, feeder: Any = None, max_age_seconds: int, max_deviation_bps: int = 0
) -> PriceOracle:
    """Deploy an oracle whose reads are refused once a price is older than ``max_age_seconds``;
    with ``max_deviation_bps``, an update moving a fresh price by more than that share is
    refused (the deviation guard; 0: none)."""
    if not isinstance(max_age_seconds, int) or max_age_seconds <= 0:
        raise ConfigError(f"max_age_seconds(={max_age_seconds!r}) must be a positive integer")
    if not isinstance(max_deviation_bps, int) or not 0 <= max_deviation_bps <= 10_000:
        raise ConfigError(f"max_deviation_bps(={max_deviation_bps!r}) must be an integer from 0 to 10000")
    oracle = chain.deploy("PriceOracle", admin, max_age_seconds, sender=admin, handle=PriceOracle)
    oracle.grantRole(FEEDER_ROLE, feeder if feeder is not None else admin, sender=admin)
    if max_deviation_bps:
        oracle.setMaxDeviation(max_deviation_bps, sender=admin)
    return oracle
