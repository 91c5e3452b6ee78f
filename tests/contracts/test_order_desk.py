"""OrderDesk: an order's price and the trader's available shares and cash, in one read.

The desk answers what ``priceOf`` and the two ``availableBalanceOf`` (or an omnibus vault's
``positionOf``) answer separately, at the same block, and a stale or missing price comes back
as the very error ``priceOf`` refuses with. It is read-only: it has no function that writes.
"""

from __future__ import annotations

import pytest

from sim import solidity
from sim.chain.artifacts import load
from sim.contracts import AccreditedOnly, Identity
from sim.contracts.custody import deploy_vault
from sim.contracts.desk import deploy_order_desk
from sim.contracts.oracle import deploy_oracle, to_oracle_price

MAX_AGE = 3_600


@pytest.fixture
def market(chain, make_security_token, cash_token, deployer):
    token = make_security_token(modules=[AccreditedOnly()])
    oracle = deploy_oracle(chain, admin=deployer, max_age_seconds=MAX_AGE)
    desk = deploy_order_desk(chain, deployer=chain.new_account()).bind(
        oracle=oracle, asset=token, security=token, cash=cash_token
    )
    return token, oracle, desk


def test_a_fresh_price_and_the_traders_available_balances_come_back_together(
    chain, market, cash_token, make_investor, deployer
):
    token, oracle, desk = market
    alice = make_investor()
    token.mint(alice, 1_000, sender=deployer)
    token.freezePartialTokens(alice, 150, sender=deployer)
    cash_token.mint(alice, 5_000, sender=deployer)
    oracle.setPrice(token, to_oracle_price(2_050), sender=deployer)
    view = desk.view(alice)
    assert view.price == oracle.priceOf(token)[0] == to_oracle_price(2_050)
    assert view.refusal is None
    assert view.security_available == token.availableBalanceOf(alice) == 850
    assert view.cash_available == cash_token.availableBalanceOf(alice) == 5_000


def test_held_tokens_are_not_available_to_an_order(chain, market, make_investor, deployer):
    token, oracle, desk = market
    alice = make_investor()
    token.mint(alice, 400, sender=deployer)
    token.grantRole(token.HOLD_OPERATOR_ROLE(), deployer, sender=deployer)
    token.hold(b"\x01" * 32, alice, 100, sender=deployer)
    oracle.setPrice(token, to_oracle_price(100), sender=deployer)
    assert desk.view(alice).security_available == token.availableBalanceOf(alice) == 300


def test_a_price_one_second_past_its_maximum_age_comes_back_as_prices_own_refusal(
    chain, market, make_investor, deployer
):
    token, oracle, desk = market
    alice = make_investor()
    token.mint(alice, 10, sender=deployer)
    oracle.setPrice(token, to_oracle_price(100), sender=deployer)
    set_at = chain.now()
    chain.warp(set_at + MAX_AGE)
    assert desk.view(alice).price == to_oracle_price(100)
    chain.warp(set_at + MAX_AGE + 1)
    view = desk.view(alice)
    assert view.price is None
    assert isinstance(view.refusal, solidity.OracleStalePrice)
    assert view.refusal.values == {"asset": token.address, "updatedAt": set_at, "maxAge": MAX_AGE,
                                   "now_": set_at + MAX_AGE + 1}
    with pytest.raises(solidity.OracleStalePrice) as separately:
        oracle.priceOf(token)
    assert str(view.refusal) == str(separately.value)
    assert view.security_available == 10  # the balances are still read


def test_no_price_yet_comes_back_as_no_price(chain, market, make_investor):
    token, _, desk = market
    view = desk.view(make_investor())
    assert isinstance(view.refusal, solidity.OracleNoPrice)
    assert view.refusal.values == {"asset": token.address}


def test_an_omnibus_client_is_read_in_its_custodians_books_not_the_vaults_wallet(
    chain, market, cash_token, identity_registry, make_investor, deployer
):
    token, oracle, desk = market
    operator = chain.new_account()
    vault = deploy_vault(chain, name="Omnibus", admin=deployer, operator=operator)
    identity_registry.register(vault, Identity(investor_id="custodian-desk", investor_type="institutional"),
                               sender=deployer)
    alice = make_investor()
    vault.openAccount(alice, sender=operator)
    token.mint(alice, 100, sender=deployer)
    token.approve(vault, 100, sender=alice)
    vault.deposit(token, 60, sender=alice)
    cash_token.mint(alice, 900, sender=deployer)
    cash_token.approve(vault, 900, sender=alice)
    vault.deposit(cash_token, 700, sender=alice)
    oracle.setPrice(token, to_oracle_price(100), sender=deployer)
    view = desk.view(alice, vault)
    assert (view.security_available, view.cash_available) == (vault.positionOf(token, alice)[0],
                                                              vault.positionOf(cash_token, alice)[0]) == (60, 700)
    assert (desk.view(alice).security_available, desk.view(alice).cash_available) == (40, 200)


def test_the_desk_has_no_function_that_writes():
    abi = load("OrderDesk").abi
    functions = [entry for entry in abi if entry["type"] == "function"]
    assert [f["name"] for f in functions] == ["orderView"]
    assert all(f["stateMutability"] == "view" for f in functions)
    assert not [entry for entry in abi if entry["type"] in ("receive", "fallback", "constructor")]
