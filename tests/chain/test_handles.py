"""Typed handles: the class of a contract's handle is decided by one table, not by imports.

``Chain.deploy`` and ``Chain.at`` return the typed handle of every shipped contract that has
one (``sim.chain.chain.HANDLES``), whatever the caller imported before; ``handle=`` chooses
one explicitly and ``register_handle`` adds an issuer's own.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys

import pytest

import sim.contracts
from sim.chain import Chain, Contract
from sim.chain.chain import HANDLES, handle_class, register_handle
from sim.errors import ConfigError


def test_a_fresh_interpreter_gets_the_typed_handle_without_importing_the_contracts_package():
    code = (
        "import sys\n"
        "from sim.chain import Chain\n"
        "chain = Chain('revm')\n"
        "a = chain.accounts[0]\n"
        "dvp = chain.deploy('DvPSettlement', a, 100, sender=a)\n"
        "print(type(dvp).__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "DvPSettlement"


def test_every_typed_handle_class_of_the_contracts_package_is_in_the_table():
    defined = {}
    for info in pkgutil.iter_modules(sim.contracts.__path__):
        module = importlib.import_module(f"sim.contracts.{info.name}")
        for name, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, Contract) and obj is not Contract and obj.__module__ == module.__name__:
                defined[name] = f"{module.__name__}:{name}"
    assert defined == HANDLES


@pytest.mark.parametrize("artifact", sorted(HANDLES))
def test_each_table_entry_resolves_to_the_handle_named_after_its_artifact(artifact):
    cls = handle_class(artifact)
    assert issubclass(cls, Contract) and cls.__name__ == artifact


def test_an_artifact_without_a_typed_handle_gets_a_plain_contract():
    assert handle_class("LockupModule") is Contract


def test_an_explicit_handle_wins_over_the_table():
    class Probe(Contract):
        pass

    chain = Chain("revm")
    a = chain.accounts[0]
    oracle = chain.deploy("PriceOracle", a, 100, sender=a, handle=Probe)
    assert type(oracle) is Probe
    assert type(chain.at(oracle.address, "PriceOracle")).__name__ == "PriceOracle"


def test_register_handle_refuses_what_is_not_a_contract_handle():
    with pytest.raises(ConfigError, match="subclass of sim.chain.Contract"):
        register_handle("PriceOracle", dict)  # type: ignore[arg-type]
