"""The curated public API of ``sim``."""

from __future__ import annotations

import subprocess
import sys

import sim

EXPECTED = {
    "AccreditedOnly", "Artifact", "Backend", "CashToken", "Chain", "ConfigError", "Contract",
    "ContractRevert", "Event", "HolderLimit", "Identity", "IdentityRegistry", "InvestmentLimit",
    "Investor", "InvestorType", "Jurisdictions", "Lockup", "MaxBalance", "Receipt", "Restriction",
    "SecurityToken", "SupplyLimit", "TokensimError", "TransferRestricted", "deploy_cash_token",
    "deploy_identity_registry", "deploy_security_token", "register_artifact", "reverts", "solidity",
    "Scenario", "ScenarioError", "load", "Simulation", "RunResult",
}


def test_all_lists_the_public_names():
    assert set(sim.__all__) == EXPECTED


def test_every_public_name_resolves():
    for name in sim.__all__:
        assert getattr(sim, name) is not None, name


def test_import_sim_is_light():
    """Importing the package does not pull in the chain stack (fast CLI start)."""
    code = "import sys, sim; print('eth' in sys.modules or 'web3' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
