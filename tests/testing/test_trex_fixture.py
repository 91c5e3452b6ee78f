"""The ``make_trex_token`` fixture: an ERC-3643 (T-REX) token an issuer tests like ours."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from sim.contracts import Restriction
from sim.contracts.trex import ForcedTransferRefused
from sim.errors import ContractRevert


def test_a_t_rex_token_admits_only_verified_holders_in_allowed_countries(chain, make_trex_token):
    token = make_trex_token(allow_countries=["US"], max_balance=1_000)
    alice, bob, carol, dave = (chain.new_account() for _ in range(4))
    token.register(alice, "US")
    token.register(bob, "US")
    token.register(carol, "FR")
    token.register(dave, "US", verified=False)
    token.mint(alice, 600)
    assert token.restriction(alice, bob, 400) == Restriction.SUCCESS
    token.transfer(bob, 400, sender=alice)
    assert (token.balanceOf(alice), token.balanceOf(bob)) == (200, 400)
    for to, code in ((carol, Restriction.JURISDICTION), (dave, Restriction.RECIPIENT_NOT_VERIFIED)):
        assert token.restriction(alice, to, 1) == code
        with pytest.raises(ContractRevert, match="Transfer not possible"):
            token.transfer(to, 1, sender=alice)


def test_a_t_rex_balance_limit_allows_exactly_the_limit_and_refuses_one_unit_more(chain, make_trex_token):
    token = make_trex_token(max_balance=1_000)
    alice = chain.new_account()
    token.register(alice, "US")
    assert token.restriction(None, alice, 1_001) == Restriction.MAX_BALANCE
    token.mint(alice, 1_000)
    with pytest.raises(ContractRevert, match="Compliance not followed"):
        token.mint(alice, 1)


def test_only_verified_us_holders(chain, make_trex_token):
    token = make_trex_token(allow_countries=["US"], max_balance=1_000)
    alice, bob = chain.new_account(), chain.new_account()
    token.register(alice, "US")                    # ONCHAINID identity + a signed KYC claim
    token.register(bob, "FR")                      # countries are stored as ISO numeric (250)
    token.mint(alice, 600)
    assert token.restriction(alice, bob, 1) == Restriction.JURISDICTION


def test_the_docs_quote_the_t_rex_example_verbatim():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "testing-tokens.md").read_text()
    assert inspect.getsource(test_only_verified_us_holders) in docs


def test_a_t_rex_forced_transfer_runs_compliance_first_unless_overridden(chain, make_trex_token):
    token = make_trex_token(allow_countries=["US"])
    alice, bob = chain.new_account(), chain.new_account()
    token.register(alice, "US")
    token.register(bob, "FR")  # verified, but outside the allow-list
    token.mint(alice, 100)
    with pytest.raises(ForcedTransferRefused) as refused:
        token.forced_transfer(alice, bob, 10)
    assert refused.value.code == Restriction.JURISDICTION and token.balanceOf(bob) == 0
    token.forced_transfer(alice, bob, 10, run_compliance=False)  # T-REX's own: no module consulted
    assert token.balanceOf(bob) == 10


def test_a_lost_wallet_is_recovered_through_the_holders_identity(chain, make_trex_token):
    token = make_trex_token()
    lost, new = chain.new_account(), chain.new_account()
    token.register(lost, "US")
    token.mint(lost, 100)
    token.freeze_partial(lost, 30)
    receipt = token.recover(lost, new)
    assert receipt.events_named("RecoverySuccess")
    assert (token.balanceOf(lost), token.balanceOf(new)) == (0, 100)
    assert token.token.getFrozenTokens(new) == 30  # the freeze follows the tokens
    assert token.is_verified(new) and not token.is_verified(lost)
