"""Tokenized securities as collateral: title transfer to the custodian, pledge in place,
locked lots, foreclosure on default and the sale's settlement.

A 506(c) security token (accredited holders only, a 30-day Rule 144-style lock-up per lot)
is pledged at a margin engine whose ``CollateralCustodian`` holds what is given by title
transfer and places the holds of what is pledged in place. Amounts: the cash token has 6
decimals ($1 is 10**6 units); the security token has 0 (one unit is one share).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from sim.calendar import DAY
from sim.contracts.assets import Asset, AssetClass
from sim.contracts.collateral import LockedPolicy, Schedule, deploy_collateral_registry
from sim.contracts.margin import Method, deploy_collateral_custodian, deploy_margin
from sim.contracts.settlement import HOLD_OPERATOR_ROLE
from sim.chain.reverts import decode_revert

from test_margin_engine import CALL_PERIOD, USD, World, build_world

LOCKUP_DAYS = 30
PRICE_CENTS = 10_000  # $100 a share


@dataclass
class Secured:
    w: World
    token: object
    custodian: object
    owner: str
    make_investor: object


def _secured(chain, deployer, make_investor, make_security_token, schedule: Schedule | None = None) -> Secured:
    w = build_world(chain, deployer)
    assets = chain.at(w.collateral.assets(), "AssetRegistry")
    if schedule is not None:  # an engine valuing under another published schedule
        w.collateral = deploy_collateral_registry(chain, assets, admin=deployer, schedule=schedule)
        w.engine = deploy_margin(chain, cash=w.cash, collateral=w.collateral, oracle=w.oracle, admin=deployer,
                                 call_period_seconds=CALL_PERIOD).engine
    token = make_security_token(modules=[{"kind": "accredited_only"}, {"kind": "lockup", "days": LOCKUP_DAYS}],
                                symbol="TSF")
    assets.record(token, Asset(AssetClass.EQUITY, main_index=True, issuer=chain.new_account()), sender=deployer)
    w.collateral.setEligible(token, True, sender=deployer)
    w.collateral.setLockupModule(token, token.module("lockup"), sender=deployer)
    custodian = deploy_collateral_custodian(chain, w.engine, token, admin=deployer)
    make_investor("institutional", wallet=custodian.address)
    make_investor("institutional", wallet=w.liquidator)
    token.grantRole(HOLD_OPERATOR_ROLE, custodian, sender=deployer)
    w.tokens["TSF"], w.units["TSF"] = token, 1
    w.set_price("TSF", PRICE_CENTS)
    owner = make_investor("accredited")
    w.engine.open_account(owner, retail=False, method=Method.SILOED, sender=deployer)
    return Secured(w, token, custodian, owner, make_investor)


@pytest.fixture
def s(chain, deployer, make_investor, make_security_token) -> Secured:
    return _secured(chain, deployer, make_investor, make_security_token)


def _released(s: Secured, shares: int) -> None:
    """Mint ``shares`` to the owner and let their lock-up pass."""
    s.token.mint(s.owner, shares, sender=s.w.admin)
    s.w.chain.advance(LOCKUP_DAYS * DAY)
    s.w.refresh()


def _value(s: Secured) -> int:
    return s.w.engine.status(s.owner).collateral_value


# ------------------------------------------------------------------ title transfer


def test_a_title_transfer_moves_the_tokens_to_the_custodian_the_holder_of_record(s):
    _released(s, 100)
    s.token.approve(s.w.engine, 100, sender=s.owner)
    s.w.engine.pledge(s.token, 100, sender=s.owner)
    assert s.token.balanceOf(s.custodian) == 100
    assert s.token.balanceOf(s.owner) == 0
    assert s.w.engine.collateralOf(s.owner, s.token) == 100
    assert _value(s) == 100 * 100 * USD * 85 // 100  # S&P 500 equity under 23.156: 15%


def test_a_title_transfer_to_a_custodian_the_token_does_not_admit_is_refused_with_the_tokens_error(
    chain, deployer, make_investor, make_security_token, reverts
):
    s = _secured(chain, deployer, make_investor, make_security_token)
    s.w.engine.setCustodian(s.token, deploy_collateral_custodian(chain, s.w.engine, s.token, admin=deployer),
                            sender=deployer)  # a new custodian, never registered with the token's identity registry
    _released(s, 100)
    s.token.approve(s.w.engine, 100, sender=s.owner)
    with reverts("RecipientNotVerified"):
        s.w.engine.pledge(s.token, 100, sender=s.owner)
    assert s.token.balanceOf(s.owner) == 100


def test_released_title_collateral_comes_back_from_the_custodian(s):
    _released(s, 100)
    s.token.approve(s.w.engine, 100, sender=s.owner)
    s.w.engine.pledge(s.token, 100, sender=s.owner)
    s.w.engine.release(s.token, 40, sender=s.owner)
    assert (s.token.balanceOf(s.owner), s.token.balanceOf(s.custodian)) == (40, 60)


# ------------------------------------------------------------------ pledge in place


def test_a_pledge_in_place_keeps_the_tokens_with_the_owner_on_hold(s):
    _released(s, 100)
    receipt = s.w.engine.pledgeInPlace(s.token, 60, sender=s.owner)
    assert receipt.events_named("PledgedInPlace")[0].amount == 60
    assert s.token.balanceOf(s.owner) == 100
    assert s.token.heldBalanceOf(s.owner) == 60
    assert s.w.engine.inPlaceOf(s.owner, s.token) == 60
    assert _value(s) == 60 * 100 * USD * 85 // 100


def test_the_owner_cannot_move_tokens_pledged_in_place(s, reverts):
    _released(s, 100)
    s.w.engine.pledgeInPlace(s.token, 60, sender=s.owner)
    buyer = s.make_investor("accredited")
    s.token.transfer(buyer, 40, sender=s.owner)  # the unpledged ones move
    with reverts("TokensOnHold"):
        s.token.transfer(buyer, 1, sender=s.owner)
    assert s.token.balanceOf(s.owner) == 60


def test_the_agent_cannot_force_pledged_tokens_away(s, reverts):
    _released(s, 100)
    s.w.engine.pledgeInPlace(s.token, 100, sender=s.owner)
    with reverts("TokensOnHold"):
        s.token.forcedTransfer(s.owner, s.make_investor("accredited"), 1, True, sender=s.w.admin)


def test_a_second_pledge_in_place_grows_the_one_hold(s):
    _released(s, 100)
    s.w.engine.pledgeInPlace(s.token, 30, sender=s.owner)
    s.w.engine.pledgeInPlace(s.token, 20, sender=s.owner)
    assert s.token.heldBalanceOf(s.owner) == 50
    assert s.custodian.encumberedOf(s.owner, s.token) == 50


def test_releasing_in_place_shrinks_the_hold(s):
    _released(s, 100)
    s.w.engine.pledgeInPlace(s.token, 60, sender=s.owner)
    s.w.engine.releaseInPlace(s.token, 25, sender=s.owner)
    assert s.token.heldBalanceOf(s.owner) == 35
    assert s.w.engine.collateralOf(s.owner, s.token) == 35


def test_releasing_in_place_below_the_initial_requirement_is_refused(s, reverts):
    _released(s, 100)
    s.w.engine.pledgeInPlace(s.token, 100, sender=s.owner)
    s.w.buy(s.owner, "IDX", 100)  # $10,000 on a margin loan; Reg T needs $5,000
    with reverts("MarginInsufficient"):
        s.w.engine.releaseInPlace(s.token, 100, sender=s.owner)
    assert s.token.heldBalanceOf(s.owner) == 100


def test_a_token_without_a_custodian_cannot_be_pledged_in_place(s, reverts):
    idx = s.w.tokens["IDX"]
    with reverts("MarginNotForeclosable"):
        s.w.engine.pledgeInPlace(idx, 1, sender=s.owner)


def test_more_than_the_owner_has_available_cannot_be_pledged_in_place(s, reverts):
    _released(s, 100)
    with reverts("ERC20InsufficientBalance"):
        s.w.engine.pledgeInPlace(s.token, 101, sender=s.owner)


def test_no_one_but_the_engine_calls_the_custodian(s, reverts):
    _released(s, 100)
    s.w.engine.pledgeInPlace(s.token, 100, sender=s.owner)
    stranger = s.make_investor("accredited")
    with reverts("CustodianOnlyEngine"):
        s.custodian.foreclose(s.owner, s.token, stranger, 0, 100, sender=stranger)
    with reverts("CustodianOnlyEngine"):
        s.custodian.encumber(s.owner, s.token, 0, sender=stranger)
    with reverts("AccessControlUnauthorizedAccount"):  # the issuer's agent is no hold operator
        s.token.releaseHold(s.custodian.holdIdOf(s.owner, s.token), sender=s.w.admin)
    assert s.token.heldBalanceOf(s.owner) == 100


# ---------------------------------------------------------------- locked lots


def test_locked_tokens_pledged_in_place_count_at_zero_by_default(s):
    s.token.mint(s.owner, 100, sender=s.w.admin)
    s.w.engine.pledgeInPlace(s.token, 100, sender=s.owner)  # a pledge is not a sale: allowed while locked
    assert s.token.heldBalanceOf(s.owner) == 100
    assert _value(s) == 0


def test_locked_tokens_count_in_full_from_the_second_their_lot_is_released(s):
    s.token.mint(s.owner, 100, sender=s.w.admin)
    s.w.engine.pledgeInPlace(s.token, 100, sender=s.owner)
    minted = s.w.chain.now()
    s.w.chain.warp(minted + LOCKUP_DAYS * DAY - 1)
    s.w.refresh()
    assert _value(s) == 0
    s.w.chain.warp(minted + LOCKUP_DAYS * DAY)
    s.w.refresh()
    assert _value(s) == 100 * 100 * USD * 85 // 100


def test_locked_tokens_cannot_be_given_by_title_transfer(s, reverts):
    s.token.mint(s.owner, 100, sender=s.w.admin)
    s.token.approve(s.w.engine, 100, sender=s.owner)
    with reverts("LockupActive"):
        s.w.engine.pledge(s.token, 100, sender=s.owner)


def test_under_the_us_capital_schedule_locked_tokens_may_count_as_other_exposure_at_25_percent(
    chain, deployer, make_investor, make_security_token
):
    s = _secured(chain, deployer, make_investor, make_security_token, schedule=Schedule.US_CAPITAL_217_132)
    s.w.collateral.setLockedPolicy(LockedPolicy.OTHER_EXPOSURE, sender=deployer)
    s.token.mint(s.owner, 100, sender=deployer)
    s.w.engine.pledgeInPlace(s.token, 100, sender=s.owner)
    assert _value(s) == 100 * 100 * USD * 75 // 100


def test_other_exposure_for_locked_tokens_is_refused_under_a_schedule_without_that_row(s, reverts):
    with reverts("CollateralLockedPolicyOffSchedule"):
        s.w.collateral.setLockedPolicy(LockedPolicy.OTHER_EXPOSURE, sender=s.w.admin)


# ------------------------------------------------------------------ foreclosure


def _default(s: Secured, *, tsf_cents: int = 2_000) -> None:
    """The owner buys $100,000 of the index on a margin loan against 1,000 shares pledged;
    the index falls 10% and the shares 80%; the call goes unmet past its deadline."""
    s.w.buy(s.owner, "IDX", 1_000)
    s.w.set_price("IDX", 9_000)
    s.w.set_price("TSF", tsf_cents)
    s.w.engine.issueCall(s.owner, sender=s.w.admin)
    s.w.chain.advance(CALL_PERIOD + 1)
    s.w.refresh()


def test_on_default_pledged_tokens_are_foreclosed_to_the_liquidator_at_the_mark_and_no_shortfall_yet(s):
    _released(s, 1_000)
    s.w.engine.pledgeInPlace(s.token, 1_000, sender=s.owner)
    _default(s)
    receipt = s.w.engine.liquidate(s.owner, sender=s.w.admin)
    (foreclosed,) = receipt.events_named("Foreclosed")
    # the index passes to the liquidator at $90,000: $10,000 still owed, 500 shares at $20 cover it
    assert (foreclosed.fromTitle, foreclosed.fromHold, foreclosed.markValue) == (0, 500, 10_000 * USD)
    assert s.token.balanceOf(s.w.liquidator) == 500
    assert (s.token.balanceOf(s.owner), s.token.heldBalanceOf(s.owner)) == (500, 500)
    assert s.w.engine.pendingSaleOf(s.owner) == 10_000 * USD
    assert receipt.events_named("ShortfallCharged") == []


def test_title_collateral_is_foreclosed_before_collateral_pledged_in_place(s):
    _released(s, 1_000)
    s.token.approve(s.w.engine, 300, sender=s.owner)
    s.w.engine.pledge(s.token, 300, sender=s.owner)
    s.w.engine.pledgeInPlace(s.token, 700, sender=s.owner)
    _default(s)
    (foreclosed,) = s.w.engine.liquidate(s.owner, sender=s.w.admin).events_named("Foreclosed")
    assert (foreclosed.fromTitle, foreclosed.fromHold) == (300, 200)
    assert s.w.engine.inPlaceOf(s.owner, s.token) == 500


def test_what_the_sale_leaves_owed_is_foreclosed_from_what_is_still_pledged(s):
    _released(s, 1_000)
    s.w.engine.pledgeInPlace(s.token, 1_000, sender=s.owner)
    _default(s)
    s.w.engine.liquidate(s.owner, sender=s.w.admin)
    s.w.cash.mint(s.w.liquidator, 10_000 * USD, sender=s.w.admin)
    s.w.cash.approve(s.w.engine, 10_000 * USD, sender=s.w.liquidator)
    fund = s.w.engine.defaultFund()
    receipt = s.w.engine.settleForeclosure(s.owner, 9_400 * USD, sender=s.w.admin)  # sold 500 at $18.80
    (settled,) = receipt.events_named("ForeclosureSettled")
    assert (settled.proceeds, settled.markValue) == (9_400 * USD, 10_000 * USD)
    (again,) = receipt.events_named("Foreclosed")  # the $600 left: 30 more shares at the $20 mark
    assert (again.fromHold, again.markValue) == (30, 600 * USD)
    assert receipt.events_named("ShortfallCharged") == []
    assert s.w.engine.pendingSaleOf(s.owner) == 600 * USD
    receipt = s.w.engine.settleForeclosure(s.owner, 600 * USD, sender=s.w.admin)
    assert receipt.events_named("ShortfallCharged") == [] and s.w.engine.defaultFund() == fund
    assert s.w.engine.account(s.owner).cash == 0
    assert s.w.engine.inPlaceOf(s.owner, s.token) == 470  # the rest stays the owner's, still pledged
    assert s.w.ledger_balanced()


def test_a_shortfall_is_charged_only_once_no_collateral_is_left(s):
    _released(s, 1_000)
    s.w.engine.pledgeInPlace(s.token, 1_000, sender=s.owner)
    _default(s, tsf_cents=500)  # $10,000 owed after the index passes; 1,000 shares at $5 cover half
    (foreclosed,) = s.w.engine.liquidate(s.owner, sender=s.w.admin).events_named("Foreclosed")
    assert (foreclosed.fromHold, foreclosed.markValue) == (1_000, 5_000 * USD)
    s.w.cash.mint(s.w.liquidator, 5_000 * USD, sender=s.w.admin)
    s.w.cash.approve(s.w.engine, 5_000 * USD, sender=s.w.admin)
    s.w.cash.approve(s.w.engine, 5_000 * USD, sender=s.w.liquidator)
    receipt = s.w.engine.settleForeclosure(s.owner, 5_000 * USD, sender=s.w.admin)
    (shortfall,) = receipt.events_named("ShortfallCharged")
    assert shortfall.shortfall == 5_000 * USD and not s.w.engine.collateralTokensOf(s.owner)
    assert s.w.engine.account(s.owner).claim == 5_000 * USD  # not retail: the firm keeps its claim
    assert s.w.ledger_balanced()


def test_an_account_whose_foreclosure_is_still_selling_is_not_liquidated_again(s, reverts):
    _released(s, 1_000)
    s.w.engine.pledgeInPlace(s.token, 1_000, sender=s.owner)
    _default(s)
    s.w.engine.liquidate(s.owner, sender=s.w.admin)
    assert s.w.engine.liquidatable(s.owner)[0] is False
    with reverts("MarginNotLiquidatable"):
        s.w.engine.liquidate(s.owner, sender=s.w.admin)


def test_settling_a_foreclosure_that_is_not_pending_is_refused(s, reverts):
    with reverts("MarginNoForeclosure"):
        s.w.engine.settleForeclosure(s.owner, 0, sender=s.w.admin)


def test_only_the_liquidator_settles_a_foreclosure(s, reverts):
    with reverts("AccessControlUnauthorizedAccount"):
        s.w.engine.settleForeclosure(s.owner, 0, sender=s.owner)


def _locked_default(s: Secured) -> None:
    """1,000 locked shares pledged in place (counting at zero), $50,000 cash; $100,000 of the
    index bought; it falls 60%; the call goes unmet."""
    s.token.mint(s.owner, 1_000, sender=s.w.admin)
    s.w.engine.pledgeInPlace(s.token, 1_000, sender=s.owner)
    s.w.cash.mint(s.owner, 50_000 * USD, sender=s.w.admin)  # locked shares count at zero: cash backs the purchase
    s.w.cash.approve(s.w.engine, 50_000 * USD, sender=s.owner)
    s.w.engine.depositCash(50_000 * USD, sender=s.owner)
    s.w.buy(s.owner, "IDX", 1_000)
    s.w.set_price("IDX", 4_000)
    s.w.engine.issueCall(s.owner, sender=s.w.admin)
    s.w.chain.advance(CALL_PERIOD + 1)
    s.w.refresh()


def test_a_locked_pledge_cannot_be_foreclosed_and_the_debit_stays_on_the_account(s):
    _locked_default(s)
    fund = s.w.engine.defaultFund()
    receipt = s.w.engine.liquidate(s.owner, sender=s.w.admin)
    (refused,) = receipt.events_named("ForeclosureRefused")
    assert refused.inPlace and refused.amount == 100  # $10,000 still owed: 100 shares at $100
    assert type(decode_revert(refused.reason)).__name__ == "LockupActive"
    assert s.token.heldBalanceOf(s.owner) == 1_000  # still pledged
    assert receipt.events_named("ShortfallCharged") == []  # secured by the pledge: not a loss yet
    (carried,) = receipt.events_named("DebitCarried")
    assert carried.debit == 10_000 * USD
    assert s.w.engine.account(s.owner).cash == -10_000 * USD and s.w.engine.defaultFund() == fund
    assert s.w.engine.pendingSaleOf(s.owner) == 0


def test_the_owner_cannot_take_back_a_pledge_that_secures_a_carried_debit(s, reverts):
    _locked_default(s)
    s.w.engine.liquidate(s.owner, sender=s.w.admin)
    with reverts("MarginInsufficient"):
        s.w.engine.releaseInPlace(s.token, 1, sender=s.owner)
    assert s.token.heldBalanceOf(s.owner) == 1_000


def test_a_carried_debit_keeps_the_account_callable_and_liquidatable(s):
    _locked_default(s)
    s.w.engine.liquidate(s.owner, sender=s.w.admin)
    s.w.engine.issueCall(s.owner, sender=s.w.admin)  # equity -$10,000 below a zero maintenance
    s.w.chain.advance(CALL_PERIOD + 1)
    s.w.refresh()
    assert s.w.engine.liquidatable(s.owner)[0] is True


def test_once_the_lock_up_ends_a_carried_debit_is_an_ordinary_loan_against_the_shares(s, reverts):
    _locked_default(s)
    s.w.engine.liquidate(s.owner, sender=s.w.admin)
    s.w.chain.advance(LOCKUP_DAYS * DAY)
    s.w.refresh()
    assert _value(s) == 85_000 * USD  # 1,000 free shares at $100 after the 15% haircut
    with reverts("MarginInsufficient"):  # 117 shares ($9,945 after the haircut) would not secure $10,000
        s.w.engine.releaseInPlace(s.token, 883, sender=s.owner)
    s.w.engine.releaseInPlace(s.token, 882, sender=s.owner)  # 118 shares ($10,030) still do
    assert s.w.engine.inPlaceOf(s.owner, s.token) == 118


def test_a_foreclosure_to_a_liquidator_the_token_does_not_admit_is_refused_by_the_token(
    chain, deployer, make_investor, make_security_token
):
    s = _secured(chain, deployer, make_investor, make_security_token)
    s.w.engine.setLiquidationAccount(s.w.mm, sender=deployer)  # the market maker: no identity with the token
    _released(s, 1_000)
    s.w.engine.pledgeInPlace(s.token, 1_000, sender=s.owner)
    _default(s)
    receipt = s.w.engine.liquidate(s.owner, sender=deployer)
    (refused,) = receipt.events_named("ForeclosureRefused")
    assert type(decode_revert(refused.reason)).__name__ == "RecipientNotVerified"
    assert s.token.balanceOf(s.w.mm) == 0
    assert s.token.heldBalanceOf(s.owner) == 1_000


def test_an_account_whose_foreclosure_is_selling_can_neither_add_risk_nor_take_value_out(s, reverts):
    _released(s, 1_000)
    s.w.engine.pledgeInPlace(s.token, 1_000, sender=s.owner)
    _default(s)
    s.w.engine.liquidate(s.owner, sender=s.w.admin)  # 500 shares foreclosed, selling; 500 still pledged
    with reverts("MarginForeclosurePending", account=s.owner, markValue=10_000 * USD):
        s.w.engine.releaseInPlace(s.token, 1, sender=s.owner)
    with reverts("MarginForeclosurePending"):
        s.w.buy(s.owner, "IDX", 1)
    s.w.cash.mint(s.w.liquidator, 10_000 * USD, sender=s.w.admin)
    s.w.cash.approve(s.w.engine, 10_000 * USD, sender=s.w.liquidator)
    s.w.engine.settleForeclosure(s.owner, 10_000 * USD, sender=s.w.admin)  # sold at the mark
    s.w.engine.releaseInPlace(s.token, 1, sender=s.owner)  # settled: the rest is the owner's again
