from sim.calendar import DAY
from sim.contracts import HolderLimit, Lockup, Restriction
from sim import solidity


def test_resale_waits_for_the_holding_period(chain, make_investor, make_security_token, deployer, reverts):
    token = make_security_token(modules=[Lockup(days=180), HolderLimit.rule_506b()])
    alice = make_investor("accredited")
    bob = make_investor("retail", income_usd=90_000, net_worth_usd=300_000)

    bought_at = chain.now()
    token.mint(alice, 1_000, sender=deployer)

    chain.warp(bought_at + 179 * DAY)  # day 179: still locked
    assert token.restriction(alice, bob, 100) == Restriction.LOCKUP_ACTIVE
    with reverts(solidity.LockupActive, holder=alice, unlocked=0, needed=100):
        token.transfer(bob, 100, sender=alice)

    chain.warp(bought_at + 180 * DAY)  # day 180: released
    token.transfer(bob, 100, sender=alice)
    assert token.balanceOf(bob) == 100


def test_the_36th_non_accredited_purchaser_is_refused(make_investor, make_security_token, deployer, reverts):
    token = make_security_token(modules=[HolderLimit.rule_506b()])
    for _ in range(35):
        token.mint(make_investor("retail"), 10, sender=deployer)

    with reverts(solidity.NonAccreditedLimitReached, purchasers=35, limit=35):
        token.mint(make_investor("retail"), 10, sender=deployer)
