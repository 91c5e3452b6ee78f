"""CustodyVault: an omnibus account with a per-client sub-ledger."""

from __future__ import annotations

import pytest

from sim import solidity
from sim.contracts import AccreditedOnly, Identity
from sim.contracts.custody import deploy_vault
from sim.contracts.settlement import Status, deploy_dvp

PRICE = 1_000_000
REF = b"t".ljust(32, b"\x00")


@pytest.fixture
def security_token(make_security_token):
    """A 506(c) token without a lock-up: locked lots cannot enter an omnibus account."""
    return make_security_token(modules=[AccreditedOnly()])


@pytest.fixture
def omnibus(chain, security_token, cash_token, identity_registry, make_investor, deployer):
    operator = chain.new_account()
    vault = deploy_vault(chain, name="Omnibus", admin=deployer, operator=operator)
    identity_registry.register(vault, Identity(investor_id="custodian", investor_type="institutional"), sender=deployer)
    alice, bob = make_investor(), make_investor()
    for client in (alice, bob):
        vault.openAccount(client, sender=operator)
    security_token.mint(alice, 100, sender=deployer)
    security_token.approve(vault, 100, sender=alice)
    vault.deposit(security_token, 60, sender=alice)
    return vault, operator, alice, bob


def test_deposit_moves_tokens_on_chain_and_credits_the_client(chain, omnibus, security_token):
    vault, _, alice, _ = omnibus
    assert security_token.balanceOf(vault) == 60
    assert vault.positionOf(security_token, alice) == (60, 0)
    assert vault.reconcile(security_token) == (60, 60)


def test_only_clients_deposit(chain, omnibus, security_token, make_investor, reverts):
    vault, *_ = omnibus
    stranger = make_investor()
    with reverts(solidity.VaultNotClient, client=stranger):
        vault.deposit(security_token, 1, sender=stranger)


def test_internal_transfer_moves_the_ledger_not_the_chain(chain, omnibus, security_token):
    vault, operator, alice, bob = omnibus
    receipt = vault.internalTransfer(security_token, alice, bob, 25, sender=operator)
    assert [e.name for e in receipt.events] == ["Credited", "InternalTransfer"]
    assert vault.positionOf(security_token, bob) == (25, 0)
    assert security_token.balanceOf(vault) == 60
    assert vault.reconcile(security_token) == (60, 60)


def test_internal_transfer_applies_the_tokens_rules_to_the_beneficial_owner(
    chain, omnibus, security_token, make_investor, reverts
):
    vault, operator, alice, _ = omnibus
    retail = make_investor("retail")
    vault.openAccount(retail, sender=operator)
    with reverts(solidity.InvestorNotAccredited, wallet=retail):
        vault.internalTransfer(security_token, alice, retail, 1, sender=operator)


def test_withdrawal_leaves_custody_under_the_tokens_rules(chain, omnibus, security_token, make_investor, reverts):
    vault, operator, alice, bob = omnibus
    retail = make_investor("retail")
    with reverts(solidity.InvestorNotAccredited, wallet=retail):
        vault.withdraw(security_token, alice, retail, 10, sender=alice)
    with reverts(solidity.VaultInsufficientPosition, available=60, needed=61):
        vault.withdraw(security_token, alice, alice, 61, sender=operator)
    vault.withdraw(security_token, alice, bob, 10, sender=alice)
    assert security_token.balanceOf(bob) == 10
    assert vault.reconcile(security_token) == (50, 50)


def test_locked_lots_cannot_enter_the_omnibus(chain, make_security_token, make_investor, deployer, reverts):
    """Restricted securities stay out of street name until their holding period ends."""
    from sim.contracts import Lockup

    token = make_security_token(modules=[Lockup.rule_144()])
    operator = chain.new_account()
    vault = deploy_vault(chain, name="Omnibus", admin=deployer, operator=operator)
    investor = make_investor()
    make_investor("institutional", wallet=vault.address, investor_id="custodian")
    vault.openAccount(investor, sender=operator)
    token.mint(investor, 5, sender=deployer)
    token.approve(vault, 5, sender=investor)
    with reverts(solidity.LockupActive, holder=investor):
        vault.deposit(token, 5, sender=investor)


def test_unallocated_inbound_is_a_break_until_allocated(chain, omnibus, cash_token, deployer, reverts):
    vault, operator, alice, _ = omnibus
    cash_token.mint(vault, 500, sender=deployer)  # arrives without a deposit
    assert vault.reconcile(cash_token) == (0, 500)
    assert vault.breaks(cash_token) == 500
    with reverts(solidity.VaultUnallocatedShortfall, unallocated=500, needed=501):
        vault.allocate(cash_token, alice, 501, sender=operator)
    vault.allocateMany(cash_token, [alice], [500], sender=operator)
    assert vault.breaks(cash_token) == 0


def test_an_agent_taking_tokens_from_the_vault_shows_as_a_shortfall(chain, omnibus, security_token, deployer, reverts):
    vault, operator, alice, bob = omnibus
    security_token.forcedTransfer(vault, bob, 5, True, sender=deployer)
    assert vault.reconcile(security_token) == (60, 55)
    assert vault.breaks(security_token) == -5
    with reverts(solidity.VaultOutflowExceedsShortfall, shortfall=5, amount=6):
        vault.bookOutflow(security_token, [alice], [6], sender=operator)
    vault.bookOutflow(security_token, [alice], [5], sender=operator)
    assert vault.positionOf(security_token, alice) == (55, 0)
    assert vault.breaks(security_token) == 0


@pytest.fixture
def omnibus_market(chain, omnibus, security_token, cash_token, make_investor, deployer):
    vault, operator, alice, bob = omnibus
    clearing = chain.new_account()
    dvp = deploy_dvp(chain, admin=deployer, clearing=clearing, tokens=[(security_token, deployer), (cash_token, deployer)])
    direct = make_investor()
    cash_token.mint(direct, 100 * PRICE, sender=deployer)
    return dvp, clearing, direct


def test_a_client_sale_from_the_vault_settles_and_books(chain, omnibus, omnibus_market, security_token, cash_token):
    vault, operator, alice, _ = omnibus
    dvp, clearing, direct = omnibus_market
    settle_by = chain.now() + 3_600
    instruction_id = dvp.instruct(vault, direct, security_token, 10, cash_token, 10 * PRICE, settle_by, REF, sender=clearing).return_value
    vault.affirm(dvp, instruction_id, alice, sender=operator)
    assert vault.positionOf(security_token, alice) == (50, 10)
    dvp.affirm(instruction_id, False, sender=direct)
    dvp.settle(instruction_id, sender=clearing)
    vault.book(dvp, instruction_id, sender=operator)
    assert vault.positionOf(security_token, alice) == (50, 0)
    assert vault.positionOf(cash_token, alice) == (10 * PRICE, 0)
    assert vault.reconcile(security_token) == (50, 50)
    assert vault.reconcile(cash_token) == (10 * PRICE, 10 * PRICE)


def test_a_client_purchase_checks_the_beneficial_owner(
    chain, omnibus, omnibus_market, security_token, cash_token, make_investor, deployer, reverts
):
    vault, operator, *_ = omnibus
    dvp, clearing, direct = omnibus_market
    retail = make_investor("retail")
    vault.openAccount(retail, sender=operator)
    cash_token.mint(vault, 10 * PRICE, sender=deployer)
    vault.allocate(cash_token, retail, 10 * PRICE, sender=operator)
    security_token.mint(direct, 10, sender=deployer)
    instruction_id = dvp.instruct(direct, vault, security_token, 10, cash_token, 10 * PRICE, chain.now() + 60, REF, sender=clearing).return_value
    with reverts(solidity.InvestorNotAccredited, wallet=retail):
        vault.affirm(dvp, instruction_id, retail, sender=operator)


def test_booking_a_cancelled_trade_releases_the_reservation(
    chain, omnibus, omnibus_market, security_token, cash_token, reverts
):
    vault, operator, alice, _ = omnibus
    dvp, clearing, direct = omnibus_market
    settle_by = chain.now() + 60
    instruction_id = dvp.instruct(
        vault, direct, security_token, 10, cash_token, 10 * PRICE, settle_by, REF, sender=clearing
    ).return_value
    vault.affirm(dvp, instruction_id, alice, sender=operator)
    with reverts(solidity.VaultNotFinal, status=Status.PENDING):
        vault.book(dvp, instruction_id, sender=operator)
    dvp.cancel(instruction_id, sender=clearing)
    vault.book(dvp, instruction_id, sender=operator)
    assert vault.positionOf(security_token, alice) == (60, 0)
    with reverts(solidity.VaultNoAllocation):
        vault.book(dvp, instruction_id, sender=operator)
