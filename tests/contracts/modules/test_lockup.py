"""Lock-up by acquisition lot: Rule 144 and Regulation S (LockupModule)."""

from __future__ import annotations

import pytest

from sim import solidity
from sim.calendar import DAY, add_months, timestamp
from sim.contracts import Lockup, Restriction
from sim.errors import ConfigError


@pytest.fixture
def rule144(make_security_token):
    return make_security_token(modules=[Lockup.rule_144(reporting_issuer=True)])


def test_rule_144_lot_is_locked_one_second_before_six_calendar_months(
    chain, rule144, make_investor, deployer, reverts
):
    """Rule 144(d)(1)(i): six months from 31 August is the last day of February, locked until
    that second (calendar months, the day clamped to the month's end: an interpretation, see
    docs/architecture.md "How months are counted")."""
    alice, bob = make_investor(), make_investor()
    chain.warp(timestamp("2026-08-31T12:00:00"))
    rule144.mint(alice, 100, sender=deployer)
    release = timestamp("2027-02-28T12:00:00")
    chain.warp(release - 1)
    assert rule144.restriction(alice, bob, 1) == Restriction.LOCKUP_ACTIVE
    with reverts(solidity.LockupActive, holder=alice, unlocked=0, needed=1, nextRelease=release):
        rule144.transfer(bob, 1, sender=alice)


def test_rule_144_lot_moves_at_its_release_time(chain, rule144, make_investor, deployer):
    alice, bob = make_investor(), make_investor()
    chain.warp(timestamp("2026-08-31T12:00:00"))
    rule144.mint(alice, 100, sender=deployer)
    chain.warp(timestamp("2027-02-28T12:00:00"))
    assert rule144.restriction(alice, bob, 100) == Restriction.SUCCESS
    rule144.transfer(bob, 100, sender=alice)
    assert (rule144.balanceOf(alice), rule144.balanceOf(bob)) == (0, 100)


def test_non_reporting_issuer_waits_one_year(chain, make_security_token, make_investor, deployer, reverts):
    token = make_security_token(modules=[Lockup.rule_144(reporting_issuer=False)])
    alice, bob = make_investor(), make_investor()
    start = timestamp("2026-03-15T00:00:00")
    chain.warp(start)
    token.mint(alice, 10, sender=deployer)
    release = timestamp("2027-03-15T00:00:00")
    chain.warp(release - 1)
    with reverts(solidity.LockupActive, nextRelease=release):
        token.transfer(bob, 1, sender=alice)
    chain.warp(release)
    token.transfer(bob, 1, sender=alice)


def test_day_179_refused_day_180_allowed(chain, make_security_token, make_investor, deployer, reverts):
    token = make_security_token(modules=[Lockup(days=180)])
    alice, bob = make_investor(), make_investor()
    minted_at = chain.now()
    token.mint(alice, 10, sender=deployer)
    chain.warp(minted_at + 179 * DAY)
    with reverts(solidity.LockupActive, code=Restriction.LOCKUP_ACTIVE):
        token.transfer(bob, 1, sender=alice)
    chain.warp(minted_at + 180 * DAY)
    token.transfer(bob, 1, sender=alice)
    assert token.balanceOf(bob) == 1


def test_only_released_lots_move(chain, make_security_token, make_investor, deployer, reverts):
    token = make_security_token(modules=[Lockup(days=180)])
    alice, bob = make_investor(), make_investor()
    t0 = chain.now()
    token.mint(alice, 100, sender=deployer)
    chain.warp(t0 + 30 * DAY)
    token.mint(alice, 50, sender=deployer)
    chain.warp(t0 + 180 * DAY)
    lockup = token.module("lockup")
    assert lockup.unlockedBalanceOf(alice) == 100
    with reverts(solidity.LockupActive, unlocked=100, needed=101, nextRelease=t0 + 210 * DAY):
        token.transfer(bob, 101, sender=alice)
    token.transfer(bob, 100, sender=alice)
    assert lockup.lockedBalanceOf(alice) == (50, t0 + 210 * DAY)


def test_unlocked_tokens_received_by_resale_are_free(chain, make_security_token, make_investor, deployer):
    token = make_security_token(modules=[Lockup(days=10)])
    alice, bob, carol = make_investor(), make_investor(), make_investor()
    token.mint(alice, 5, sender=deployer)
    chain.advance(10 * DAY)
    token.transfer(bob, 5, sender=alice)
    token.transfer(carol, 5, sender=bob)
    assert token.balanceOf(carol) == 5


def test_locked_lots_move_between_wallets_of_one_investor(chain, make_security_token, make_investor, deployer, reverts):
    """Not a sale: the lots keep their release time at the investor's other wallet."""
    token = make_security_token(modules=[Lockup(days=30)])
    first, second = make_investor(investor_id="kim"), make_investor(investor_id="kim")
    outsider = make_investor()
    t0 = chain.now()
    token.mint(first, 10, sender=deployer)
    token.transfer(second, 10, sender=first)
    assert token.module("lockup").lockedBalanceOf(second) == (10, t0 + 30 * DAY)
    with reverts(solidity.LockupActive, holder=second):
        token.transfer(outsider, 1, sender=second)


def test_lots_list_shows_locked_lots_only(chain, make_security_token, make_investor, deployer):
    token = make_security_token(modules=[Lockup(days=10)])
    alice = make_investor()
    t0 = chain.now()
    token.mint(alice, 7, sender=deployer)
    lockup = token.module("lockup")
    assert [tuple(lot) for lot in lockup.lotsOf(alice)] == [(7, t0 + 10 * DAY)]
    chain.warp(t0 + 10 * DAY)
    assert lockup.lotsOf(alice) == []


# --------------------------------------------------------------------- Reg S


@pytest.fixture
def regs(make_security_token):
    return make_security_token(modules=[Lockup.reg_s(category=3, equity=True)])


def test_reg_s_mint_to_a_us_person_is_refused(chain, regs, make_investor, deployer, reverts):
    american = make_investor(jurisdiction="US")
    with reverts(solidity.RegSUSPersonRestricted, recipient=american, needed=5):
        regs.mint(american, 5, sender=deployer)


def test_reg_s_resale_to_non_us_person_allowed_during_period(chain, regs, make_investor, deployer):
    seller, buyer = make_investor(jurisdiction="DE"), make_investor(jurisdiction="FR")
    regs.mint(seller, 10, sender=deployer)
    regs.transfer(buyer, 4, sender=seller)
    assert regs.balanceOf(buyer) == 4


def test_reg_s_us_person_refused_until_one_year_after_the_offering(
    chain, regs, make_investor, deployer, reverts
):
    """The period travels with the lot: the offshore buyer's lot keeps the original end."""
    seller, offshore, american = make_investor(jurisdiction="DE"), make_investor(jurisdiction="FR"), make_investor()
    t0 = chain.now()
    regs.mint(seller, 10, sender=deployer)
    regs.module("lockup").recordDistribution(t0 - 5 * DAY, t0, sender=deployer)  # offered, then closed
    end = add_months(t0, 12)
    chain.warp(t0 + 100 * DAY)
    regs.transfer(offshore, 10, sender=seller)
    chain.warp(end - 1)
    with reverts(solidity.RegSUSPersonRestricted, recipient=american, unlocked=0, needed=1, nextRelease=end):
        regs.transfer(american, 1, sender=offshore)
    chain.warp(end)
    regs.transfer(american, 1, sender=offshore)
    assert regs.balanceOf(american) == 1


def test_reg_s_us_person_flag_not_jurisdiction_decides(chain, regs, make_investor, deployer, reverts):
    """A US person resident abroad (17 CFR 230.902(k)) is still refused."""
    seller = make_investor(jurisdiction="DE")
    expatriate = make_investor(jurisdiction="GB", us_person=True)
    regs.mint(seller, 3, sender=deployer)
    with reverts(solidity.RegSUSPersonRestricted):
        regs.transfer(expatriate, 1, sender=seller)


def test_reg_s_category_2_lasts_40_days(chain, make_security_token, make_investor, deployer, reverts):
    token = make_security_token(modules=[Lockup.reg_s(category=2)])
    seller, american = make_investor(jurisdiction="JP"), make_investor()
    t0 = chain.now()
    token.mint(seller, 3, sender=deployer)
    token.module("lockup").recordDistribution(t0, t0, sender=deployer)
    chain.warp(t0 + 40 * DAY - 1)
    with reverts(solidity.RegSUSPersonRestricted):
        token.transfer(american, 1, sender=seller)
    chain.warp(t0 + 40 * DAY)
    token.transfer(american, 1, sender=seller)


def test_reg_s_period_runs_from_the_later_of_first_offer_and_closing_not_from_each_mint(
    chain, regs, make_investor, deployer, reverts
):
    """17 CFR 230.902(f): the distribution compliance period starts at the later of the first
    offer and the closing, the same for every lot of the offering, whenever minted."""
    early, late, american = make_investor(jurisdiction="DE"), make_investor(jurisdiction="FR"), make_investor()
    lockup = regs.module("lockup")
    offered = chain.now()
    regs.mint(early, 10, sender=deployer)
    chain.warp(offered + 30 * DAY)
    regs.mint(late, 10, sender=deployer)
    assert lockup.distributionEnd() == lockup.PENDING()  # before the closing: no end yet
    assert lockup.lotsOf(early) == [(10, lockup.PENDING())]
    chain.warp(offered + 45 * DAY)
    closing = offered + 40 * DAY
    receipt = lockup.recordDistribution(offered, closing, sender=deployer)
    end = add_months(closing, 12)
    assert receipt.events_named("DistributionRecorded")[0].periodEnd == end == lockup.distributionEnd()
    assert lockup.lotsOf(early) == lockup.lotsOf(late) == [(10, end)]
    chain.warp(end - 1)
    with reverts(solidity.RegSUSPersonRestricted, recipient=american, unlocked=0, needed=1, nextRelease=end):
        regs.transfer(american, 1, sender=early)
    chain.warp(end)
    regs.transfer(american, 1, sender=early)
    regs.transfer(american, 1, sender=late)


def test_reg_s_first_offer_after_closing_starts_the_period(chain, make_security_token, make_investor, deployer):
    token = make_security_token(modules=[Lockup.reg_s(category=2)])
    lockup = token.module("lockup")
    now = chain.now()
    lockup.recordDistribution(now, now - 10 * DAY, sender=deployer)
    assert lockup.distributionEnd() == now + 40 * DAY


def test_reg_s_distribution_is_recorded_once_by_the_admin_with_past_dates(
    chain, regs, make_security_token, deployer, reverts
):
    lockup = regs.module("lockup")
    now = chain.now()
    with reverts(solidity.AccessControlUnauthorizedAccount):
        lockup.recordDistribution(now, now, sender=chain.new_account())
    with reverts(solidity.LockupInvalidDistribution, closingAt=now + 1):
        lockup.recordDistribution(now, now + 1, sender=deployer)
    lockup.recordDistribution(now, now, sender=deployer)
    with reverts(solidity.LockupDistributionAlreadyRecorded, closingAt=now):
        lockup.recordDistribution(now, now, sender=deployer)
    rule144 = make_security_token(modules=[Lockup.rule_144()]).module("lockup")
    with reverts(solidity.LockupNotRegS):
        rule144.recordDistribution(now, now, sender=deployer)


# ---------------------------------------------------------------- parameters


def test_presets_carry_the_rule_numbers():
    assert Lockup.rule_144(reporting_issuer=True).months == 6
    assert Lockup.rule_144(reporting_issuer=False).months == 12
    assert Lockup.reg_s(category=2).days == 40
    assert Lockup.reg_s(category=3, equity=False).days == 40
    assert Lockup.reg_s(category=3, equity=True).months == 12
    assert Lockup.reg_s(category=3, equity=True, reporting_issuer=True).months == 6


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"months": 0}, "Lockup.months: Input should be greater than 0 (got 0)"),
        ({"days": 4000}, "Lockup.days: Input should be less than or equal to 3660 (got 4000)"),
        ({"months": "6"}, "Lockup.months: Input should be a valid integer (got '6')"),
        ({"months": 6, "days": 10}, "give exactly one of months or days"),
        ({}, "give exactly one of months or days"),
        ({"months": 6, "mode": "regd"}, "Lockup.mode: Input should be 'rule144' or 'regs'"),
        ({"months": 6, "period": 1}, "Lockup.period: Extra inputs are not permitted"),
    ],
)
def test_bad_parameters_are_refused_before_deployment(kwargs, message):
    with pytest.raises(ConfigError) as info:
        Lockup(**kwargs)
    assert message in str(info.value)


def test_reg_s_category_1_has_no_period():
    with pytest.raises(ConfigError, match="category 1 has no distribution compliance period"):
        Lockup.reg_s(category=1)


def test_contract_refuses_a_period_of_both_days_and_months(chain, make_security_token, deployer, reverts):
    token = make_security_token()
    with reverts(solidity.LockupInvalidPeriod, periodDays=10, periodMonths=6):
        chain.deploy("LockupModule", token.compliance_contract, deployer, 0, 10, 6, sender=deployer)
