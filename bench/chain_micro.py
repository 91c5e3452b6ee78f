"""Chain micro-benchmark: token transfers per second, our backend against naive web3.

Measures, in one run and on the same contracts:

- ``tokensim``: ``Chain("eth-tester")``, i.e. our eth-tester backend (signed transactions
  applied to a pending block on py-evm, no gas estimation, no JSON-RPC formatting);
- ``naive web3``: ``contract.functions.transfer(...).transact()`` in a loop on a default
  ``Web3(EthereumTesterProvider())``, which estimates gas, fills in fees and mines one
  block per transaction.

Two workloads: a ``SecurityToken`` transfer checked by three compliance modules
(accredited-only, holder limit, jurisdiction block-list), and a plain ERC-20 transfer of
the ``CashToken``. Prints transfers per second and the ratio; ``--json PATH`` writes them.

    python bench/chain_micro.py [--transfers N] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable
from pathlib import Path

from sim.chain import Chain
from sim.chain.artifacts import load
from sim.contracts import (
    AccreditedOnly,
    HolderLimit,
    Identity,
    Jurisdictions,
    deploy_cash_token,
    deploy_identity_registry,
    deploy_security_token,
)
from sim.contracts.identity import DEFAULT_BAND_FLOORS_USD, VERIFIER_ROLE
from sim.contracts.token import AGENT_ROLE, MINTER_ROLE

MODULES = [AccreditedOnly(), HolderLimit(), Jurisdictions(block=["CU", "IR", "KP", "SY"])]


def _rate(n: int, step: Callable[[int], object], warmup: int = 3) -> float:
    for i in range(warmup):
        step(i)
    start = time.perf_counter()
    for i in range(n):
        step(i)
    return n / (time.perf_counter() - start)


def tokensim_rates(n: int) -> dict[str, float]:
    chain = Chain("eth-tester")
    issuer = chain.deployer
    registry = deploy_identity_registry(chain, admin=issuer)
    token = deploy_security_token(chain, registry=registry, admin=issuer, modules=MODULES)
    cash = deploy_cash_token(chain, admin=issuer)
    alice = registry.register(chain.new_account(), Identity(investor_id="alice", investor_type="accredited"), sender=issuer)
    bob = registry.register(chain.new_account(), Identity(investor_id="bob", investor_type="accredited"), sender=issuer)
    token.mint(alice, 10**9, sender=issuer)
    cash.mint(alice, 10**15, sender=issuer)
    return {
        "security_token_transfer": _rate(n, lambda i: token.transfer(bob, 1, sender=alice)),
        "erc20_transfer": _rate(n, lambda i: cash.transfer(bob, 1, sender=alice)),
    }


def naive_rates(n: int) -> dict[str, float]:
    from web3 import EthereumTesterProvider, Web3

    w3 = Web3(EthereumTesterProvider())
    issuer, alice, bob = w3.eth.accounts[:3]
    w3.eth.default_account = issuer

    def deploy(name: str, *args):
        artifact = load(name)
        factory = w3.eth.contract(abi=list(artifact.abi), bytecode=artifact.bytecode)
        receipt = w3.eth.wait_for_transaction_receipt(factory.constructor(*args).transact())
        return w3.eth.contract(address=receipt.contractAddress, abi=list(artifact.abi))

    registry = deploy("IdentityRegistry", issuer, list(DEFAULT_BAND_FLOORS_USD))
    registry.functions.grantRole(VERIFIER_ROLE, issuer).transact()
    compliance = deploy("Compliance", issuer)
    token = deploy("SecurityToken", "T", "T", 0, issuer, registry.address, compliance.address)
    compliance.functions.bindToken(token.address).transact()
    token.functions.grantRole(AGENT_ROLE, issuer).transact()
    for spec in MODULES:
        module = deploy(spec.contract, compliance.address, issuer, *spec.constructor_args())
        compliance.functions.addModule(module.address).transact()
    now = w3.eth.get_block("latest")["timestamp"]
    for label, wallet in (("alice", alice), ("bob", bob)):
        struct = Identity(investor_id=label, investor_type="accredited").to_struct(now)
        registry.functions.registerIdentity(wallet, struct).transact()
    token.functions.mint(alice, 10**9).transact()
    cash = deploy("CashToken", "USD", "USD", 6, issuer, False)
    cash.functions.grantRole(MINTER_ROLE, issuer).transact()
    cash.functions.mint(alice, 10**15).transact()
    return {
        "security_token_transfer": _rate(n, lambda i: token.functions.transfer(bob, 1).transact({"from": alice})),
        "erc20_transfer": _rate(n, lambda i: cash.functions.transfer(bob, 1).transact({"from": alice})),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transfers", type=int, default=200, help="transfers per measurement (ours)")
    parser.add_argument("--naive-transfers", type=int, default=40, help="transfers per measurement (naive web3)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()

    ours = tokensim_rates(args.transfers)
    naive = naive_rates(args.naive_transfers)
    rows = []
    print(f"{'workload':<28}{'tokensim tx/s':>16}{'naive web3 tx/s':>18}{'ratio':>9}")
    for workload in ours:
        ratio = ours[workload] / naive[workload]
        rows.append({"workload": workload, "tokensim": ours[workload], "naive_web3": naive[workload], "ratio": ratio})
        print(f"{workload:<28}{ours[workload]:>16.1f}{naive[workload]:>18.1f}{ratio:>8.1f}x")
    target = min(r["ratio"] for r in rows)
    print(f"target: tokensim >= 3x naive web3 -> {'met' if target >= 3 else 'NOT MET'} (lowest ratio {target:.1f}x)")
    if args.json:
        args.json.write_text(json.dumps({"machine": platform.platform(), "python": platform.python_version(), "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
