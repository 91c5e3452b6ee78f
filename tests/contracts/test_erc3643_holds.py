"""ERC3643HoldAdapter: holds on a T-REX 4.1.6 token, and DvP settlement through them.

The adapter is a T-REX agent (it can freeze and force-transfer anyone's tokens); these
tests are its rules: it moves tokens only within a hold the holder committed to by
affirming a DvP instruction, only for the operator that placed it, and only where T-REX's
own transfer would (pause, frozen wallets, verification, every compliance module), with
tokensim's restriction codes. T-REX's frozen amount always equals the agent's own freeze
plus the adapter's holds.

One T-REX deployment on revm per module; every test starts from it (snapshot).
"""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest

from sim import solidity
from sim.chain import Chain, register_artifact
from sim.chain.artifacts import Artifact
from sim.chain.restrictions import Restriction
from sim.chain.reverts import decode_revert
from sim.contracts.compliance import Jurisdictions, MaxBalance, SupplyLimit
from sim.contracts.erc3643 import deploy_erc3643_token
from sim.contracts.identity import Identity
from sim.contracts.settlement import HOLD_OPERATOR_ROLE, Status, deploy_dvp
from sim.contracts.token import deploy_cash_token
from sim.contracts.trex import country_code
from sim.errors import ContractRevert, Error
from sim.testing.reverts import reverts

REF = b"trade".ljust(32, b"\x00")
PRICE = 1_000  # cash units per share
MAX_BALANCE = 1_000
SUPPLY_LIMIT = 1_050


@pytest.fixture(scope="module")
def m():
    """The market: a T-REX token blocking North Korea (KP), at most 1,000 per identity and
    1,050 in issue; a cash token; a DvP contract that is the adapter's hold operator. The
    seller has 100 shares, the buyer and the second buyer cash; ``kp`` is a verified
    investor in KP; ``stranger`` is nobody."""
    chain = Chain("revm")
    admin, agent, clearing, stranger = (chain.new_account() for _ in range(4))
    token, registry = deploy_erc3643_token(
        chain, admin=admin, agent=agent, name="T-REX Share", symbol="TRX",
        modules=[Jurisdictions(block=["KP"]), MaxBalance(max_balance=MAX_BALANCE),
                 SupplyLimit(supply_limit=SUPPLY_LIMIT)],
    )
    cash = deploy_cash_token(chain, admin=admin)
    dvp = deploy_dvp(chain, admin=admin, clearing=clearing, tokens=[(token.settlement, admin), (cash, admin)])
    wallets = {}
    for n, (name, country) in enumerate([("seller", "US"), ("buyer", "US"), ("buyer2", "GB"), ("kp", "KP")]):
        wallets[name] = chain.new_account()
        registry.register(wallets[name], Identity(investor_id=f"holds-{n}", jurisdiction=country))
    token.mint(wallets["seller"], 100, sender=agent)
    for name in ("buyer", "buyer2", "kp"):
        cash.mint(wallets[name], 1_000 * PRICE, sender=admin)
    yield SimpleNamespace(chain=chain, admin=admin, agent=agent, clearing=clearing, stranger=stranger,
                          token=token, trex=token.token, adapter=token.adapter, registry=registry, cash=cash,
                          dvp=dvp, **wallets)
    chain.close()


@pytest.fixture(autouse=True)
def fresh(m):
    snapshot = m.chain.snapshot()
    yield
    m.chain.revert(snapshot)


def instruct(m, seller=None, buyer=None, quantity=60, *, dvp=None, clearing=None):
    dvp, clearing = dvp or m.dvp, clearing or m.clearing
    seller, buyer = seller or m.seller, buyer or m.buyer
    receipt = dvp.instruct(seller, buyer, m.adapter, quantity, m.cash, quantity * PRICE,
                           m.chain.now() + 3_600, REF, sender=clearing)
    return receipt.return_value


def affirmed(m, seller=None, buyer=None, quantity=60):
    """An instruction both parties affirmed: the seller's shares and the buyer's cash on hold."""
    seller, buyer = seller or m.seller, buyer or m.buyer
    instruction = instruct(m, seller, buyer, quantity)
    m.dvp.affirm(instruction, True, sender=seller)
    m.dvp.affirm(instruction, False, sender=buyer)
    return instruction


def shares(m, wallet):
    """(balance, T-REX's frozen amount, the adapter's holds) of ``wallet``."""
    return m.token.balanceOf(wallet), int(m.trex.getFrozenTokens(wallet)), int(m.adapter.heldBalanceOf(wallet))


def refusal(receipt):
    (event,) = receipt.events_named("SettlementRefused")
    return decode_revert(event.reason)


def seller_hold(m, instruction):
    return m.dvp.holdIdOf(instruction, True)


# ------------------------------------------------------------------ placing holds


def test_affirming_freezes_the_sellers_tokens_on_t_rex_as_a_hold_they_still_own(m):
    instruction = instruct(m)
    receipt = m.dvp.affirm(instruction, True, sender=m.seller)
    (created,) = receipt.events_named("HoldCreated")
    assert (created.holder, created.operator, created.amount) == (m.seller, m.dvp.address, 60)
    assert shares(m, m.seller) == (100, 60, 60)
    assert m.adapter.frozenTokens(m.seller) == 0  # none of it is the agent's own freeze
    assert m.adapter.availableBalanceOf(m.seller) == 40


def test_a_stranger_cannot_place_a_hold(m):
    with reverts(solidity.AccessControlUnauthorizedAccount, account=m.stranger, neededRole=HOLD_OPERATOR_ROLE):
        m.adapter.hold(b"\x01" * 32, m.seller, 10, sender=m.stranger)
    assert shares(m, m.seller) == (100, 0, 0)


def test_another_developers_settlement_contract_cannot_place_a_hold(m):
    developer = m.chain.new_account()
    theirs = deploy_dvp(m.chain, admin=developer, clearing=developer)
    instruction = instruct(m, dvp=theirs, clearing=developer)
    with reverts(solidity.AccessControlUnauthorizedAccount, account=theirs.address, neededRole=HOLD_OPERATOR_ROLE):
        theirs.affirm(instruction, True, sender=m.seller)  # even with the seller's own affirmation
    assert shares(m, m.seller) == (100, 0, 0)


def test_only_the_party_can_affirm_its_leg_so_nobody_else_puts_its_tokens_on_hold(m):
    instruction = instruct(m)
    for intruder in (m.stranger, m.buyer, m.clearing):
        with reverts(solidity.DvPNotParty, caller=intruder):
            m.dvp.affirm(instruction, True, sender=intruder)
    assert shares(m, m.seller) == (100, 0, 0)


def test_a_hold_beyond_the_free_balance_is_refused_with_code_8(m):
    affirmed(m, quantity=60)
    second = instruct(m, quantity=60)
    with reverts(solidity.TokensOnHold, holder=m.seller, available=40, needed=60) as refused:
        m.dvp.affirm(second, True, sender=m.seller)
    assert refused.value.code == 8
    assert shares(m, m.seller) == (100, 60, 60)


def test_a_frozen_wallet_cannot_put_tokens_on_hold(m):
    m.trex.setAddressFrozen(m.seller, True, sender=m.agent)
    with reverts(solidity.SenderFrozen, wallet=m.seller):
        m.dvp.affirm(instruct(m), True, sender=m.seller)
    assert shares(m, m.seller) == (100, 0, 0)


def test_tokens_the_agent_froze_cannot_be_put_on_hold(m):
    m.trex.freezePartialTokens(m.seller, 50, sender=m.agent)
    with reverts(solidity.InsufficientUnfrozenBalance, holder=m.seller, unfrozen=50, needed=60) as refused:
        m.dvp.affirm(instruct(m), True, sender=m.seller)
    assert refused.value.code == 6
    assert shares(m, m.seller) == (100, 50, 0)


# --------------------------------------------------------------- held tokens stay put


def test_held_tokens_cannot_be_transferred_by_the_holder(m):
    affirmed(m)
    code, reason = m.adapter.transferRestriction(m.seller, m.buyer2, 50)
    assert code == 8 and isinstance(decode_revert(reason), solidity.TokensOnHold)
    with reverts(solidity.TokensOnHold, holder=m.seller, available=40, needed=50):
        m.token.transfer(m.buyer2, 50, sender=m.seller)  # the handle: our code, before sending
    with reverts(Error, reason="Insufficient Balance"):
        m.trex.transfer(m.buyer2, 50, sender=m.seller)  # T-REX itself: the hold is a freeze
    m.token.transfer(m.buyer2, 40, sender=m.seller)  # the rest is the holder's to spend
    assert shares(m, m.seller) == (60, 60, 60)


def test_an_agent_freeze_cannot_take_held_tokens_and_survives_the_settlement(m):
    instruction = affirmed(m)
    with reverts(Error, reason="Amount exceeds available balance"):
        m.trex.freezePartialTokens(m.seller, 41, sender=m.agent)
    m.trex.freezePartialTokens(m.seller, 40, sender=m.agent)
    assert m.adapter.frozenTokens(m.seller) == 40
    assert m.dvp.settle(instruction, sender=m.clearing).return_value is True
    assert shares(m, m.seller) == (40, 40, 0)  # the agent's freeze is intact


def test_an_agent_burn_cannot_take_tokens_on_hold(m):
    affirmed(m)
    with reverts(solidity.TokensOnHold, holder=m.seller, available=40, needed=100):
        m.token.burn(m.seller, 100, sender=m.agent)
    with reverts(solidity.TokensOnHold, holder=m.seller, available=40, needed=50):
        m.token.batchBurn([m.seller, m.seller], [25, 25], sender=m.agent)  # a redemption batch
    m.token.burn(m.seller, 40, sender=m.agent)
    assert shares(m, m.seller) == (60, 60, 60)


@pytest.mark.parametrize("override", [False, True])
def test_an_agent_forced_transfer_cannot_take_tokens_on_hold(m, override):
    affirmed(m)
    with reverts(solidity.TokensOnHold, holder=m.seller, available=40, needed=41):
        m.token.forcedTransfer(m.seller, m.buyer2, 41, override, sender=m.agent)
    m.token.forcedTransfer(m.seller, m.buyer2, 40, override, sender=m.agent)
    assert shares(m, m.seller) == (60, 60, 60)


def test_t_rexs_frozen_amount_stays_the_agents_freeze_plus_the_holds_through_burns_and_releases(m):
    """Why burns and forced transfers may not take held tokens: T-REX keeps one frozen
    amount per wallet, so a hold emptied behind the adapter's back would, when released or
    executed, unfreeze in its place what the agent froze afterwards (a court order's freeze)."""
    instruction = affirmed(m)
    m.trex.freezePartialTokens(m.seller, 20, sender=m.agent)
    m.token.burn(m.seller, 30, sender=m.agent)  # the free 20, then 10 of the agent's freeze (T-REX's way)
    assert shares(m, m.seller) == (70, 70, 60)
    assert m.adapter.frozenTokens(m.seller) == 10
    with reverts(solidity.TokensOnHold, holder=m.seller, available=10, needed=11):
        m.token.burn(m.seller, 11, sender=m.agent)
    m.dvp.cancel(instruction, sender=m.clearing)
    assert shares(m, m.seller) == (70, 10, 0)  # the agent's freeze, untouched by the release


def test_recovery_is_refused_while_tokens_are_on_hold(m):
    instruction = affirmed(m)
    new_wallet = m.chain.new_account()
    with reverts(solidity.TokenRecoveryWithHolds, lostWallet=m.seller, held=60):
        m.token.recoverWallet(m.seller, new_wallet, sender=m.agent)
    assert shares(m, m.seller) == (100, 60, 60)
    m.dvp.cancel(instruction, sender=m.clearing)
    m.token.recoverWallet(m.seller, new_wallet, sender=m.agent)
    assert shares(m, new_wallet) == (100, 0, 0)


# --------------------------------------------------------------- executing and releasing


def test_a_dvp_settlement_moves_both_legs(m):
    instruction = affirmed(m)
    cash_before = m.cash.balanceOf(m.seller), m.cash.balanceOf(m.buyer)
    receipt = m.dvp.settle(instruction, sender=m.clearing)
    assert receipt.return_value is True
    (executed,) = [e for e in receipt.events_named("HoldExecuted") if e.address == m.adapter.address]
    assert (executed.holder, executed.to, executed.amount) == (m.seller, m.buyer, 60)
    assert shares(m, m.seller) == (40, 0, 0)
    assert shares(m, m.buyer) == (60, 0, 0)
    assert (m.cash.balanceOf(m.seller), m.cash.balanceOf(m.buyer)) == (cash_before[0] + 60 * PRICE,
                                                                      cash_before[1] - 60 * PRICE)
    assert m.dvp.status(instruction) == Status.SETTLED


def test_release_unfreezes_the_hold(m):
    instruction = affirmed(m)
    receipt = m.dvp.cancel(instruction, sender=m.clearing)
    (released,) = [e for e in receipt.events_named("HoldReleased") if e.address == m.adapter.address]
    assert (released.holder, released.amount) == (m.seller, 60)
    assert shares(m, m.seller) == (100, 0, 0)
    m.token.transfer(m.buyer2, 100, sender=m.seller)
    assert m.token.balanceOf(m.buyer2) == 100


def test_release_leaves_the_agents_own_freeze(m):
    instruction = affirmed(m)
    m.trex.freezePartialTokens(m.seller, 30, sender=m.agent)
    m.dvp.cancel(instruction, sender=m.clearing)
    assert shares(m, m.seller) == (100, 30, 0)


def test_executing_part_of_a_hold_unfreezes_only_that_part(m):
    operator = m.chain.new_account()
    m.adapter.grantRole(HOLD_OPERATOR_ROLE, operator, sender=m.admin)
    hold_id = b"\x07" * 32
    m.adapter.hold(hold_id, m.seller, 60, sender=operator)
    m.adapter.executeHold(hold_id, m.buyer, 20, sender=operator)
    assert shares(m, m.seller) == (80, 40, 40)
    assert m.adapter.holdOf(hold_id).amount == 40
    m.adapter.releaseHold(hold_id, sender=operator)
    assert shares(m, m.seller) == (80, 0, 0)
    assert m.token.balanceOf(m.buyer) == 20


def test_an_operator_cannot_execute_more_than_the_hold(m):
    instruction = affirmed(m)
    code, reason = m.adapter.holdExecutionRestriction(seller_hold(m, instruction), m.buyer, 61)
    assert code == 8 and isinstance(decode_revert(reason), solidity.HoldExceedsAmount)


def test_another_operator_cannot_execute_or_release_someone_elses_hold(m):
    instruction = affirmed(m)
    hold_id = seller_hold(m, instruction)
    venue = m.chain.new_account()  # another venue, itself a hold operator of the adapter
    m.adapter.grantRole(HOLD_OPERATOR_ROLE, venue, sender=m.admin)
    with reverts(solidity.HoldCallerNotOperator, caller=venue, operator=m.dvp.address):
        m.adapter.executeHold(hold_id, venue, 60, sender=venue)
    with reverts(solidity.HoldCallerNotOperator, caller=venue, operator=m.dvp.address):
        m.adapter.releaseHold(hold_id, sender=venue)
    with reverts(solidity.HoldCallerNotOperator, caller=m.stranger):
        m.adapter.executeHold(hold_id, m.stranger, 60, sender=m.stranger)
    with reverts(solidity.HoldCallerNotOperator, caller=m.stranger):
        m.adapter.releaseHold(hold_id, sender=m.stranger)
    assert shares(m, m.seller) == (100, 60, 60)


def test_a_venue_whose_role_was_revoked_can_no_longer_move_held_tokens_but_can_release_them(m):
    instruction = affirmed(m)
    m.adapter.revokeRole(HOLD_OPERATOR_ROLE, m.dvp, sender=m.admin)
    receipt = m.dvp.settle(instruction, sender=m.clearing)
    assert receipt.return_value is False
    assert isinstance(refusal(receipt), solidity.AccessControlUnauthorizedAccount)
    assert shares(m, m.seller) == (100, 60, 60)
    m.dvp.cancel(instruction, sender=m.clearing)
    assert shares(m, m.seller) == (100, 0, 0)


# ------------------------------------------------------- T-REX's checks at settlement


def assert_nothing_moved(m, instruction, cash_buyer, shares_buyer=0):
    assert shares(m, m.seller) == (100, 60, 60)
    assert m.token.balanceOf(m.buyer) == shares_buyer
    assert m.cash.balanceOf(m.buyer) == cash_buyer
    assert m.dvp.status(instruction) == Status.PENDING


def test_settlement_is_refused_while_the_token_is_paused_and_nothing_moves(m):
    instruction = affirmed(m)
    cash_buyer = m.cash.balanceOf(m.buyer)
    m.token.pause(sender=m.agent)
    code, _ = m.adapter.holdExecutionRestriction(seller_hold(m, instruction), m.buyer, 60)
    assert code == 1
    receipt = m.dvp.settle(instruction, sender=m.clearing)
    assert receipt.return_value is False
    error = refusal(receipt)
    assert isinstance(error, solidity.EnforcedPause) and error.code == 1
    assert_nothing_moved(m, instruction, cash_buyer)
    m.token.unpause(sender=m.agent)
    assert m.dvp.settle(instruction, sender=m.clearing).return_value is True


def test_settlement_to_a_recipient_in_a_blocked_country_is_refused_with_code_14_and_nothing_moves(m):
    instruction = affirmed(m, buyer=m.kp)
    cash_kp = m.cash.balanceOf(m.kp)
    receipt = m.dvp.settle(instruction, sender=m.clearing)
    assert receipt.return_value is False
    error = refusal(receipt)
    assert isinstance(error, solidity.ERC3643JurisdictionRestricted) and error.code == 14
    assert (error.wallet, error.country) == (m.kp, country_code("KP"))
    assert shares(m, m.seller) == (100, 60, 60)
    assert (m.token.balanceOf(m.kp), m.cash.balanceOf(m.kp)) == (0, cash_kp)


@pytest.mark.parametrize(("case", "code", "error"), [
    ("recipient frozen", 3, "RecipientFrozen"),
    ("seller frozen", 2, "SenderFrozen"),
    ("recipient's KYC revoked", 7, "RecipientNotVerified"),
    ("recipient at its balance limit", 16, "ERC3643MaxBalanceExceeded"),
])
def test_settlement_runs_t_rexs_checks_and_refuses_with_our_codes(m, case, code, error):
    instruction = affirmed(m)
    cash_buyer = m.cash.balanceOf(m.buyer)
    if case == "recipient frozen":
        m.trex.setAddressFrozen(m.buyer, True, sender=m.agent)
    elif case == "seller frozen":
        m.trex.setAddressFrozen(m.seller, True, sender=m.agent)
    elif case == "recipient's KYC revoked":
        m.token.suite.revoke_kyc(m.buyer)
    else:
        m.token.mint(m.buyer, MAX_BALANCE - 59, sender=m.agent)
    assert m.adapter.holdExecutionRestriction(seller_hold(m, instruction), m.buyer, 60)[0] == code
    receipt = m.dvp.settle(instruction, sender=m.clearing)
    assert receipt.return_value is False
    refused = refusal(receipt)
    assert type(refused).__name__ == error and refused.code == code
    assert_nothing_moved(m, instruction, cash_buyer, MAX_BALANCE - 59 if code == 16 else 0)


def test_minting_past_the_supply_limit_is_refused_with_code_17(m):
    over = SUPPLY_LIMIT - 100 + 1  # within the buyer's balance limit
    code, _ = m.adapter.transferRestriction("0x" + "00" * 20, m.buyer, over)
    assert code == 17
    with reverts(solidity.SupplyLimitExceeded, supplyAfter=SUPPLY_LIMIT + 1, limit=SUPPLY_LIMIT):
        m.token.mint(m.buyer, over, sender=m.agent)
    assert m.token.totalSupply() == 100
    m.token.mint(m.buyer, over - 1, sender=m.agent)
    assert m.token.totalSupply() == SUPPLY_LIMIT


def test_a_module_rule_tokensim_has_no_code_for_is_refused_with_code_22(m):
    module = deploy_trex_module(m, "TransferRestrictModule")  # only listed senders or recipients
    instruction = affirmed(m)
    cash_buyer = m.cash.balanceOf(m.buyer)
    code, _ = m.adapter.holdExecutionRestriction(seller_hold(m, instruction), m.buyer, 60)
    assert code == Restriction.MODULE_REFUSED == 22
    assert m.token.restriction(m.seller, m.buyer, 1) == Restriction.MODULE_REFUSED  # the ERC-1404 code too
    receipt = m.dvp.settle(instruction, sender=m.clearing)
    error = refusal(receipt)
    assert isinstance(error, solidity.ERC3643ModuleRefused) and error.code == Restriction.MODULE_REFUSED
    assert (error.module, error.moduleName, error.to, error.amount) == (module.address, "TransferRestrictModule",
                                                                       m.buyer, 60)
    assert_nothing_moved(m, instruction, cash_buyer)


def deploy_trex_module(m, name):
    path = (m.token.suite.root / "@tokenysolutions/t-rex/artifacts/contracts/compliance/modular/modules"
            / f"{name}.sol" / f"{name}.json")
    artifact = Artifact.from_file(path)
    register_artifact(artifact)
    module = m.chain.deploy(artifact, sender=m.admin)
    module.initialize(sender=m.admin)
    m.token.suite.compliance.addModule(module.address, sender=m.admin)
    return module


# ------------------------------------------------------------------------- netting


def test_a_netted_batch_delivers_only_the_net_amounts_out_of_the_holds(m):
    m.token.mint(m.buyer, 4, sender=m.agent)
    m.cash.mint(m.seller, 1_000 * PRICE, sender=m.admin)
    first = affirmed(m, m.seller, m.buyer, 10)   # seller -> buyer 10
    second = affirmed(m, m.buyer, m.seller, 4)   # buyer -> seller 4
    cash = m.cash.balanceOf(m.seller), m.cash.balanceOf(m.buyer)
    receipt = m.dvp.settleBatch([first, second], True, sender=m.clearing)
    (batch,) = receipt.events_named("BatchSettled")
    assert (batch.settled, batch.netted) == (2, True)
    executed = [e for e in receipt.events_named("HoldExecuted") if e.address == m.adapter.address]
    assert [(e.holder, e.to, e.amount) for e in executed] == [(m.seller, m.buyer, 6)]
    assert shares(m, m.seller) == (94, 0, 0)
    assert shares(m, m.buyer) == (10, 0, 0)
    assert (m.cash.balanceOf(m.seller), m.cash.balanceOf(m.buyer)) == (cash[0] + 6 * PRICE, cash[1] - 6 * PRICE)
    assert [m.dvp.status(i) for i in (first, second)] == [Status.SETTLED, Status.SETTLED]


def test_a_netted_batch_with_a_refused_leg_settles_gross_and_moves_nothing_of_the_refused_trade(m):
    good = affirmed(m, m.seller, m.buyer, 10)
    blocked = affirmed(m, m.seller, m.kp, 10)
    receipt = m.dvp.settleBatch([good, blocked], True, sender=m.clearing)
    assert len(receipt.events_named("NettingFailed")) == 1
    assert receipt.return_value == 1
    assert shares(m, m.seller) == (90, 10, 10)  # the blocked trade's hold stays, frozen
    assert (m.token.balanceOf(m.buyer), m.token.balanceOf(m.kp)) == (10, 0)
    assert m.dvp.status(blocked) == Status.PENDING


def test_a_netted_batch_while_the_token_is_paused_moves_nothing(m):
    m.token.mint(m.buyer, 4, sender=m.agent)
    m.cash.mint(m.seller, 1_000 * PRICE, sender=m.admin)
    first = affirmed(m, m.seller, m.buyer, 10)
    second = affirmed(m, m.buyer, m.seller, 4)
    m.token.pause(sender=m.agent)
    receipt = m.dvp.settleBatch([first, second], True, sender=m.clearing)
    (failed,) = receipt.events_named("NettingFailed")
    assert isinstance(decode_revert(failed.reason), solidity.EnforcedPause)
    assert receipt.return_value == 0
    assert shares(m, m.seller) == (100, 10, 10)
    assert shares(m, m.buyer) == (4, 4, 4)


# ----------------------------------------------------------------------- invariant


@pytest.mark.parametrize("seed", [1, 2])
def test_through_any_mix_of_settlements_and_agent_acts_t_rex_keeps_every_hold_frozen(m, seed):
    """A seeded random walk of affirmations, gross and netted settlements, cancels, agent
    freezes and unfreezes of its own freeze, burns, forced transfers, mints, pauses and
    wallet freezes, each through the handles: after every step, T-REX's frozen amount of
    each wallet covers its holds, and its balance covers the frozen amount."""
    rnd = random.Random(seed)
    wallets = [m.seller, m.buyer, m.buyer2, m.kp]
    m.cash.mint(m.seller, 1_000 * PRICE, sender=m.admin)
    for wallet in (m.buyer, m.buyer2):
        m.token.mint(wallet, 100, sender=m.agent)
    pending = []
    for _ in range(250):
        op = rnd.choice(["affirm", "affirm", "settle", "net", "cancel", "freeze", "unfreeze", "burn", "force",
                         "transfer", "pause", "freeze wallet", "mint"])
        a, b = rnd.sample(wallets, 2)
        q = rnd.randint(1, 60)
        try:
            if op == "affirm":
                instruction = instruct(m, a, b, q)
                m.dvp.affirm(instruction, True, sender=a)
                m.dvp.affirm(instruction, False, sender=b)
                pending.append(instruction)
            elif op == "settle" and pending:
                m.dvp.settle(rnd.choice(pending), sender=m.clearing)
            elif op == "net" and len(pending) > 1:
                m.dvp.settleBatch(rnd.sample(pending, 2), True, sender=m.clearing)
            elif op == "cancel" and pending:
                m.dvp.cancel(rnd.choice(pending), sender=m.clearing)
            elif op == "freeze":
                m.trex.freezePartialTokens(a, q, sender=m.agent)
            elif op == "unfreeze" and m.adapter.frozenTokens(a):
                m.trex.unfreezePartialTokens(a, rnd.randint(1, m.adapter.frozenTokens(a)), sender=m.agent)
            elif op == "burn":
                m.token.burn(a, q, sender=m.agent)
            elif op == "force":
                m.token.forcedTransfer(a, b, q, rnd.random() < 0.5, sender=m.agent)
            elif op == "transfer":
                m.token.transfer(b, q, sender=a)
            elif op == "pause":
                (m.token.unpause if m.token.paused() else m.token.pause)(sender=m.agent)
            elif op == "freeze wallet":
                m.trex.setAddressFrozen(a, not m.trex.isFrozen(a), sender=m.agent)
            elif op == "mint":
                m.token.mint(a, q, sender=m.agent)
        except ContractRevert:
            pass
        pending = [i for i in pending if m.dvp.status(i) == Status.PENDING]
        for wallet in wallets:
            balance, frozen, held = shares(m, wallet)
            assert balance >= frozen >= held, (op, wallet, balance, frozen, held)
