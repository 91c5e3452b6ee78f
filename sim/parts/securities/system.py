"""The securities lifecycle's contract system, deployed from its scenario sections.

Roles are separate accounts, as they are separate firms in life:

| account | role |
|---|---|
| ``issuer`` | token admin; receives subscription money; pays distributions |
| ``agent`` | transfer agent: verifier of identities, mints, burns, forces, recovers, pauses |
| ``cash_issuer`` | issues the cash token (mints, manages its allow-list) |
| ``clearing`` | clearing agent: instructs, settles, fails, cancels and buys in on the DvP contract |
| ``venue`` | the ATS operator |
| ``feeder`` | pushes oracle prices |
| one per custodian | operates the custodian's omnibus vault or segregated wallets |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sim.calendar import HOUR
from sim.chain import Chain, Contract
from sim.contracts import (
    CashToken,
    Identity,
    IdentityRegistry,
    InvestmentLimit,
    ModuleSpec,
    SecurityToken,
    deploy_cash_token,
    deploy_identity_registry,
    deploy_security_token,
)
from sim.contracts.custody import CustodyVault, deploy_vault
from sim.contracts.desk import OrderDesk, deploy_order_desk
from sim.contracts.oracle import PriceOracle, cents_of, deploy_oracle
from sim.contracts.settlement import DvPSettlement, deploy_dvp
from sim.scenario import Scenario


@dataclass
class Custody:
    """A custodian's on-chain presence: its operator and, in omnibus mode, its vault."""

    name: str
    mode: str
    operator: str
    vault: CustodyVault | None = None


@dataclass
class System:
    """Handles on everything deployed for a run, and the role accounts."""

    chain: Chain
    issuer: str
    agent: str
    cash_issuer: str
    clearing: str
    venue: str
    feeder: str
    registry: IdentityRegistry
    token: SecurityToken
    """The security token (``LifecycleToken``: our ``SecurityToken``, or ``Erc3643Token``)."""
    cash: CashToken
    dvp: DvPSettlement
    oracle: PriceOracle
    custodians: dict[str, Custody] = field(default_factory=dict)
    modules: dict[str, Contract] = field(default_factory=dict)
    token_symbol: str = ""
    standard: str = "tokensim"
    settlement_token: Any = None
    """What the DvP contract instructs for the security leg: the token itself, or on
    ERC-3643 the hold adapter that gives the token holds (``sim.contracts.erc3643``)."""
    desk: OrderDesk | None = None
    """The venue's order desk: an order's price and the trader's available shares and cash
    in one read (``sim.contracts.desk``)."""

    def __post_init__(self) -> None:
        if self.settlement_token is None:
            self.settlement_token = self.token

    @classmethod
    def deploy(cls, chain: Chain, scenario: Scenario, roles: list[str]) -> System:
        """Deploy for ``scenario`` with the six ``roles`` accounts (issuer, agent, cash issuer,
        clearing agent, venue operator, price feeder)."""
        issuer, agent, cash_issuer, clearing, venue, feeder = roles
        security = scenario.security
        assert security is not None
        if security.standard == "erc3643":
            from sim.contracts.erc3643 import deploy_erc3643_token

            token, registry = deploy_erc3643_token(
                chain, admin=issuer, agent=agent, name=security.name, symbol=security.symbol,
                decimals=security.decimals, modules=security.compliance,
            )
        else:
            registry = deploy_identity_registry(chain, admin=issuer, verifiers=[agent])
            token = deploy_security_token(
                chain,
                registry=registry,
                admin=issuer,
                agent=agent,
                name=security.name,
                symbol=security.symbol,
                decimals=security.decimals,
                modules=[_priced(m, scenario) for m in security.compliance],
            )
        settlement = token.settlement if security.standard == "erc3643" else token
        cash = deploy_cash_token(
            chain,
            admin=cash_issuer,
            name=scenario.cash.name,
            symbol=scenario.cash.symbol,
            decimals=scenario.cash.decimals,
            allow_list=scenario.cash.allow_list,
        )
        dvp = deploy_dvp(
            chain,
            admin=clearing,
            clearing=clearing,
            tokens=[(settlement, issuer), (cash, cash_issuer)],
            fail_penalty_bp=scenario.clearing.fail_penalty_bp,
        )
        oracle = deploy_oracle(chain, admin=feeder, max_age_seconds=scenario.oracle.max_age_hours * HOUR,
                               max_deviation_bps=scenario.oracle.max_deviation_bps)
        system = cls(
            chain=chain,
            issuer=issuer,
            agent=agent,
            cash_issuer=cash_issuer,
            clearing=clearing,
            venue=venue,
            feeder=feeder,
            registry=registry,
            token=token,
            cash=cash,
            dvp=dvp,
            oracle=oracle,
            modules=token.modules(),
            token_symbol=security.symbol,
            standard=security.standard,
            settlement_token=settlement,
        )
        # Deployed by the venue operator, whose only deployment it is: no other contract's
        # address moves.
        system.desk = deploy_order_desk(chain, deployer=venue).bind(
            oracle=oracle, asset=token, security=settlement, cash=cash
        )
        system.register("issuer-treasury", issuer, "institutional")
        for custodian in scenario.custodians:
            operator = chain.new_account()
            custody = Custody(custodian.name, custodian.mode, operator)
            if custodian.mode == "omnibus":
                custody.vault = deploy_vault(chain, name=custodian.name, admin=operator, operator=operator)
                system.register(f"custodian-{custodian.name}", custody.vault.address, "institutional")
                system.allow_cash([custody.vault.address])
            system.custodians[custodian.name] = custody
        system.allow_cash([issuer])
        return system

    def register(self, label: str, wallet: str, investor_type: str, jurisdiction: str = "US") -> None:
        """Register an institution's wallet (the issuer's treasury, a vault, a dealer)."""
        identity = Identity(investor_id=label, investor_type=investor_type, jurisdiction=jurisdiction)
        self.registry.register(wallet, identity, sender=self.agent)

    def allow_cash(self, accounts: list[str]) -> None:
        """Put accounts on the cash token's allow-list when it has one."""
        if self.cash.allowListEnabled() and accounts:
            self.cash.batchSetAllowListed(accounts, True, sender=self.cash_issuer)

    def cash_units(self, cents: int) -> int:
        """Cash-token units of an amount in cents."""
        return cents * 10 ** (self.cash_decimals - 2)

    def cents(self, units: int) -> int:
        """Cents of an amount of cash-token units (rounded down)."""
        return units // 10 ** (self.cash_decimals - 2)

    @property
    def cash_decimals(self) -> int:
        cached = self.__dict__.get("_cash_decimals")
        if cached is None:
            cached = self.cash.decimals()
            self.__dict__["_cash_decimals"] = cached
        return cached

    def latest_cents(self) -> int:
        """The oracle's last price of the token in cents, whatever its age."""
        price, _ = self.oracle.latestPrice(self.token)
        return cents_of(price)

    @property
    def token_unit(self) -> int:
        """Token units in one whole token."""
        cached = self.__dict__.get("_token_unit")
        if cached is None:
            cached = 10 ** self.token.decimals()
            self.__dict__["_token_unit"] = cached
        return cached


def _priced(module: ModuleSpec, scenario: Scenario) -> ModuleSpec:
    """An investment limit without ``price_cents`` values purchases at the offering's price."""
    if isinstance(module, InvestmentLimit) and module.price_cents is None and scenario.offering is not None:
        return module.model_copy(update={"price_cents": round(scenario.offering.price * 100)})
    return module
