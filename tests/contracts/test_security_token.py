"""SecurityToken: who may hold it, and what the agent can and cannot do."""

from __future__ import annotations

import pytest

from sim import solidity
from sim.contracts import Lockup, Restriction
from sim.contracts.token import AGENT_ROLE

ZERO = "0x" + "00" * 20


@pytest.fixture
def token(make_security_token):
    """A token with no modules: only the token's own rules apply."""
    return make_security_token(name="Acme Class A", symbol="ACME")


@pytest.fixture
def alice(make_investor):
    return make_investor()


@pytest.fixture
def bob(make_investor):
    return make_investor()


@pytest.fixture
def funded(token, alice, deployer):
    token.mint(alice, 100, sender=deployer)
    return token


# ------------------------------------------------------------------ metadata


def test_metadata(token):
    assert (token.name(), token.symbol(), token.decimals()) == ("Acme Class A", "ACME", 0)


def test_decimals_are_configurable(make_security_token):
    assert make_security_token(decimals=6).decimals() == 6


# -------------------------------------------------------------- verification


def test_mint_to_an_unverified_wallet_is_refused(chain, token, make_investor, deployer, reverts):
    pending = make_investor(verified=False)
    assert token.restriction(ZERO, pending, 1) == Restriction.RECIPIENT_NOT_VERIFIED
    with reverts(solidity.RecipientNotVerified, wallet=pending, code=Restriction.RECIPIENT_NOT_VERIFIED):
        token.mint(pending, 1, sender=deployer)


def test_mint_to_an_unregistered_wallet_is_refused(chain, token, deployer, reverts):
    stranger = chain.new_account()
    with reverts(solidity.RecipientNotVerified, wallet=stranger):
        token.mint(stranger, 1, sender=deployer)


def test_transfer_to_an_unverified_wallet_is_refused(chain, funded, alice, make_investor, reverts):
    pending = make_investor(verified=False)
    with reverts(solidity.RecipientNotVerified, wallet=pending):
        funded.transfer(pending, 1, sender=alice)


def test_verification_ends_at_its_expiry_second(chain, funded, alice, make_investor, reverts):
    expiry = chain.now() + 10_000
    bob = make_investor(expiry=expiry)
    chain.warp(expiry - 1)
    funded.transfer(bob, 1, sender=alice)
    chain.warp(expiry)
    with reverts(solidity.RecipientNotVerified, wallet=bob):
        funded.transfer(bob, 1, sender=alice)


def test_revoked_identity_cannot_receive(chain, funded, alice, bob, identity_registry, deployer, reverts):
    identity_registry.revokeIdentity(bob, sender=deployer)
    with reverts(solidity.RecipientNotVerified, wallet=bob):
        funded.transfer(bob, 1, sender=alice)


def test_unverified_holder_may_still_sell(chain, funded, alice, bob, identity_registry, deployer):
    """Verification gates receiving, not sending: a lapsed holder can exit."""
    identity_registry.revokeIdentity(alice, sender=deployer)
    funded.transfer(bob, 10, sender=alice)
    assert funded.balanceOf(bob) == 10


# ------------------------------------------------------------------- balance


def test_transfer_beyond_balance_is_refused_with_the_erc20_error(chain, funded, alice, bob, reverts):
    assert funded.restriction(alice, bob, 101) == Restriction.INSUFFICIENT_BALANCE
    with reverts(solidity.ERC20InsufficientBalance, sender=alice, balance=100, needed=101):
        funded.transfer(bob, 101, sender=alice)


def test_transfer_to_the_zero_address_is_refused(chain, funded, alice, reverts):
    assert funded.restriction(alice, ZERO, 1) == Restriction.INVALID_RECIPIENT
    with reverts(solidity.ERC20InvalidReceiver, receiver=ZERO):
        funded.transfer(ZERO, 1, sender=alice)


def test_transfer_from_needs_allowance_and_the_same_rules(chain, funded, alice, bob, make_investor, reverts):
    spender = make_investor()
    with reverts(solidity.ERC20InsufficientAllowance, spender=spender, allowance=0, needed=5):
        funded.transferFrom(alice, bob, 5, sender=spender)
    funded.approve(spender, 5, sender=alice)
    pending = make_investor(verified=False)
    with reverts(solidity.RecipientNotVerified):
        funded.transferFrom(alice, pending, 5, sender=spender)
    funded.transferFrom(alice, bob, 5, sender=spender)
    assert funded.balanceOf(bob) == 5


# --------------------------------------------------------------------- pause


def test_pause_stops_holder_transfers(chain, funded, alice, bob, deployer, reverts):
    receipt = funded.pause(sender=deployer)
    assert receipt.events_named("Paused")[0].account == deployer
    assert funded.restriction(alice, bob, 1) == Restriction.PAUSED
    with reverts(solidity.EnforcedPause, code=Restriction.PAUSED):
        funded.transfer(bob, 1, sender=alice)


def test_agent_acts_while_paused(chain, funded, alice, bob, deployer):
    funded.pause(sender=deployer)
    funded.mint(bob, 1, sender=deployer)
    funded.forcedTransfer(alice, bob, 1, False, sender=deployer)
    funded.burn(alice, 1, sender=deployer)
    assert (funded.balanceOf(alice), funded.balanceOf(bob)) == (98, 2)


def test_unpause_restores_transfers(chain, funded, alice, bob, deployer):
    funded.pause(sender=deployer)
    funded.unpause(sender=deployer)
    assert funded.restriction(alice, bob, 1) == Restriction.SUCCESS
    receipt = funded.transfer(bob, 1, sender=alice)
    assert receipt.events[0].args == {"from": alice, "to": bob, "value": 1}
    assert (funded.balanceOf(alice), funded.balanceOf(bob)) == (99, 1)


# -------------------------------------------------------------------- freeze


def test_frozen_sender_is_refused(chain, funded, alice, bob, deployer, reverts):
    receipt = funded.setAddressFrozen(alice, True, sender=deployer)
    assert receipt.events[0].args == {"wallet": alice, "frozen": True, "agent": deployer}
    with reverts(solidity.SenderFrozen, wallet=alice, code=Restriction.SENDER_FROZEN):
        funded.transfer(bob, 1, sender=alice)


def test_frozen_recipient_is_refused(chain, funded, alice, bob, deployer, reverts):
    funded.setAddressFrozen(bob, True, sender=deployer)
    assert funded.restriction(alice, bob, 1) == Restriction.RECIPIENT_FROZEN
    with reverts(solidity.RecipientFrozen, wallet=bob):
        funded.transfer(bob, 1, sender=alice)


def test_partial_freeze_leaves_the_rest_movable(chain, funded, alice, bob, deployer, reverts):
    funded.freezePartialTokens(alice, 30, sender=deployer)
    assert funded.restriction(alice, bob, 71) == Restriction.FROZEN_TOKENS
    with reverts(solidity.InsufficientUnfrozenBalance, holder=alice, unfrozen=70, needed=71):
        funded.transfer(bob, 71, sender=alice)
    funded.transfer(bob, 70, sender=alice)
    assert funded.frozenTokens(alice) == 30


def test_cannot_freeze_more_than_the_balance(chain, funded, alice, deployer, reverts):
    funded.freezePartialTokens(alice, 60, sender=deployer)
    with reverts(solidity.TokenFreezeExceedsBalance, wallet=alice, balance=100, held=0, frozenAfter=101):
        funded.freezePartialTokens(alice, 41, sender=deployer)


def test_cannot_unfreeze_more_than_frozen(chain, funded, alice, deployer, reverts):
    funded.freezePartialTokens(alice, 10, sender=deployer)
    with reverts(solidity.TokenUnfreezeExceedsFrozen, wallet=alice, frozen=10, amount=11):
        funded.unfreezePartialTokens(alice, 11, sender=deployer)
    funded.unfreezePartialTokens(alice, 10, sender=deployer)
    assert funded.frozenTokens(alice) == 0


def test_burn_never_touches_frozen_tokens(chain, funded, alice, deployer, reverts):
    funded.freezePartialTokens(alice, 30, sender=deployer)
    with reverts(solidity.InsufficientUnfrozenBalance, unfrozen=70, needed=71):
        funded.burn(alice, 71, sender=deployer)
    funded.burn(alice, 70, sender=deployer)
    assert funded.totalSupply() == 30


# ----------------------------------------------------------- forced transfer


def test_forced_transfer_moves_without_the_holder(chain, funded, alice, bob, deployer):
    receipt = funded.forcedTransfer(alice, bob, 40, False, sender=deployer)
    (forced,) = receipt.events_named("ForcedTransfer")
    assert forced.args == {
        "from": alice, "to": bob, "amount": 40, "complianceOverridden": False, "agent": deployer,
    }
    assert funded.balanceOf(bob) == 40


def test_forced_transfer_still_runs_compliance(chain, make_security_token, make_investor, deployer, reverts):
    token = make_security_token(modules=[Lockup(days=30)])
    alice, bob = make_investor(), make_investor()
    token.mint(alice, 10, sender=deployer)
    with reverts(solidity.LockupActive, holder=alice, needed=10):
        token.forcedTransfer(alice, bob, 10, False, sender=deployer)


def test_forced_transfer_with_override_skips_compliance_and_says_so(
    chain, make_security_token, make_investor, deployer
):
    token = make_security_token(modules=[Lockup(days=30)])
    alice, bob = make_investor(), make_investor()
    t0 = chain.now()
    token.mint(alice, 10, sender=deployer)
    receipt = token.forcedTransfer(alice, bob, 10, True, sender=deployer)
    assert receipt.events_named("ForcedTransfer")[0].complianceOverridden is True
    # the lot keeps its holding period at the new holder
    assert token.module("lockup").lockedBalanceOf(bob) == (10, t0 + 30 * 86_400)


def test_forced_transfer_to_an_unverified_wallet_needs_the_override(chain, funded, alice, deployer, reverts):
    outsider = chain.new_account()
    with reverts(solidity.RecipientNotVerified, wallet=outsider):
        funded.forcedTransfer(alice, outsider, 1, False, sender=deployer)
    funded.forcedTransfer(alice, outsider, 1, True, sender=deployer)
    assert funded.balanceOf(outsider) == 1


def test_forced_transfer_never_silently_unfreezes(chain, funded, alice, bob, deployer, reverts):
    funded.freezePartialTokens(alice, 30, sender=deployer)
    for override in (False, True):
        with reverts(solidity.InsufficientUnfrozenBalance, holder=alice, unfrozen=70, needed=100):
            funded.forcedTransfer(alice, bob, 100, override, sender=deployer)
    assert funded.frozenTokens(alice) == 30
    receipt = funded.unfreezePartialTokens(alice, 30, sender=deployer)
    assert receipt.events_named("TokensUnfrozen")[0].amount == 30
    funded.forcedTransfer(alice, bob, 100, False, sender=deployer)


def test_forced_transfer_from_a_frozen_wallet_keeps_it_frozen(chain, funded, alice, bob, deployer):
    funded.setAddressFrozen(alice, True, sender=deployer)
    funded.forcedTransfer(alice, bob, 100, False, sender=deployer)
    assert funded.isFrozen(alice) is True


# ----------------------------------------------------------------- recovery


def test_recovery_moves_everything_to_the_investors_new_wallet(
    chain, funded, alice, make_investor, deployer
):
    new_wallet = make_investor(investor_id=alice.identity.investor_id)
    funded.freezePartialTokens(alice, 25, sender=deployer)
    receipt = funded.recoverWallet(alice, new_wallet, sender=deployer)
    (recovered,) = receipt.events_named("WalletRecovered")
    assert recovered.args["lostWallet"] == alice and recovered.args["amount"] == 100
    assert (funded.balanceOf(alice), funded.balanceOf(new_wallet)) == (0, 100)
    assert (funded.frozenTokens(alice), funded.frozenTokens(new_wallet)) == (0, 25)
    assert funded.isFrozen(alice) is True
    assert funded.isFrozen(new_wallet) is False


def test_recovery_carries_a_wallet_freeze(chain, funded, alice, make_investor, deployer):
    new_wallet = make_investor(investor_id=alice.identity.investor_id)
    funded.setAddressFrozen(alice, True, sender=deployer)
    funded.recoverWallet(alice, new_wallet, sender=deployer)
    assert funded.isFrozen(new_wallet) is True


def test_recovery_to_another_investor_is_refused(chain, funded, alice, bob, deployer, reverts):
    with reverts(solidity.TokenRecoveryInvestorMismatch, lostWallet=alice, newWallet=bob):
        funded.recoverWallet(alice, bob, sender=deployer)


def test_recovery_needs_a_verified_new_wallet(chain, funded, alice, make_investor, deployer, reverts):
    new_wallet = make_investor(investor_id=alice.identity.investor_id, verified=False)
    with reverts(solidity.RecipientNotVerified, wallet=new_wallet):
        funded.recoverWallet(alice, new_wallet, sender=deployer)


def test_recovery_keeps_holding_periods(chain, make_security_token, make_investor, deployer, reverts):
    token = make_security_token(modules=[Lockup(days=30)])
    alice, bob = make_investor(), make_investor()
    new_wallet = make_investor(investor_id=alice.identity.investor_id)
    t0 = chain.now()
    token.mint(alice, 10, sender=deployer)
    token.recoverWallet(alice, new_wallet, sender=deployer)
    with reverts(solidity.LockupActive, holder=new_wallet, nextRelease=t0 + 30 * 86_400):
        token.transfer(bob, 1, sender=new_wallet)


# -------------------------------------------------------------------- batches


def test_batch_mint_is_all_or_nothing(chain, token, alice, make_investor, deployer, reverts):
    pending = make_investor(verified=False)
    with reverts(solidity.RecipientNotVerified, wallet=pending):
        token.batchMint([alice, pending], [5, 5], sender=deployer)
    assert token.totalSupply() == 0
    token.batchMint([alice, alice], [5, 6], sender=deployer)
    assert token.balanceOf(alice) == 11


def test_batch_length_mismatch_is_refused(chain, token, alice, deployer, reverts):
    with reverts(solidity.TokenBatchLengthMismatch, first=2, second=1):
        token.batchMint([alice, alice], [5], sender=deployer)


def test_batch_transfer_and_batch_agent_actions(chain, funded, alice, bob, make_investor, deployer):
    carol = make_investor()
    funded.batchTransfer([bob, carol], [10, 20], sender=alice)
    funded.batchFreezePartialTokens([bob, carol], [5, 5], sender=deployer)
    funded.batchUnfreezePartialTokens([bob], [5], sender=deployer)
    funded.batchSetAddressFrozen([bob, carol], True, sender=deployer)
    funded.batchForcedTransfer([bob], [alice], [5], False, sender=deployer)
    funded.batchBurn([alice, carol], [1, 15], sender=deployer)
    assert [funded.balanceOf(w) for w in (alice, bob, carol)] == [74, 5, 5]
    assert (funded.frozenTokens(bob), funded.frozenTokens(carol)) == (0, 5)
    assert funded.isFrozen(bob) and funded.isFrozen(carol)


# ------------------------------------------------------------------ ERC-1404


def test_can_transfer_matches_the_restriction_code_up_to_the_balance(chain, funded, alice, bob, deployer):
    """Above the balance ``canTransfer`` leaves the refusal to ERC-20 (ERC-7943): the code
    says INSUFFICIENT_BALANCE, ``canTransfer`` answers the token's own rules only."""
    funded.freezePartialTokens(alice, 30, sender=deployer)
    assert funded.canTransfer(alice, bob, 70) is True
    assert (funded.canTransfer(alice, bob, 71), funded.restriction(alice, bob, 71)) == (False, Restriction.FROZEN_TOKENS)
    assert (funded.canTransfer(alice, bob, 101), funded.restriction(alice, bob, 101)) == (
        True, Restriction.INSUFFICIENT_BALANCE)


def test_detect_with_zero_sender_reports_mint_rules(chain, funded, make_investor):
    assert funded.restriction(ZERO, make_investor(), 1) == Restriction.SUCCESS
    assert funded.restriction(ZERO, make_investor(verified=False), 1) == Restriction.RECIPIENT_NOT_VERIFIED


def test_explain_returns_the_error_the_transfer_would_raise(chain, funded, alice, bob):
    explained = funded.explain(alice, bob, 500)
    assert isinstance(explained, solidity.ERC20InsufficientBalance)
    assert (explained.balance, explained.needed, explained.code) == (100, 500, Restriction.INSUFFICIENT_BALANCE)
    assert funded.explain(alice, bob, 1) is None


def test_agent_role_can_be_given_to_a_transfer_agent(chain, make_security_token, make_investor, deployer):
    agent = chain.new_account()
    token = make_security_token(agent=agent)
    investor = make_investor()
    assert token.hasRole(AGENT_ROLE, agent) is True
    assert token.hasRole(AGENT_ROLE, deployer) is False
    token.mint(investor, 1, sender=agent)


def test_modules_may_be_given_as_dicts(chain, make_security_token, make_investor, deployer, reverts):
    token = make_security_token(modules=[{"kind": "lockup", "days": 5}, {"kind": "max_balance", "max_balance": 9}])
    assert set(token.modules()) == {"lockup", "max-balance"}
    with reverts(solidity.MaxBalanceExceeded):
        token.mint(make_investor(), 10, sender=deployer)


def test_bad_module_dict_is_refused_before_anything_is_deployed(chain, make_security_token):
    from sim.errors import ConfigError

    number = chain.block_number
    nonce = chain.backend.nonce(bytes.fromhex(chain.deployer[2:]))
    with pytest.raises(ConfigError, match="module.lockup.months: Input should be greater than 0"):
        make_security_token(modules=[{"kind": "lockup", "months": 0}])
    with pytest.raises(ConfigError, match="does not match any of the expected tags"):
        make_security_token(modules=[{"kind": "lock-up", "months": 6}])
    assert chain.backend.nonce(bytes.fromhex(chain.deployer[2:])) == nonce
    assert chain.block_number == number
