"""Typed handles and deployment of the contract system: identity, compliance, tokens."""

from sim.contracts.compliance import (
    AccreditedOnly,
    EligibleParticipant,
    ExemptionWhitelist,
    HolderLimit,
    InvestmentLimit,
    Jurisdictions,
    Lockup,
    MaxBalance,
    ModuleSpec,
    SupplyLimit,
    module_spec,
)
from sim.contracts.identity import (
    DEFAULT_BAND_FLOORS_USD,
    Identity,
    IdentityRegistry,
    Investor,
    InvestorType,
    deploy_identity_registry,
    investor_id,
)
from sim.chain.restrictions import Restriction
from sim.contracts.erc7943 import ERC7943Token
from sim.contracts.token import (
    AGENT_ROLE,
    CashToken,
    LifecycleToken,
    SecurityToken,
    deploy_cash_token,
    deploy_security_token,
)
from sim.contracts import taxonomy as taxonomy  # registers the taxonomy handles

__all__ = [
    "AGENT_ROLE",
    "AccreditedOnly",
    "CashToken",
    "EligibleParticipant",
    "ExemptionWhitelist",
    "DEFAULT_BAND_FLOORS_USD",
    "ERC7943Token",
    "HolderLimit",
    "Identity",
    "IdentityRegistry",
    "InvestmentLimit",
    "Investor",
    "InvestorType",
    "Jurisdictions",
    "Lockup",
    "MaxBalance",
    "ModuleSpec",
    "Restriction",
    "LifecycleToken",
    "SecurityToken",
    "SupplyLimit",
    "deploy_cash_token",
    "deploy_identity_registry",
    "deploy_security_token",
    "investor_id",
    "module_spec",
]
