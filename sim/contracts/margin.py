"""Handles and deployment of the margin engine and the perpetual futures.

``deploy_margin`` deploys both and binds them: ``PerpetualFutures`` first (the engine
reads its positions), then ``MarginEngine`` (the perpetuals settle P&L into its cash
ledger and ask it to check opening trades), then ``setEngine``. Roles go to the accounts
given (separate firms' desks in a simulation; one account in a quick test)::

    margin = deploy_margin(chain, cash=cash, collateral=registry, oracle=oracle, admin=deployer)
    idx = margin.engine.list_underlying(token, up_bps=600, down_bps=800, retail_leverage=20, sender=deployer)
    margin.engine.status(account).equity
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from eth_hash.auto import keccak

from sim.chain.chain import Chain
from sim.chain.contract import Contract
from sim.contracts.assets import currency_code
from sim.contracts.collateral import CollateralRegistry
from sim.contracts.oracle import PriceOracle
from sim.reference.accounts import MarginStatus
from sim.reference.requirements import CROSS_FLOOR_BPS, RETAIL_CLOSE_OUT_BPS

RISK_ADMIN_ROLE = keccak(b"RISK_ADMIN_ROLE")
TRADER_ROLE = keccak(b"TRADER_ROLE")  # perpetuals: who matches two accounts' positions
DEALER_ROLE = keccak(b"DEALER_ROLE")  # engine: who fills spot orders as principal, from its own wallet
MARGIN_DESK_ROLE = keccak(b"MARGIN_DESK_ROLE")
LIQUIDATOR_ROLE = keccak(b"LIQUIDATOR_ROLE")
TREASURY_ROLE = keccak(b"TREASURY_ROLE")
MARKET_ADMIN_ROLE = keccak(b"MARKET_ADMIN_ROLE")
FUNDING_KEEPER_ROLE = keccak(b"FUNDING_KEEPER_ROLE")

CALL_PERIOD_SECONDS = 86_400
"""Model choice: a margin call is due within one day (FINRA 4210(f)(6) allows up to 15
business days to meet a maintenance call; brokers and clearing houses ask for far less)."""


class Method(IntEnum):
    SILOED = 0
    PORTFOLIO = 1


class ScanMethod(IntEnum):
    """How portfolio accounts are scanned (``MarginMath.ScanMethod``, same numbers)."""

    SPAN = 0  # CME SPAN: 0, +/-1/3, +/-2/3, +/-1 of the range, +/-2x at 35%
    FINRA = 1  # FINRA 4210(g): ten equidistant points, $0.375 a derivative contract, $100,000 to open

    @property
    def label(self) -> str:
        return self.name.lower()


DEFAULT_SCAN_METHOD = ScanMethod.SPAN
"""Model choice: perpetual futures and their hedges are margined with a clearing house's scan
(CME SPAN); a broker-dealer's portfolio margin account would use FINRA 4210(g)."""


@dataclass(frozen=True)
class Account:
    open: bool
    retail: bool
    method: Method
    cash: int
    call_deadline: int
    claim: int


class MarginEngine(Contract):
    """Handle on a ``MarginEngine``."""

    def status(self, account: Any) -> MarginStatus:
        """Equity and requirements of ``account`` in cash-token units (``OracleStalePrice``
        when a price is stale); the same type as the reference's ``sim.reference.accounts.status``."""
        return MarginStatus(*self.statusOf(account))

    def account(self, account: Any) -> Account:
        fields = list(self.accountOf(account))
        fields[2] = Method(fields[2])
        return Account(*fields)

    def list_underlying(
        self, token: Any, *, up_bps: int, down_bps: int, retail_leverage: int = 0, position_limit: int = 0, sender: Any
    ) -> int:
        """List ``token`` for spot and perpetual positions; return its underlying index."""
        index = self.underlyingCount()
        self.listUnderlying(token, up_bps, down_bps, retail_leverage, position_limit, sender=sender)
        return index

    def open_account(self, account: Any, *, retail: bool, method: Method, sender: Any) -> Any:
        return self.openAccount(account, retail, int(method), sender=sender)


class PerpetualFutures(Contract):
    """Handle on a ``PerpetualFutures``."""

    def list_market(
        self, underlying: int, *, funding_interval: int, funding_cap_bps: int = 75, position_limit: int = 0, sender: Any
    ) -> int:
        """List a perpetual on the engine's ``underlying``; return its market id."""
        market = self.marketCount()
        self.listMarket(underlying, funding_interval, funding_cap_bps, position_limit, sender=sender)
        return market




def deploy_collateral_custodian(chain: Chain, engine: MarginEngine, token: Any, *, admin: Any) -> Contract:
    """Deploy a ``CollateralCustodian`` for ``engine`` and make it ``token``'s (a security
    token): it holds what is given by title transfer and places the holds of what is pledged
    in place. The token must then admit the custodian as a holder (register its identity)
    and make it a hold operator; ``admin`` holds the engine's risk admin role."""
    custodian = chain.deploy("CollateralCustodian", engine, sender=admin)
    engine.setCustodian(token, custodian, sender=admin)
    return custodian


@dataclass
class MarginSystem:
    engine: MarginEngine
    perpetuals: PerpetualFutures


def deploy_margin(
    chain: Chain,
    *,
    cash: Any,
    collateral: CollateralRegistry,
    oracle: PriceOracle,
    admin: Any,
    currency: str = "USD",
    cross_floor_bps: int = CROSS_FLOOR_BPS,
    close_out_bps: int = RETAIL_CLOSE_OUT_BPS,
    call_period_seconds: int = CALL_PERIOD_SECONDS,
    trader: Any = None,
    dealer: Any = None,
    desk: Any = None,
    liquidator: Any = None,
    treasury: Any = None,
    keeper: Any = None,
    scan_method: ScanMethod = DEFAULT_SCAN_METHOD,
) -> MarginSystem:
    """Deploy and bind a margin engine and its perpetuals; roles not given go to ``admin``."""
    perpetuals = chain.deploy("PerpetualFutures", admin, oracle, sender=admin)
    engine = chain.deploy(
        "MarginEngine", admin, cash, collateral, oracle, perpetuals, currency_code(currency),
        cross_floor_bps, close_out_bps, call_period_seconds, int(scan_method), sender=admin,
    )
    perpetuals.setEngine(engine, sender=admin)
    perpetuals.grantRole(MARKET_ADMIN_ROLE, admin, sender=admin)
    perpetuals.grantRole(TRADER_ROLE, trader if trader is not None else admin, sender=admin)
    perpetuals.grantRole(FUNDING_KEEPER_ROLE, keeper if keeper is not None else admin, sender=admin)
    engine.grantRole(RISK_ADMIN_ROLE, admin, sender=admin)
    for role, holder in (
        (DEALER_ROLE, dealer), (MARGIN_DESK_ROLE, desk), (LIQUIDATOR_ROLE, liquidator), (TREASURY_ROLE, treasury)
    ):
        engine.grantRole(role, holder if holder is not None else admin, sender=admin)
    return MarginSystem(engine, perpetuals)  # type: ignore[arg-type]


__all__ = [
    "CALL_PERIOD_SECONDS",
    "FUNDING_KEEPER_ROLE",
    "LIQUIDATOR_ROLE",
    "MARGIN_DESK_ROLE",
    "MARKET_ADMIN_ROLE",
    "RISK_ADMIN_ROLE",
    "TRADER_ROLE",
    "DEALER_ROLE",
    "DEFAULT_SCAN_METHOD",
    "ScanMethod",
    "TREASURY_ROLE",
    "Account",
    "MarginEngine",
    "MarginSystem",
    "Method",
    "PerpetualFutures",
    "MarginStatus",
    "deploy_collateral_custodian",
    "deploy_margin",
]
