"""DvPSettlement: both legs or neither, deadlines, fails, penalties, buy-ins, netting."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import solidity
from sim.contracts.settlement import Status, deploy_dvp

REF = b"trade-1".ljust(32, b"\x00")
PRICE = 1_000_000  # cash units per share: $1.00 with 6 decimals


@pytest.fixture
def market(chain, make_security_token, cash_token, make_investor, deployer):
    token = make_security_token()
    clearing = chain.new_account()
    dvp = deploy_dvp(
        chain, admin=deployer, clearing=clearing, tokens=[(token, deployer), (cash_token, deployer)], fail_penalty_bp=1.0
    )
    seller, buyer, third = make_investor(), make_investor(), make_investor()
    for investor in (seller, buyer, third):
        token.mint(investor, 100, sender=deployer)
        cash_token.mint(investor, 1_000 * PRICE, sender=deployer)
    return dvp, token, cash_token, clearing, seller, buyer, third


def instruct(market, seller, buyer, quantity=10, deadline=3_600, ref=REF):
    dvp, token, cash, clearing, *_ = market
    settle_by = dvp.chain.now() + deadline
    receipt = dvp.instruct(seller, buyer, token, quantity, cash, quantity * PRICE, settle_by, ref, sender=clearing)
    return receipt.return_value, settle_by


def test_instruction_is_recorded_with_its_terms(chain, market):
    dvp, token, cash, clearing, seller, buyer, _ = market
    instruction_id, settle_by = instruct(market, seller, buyer)
    ins = dvp.instruction(instruction_id)
    assert (ins.seller, ins.buyer, ins.quantity, ins.amount, ins.settleBy) == (seller, buyer, 10, 10 * PRICE, settle_by)
    assert dvp.status(instruction_id) == Status.PENDING


@pytest.mark.parametrize(
    ("change", "error"),
    [("same_parties", "DvPInvalidParties"), ("zero_quantity", "DvPZeroQuantity"), ("past", "DvPDeadlineInPast")],
)
def test_bad_instructions_are_refused(chain, market, reverts, change, error):
    dvp, token, cash, clearing, seller, buyer, _ = market
    args = [seller, buyer, token, 10, cash, 10 * PRICE, chain.now() + 10, REF]
    if change == "same_parties":
        args[1] = seller
    elif change == "zero_quantity":
        args[3] = 0
    else:
        args[6] = chain.now() - 1
    with reverts(error):
        dvp.instruct(*args, sender=clearing)


def test_affirming_puts_each_leg_on_hold_with_its_owner(chain, market):
    dvp, token, cash, _, seller, buyer, _ = market
    instruction_id, _ = instruct(market, seller, buyer)
    dvp.affirm(instruction_id, True, sender=seller)
    dvp.affirm(instruction_id, False, sender=buyer)
    assert (token.balanceOf(seller), token.heldBalanceOf(seller)) == (100, 10)
    assert (cash.balanceOf(buyer), cash.heldBalanceOf(buyer)) == (1_000 * PRICE, 10 * PRICE)


def test_only_the_party_affirms_its_side(chain, market, reverts):
    dvp, _, _, _, seller, buyer, third = market
    instruction_id, _ = instruct(market, seller, buyer)
    with reverts(solidity.DvPNotParty, caller=buyer, asSeller=True):
        dvp.affirm(instruction_id, True, sender=buyer)
    with reverts(solidity.DvPNotParty, caller=third):
        dvp.affirm(instruction_id, False, sender=third)
    dvp.affirm(instruction_id, True, sender=seller)
    with reverts(solidity.DvPAlreadyAffirmed):
        dvp.affirm(instruction_id, True, sender=seller)


def test_a_seller_without_the_securities_cannot_affirm(chain, market, reverts):
    dvp, *_ = market
    _, _, _, _, seller, buyer, _ = market
    instruction_id, _ = instruct(market, seller, buyer, quantity=101)
    with reverts(solidity.ERC20InsufficientBalance, balance=100, needed=101):
        dvp.affirm(instruction_id, True, sender=seller)


def test_settlement_moves_both_legs_at_once(chain, market):
    dvp, token, cash, clearing, seller, buyer, _ = market
    instruction_id, _ = instruct(market, seller, buyer)
    dvp.affirm(instruction_id, True, sender=seller)
    dvp.affirm(instruction_id, False, sender=buyer)
    receipt = dvp.settle(instruction_id, sender=clearing)
    assert receipt.return_value is True
    assert receipt.events_named("Settled")[0].args == {"id": instruction_id, "netted": False}
    assert (token.balanceOf(seller), token.balanceOf(buyer)) == (90, 110)
    assert (cash.balanceOf(seller), cash.balanceOf(buyer)) == (1_010 * PRICE, 990 * PRICE)
    assert token.heldBalanceOf(seller) == cash.heldBalanceOf(buyer) == 0
    assert dvp.status(instruction_id) == Status.SETTLED


def test_a_refused_leg_settles_neither_and_records_the_reason(
    chain, market, identity_registry, deployer
):
    dvp, token, cash, clearing, seller, buyer, _ = market
    instruction_id, _ = instruct(market, seller, buyer)
    dvp.affirm(instruction_id, True, sender=seller)
    dvp.affirm(instruction_id, False, sender=buyer)
    identity_registry.revokeIdentity(buyer, sender=deployer)
    receipt = dvp.settle(instruction_id, sender=clearing)
    assert receipt.return_value is False
    (refused,) = receipt.events_named("SettlementRefused")
    from sim.chain.reverts import decode_revert

    reason = decode_revert(refused.reason)
    assert isinstance(reason, solidity.RecipientNotVerified) and reason.wallet == buyer
    assert (token.balanceOf(seller), cash.balanceOf(seller)) == (100, 1_000 * PRICE)
    assert (token.heldBalanceOf(seller), cash.heldBalanceOf(buyer)) == (10, 10 * PRICE)
    assert dvp.status(instruction_id) == Status.PENDING


def test_settlement_needs_both_affirmations(chain, market, reverts):
    dvp, _, _, clearing, seller, buyer, _ = market
    instruction_id, _ = instruct(market, seller, buyer)
    dvp.affirm(instruction_id, True, sender=seller)
    with reverts(solidity.DvPNotAffirmed, sellerAffirmed=True, buyerAffirmed=False):
        dvp.settle(instruction_id, sender=clearing)


def test_settle_by_is_the_last_second_to_settle(chain, market, reverts):
    dvp, _, _, clearing, seller, buyer, _ = market
    first, settle_by = instruct(market, seller, buyer, ref=b"a".ljust(32, b"\x00"))
    second, _ = instruct(market, seller, buyer, ref=b"b".ljust(32, b"\x00"))
    for instruction_id in (first, second):
        dvp.affirm(instruction_id, True, sender=seller)
        dvp.affirm(instruction_id, False, sender=buyer)
    chain.warp(settle_by)
    dvp.settle(first, sender=clearing)
    with reverts(solidity.DvPDeadlineNotPassed, settleBy=settle_by):
        dvp.markFailed(second, settle_by + 86_400, sender=clearing)
    chain.warp(settle_by + 1)
    with reverts(solidity.DvPDeadlinePassed, settleBy=settle_by, now_=settle_by + 1):
        dvp.settle(second, sender=clearing)


def test_a_fail_is_recorded_rolled_and_penalised(chain, market):
    dvp, token, cash, clearing, seller, buyer, _ = market
    instruction_id, settle_by = instruct(market, seller, buyer)
    dvp.affirm(instruction_id, False, sender=buyer)  # the seller never delivers
    chain.warp(settle_by + 1)
    rolled = settle_by + 86_400
    receipt = dvp.markFailed(instruction_id, rolled, sender=clearing)
    (failed,) = receipt.events_named("InstructionFailed")
    penalty = 10 * PRICE * 100 // 1_000_000  # 1 bp a day of the cash amount
    assert failed.args == {
        "id": instruction_id, "failDays": 1, "failingParty": seller, "penalty": penalty, "newSettleBy": rolled,
    }
    assert dvp.penaltiesOwed(seller, cash) == penalty
    assert dvp.penaltiesDue(buyer, cash) == penalty
    assert dvp.instruction(instruction_id).settleBy == rolled


def test_a_buyer_that_does_not_pay_is_the_failing_party(chain, market):
    dvp, _, cash, clearing, seller, buyer, _ = market
    instruction_id, settle_by = instruct(market, seller, buyer)
    dvp.affirm(instruction_id, True, sender=seller)
    chain.warp(settle_by + 1)
    receipt = dvp.markFailed(instruction_id, settle_by + 86_400, sender=clearing)
    assert receipt.events_named("InstructionFailed")[0].failingParty == buyer
    assert dvp.penaltiesOwed(buyer, cash) > 0


def test_buy_in_closes_out_a_seller_fail(chain, market, reverts):
    dvp, token, cash, clearing, seller, buyer, _ = market
    instruction_id, settle_by = instruct(market, seller, buyer)
    dvp.affirm(instruction_id, False, sender=buyer)
    with reverts(solidity.DvPBuyInNotAllowed, failDays=0):
        dvp.buyIn(instruction_id, 12 * PRICE, sender=clearing)
    chain.warp(settle_by + 1)
    dvp.markFailed(instruction_id, settle_by + 86_400, sender=clearing)
    receipt = dvp.buyIn(instruction_id, 12 * PRICE, sender=clearing)
    assert receipt.events_named("BoughtIn")[0].cost == 2 * PRICE
    assert dvp.buyInCostsOwed(seller, cash) == 2 * PRICE
    assert cash.heldBalanceOf(buyer) == 0
    assert dvp.status(instruction_id) == Status.BOUGHT_IN


def test_cancel_releases_both_holds(chain, market):
    dvp, token, cash, clearing, seller, buyer, _ = market
    instruction_id, _ = instruct(market, seller, buyer)
    dvp.affirm(instruction_id, True, sender=seller)
    dvp.affirm(instruction_id, False, sender=buyer)
    dvp.cancel(instruction_id, sender=clearing)
    assert token.heldBalanceOf(seller) == cash.heldBalanceOf(buyer) == 0
    assert dvp.status(instruction_id) == Status.CANCELLED


def _affirmed_batch(market, trades):
    dvp, *_ = market
    ids = []
    for i, (seller, buyer, quantity) in enumerate(trades):
        instruction_id, _ = instruct(market, seller, buyer, quantity=quantity, ref=bytes([i]).ljust(32, b"\x00"))
        dvp.affirm(instruction_id, True, sender=seller)
        dvp.affirm(instruction_id, False, sender=buyer)
        ids.append(instruction_id)
    return ids


def test_netting_moves_only_net_positions(chain, market):
    """A sells 10 to B, B sells 10 to C: B nets to zero; one delivery, one payment."""
    dvp, token, cash, clearing, a, b, c = market
    ids = _affirmed_batch(market, [(a, b, 10), (b, c, 10)])
    receipt = dvp.settleBatch(ids, True, sender=clearing)
    assert receipt.return_value == 2
    (batch,) = receipt.events_named("BatchSettled")
    assert batch.args == {"settled": 2, "refused": 0, "transfers": 2, "netted": True}
    assert len(receipt.events_named("Transfer")) == 2
    assert [token.balanceOf(x) for x in (a, b, c)] == [90, 100, 110]
    assert [cash.balanceOf(x) for x in (a, b, c)] == [1_010 * PRICE, 1_000 * PRICE, 990 * PRICE]
    assert all(token.heldBalanceOf(x) == 0 and cash.heldBalanceOf(x) == 0 for x in (a, b, c))


def test_a_refusal_in_a_netted_batch_falls_back_to_gross(chain, market, identity_registry, deployer):
    dvp, token, cash, clearing, a, b, c = market
    ids = _affirmed_batch(market, [(a, b, 10), (a, c, 5)])
    identity_registry.revokeIdentity(c, sender=deployer)
    receipt = dvp.settleBatch(ids, True, sender=clearing)
    assert receipt.return_value == 1
    assert len(receipt.events_named("NettingFailed")) == 1
    assert receipt.events_named("BatchSettled")[0].args == {"settled": 1, "refused": 1, "transfers": 2, "netted": False}
    assert dvp.status(ids[0]) == Status.SETTLED and dvp.status(ids[1]) == Status.PENDING
    assert token.balanceOf(b) == 110 and token.heldBalanceOf(a) == 5


def test_gross_batch_settles_each_instruction(chain, market):
    dvp, token, _, clearing, a, b, c = market
    ids = _affirmed_batch(market, [(a, b, 10), (b, c, 10)])
    receipt = dvp.settleBatch(ids, False, sender=clearing)
    assert receipt.return_value == 2
    assert len(receipt.events_named("Transfer")) == 4
    assert [token.balanceOf(x) for x in (a, b, c)] == [90, 100, 110]


def test_penalty_rate_bounds(chain, deployer, reverts):
    with reverts(solidity.DvPInvalidPenaltyRate, ppm=1_000_001):
        chain.deploy("DvPSettlement", deployer, 1_000_001, sender=deployer)


def test_a_closed_instruction_keeps_only_its_status(chain, market):
    """Settled, cancelled and bought-in records are deleted: storage follows open trades."""
    dvp, token, cash, clearing, seller, buyer, _ = market
    instruction_id, _ = instruct(market, seller, buyer)
    dvp.affirm(instruction_id, True, sender=seller)
    dvp.affirm(instruction_id, False, sender=buyer)
    dvp.settle(instruction_id, sender=clearing)
    ins = dvp.instruction(instruction_id)
    assert Status(ins.status) == Status.SETTLED
    assert (ins.seller, ins.quantity, ins.amount, ins.settleBy) == ("0x" + "00" * 20, 0, 0, 0)


def test_closed_statuses_of_neighbouring_instructions_stay_apart(chain, market):
    """Statuses are packed 64 to a slot; closing one leaves its neighbours' as they were."""
    dvp, token, cash, clearing, seller, buyer, _ = market
    ids = [instruct(market, seller, buyer, quantity=1, ref=bytes([i]).ljust(32, b"\x00"))[0] for i in range(66)]
    for instruction_id in ids[::2]:
        dvp.cancel(instruction_id, sender=clearing)
    for instruction_id in ids[1::4]:
        dvp.affirm(instruction_id, True, sender=seller)
        dvp.affirm(instruction_id, False, sender=buyer)
        dvp.settle(instruction_id, sender=clearing)
    expected = {i: Status.CANCELLED for i in ids[::2]} | {i: Status.SETTLED for i in ids[1::4]}
    assert [dvp.status(i) for i in ids] == [expected.get(i, Status.PENDING) for i in ids]
    assert dvp.status(ids[-1] + 1) == Status.NONE


def test_acting_on_a_closed_instruction_is_refused_with_its_status(chain, market, reverts):
    dvp, token, cash, clearing, seller, buyer, _ = market
    instruction_id, _ = instruct(market, seller, buyer)
    dvp.cancel(instruction_id, sender=clearing)
    with reverts(solidity.DvPNotPending, id=instruction_id, status=int(Status.CANCELLED)):
        dvp.affirm(instruction_id, True, sender=seller)
    with reverts(solidity.DvPUnknownInstruction, id=instruction_id + 1):
        dvp.cancel(instruction_id + 1, sender=clearing)


# ------------------------------------------------------------------ netting at scale

def _dvp_among(chain, token, cash, investor, deployer, *, parties, shares, cash_units):
    """A DvP contract for ``token`` and ``cash``, and ``parties`` new investors holding
    ``shares`` and ``cash_units`` each."""
    clearing = chain.new_account()
    dvp = deploy_dvp(chain, admin=deployer, clearing=clearing, tokens=[(token, deployer), (cash, deployer)])
    wallets = [investor() for _ in range(parties)]
    token.batchMint(wallets, [shares] * parties, sender=deployer)
    for wallet in wallets:
        cash.mint(wallet, cash_units, sender=deployer)
    return dvp, token, cash, clearing, wallets


@pytest.fixture(scope="module")
def crowd(chain, make_shared_security_token, cash_token, make_shared_investor, deployer):
    """Eight investors holding the token and cash, and a DvP contract for them."""
    return _dvp_among(chain, make_shared_security_token(), cash_token, make_shared_investor, deployer,
                      parties=8, shares=10_000, cash_units=100_000 * PRICE)


def _affirm_all(crowd, trades, tag):
    dvp, token, cash, clearing, parties = crowd
    ids = []
    for i, (s, b, quantity) in enumerate(trades):
        seller, buyer = parties[s], parties[b]
        ref = f"{tag}-{i}".encode().ljust(32, b"\x00")
        receipt = dvp.instruct(seller, buyer, token, quantity, cash, quantity * PRICE, dvp.chain.now() + 3_600, ref,
                               sender=clearing)
        dvp.affirm(receipt.return_value, True, sender=seller)
        dvp.affirm(receipt.return_value, False, sender=buyer)
        ids.append(receipt.return_value)
    return ids


def _positions(crowd):
    _, token, cash, _, parties = crowd
    return [(token.balanceOf(p), token.heldBalanceOf(p), cash.balanceOf(p), cash.heldBalanceOf(p)) for p in parties]


trade = st.tuples(st.integers(0, 7), st.integers(0, 7), st.integers(1, 50)).filter(lambda t: t[0] != t[1])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(trades=st.lists(trade, min_size=2, max_size=10))
def test_a_netted_batch_ends_where_gross_settlement_of_the_same_batch_ends(chain, crowd, trades):
    """Netting changes how many transfers settle a batch (fewer when positions offset, more
    when one hold is split among receivers), never who ends up with what."""
    dvp, _, _, clearing, _ = crowd
    snapshot = chain.snapshot()
    try:
        ids = _affirm_all(crowd, trades, "net")
        netted = dvp.settleBatch(ids, True, sender=clearing)
        after_netting = _positions(crowd)
        batch = netted.events_named("BatchSettled")[0].args
        assert batch["netted"] is True and batch["transfers"] == len(netted.events_named("Transfer"))
    finally:
        chain.revert(snapshot)
    snapshot = chain.snapshot()
    try:
        ids = _affirm_all(crowd, trades, "net")
        gross = dvp.settleBatch(ids, False, sender=clearing)
        assert _positions(crowd) == after_netting
        assert len(gross.events_named("Transfer")) == 2 * len(trades)
        assert all(dvp.status(i) == Status.SETTLED for i in ids)
    finally:
        chain.revert(snapshot)


@pytest.fixture(scope="module")
def eighty(chain, make_shared_security_token, cash_token, make_shared_investor, deployer):
    """Eighty investors (forty distinct pairs) and a DvP contract for them."""
    return _dvp_among(chain, make_shared_security_token(), cash_token, make_shared_investor, deployer,
                      parties=80, shares=100, cash_units=1_000 * PRICE)


def test_netting_costs_gas_linear_in_the_batch_size(chain, eighty):
    """Net positions are found through an index, not a scan: with every party distinct, an
    instruction of a batch of 40 costs no more than 1.2 times one of a batch of 4 (1.7
    times when each position was looked up by scanning the batch's)."""
    dvp, _, _, clearing, _ = eighty
    per_instruction = {}
    for size in (4, 40):
        snapshot = chain.snapshot()
        try:
            ids = _affirm_all(eighty, [(i, 40 + i, 1 + i % 5) for i in range(size)], f"gas{size}")
            receipt = dvp.settleBatch(ids, True, sender=clearing)
            assert receipt.events_named("BatchSettled")[0].args["netted"] is True
            per_instruction[size] = receipt.gas_used / size
        finally:
            chain.revert(snapshot)
    assert per_instruction[40] <= 1.2 * per_instruction[4]
