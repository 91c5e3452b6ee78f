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
    "Scenario", "ScenarioError", "load", "Run", "RunResult", "Simulation", "write_report",
}


def test_all_lists_the_public_names():
    assert set(sim.__all__) == EXPECTED


def test_every_public_name_resolves():
    for name in sim.__all__:
        assert getattr(sim, name) is not None, name


HEAVY = ("sim.chain", "sim.engine", "sim.contracts", "eth_abi", "eth_utils", "web3", "eth_tester", "pyrevm",
         "numpy", "simpy", "pydantic", "matplotlib", "pandas", "pyarrow", "dask", "distributed")
"""What a run needs and ``tokensim --help`` does not."""


def _imported_after(statement: str) -> list[str]:
    code = f"import sys; {statement}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [m for m in out.stdout.strip().split(",") if m]


def test_import_sim_is_light():
    """Importing the package does not pull in the chain stack (fast CLI start)."""
    assert _imported_after("import sim") == []


def test_the_cli_module_is_light_until_a_command_runs():
    assert _imported_after("import sim.cli") == []


def test_the_sweep_package_loads_dask_and_pandas_only_when_a_sweep_runs():
    assert not {"pandas", "pyarrow", "dask", "distributed"} & set(_imported_after("import sim.sweep, sim.engine"))


def test_a_public_name_loads_its_module_on_first_use():
    assert "sim.chain" in _imported_after("import sim; sim.Chain")


def test_the_engine_names_of_the_earlier_engines_are_aliases_of_run():
    from sim.engine import MarginSimulation, Run, Simulation, TaxonomySimulation

    assert Simulation is MarginSimulation is TaxonomySimulation is Run is sim.Simulation
