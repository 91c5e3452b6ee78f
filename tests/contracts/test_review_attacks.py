"""What a second attacker's review of the collateral custodian, in-place pledges,
foreclosure and the safe-harbor lapse found, one test each, asserting the fixed behaviour.

1. A refused foreclosure (or a sale below the mark) charged the debit to the default fund at
   once while the pledge stayed, and the owner took the pledge back: a debit is now carried,
   secured, while collateral is left (tests in test_tokenized_collateral.py, and here the
   case of locked shares counted as "other exposure").
2. Locked Reg S lots given by title transfer to an offshore custodian counted in full.
3. A stranger's `recordLapse` overwrote a regulator's ruling.
4. Locked tokens could count for more than the same tokens unlocked.
5. A partial release in place panicked when the owner had locked lots.
6. Replacing a token's custodian while pledges were outstanding stranded their holds.
"""

from __future__ import annotations

import pytest

from sim.calendar import DAY
from sim.contracts import Lockup
from sim.contracts.assets import Asset, AssetClass
from sim.contracts.collateral import LockedPolicy, Schedule
from sim.contracts.margin import DEALER_ROLE, Method, deploy_collateral_custodian
from sim.contracts.settlement import HOLD_OPERATOR_ROLE
from sim.contracts.taxonomy import HarborStatus, Terms

from test_margin_engine import CALL_PERIOD, USD, build_world
from test_taxonomy import REASON, RULES
from test_tokenized_collateral import LOCKUP_DAYS, _released, _secured, _value


@pytest.fixture
def s(chain, deployer, make_investor, make_security_token):
    return _secured(chain, deployer, make_investor, make_security_token)


def _wire(w, admin):
    """A second engine (another schedule) made ready as the default one is."""
    e = w.engine
    e.grantRole(DEALER_ROLE, w.dealer, sender=admin)
    w.index["IDX"] = e.list_underlying(w.tokens["IDX"], up_bps=600, down_bps=800, retail_leverage=20, sender=admin)
    w.tokens["IDX"].approve(e, 2**255, sender=w.dealer)
    w.cash.approve(e, 2**255, sender=w.dealer)
    w.cash.approve(e, 2**255, sender=admin)
    e.fundLending(10**8 * USD, sender=admin)
    e.payIntoDefaultFund(1_000 * USD, sender=admin)
    e.open_account(w.liquidator, retail=False, method=Method.SILOED, sender=admin)
    e.setLiquidationAccount(w.liquidator, sender=admin)


def test_borrowing_against_locked_shares_then_defaulting_leaves_the_debit_secured_by_them(
    chain, deployer, make_investor, make_security_token, reverts
):
    s = _secured(chain, deployer, make_investor, make_security_token, schedule=Schedule.US_CAPITAL_217_132)
    w = s.w
    w.collateral.setLockedPolicy(LockedPolicy.OTHER_EXPOSURE, sender=deployer)
    _wire(w, deployer)
    s.token.mint(s.owner, 1_000, sender=deployer)  # a locked lot, $100,000 at the mark
    w.engine.pledgeInPlace(s.token, 1_000, sender=s.owner)
    assert _value(s) == 75_000 * USD  # other exposure types: 25%
    w.buy(s.owner, "IDX", 1_000)  # $100,000 of the index on a margin loan
    w.set_price("IDX", 2_000)
    w.engine.issueCall(s.owner, sender=deployer)
    w.chain.advance(CALL_PERIOD + 1)
    w.refresh()
    fund = w.engine.defaultFund()
    receipt = w.engine.liquidate(s.owner, sender=deployer)
    assert receipt.events_named("ForeclosureRefused") and receipt.events_named("ShortfallCharged") == []
    (carried,) = receipt.events_named("DebitCarried")
    assert carried.debit == 80_000 * USD and w.engine.defaultFund() == fund
    with reverts("MarginInsufficient"):
        w.engine.releaseInPlace(s.token, 1_000, sender=s.owner)
    assert s.token.heldBalanceOf(s.owner) == 1_000


def test_locked_reg_s_lots_cannot_be_given_by_title_transfer(chain, deployer, make_investor, make_security_token,
                                                            reverts):
    w = build_world(chain, deployer)
    assets = chain.at(w.collateral.assets(), "AssetRegistry")
    token = make_security_token(modules=[Lockup.reg_s(category=2)], symbol="RGS")
    assets.record(token, Asset(AssetClass.EQUITY, main_index=True, issuer=chain.new_account()), sender=deployer)
    w.collateral.setEligible(token, True, sender=deployer)
    w.collateral.setLockupModule(token, token.module("lockup"), sender=deployer)
    custodian = deploy_collateral_custodian(chain, w.engine, token, admin=deployer)
    make_investor("institutional", "GB", wallet=custodian.address)  # an offshore custodian may hold them
    token.grantRole(HOLD_OPERATOR_ROLE, custodian, sender=deployer)
    w.tokens["RGS"], w.units["RGS"] = token, 1
    w.set_price("RGS", 10_000)
    owner = make_investor("accredited", "GB")
    w.engine.open_account(owner, retail=False, method=Method.SILOED, sender=deployer)
    token.mint(owner, 1_000, sender=deployer)  # Reg S lots: locked through the distribution period
    token.approve(w.engine, 1_000, sender=owner)
    with reverts("MarginLockedByTitle", token=token.address, lockedBefore=1_000, lockedAfter=0):
        w.engine.pledge(token, 1_000, sender=owner)
    assert token.balanceOf(owner) == 1_000 and token.balanceOf(custodian) == 0
    w.engine.pledgeInPlace(token, 1_000, sender=owner)  # in place they count as the locked policy says
    assert token.heldBalanceOf(owner) == 1_000


def test_a_lapse_cannot_overwrite_a_regulators_ruling(chain, launch, buyer, sell, harbor, assets, regulator,
                                                      reverts):
    token = launch(Terms(window_seconds=30 * DAY, refund_on_fail=True), RULES)
    sell(token, buyer(cash=1_000), 100, 3)
    assets.reclassify(token, int(AssetClass.DIGITAL_COMMODITY), REASON, sender=regulator)
    chain.warp(harbor.windowEnd(token) + 1)
    with reverts("SafeHarborNotExempt"):
        harbor.recordLapse(token, sender=chain.new_account())
    assert assets.classOf(token) == AssetClass.DIGITAL_COMMODITY
    assert harbor.status(token) == HarborStatus.RUNNING


def test_locked_tokens_never_count_for_more_than_the_same_tokens_unlocked(chain, deployer, make_investor,
                                                                          make_security_token):
    s = _secured(chain, deployer, make_investor, make_security_token, schedule=Schedule.US_CAPITAL_217_132)
    s.w.collateral.setLockedPolicy(LockedPolicy.OTHER_EXPOSURE, sender=deployer)
    s.w.collateral.setHaircut(s.token, 5_000, sender=deployer)  # stressed: free shares count at 50%
    s.token.mint(s.owner, 100, sender=deployer)  # a locked lot
    s.w.engine.pledgeInPlace(s.token, 100, sender=s.owner)
    locked_value = _value(s)
    s.w.chain.advance(LOCKUP_DAYS * DAY)
    s.w.refresh()
    assert locked_value == _value(s) == 100 * 100 * USD * 50 // 100


def test_part_of_a_pledge_in_place_can_be_released_while_the_owner_has_locked_lots(s):
    _released(s, 100)
    s.token.mint(s.owner, 60, sender=s.w.admin)  # 60 locked
    s.w.engine.pledgeInPlace(s.token, 160, sender=s.owner)
    s.w.engine.releaseInPlace(s.token, 120, sender=s.owner)
    assert s.w.engine.inPlaceOf(s.owner, s.token) == 40
    assert s.token.heldBalanceOf(s.owner) == 40


def test_a_tokens_custodian_cannot_be_replaced_while_any_of_it_is_pledged(s, chain, deployer, reverts):
    _released(s, 100)
    s.w.engine.pledgeInPlace(s.token, 100, sender=s.owner)
    new = chain.deploy("CollateralCustodian", s.w.engine, sender=deployer)
    with reverts("MarginCustodianInUse", token=s.token.address, pledged=100):
        s.w.engine.setCustodian(s.token, new, sender=deployer)
    s.w.engine.releaseInPlace(s.token, 100, sender=s.owner)
    s.w.engine.setCustodian(s.token, new, sender=deployer)  # nothing pledged: it may change
    assert s.w.engine.custodianOf(s.token) == new.address
