"""Holders of record, the Rule 506(b) non-accredited cap per offering (counted as 501(e)(1)
counts), the 12(g) test at fiscal year-end and its early warning (HolderLimitModule)."""

from __future__ import annotations

import pytest

from sim import solidity
from sim.calendar import timestamp
from sim.contracts import HolderLimit, Restriction
from sim.errors import ConfigError

ZERO = "0x" + "00" * 20


@pytest.fixture
def reg_d_506b(make_security_token):
    return make_security_token(modules=[HolderLimit.rule_506b()])


def test_35th_non_accredited_purchaser_allowed_36th_refused(
    chain, reg_d_506b, make_investor, deployer, reverts
):
    buyers = [make_investor("retail") for _ in range(36)]
    for buyer in buyers[:35]:
        reg_d_506b.mint(buyer, 1, sender=deployer)
    module = reg_d_506b.module("holder-limit")
    assert module.nonAccreditedPurchasers() == 35
    assert reg_d_506b.restriction(ZERO, buyers[35], 1) == Restriction.NON_ACCREDITED_LIMIT
    with reverts(solidity.NonAccreditedLimitReached, purchasers=35, limit=35):
        reg_d_506b.mint(buyers[35], 1, sender=deployer)


def test_spouse_sharing_the_home_is_not_counted_apart_from_the_purchaser(
    chain, make_security_token, make_investor, deployer, reverts
):
    """17 CFR 230.501(e)(1)(i): a relative or spouse with the purchaser's principal residence
    is not counted separately: with the cap at 1, the purchaser's spouse still buys; a
    stranger is refused."""
    token = make_security_token(modules=[HolderLimit(max_non_accredited_purchasers=1)])
    module = token.module("holder-limit")
    purchaser = make_investor("retail", investor_id="pat")
    spouse = make_investor("retail", investor_id="sam", counted_with="pat")
    stranger = make_investor("retail")
    token.mint(purchaser, 1, sender=deployer)
    token.mint(spouse, 1, sender=deployer)
    assert module.nonAccreditedPurchasers() == 1
    with reverts(solidity.NonAccreditedLimitReached, purchasers=1, limit=1):
        token.mint(stranger, 1, sender=deployer)


def test_entity_more_than_half_owned_by_the_purchaser_is_counted_with_it(
    chain, make_security_token, make_investor, deployer, reverts
):
    """17 CFR 230.501(e)(1)(iii): an organisation of which the purchaser (and relatives) own
    more than 50% counts with the purchaser, the 35th and 36th alike."""
    token = make_security_token(modules=[HolderLimit.rule_506b()])
    buyers = [make_investor("retail", investor_id=f"buyer-{i}") for i in range(35)]
    for buyer in buyers:
        token.mint(buyer, 1, sender=deployer)
    llc = make_investor("retail", investor_id="buyer-34-llc", counted_with="buyer-34")
    token.mint(llc, 1, sender=deployer)  # the 35th purchaser's company: still 35
    assert token.module("holder-limit").nonAccreditedPurchasers() == 35
    with reverts(solidity.NonAccreditedLimitReached, purchasers=35, limit=35):
        token.mint(make_investor("retail"), 1, sender=deployer)


def test_the_count_is_per_offering(chain, make_security_token, make_investor, deployer, reverts):
    """Rule 506(b)(2)(i): at most 35 non-accredited purchasers in an offering; a new offering
    (beginOffering, the issuer's act) counts its own."""
    token = make_security_token(modules=[HolderLimit(max_non_accredited_purchasers=1)])
    module = token.module("holder-limit")
    first, second = make_investor("retail"), make_investor("retail")
    token.mint(first, 1, sender=deployer)
    with reverts(solidity.NonAccreditedLimitReached, purchasers=1, limit=1):
        token.mint(second, 1, sender=deployer)
    with reverts(solidity.AccessControlUnauthorizedAccount):
        module.beginOffering(sender=chain.new_account())
    (begun,) = module.beginOffering(sender=deployer).events_named("OfferingBegun")
    assert (begun.offering, module.nonAccreditedPurchasers()) == (2, 0)
    token.mint(second, 1, sender=deployer)
    assert module.isNonAccreditedPurchaser(second, token.identityRegistry())
    assert not module.isNonAccreditedPurchaser(first, token.identityRegistry())


def test_non_accredited_purchaser_counted_once(chain, make_security_token, make_investor, deployer):
    token = make_security_token(modules=[HolderLimit(max_non_accredited_purchasers=1)])
    buyer = make_investor("retail")
    token.mint(buyer, 1, sender=deployer)
    token.mint(buyer, 1, sender=deployer)
    assert token.module("holder-limit").nonAccreditedPurchasers() == 1


def test_accredited_purchasers_do_not_count(chain, make_security_token, make_investor, deployer):
    token = make_security_token(modules=[HolderLimit(max_non_accredited_purchasers=0)])
    token.mint(make_investor("accredited"), 1, sender=deployer)
    token.mint(make_investor("institutional"), 1, sender=deployer)
    assert token.module("holder-limit").nonAccreditedPurchasers() == 0


def test_purchaser_cap_counts_buyers_ever_not_current_holders(
    chain, make_security_token, make_investor, deployer, reverts
):
    """A non-accredited buyer who sold out still counts: 506(b) limits purchasers."""
    token = make_security_token(modules=[HolderLimit(max_non_accredited_purchasers=1)])
    first, second, accredited = make_investor("retail"), make_investor("retail"), make_investor()
    token.mint(first, 1, sender=deployer)
    token.transfer(accredited, 1, sender=first)
    with reverts(solidity.NonAccreditedLimitReached, purchasers=1, limit=1):
        token.mint(second, 1, sender=deployer)


def test_resale_to_non_accredited_is_not_an_offering_purchase(
    chain, make_security_token, make_investor, deployer
):
    token = make_security_token(modules=[HolderLimit(max_non_accredited_purchasers=0)])
    seller, buyer = make_investor(), make_investor("retail")
    token.mint(seller, 2, sender=deployer)
    token.transfer(buyer, 1, sender=seller)
    assert token.balanceOf(buyer) == 1


@pytest.fixture
def two_holders(make_security_token):
    return make_security_token(modules=[HolderLimit(max_holders=2)])


def test_holder_cap_refuses_a_new_holder_at_the_cap(chain, two_holders, make_investor, deployer, reverts):
    a, b, c = make_investor(), make_investor(), make_investor()
    two_holders.mint(a, 5, sender=deployer)
    two_holders.mint(b, 5, sender=deployer)
    with reverts(solidity.HolderLimitReached, holders=2, limit=2):
        two_holders.mint(c, 5, sender=deployer)
    with reverts(solidity.HolderLimitReached, holders=2, limit=2):
        two_holders.transfer(c, 1, sender=a)


def test_holder_cap_allows_existing_holders_to_trade(chain, two_holders, make_investor, deployer):
    a, b = make_investor(), make_investor()
    two_holders.mint(a, 5, sender=deployer)
    two_holders.mint(b, 5, sender=deployer)
    two_holders.transfer(b, 3, sender=a)
    two_holders.mint(a, 1, sender=deployer)
    assert two_holders.module("holder-limit").holders() == 2


def test_holder_cap_allows_a_swap_of_holders(chain, two_holders, make_investor, deployer):
    """A seller leaving entirely makes room for the buyer in the same transfer."""
    a, b, c = make_investor(), make_investor(), make_investor()
    two_holders.mint(a, 5, sender=deployer)
    two_holders.mint(b, 5, sender=deployer)
    assert two_holders.restriction(a, c, 5) == Restriction.SUCCESS
    two_holders.transfer(c, 5, sender=a)
    assert two_holders.module("holder-limit").holders() == 2


def test_wallets_of_one_investor_count_as_one_holder(chain, two_holders, make_investor, deployer):
    first_wallet = make_investor(investor_id="carol")
    second_wallet = make_investor(investor_id="carol")
    other = make_investor()
    two_holders.mint(first_wallet, 1, sender=deployer)
    two_holders.mint(second_wallet, 1, sender=deployer)
    two_holders.mint(other, 1, sender=deployer)
    assert two_holders.module("holder-limit").holders() == 2


def test_section_12g_early_warning_raised_once_at_the_holder_threshold(
    chain, make_security_token, make_investor, deployer
):
    token = make_security_token(modules=[HolderLimit(holders_threshold=3, non_accredited_threshold=100)])
    investors = [make_investor() for _ in range(4)]
    flags = []
    for investor in investors:
        receipt = token.mint(investor, 1, sender=deployer)
        flags += receipt.events_named("HoldersOfRecordThresholdReached")
    assert len(flags) == 1
    assert flags[0].args == {
        "holders": 3,
        "nonAccreditedHolders": 0,
        "holdersThreshold": 3,
        "nonAccreditedThreshold": 100,
    }
    assert token.module("holder-limit").thresholdReached()


def test_section_12g_early_warning_raised_by_non_accredited_holders(
    chain, make_security_token, make_investor, deployer
):
    token = make_security_token(modules=[HolderLimit(holders_threshold=100, non_accredited_threshold=2)])
    token.mint(make_investor("retail"), 1, sender=deployer)
    assert not token.module("holder-limit").thresholdReached()
    receipt = token.mint(make_investor("retail"), 1, sender=deployer)
    (flag,) = receipt.events_named("HoldersOfRecordThresholdReached")
    assert flag.nonAccreditedHolders == 2


def test_holder_leaving_is_no_longer_counted(chain, make_security_token, make_investor, deployer):
    token = make_security_token(modules=[HolderLimit()])
    seller, buyer = make_investor("retail"), make_investor()
    token.mint(seller, 4, sender=deployer)
    token.transfer(buyer, 4, sender=seller)
    module = token.module("holder-limit")
    assert (module.holders(), module.nonAccreditedHolders()) == (1, 0)


def test_default_thresholds_are_those_of_section_12g(make_security_token):
    module = make_security_token(modules=[HolderLimit()]).module("holder-limit")
    assert module.holdersThreshold() == 2_000
    assert module.nonAccreditedHoldersThreshold() == 500


def test_rule_506b_preset_caps_35():
    assert HolderLimit.rule_506b().max_non_accredited_purchasers == 35


def test_admin_can_change_the_caps(chain, two_holders, make_investor, deployer):
    module = two_holders.module("holder-limit")
    module.setMaxHolders(3, sender=deployer)
    for _ in range(3):
        two_holders.mint(make_investor(), 1, sender=deployer)
    assert module.holders() == 3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_holders": 0}, "HolderLimit.max_holders: Input should be greater than or equal to 1"),
        ({"max_non_accredited_purchasers": -1}, "greater than or equal to 0"),
        ({"holders_threshold": 0}, "HolderLimit.holders_threshold"),
        ({"max_holders": 2.5}, "Input should be a valid integer"),
    ],
)
def test_bad_parameters_are_refused_before_deployment(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        HolderLimit(**kwargs)


# ------------------------------------------ Section 12(g): the fiscal year-end test


def _at(text: str) -> int:
    return timestamp(text)


def test_section_12g_is_tested_on_the_last_day_of_the_fiscal_year(
    chain, make_security_token, make_investor, deployer
):
    """Exchange Act 12(g)(1)(A): holders of record on the last day of the fiscal year. Three
    holders at 31 December (threshold 3) require registration, though one left on 2 January,
    before anyone looked; the test is made once per year-end."""
    chain.warp(_at("2030-06-01T00:00:00"))
    token = make_security_token(modules=[HolderLimit(holders_threshold=3, non_accredited_threshold=100)])
    module = token.module("holder-limit")
    holders = [make_investor() for _ in range(3)]
    for holder in holders:
        token.mint(holder, 1, sender=deployer)
    chain.warp(_at("2030-12-31T23:59:59"))
    assert module.assessYearEnd(sender=deployer).events_named("YearEndAssessed") == []  # not yet over
    chain.warp(_at("2031-01-02T10:00:00"))
    receipt = token.burn(holders[0], 1, sender=deployer)
    (assessed,) = receipt.events_named("YearEndAssessed")
    assert assessed.args == {"yearEnd": _at("2031-01-01T00:00:00"), "holders": 3, "nonAccreditedHolders": 0,
                             "excluded": False, "registrationRequired": True}
    assert module.assessYearEnd(sender=chain.new_account()).events_named("YearEndAssessed") == []  # once


def test_a_fiscal_year_ending_in_june_is_tested_at_the_end_of_30_june(chain, make_security_token, make_investor, deployer):
    chain.warp(_at("2030-01-10T00:00:00"))
    token = make_security_token(modules=[HolderLimit(holders_threshold=2, fiscal_year_end_month=6)])
    module = token.module("holder-limit")
    token.mint(make_investor(), 1, sender=deployer)
    chain.warp(_at("2030-07-01T00:00:00"))
    (assessed,) = module.assessYearEnd(sender=deployer).events_named("YearEndAssessed")
    assert (assessed.yearEnd, assessed.holders, assessed.registrationRequired) == (_at("2030-07-01T00:00:00"), 1, False)


def test_holders_of_reg_cf_or_reg_a_tier_2_securities_are_excluded_when_the_issuer_qualifies(
    chain, make_security_token, make_investor, deployer, reverts
):
    """Rules 12g-6 and 12g5-1(a)(7): with the conditions met (the issuer's facts, stated by its
    admin), holders of the exempt offering's securities do not count: no registration."""
    chain.warp(_at("2030-06-01T00:00:00"))
    token = make_security_token(modules=[HolderLimit(holders_threshold=2, exempt_holders_excluded=True)])
    module = token.module("holder-limit")
    for _ in range(3):
        token.mint(make_investor(), 1, sender=deployer)
    with reverts(solidity.AccessControlUnauthorizedAccount):
        module.setExemptHoldersExcluded(False, sender=chain.new_account())
    chain.warp(_at("2031-01-01T00:00:00"))
    (assessed,) = module.assessYearEnd(sender=deployer).events_named("YearEndAssessed")
    assert (assessed.holders, assessed.excluded, assessed.registrationRequired) == (3, True, False)
