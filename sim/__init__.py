"""tokensim: a security-token and tokenized-collateral lifecycle simulator.

The public surface, importable from ``sim``::

    from sim import Chain, Identity, Lockup, HolderLimit, deploy_identity_registry, deploy_security_token

Names load on first use, so ``import sim`` (and ``tokensim --help``) stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    # chain layer
    "Chain": "sim.chain",
    "Artifact": "sim.chain",
    "Backend": "sim.chain",
    "Contract": "sim.chain",
    "Event": "sim.chain",
    "Receipt": "sim.chain",
    "register_artifact": "sim.chain",
    # contracts
    "Identity": "sim.contracts",
    "IdentityRegistry": "sim.contracts",
    "Investor": "sim.contracts",
    "InvestorType": "sim.contracts",
    "SecurityToken": "sim.contracts",
    "CashToken": "sim.contracts",
    "Restriction": "sim.contracts",
    "Lockup": "sim.contracts",
    "HolderLimit": "sim.contracts",
    "Jurisdictions": "sim.contracts",
    "AccreditedOnly": "sim.contracts",
    "MaxBalance": "sim.contracts",
    "SupplyLimit": "sim.contracts",
    "InvestmentLimit": "sim.contracts",
    "deploy_identity_registry": "sim.contracts",
    "deploy_security_token": "sim.contracts",
    "deploy_cash_token": "sim.contracts",
    # errors
    "TokensimError": "sim.errors",
    "ConfigError": "sim.errors",
    "ContractRevert": "sim.errors",
    "TransferRestricted": "sim.errors",
    "solidity": "sim.chain.reverts",
    # scenarios and runs
    "Scenario": "sim.scenario",
    "ScenarioError": "sim.scenario",
    "load": "sim.scenario",
    "Run": "sim.engine",
    "RunResult": "sim.engine",
    "Simulation": "sim.engine",
    "write_report": "sim.report.html",
    # testing
    "reverts": "sim.testing",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
