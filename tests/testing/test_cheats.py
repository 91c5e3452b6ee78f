"""The issuer's test kit on ``chain``: prank, deal, expect_emit, and handles that list
their functions. Each cheat is checked on both in-process backends; a backend that cannot
do one says so with ``CheatUnsupported`` naming itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.chain import Chain
from sim.chain.abi import checksum
from sim.chain.rpc import RpcBackend
from sim.contracts import Lockup, deploy_cash_token, deploy_identity_registry, deploy_security_token
from sim.contracts.identity import Identity
from sim.errors import CheatUnsupported, ConfigError, TransactionInvalid

KEYLESS = checksum("0x00000000000000000000000000000000c0ffee00")
"""An address no backend holds a key for (a contract, a multisig, someone else's wallet)."""


@pytest.fixture(scope="module", params=["eth-tester", "revm"])
def world(request):
    chain = Chain(request.param)
    deployer = chain.deployer
    cash = deploy_cash_token(chain, admin=deployer)
    registry = deploy_identity_registry(chain, admin=deployer)
    token = deploy_security_token(chain, registry=registry, admin=deployer, modules=[Lockup(days=30)])
    investors = [registry.register(chain.new_account(), Identity(investor_id=f"i{i}", investor_type="accredited",
                                                                 jurisdiction="US"), sender=deployer)
                 for i in range(2)]
    yield chain, cash, token, investors
    chain.close()


@pytest.fixture
def fresh(world):
    chain = world[0]
    with chain.isolation():
        yield world


# ------------------------------------------------------------------- prank


def test_a_prank_sends_as_an_address_without_its_key(fresh):
    chain, cash, _, (alice, _) = fresh
    cash.mint(KEYLESS, 10, sender=chain.deployer)
    with chain.prank(KEYLESS) as who:
        receipt = cash.transfer(alice, 4, sender=who)
    assert receipt.events_named("Transfer")[0].args == {"from": KEYLESS, "to": alice, "value": 4}
    assert (cash.balanceOf(KEYLESS), cash.balanceOf(alice)) == (6, 4)


def test_eth_tester_refuses_a_keyless_sender_outside_a_prank(fresh):
    chain, cash, _, (alice, _) = fresh
    if chain.backend.name != "eth-tester":
        pytest.skip("revm runs message calls from any address: it has no signatures to check")
    with pytest.raises(TransactionInvalid, match="no key for sender"):
        cash.transfer(alice, 0, sender=KEYLESS)
    with chain.prank(KEYLESS):
        cash.transfer(alice, 0, sender=KEYLESS)
    with pytest.raises(TransactionInvalid):
        cash.transfer(alice, 0, sender=KEYLESS)


def test_pranked_transactions_seal_into_blocks_like_any_other(fresh):
    chain, cash, _, (alice, _) = fresh
    with chain.prank(KEYLESS) as who:
        cash.transfer(alice, 0, sender=who)
        cash.transfer(alice, 0, sender=who)
    chain.mine()
    assert chain.backend.nonce(bytes.fromhex(KEYLESS[2:])) == 2


def test_a_backend_that_cannot_impersonate_names_itself():
    rpc = object.__new__(RpcBackend)  # no node needed: the refusal comes before any request
    with pytest.raises(CheatUnsupported, match="the rpc backend cannot impersonate") as refused:
        rpc.impersonate(bytes(20))
    assert (refused.value.backend, RpcBackend.capabilities.impersonation) == ("rpc", False)
    with pytest.raises(CheatUnsupported, match="the rpc backend cannot write storage"):
        rpc.set_storage(bytes(20), 0, 1)


# -------------------------------------------------------------------- deal


def test_deal_sets_an_ether_balance(fresh):
    chain, *_ = fresh
    chain.deal(KEYLESS, 7 * 10**18)
    assert chain.balance(KEYLESS) == 7 * 10**18


def test_deal_writes_a_token_balance_and_leaves_the_supply_alone(fresh):
    chain, cash, _, (alice, _) = fresh
    cash.mint(alice, 5, sender=chain.deployer)
    chain.deal(alice, 500, token=cash)
    assert (cash.balanceOf(alice), cash.totalSupply()) == (500, 5)


def test_deal_moves_the_supply_by_the_difference_when_asked(fresh):
    chain, cash, _, (alice, _) = fresh
    cash.mint(alice, 5, sender=chain.deployer)
    chain.deal(alice, 500, token=cash, adjust_supply=True)
    chain.deal(alice, 100, token=cash, adjust_supply=True)
    assert (cash.balanceOf(alice), cash.totalSupply()) == (100, 100)


def test_deal_through_the_minter_runs_the_tokens_rules(fresh):
    """Minted, so the lock-up module records a lot; a storage write would not."""
    chain, _, token, (alice, _) = fresh
    t0 = chain.now()
    chain.deal(alice, 100, token=token, minter=chain.deployer)
    assert token.module("lockup").lockedBalanceOf(alice) == (100, t0 + 30 * 86_400)
    chain.deal(alice, 40, token=token, minter=chain.deployer)
    assert (token.balanceOf(alice), token.totalSupply()) == (40, 40)


def test_a_dealt_balance_is_undone_with_the_snapshot(fresh):
    chain, cash, _, (alice, _) = fresh
    with chain.isolation():
        chain.deal(alice, 500, token=cash)
        chain.deal(alice, 3)
    assert (cash.balanceOf(alice), chain.balance(alice)) == (0, 0)


def test_deal_refuses_what_it_cannot_give(fresh):
    chain, cash, _, (alice, _) = fresh
    with pytest.raises(ConfigError, match="amount"):
        chain.deal(alice, -1, token=cash)
    with pytest.raises(ConfigError, match="contract handle"):
        chain.deal(alice, 1, token=cash.address)
    with pytest.raises(ConfigError, match="pass token="):
        chain.deal(alice, 1, adjust_supply=True)


# ------------------------------------------------------------- expect_emit


def test_expect_emit_passes_on_the_event_and_its_arguments(fresh):
    chain, cash, _, (alice, bob) = fresh
    cash.mint(alice, 10, sender=chain.deployer)
    with chain.expect_emit("Transfer", emitter=cash, args={"from": alice.lower()}, to=bob, value=4) as seen:
        cash.transfer(bob, 4, sender=alice)
    assert [e.value for e in seen] == [4]


def test_expect_emit_fails_listing_what_was_emitted(fresh):
    chain, cash, _, (alice, bob) = fresh
    cash.mint(alice, 10, sender=chain.deployer)
    with (pytest.raises(AssertionError, match=r"expected Transfer\{'value': 5\}, got: Transfer"),
          chain.expect_emit("Transfer", value=5)):
        cash.transfer(bob, 4, sender=alice)


def test_expect_emit_checks_the_emitter(fresh):
    chain, cash, token, (alice, bob) = fresh
    cash.mint(alice, 10, sender=chain.deployer)
    with pytest.raises(AssertionError, match="from " + token.address), chain.expect_emit("Transfer", emitter=token):
        cash.transfer(bob, 4, sender=alice)


# ------------------------------------------------------------------ handles


def test_a_handle_lists_its_contracts_functions_and_its_helpers(fresh):
    _, cash, token, _ = fresh
    listed = dir(token)
    assert {"transfer", "forcedTransfer", "setFrozenTokens", "canTransfer", "restriction", "explain",
            "module", "modules"} <= set(listed)
    assert set(token.function_names) <= set(listed)
    assert "mint" in dir(cash) and "forcedTransfer" not in dir(cash)


# --------------------------------------------------------------------- docs

DOCS = Path(__file__).resolve().parents[2] / "docs" / "testing-tokens.md"


def test_the_docs_quote_the_kit_example_verbatim():
    example = (Path(__file__).parent / "test_kit_example.py").read_text()
    assert example in DOCS.read_text()


def test_the_docs_list_every_function_of_the_token_handle(fresh):
    _, _, token, _ = fresh
    listed = DOCS.read_text().split("## What a token handle offers")[1].split("\n## ")[0]
    helpers = {"restriction", "explain", "module", "modules", "compliance_contract", "fn", "function_names"}
    assert [name for name in sorted(set(token.function_names) | helpers) if f"`{name}" not in listed] == []
