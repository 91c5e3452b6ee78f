"""ERC-7943 (uRWA, fungible): one behaviour suite, run on our token and on an issuer's own.

The suite drives each token through ``sim.contracts.ERC7943Token`` only, so it asserts what
the ERC requires of any token (https://eips.ethereum.org/EIPS/eip-7943): the ERC-165 id,
absolute frozen amounts that may exceed the balance, ``canTransfer`` enforcing the unfrozen
amount but leaving the balance to ERC-20, ``canSend``/``canReceive`` checked by transfers,
and a restricted ``forcedTransfer`` that checks the recipient and emits ``ForcedTransfer``.
The variants are our ``SecurityToken`` and ``tests/contracts/erc7943/MinimalUrwaToken.sol``,
a token written on OpenZeppelin's ERC-20 that owes nothing to ours. Where the ERC leaves a
choice (a forced transfer of frozen tokens: refuse, or unfreeze first), each variant's
choice is stated and checked. The rules only our token has (how the interface maps onto its
freezes, compliance and holds) follow the suite.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sim import solidity
from sim.chain import Artifact, register_artifact
from sim.contracts import ERC7943Token, Jurisdictions, Lockup, Restriction
from sim.contracts.erc7943 import ERC165_ID, INTERFACE_ID
from sim.contracts.settlement import HOLD_OPERATOR_ROLE
from sim.errors import ConfigError, ContractRevert

MINIMAL_SOURCE = Path(__file__).parent / "erc7943" / "MinimalUrwaToken.sol"


@pytest.fixture(scope="session")
def minimal_artifact() -> Artifact:
    """The issuer's own token, compiled with the pinned solc (and its errors registered)."""
    if shutil.which("node") is None:
        pytest.skip("compiling the test token needs Node.js")
    from sim.chain.compiler import compile_files

    artifact = Artifact.from_dict(compile_files([MINIMAL_SOURCE])["MinimalUrwaToken"])
    register_artifact(artifact)
    return artifact


@dataclass
class Variant:
    """One ERC-7943 token and how its issuer makes accounts (in)eligible."""

    token: ERC7943Token
    enforcer: str
    holder: Callable[[], str]  # a new account that may send and receive
    outsider: Callable[[], str]  # a new account that may not receive
    bar_sending: Callable[[str], Any]  # make an account unable to send
    fund: Callable[[str, int], Any]
    unfrozen_error: str  # the typed refusal of a transfer above the unfrozen amount
    forced_takes_frozen: bool  # the ERC's choice: a forced transfer unfreezes first, or refuses


@pytest.fixture(params=["SecurityToken", "MinimalUrwaToken"])
def variant(request, chain, deployer) -> Variant:
    if request.param == "SecurityToken":
        make_investor = request.getfixturevalue("make_investor")
        ours = request.getfixturevalue("make_security_token")()
        return Variant(
            token=ERC7943Token.at(chain, ours), enforcer=deployer, holder=make_investor,
            outsider=lambda: make_investor(verified=False),
            bar_sending=lambda a: ours.setAddressFrozen(a, True, sender=deployer),
            fund=lambda a, n: ours.mint(a, n, sender=deployer),
            unfrozen_error="InsufficientUnfrozenBalance", forced_takes_frozen=False,
        )
    theirs = chain.deploy(request.getfixturevalue("minimal_artifact"), sender=deployer)

    def holder() -> str:
        account = chain.new_account()
        theirs.setAllowed(account, True, sender=deployer)
        return account

    return Variant(
        token=ERC7943Token.at(chain, theirs), enforcer=deployer, holder=holder, outsider=chain.new_account,
        bar_sending=lambda a: theirs.setAllowed(a, False, sender=deployer),
        fund=lambda a, n: theirs.mint(a, n, sender=deployer),
        unfrozen_error="ERC7943InsufficientUnfrozenBalance", forced_takes_frozen=True,
    )


@pytest.fixture
def funded(variant) -> tuple[Variant, str, str]:
    """The variant with alice holding 100 and bob eligible."""
    alice, bob = variant.holder(), variant.holder()
    variant.fund(alice, 100)
    return variant, alice, bob


# ------------------------------------------------------------- the behaviour suite


def test_it_declares_erc7943_through_erc165(variant):
    contract = variant.token.contract
    assert INTERFACE_ID.hex() == "3edbb4c4"
    assert contract.supportsInterface(INTERFACE_ID) is True
    assert contract.supportsInterface(ERC165_ID) is True
    assert contract.supportsInterface(b"\xff\xff\xff\xff") is False


def test_the_adapter_refuses_an_address_that_does_not_declare_it(chain, cash_token):
    for address in (cash_token.address, chain.new_account()):  # ERC-165 without ERC-7943; no code at all
        with pytest.raises(ConfigError, match="does not declare ERC-7943"):
            ERC7943Token.at(chain, address)


def test_set_frozen_tokens_sets_an_absolute_amount_and_emits_frozen(funded):
    v, alice, _ = funded
    v.token.set_frozen(alice, 30, sender=v.enforcer)
    receipt = v.token.set_frozen(alice, 10, sender=v.enforcer)
    assert v.token.frozen(alice) == 10
    assert [e.args for e in receipt.events_named("Frozen")] == [{"account": alice, "amount": 10}]


def test_more_than_the_balance_may_be_frozen(funded):
    v, alice, bob = funded
    v.token.set_frozen(alice, 150, sender=v.enforcer)
    assert (v.token.frozen(alice), v.token.unfrozen_balance(alice)) == (150, 0)
    assert v.token.can_transfer(alice, bob, 1) is False


def test_a_transfer_may_use_the_unfrozen_amount_and_not_one_token_more(funded):
    v, alice, bob = funded
    v.token.set_frozen(alice, 30, sender=v.enforcer)
    assert (v.token.can_transfer(alice, bob, 70), v.token.can_transfer(alice, bob, 71)) == (True, False)
    with pytest.raises(ContractRevert) as refused:
        v.token.transfer(bob, 71, sender=alice)
    assert type(refused.value).__name__ == v.unfrozen_error
    v.token.transfer(bob, 70, sender=alice)
    assert (v.token.balance_of(alice), v.token.balance_of(bob)) == (30, 70)


def test_can_transfer_leaves_the_balance_to_erc20(funded):
    v, alice, bob = funded
    assert v.token.can_transfer(alice, bob, 101) is True
    with pytest.raises(solidity.ERC20InsufficientBalance):
        v.token.transfer(bob, 101, sender=alice)


def test_an_account_that_may_not_send_is_refused(funded):
    v, alice, bob = funded
    v.bar_sending(alice)
    assert (v.token.can_send(alice), v.token.can_transfer(alice, bob, 1)) == (False, False)
    with pytest.raises(ContractRevert):
        v.token.transfer(bob, 1, sender=alice)
    assert v.token.balance_of(alice) == 100


def test_an_account_that_may_not_receive_gets_nothing_even_by_force(funded):
    v, alice, _ = funded
    outsider = v.outsider()
    assert (v.token.can_receive(outsider), v.token.can_transfer(alice, outsider, 1)) == (False, False)
    with pytest.raises(ContractRevert):
        v.token.transfer(outsider, 1, sender=alice)
    with pytest.raises(ContractRevert):
        v.token.forced_transfer(alice, outsider, 1, sender=v.enforcer)
    assert (v.token.balance_of(alice), v.token.balance_of(outsider)) == (100, 0)


def test_a_forced_transfer_moves_tokens_and_says_so(funded):
    v, alice, bob = funded
    receipt = v.token.forced_transfer(alice, bob, 40, sender=v.enforcer)
    assert [e.name for e in receipt.events if e.name in ("Transfer", "ForcedTransfer")] == [
        "Transfer", "ForcedTransfer"]
    assert receipt.events_named("ForcedTransfer")[0].args == {"from": alice, "to": bob, "amount": 40}
    assert (v.token.balance_of(alice), v.token.balance_of(bob)) == (60, 40)


def test_a_forced_transfer_of_frozen_tokens_refuses_or_unfreezes_them_first(funded):
    """The ERC's choice: bypassing the freeze needs a ``Frozen`` event before the transfer;
    our token does not bypass it (the agent lowers the freeze first)."""
    v, alice, bob = funded
    v.token.set_frozen(alice, 30, sender=v.enforcer)
    if not v.forced_takes_frozen:
        with pytest.raises(ContractRevert):
            v.token.forced_transfer(alice, bob, 100, sender=v.enforcer)
        assert (v.token.balance_of(alice), v.token.frozen(alice)) == (100, 30)
        return
    receipt = v.token.forced_transfer(alice, bob, 80, sender=v.enforcer)
    names = [e.name for e in receipt.events]
    assert names.index("Frozen") < names.index("Transfer")
    assert receipt.events_named("Frozen")[0].args == {"account": alice, "amount": 20}
    assert (v.token.balance_of(alice), v.token.frozen(alice)) == (20, 20)


def test_only_the_enforcer_freezes_and_forces(funded, chain):
    v, alice, _ = funded
    stranger = v.holder()
    with pytest.raises(ContractRevert):
        v.token.set_frozen(alice, 100, sender=stranger)
    with pytest.raises(ContractRevert):
        v.token.forced_transfer(alice, stranger, 1, sender=stranger)
    assert (v.token.balance_of(alice), v.token.frozen(alice)) == (100, 0)


# -------------------------------------------------- how our token maps the interface


@pytest.fixture
def ours(make_security_token, make_investor, deployer):
    token = make_security_token(modules=[Jurisdictions(block=["KP"])])
    alice, bob = make_investor(), make_investor()
    token.mint(alice, 100, sender=deployer)
    return token, alice, bob


def test_can_send_is_the_wallet_freeze(ours, deployer):
    token, alice, _ = ours
    assert token.canSend(alice) is True
    token.setAddressFrozen(alice, True, sender=deployer)
    assert token.canSend(alice) is False


def test_can_receive_is_the_recipient_restriction(ours, make_investor, chain):
    token, _, bob = ours
    refused = {
        "unverified": make_investor(verified=False), "blocked jurisdiction": make_investor(jurisdiction="KP"),
        "no identity": chain.new_account(),
    }
    assert token.canReceive(bob) is True
    assert {why: token.canReceive(a) for why, a in refused.items()} == {why: False for why in refused}
    assert token.recipientRestriction(refused["blocked jurisdiction"])[0] == Restriction.JURISDICTION


def test_the_erc7943_forced_transfer_checks_the_recipient_first(ours, make_investor, deployer, reverts):
    token, alice, _ = ours
    blocked = make_investor(jurisdiction="KP")
    with reverts(solidity.JurisdictionRestricted):
        token.forcedTransfer(alice, blocked, 1, sender=deployer)
    token.setAddressFrozen(blocked, True, sender=deployer)  # a frozen wallet may not receive either
    with reverts(solidity.RecipientFrozen, wallet=blocked):
        token.forcedTransfer(alice, blocked, 1, sender=deployer)


def test_the_erc7943_forced_transfer_runs_compliance(make_security_token, make_investor, deployer, reverts):
    token = make_security_token(modules=[Lockup(days=30)])
    alice, bob = make_investor(), make_investor()
    token.mint(alice, 10, sender=deployer)
    with reverts(solidity.LockupActive, holder=alice, needed=10):
        token.forcedTransfer(alice, bob, 10, sender=deployer)


def test_each_forced_transfer_emits_its_own_standards_event(ours, deployer):
    token, alice, bob = ours
    standard = token.forcedTransfer(alice, bob, 1, sender=deployer).events_named("ForcedTransfer")
    legacy = token.forcedTransfer(alice, bob, 1, False, sender=deployer).events_named("ForcedTransfer")
    assert [e.args for e in standard] == [{"from": alice, "to": bob, "amount": 1}]
    assert [e.args for e in legacy] == [
        {"from": alice, "to": bob, "amount": 1, "complianceOverridden": False, "agent": deployer}]


def test_every_change_of_the_frozen_amount_reports_the_change_and_the_total(ours, deployer):
    token, alice, _ = ours

    def reported(receipt):
        return [(e.name, e.amount) for e in receipt.events]

    assert reported(token.freezePartialTokens(alice, 30, sender=deployer)) == [("TokensFrozen", 30), ("Frozen", 30)]
    assert reported(token.setFrozenTokens(alice, 50, sender=deployer)) == [("TokensFrozen", 20), ("Frozen", 50)]
    assert reported(token.unfreezePartialTokens(alice, 5, sender=deployer)) == [("TokensUnfrozen", 5), ("Frozen", 45)]
    assert reported(token.setFrozenTokens(alice, 45, sender=deployer)) == [("Frozen", 45)]
    assert (token.frozenTokens(alice), token.getFrozenTokens(alice)) == (45, 45)


def test_a_freeze_above_the_balance_holds_back_tokens_received_later(ours, make_investor, deployer, reverts):
    token, alice, _ = ours
    carol = make_investor()
    token.setFrozenTokens(carol, 50, sender=deployer)
    token.transfer(carol, 80, sender=alice)
    assert token.availableBalanceOf(carol) == 30
    with reverts(solidity.InsufficientUnfrozenBalance, holder=carol, unfrozen=30, needed=31):
        token.transfer(alice, 31, sender=carol)
    token.transfer(alice, 30, sender=carol)


def test_a_freeze_set_after_a_hold_prevails_over_it(ours, deployer, reverts):
    """``freezePartialTokens`` never freezes held tokens; ``setFrozenTokens`` may, and then
    the hold cannot be executed until it is released or the freeze lowered."""
    token, alice, bob = ours
    token.grantRole(HOLD_OPERATOR_ROLE, deployer, sender=deployer)
    hold_id = b"\x01" * 32
    token.hold(hold_id, alice, 60, sender=deployer)
    with reverts(solidity.TokenFreezeExceedsBalance, balance=100, held=60, frozenAfter=50):
        token.freezePartialTokens(alice, 50, sender=deployer)
    token.setFrozenTokens(alice, 50, sender=deployer)
    with reverts(solidity.InsufficientUnfrozenBalance, holder=alice, unfrozen=50, needed=60):
        token.executeHold(hold_id, bob, 60, sender=deployer)
    token.releaseHold(hold_id, sender=deployer)
    assert (token.balanceOf(alice), token.availableBalanceOf(alice)) == (100, 50)
