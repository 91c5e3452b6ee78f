"""Holds: tokens set aside for a settlement stay with their owner and cannot be spent."""

from __future__ import annotations

import pytest

from sim import solidity
from sim.contracts import Restriction
from sim.contracts.settlement import HOLD_OPERATOR_ROLE

HOLD = b"h".ljust(32, b"\x00")
OTHER_HOLD = b"g".ljust(32, b"\x00")


@pytest.fixture
def operator(chain, deployer, security_token, cash_token):
    account = chain.new_account()
    security_token.grantRole(HOLD_OPERATOR_ROLE, account, sender=deployer)
    cash_token.grantRole(HOLD_OPERATOR_ROLE, account, sender=deployer)
    return account


@pytest.fixture
def token(make_security_token):
    return make_security_token()


@pytest.fixture
def parties(chain, token, make_investor, deployer):
    alice, bob = make_investor(), make_investor()
    token.mint(alice, 100, sender=deployer)
    return alice, bob


@pytest.fixture
def held(chain, token, parties, deployer):
    operator = chain.new_account()
    token.grantRole(HOLD_OPERATOR_ROLE, operator, sender=deployer)
    alice, _ = parties
    token.hold(HOLD, alice, 60, sender=operator)
    return operator


def test_held_tokens_stay_with_the_holder_but_cannot_be_spent(chain, token, parties, held, reverts):
    alice, bob = parties
    assert (token.balanceOf(alice), token.heldBalanceOf(alice)) == (100, 60)
    assert token.restriction(alice, bob, 41) == Restriction.TOKENS_ON_HOLD
    with reverts(solidity.TokensOnHold, holder=alice, available=40, needed=41, code=Restriction.TOKENS_ON_HOLD):
        token.transfer(bob, 41, sender=alice)
    token.transfer(bob, 40, sender=alice)


def test_hold_beyond_the_available_balance_is_refused(chain, token, parties, held, reverts):
    alice, _ = parties
    with reverts(solidity.TokensOnHold, available=40, needed=41):
        token.hold(OTHER_HOLD, alice, 41, sender=held)


def test_only_the_holds_operator_executes_or_releases_it(chain, token, parties, held, deployer, reverts):
    other = chain.new_account()
    token.grantRole(HOLD_OPERATOR_ROLE, other, sender=deployer)
    with reverts(solidity.HoldCallerNotOperator, caller=other, operator=held):
        token.releaseHold(HOLD, sender=other)


def test_partial_execution_delivers_and_keeps_the_rest_on_hold(chain, token, parties, held):
    alice, bob = parties
    receipt = token.executeHold(HOLD, bob, 25, sender=held)
    assert [e.name for e in receipt.events] == ["HoldExecuted", "Transfer"]
    assert (token.balanceOf(bob), token.heldBalanceOf(alice)) == (25, 35)
    token.releaseHold(HOLD, sender=held)
    assert token.heldBalanceOf(alice) == 0
    assert token.holdOf(HOLD).amount == 0


def test_execution_follows_the_holder_transfer_rules(chain, token, parties, held, deployer, make_investor, reverts):
    alice, _ = parties
    pending = make_investor(verified=False)
    with reverts(solidity.RecipientNotVerified, wallet=pending):
        token.executeHold(HOLD, pending, 10, sender=held)
    token.pause(sender=deployer)
    with reverts(solidity.EnforcedPause):
        token.executeHold(HOLD, alice, 10, sender=held)
    assert token.heldBalanceOf(alice) == 60


def test_agent_cannot_freeze_force_or_burn_held_tokens(chain, token, parties, held, deployer, reverts):
    alice, bob = parties
    with reverts(solidity.TokenFreezeExceedsBalance, balance=100, held=60, frozenAfter=41):
        token.freezePartialTokens(alice, 41, sender=deployer)
    with reverts(solidity.TokensOnHold, available=40, needed=50):
        token.forcedTransfer(alice, bob, 50, True, sender=deployer)
    with reverts(solidity.TokensOnHold, available=40, needed=50):
        token.burn(alice, 50, sender=deployer)


def test_recovery_waits_until_holds_are_released(chain, token, parties, held, make_investor, deployer, reverts):
    alice, _ = parties
    new_wallet = make_investor(investor_id=alice.identity.investor_id)
    with reverts(solidity.TokenRecoveryWithHolds, lostWallet=alice, held=60):
        token.recoverWallet(alice, new_wallet, sender=deployer)
    token.releaseHold(HOLD, sender=held)
    token.recoverWallet(alice, new_wallet, sender=deployer)


def test_available_balance_excludes_frozen_and_held(chain, token, parties, held, deployer):
    alice, _ = parties
    token.freezePartialTokens(alice, 15, sender=deployer)
    assert token.availableBalanceOf(alice) == 100 - 60 - 15


def test_sender_pre_check_counts_holds(chain, token, parties, held):
    alice, _ = parties
    assert token.senderRestriction(alice, 40)[0] == Restriction.SUCCESS
    assert token.senderRestriction(alice, 41)[0] == Restriction.TOKENS_ON_HOLD


def test_cash_on_hold_cannot_be_spent(chain, cash_token, operator, deployer, reverts):
    payer, payee = chain.new_account(), chain.new_account()
    cash_token.mint(payer, 1_000, sender=deployer)
    cash_token.hold(HOLD, payer, 700, sender=operator)
    with reverts(solidity.TokensOnHold, holder=payer, available=300, needed=301):
        cash_token.transfer(payee, 301, sender=payer)
    with reverts(solidity.TokensOnHold):
        cash_token.burn(301, sender=payer)
    cash_token.executeHold(HOLD, payee, 700, sender=operator)
    assert (cash_token.balanceOf(payer), cash_token.balanceOf(payee)) == (300, 700)


def test_cash_batch_transfer_pays_everyone_or_nobody(chain, cash_token, deployer, reverts):
    payer = chain.new_account()
    a, b = chain.new_account(), chain.new_account()
    cash_token.mint(payer, 100, sender=deployer)
    with reverts(solidity.ERC20InsufficientBalance):
        cash_token.batchTransfer([a, b], [60, 60], sender=payer)
    cash_token.batchTransfer([a, b], [60, 40], sender=payer)
    assert (cash_token.balanceOf(a), cash_token.balanceOf(b)) == (60, 40)
