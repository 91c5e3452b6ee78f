"""Investment limits: Reg CF and Reg A Tier 2 (InvestmentLimitModule).

Incomes and net worths are recorded exactly (whole dollars) unless a test asks for bands,
the privacy option whose floors make limits come out low.
"""

from __future__ import annotations

import pytest

from sim import solidity
from sim.calendar import add_months
from sim.contracts import (
    DEFAULT_BAND_FLOORS_USD,
    Identity,
    InvestmentLimit,
    Restriction,
    investor_id,
)
from sim.contracts.compliance import UNLIMITED
from sim.errors import ConfigError

PRICE_CENTS = 1_000  # $10 a share
ZERO = "0x" + "00" * 20


@pytest.fixture
def reg_cf(make_security_token):
    return make_security_token(modules=[InvestmentLimit.reg_cf(price_cents=PRICE_CENTS)])


@pytest.fixture
def reg_cf_by_the_cent(make_security_token):
    """A Reg CF offering at one cent a token: a token is a cent, so a limit is a token count."""
    return make_security_token(modules=[InvestmentLimit.reg_cf(price_cents=1, offering_cap_usd=None)])


REG_CF_CASES = [
    (30_000, 105_000, 5_250_00, "227.100(a)(2)(i): income below $124k: 5% of $105,000"),
    (150_000, 80_000, 7_500_00, "227.100(a)(2)(i): net worth below $124k: 5% of $150,000"),
    (150_000, 200_000, 20_000_00, "227.100(a)(2)(ii): both at or above $124k: 10% of $200,000"),
    (20_000, 30_000, 2_500_00, "227.100(a)(2)(i): 5% of $30,000 is $1,500, below the $2,500 floor"),
    (124_000, 124_000, 12_400_00, "227.100(a)(2)(ii): both exactly $124,000: 10%"),
    (123_999, 500_000, 25_000_00, "227.100(a)(2)(i): income one dollar below $124k: 5% of $500,000"),
    (900_000, 1_500_000, 124_000_00, "227.100(a)(2)(ii): 10% of $1.5M capped at $124,000"),
]


@pytest.mark.parametrize(("income", "net_worth", "limit_cents", "why"), REG_CF_CASES)
def test_reg_cf_limit_holds_on_chain_to_the_cent(
    chain, reg_cf_by_the_cent, make_investor, deployer, reverts, income, net_worth, limit_cents, why
):
    """17 CFR 227.100(a)(2): purchases up to the limit exactly are allowed, one cent more is refused."""
    token = reg_cf_by_the_cent
    investor = make_investor("retail", income_usd=income, net_worth_usd=net_worth)
    assert token.module("investment-limit").limitOf(investor, token.identityRegistry()) == limit_cents, why
    token.mint(investor, limit_cents, sender=deployer)
    assert token.balanceOf(investor) == limit_cents
    with reverts(
        solidity.InvestmentLimitExceeded,
        wallet=investor, investedCents=limit_cents, amountCents=1, limitCents=limit_cents,
    ):
        token.mint(investor, 1, sender=deployer)


def test_reg_cf_5250_allowed_5250_01_refused(chain, make_security_token, make_investor, deployer, reverts):
    """17 CFR 227.100(a)(2)(i): $30,000 income, $105,000 net worth: $5,250.00 at $1.00 a share
    is allowed, $5,250.01 is refused (shares in hundredths)."""
    token = make_security_token(modules=[InvestmentLimit.reg_cf(price_cents=100)], decimals=2)
    investor = make_investor("retail", income_usd=30_000, net_worth_usd=105_000)
    assert token.restriction(ZERO, investor, 5_250_01) == Restriction.INVESTMENT_LIMIT  # $5,250.01
    assert token.restriction(ZERO, investor, 5_250_00) == Restriction.SUCCESS
    token.mint(investor, 5_250_00, sender=deployer)  # $5,250.00
    with reverts(solidity.InvestmentLimitExceeded, investedCents=525_000, amountCents=1, limitCents=525_000):
        token.mint(investor, 1, sender=deployer)  # $0.01 more


def test_reg_cf_accredited_investor_has_no_limit(chain, reg_cf_by_the_cent, make_investor, deployer):
    """17 CFR 227.100(a)(2): the limits do not apply to accredited investors."""
    investor = make_investor("accredited", income_usd=0, net_worth_usd=0)
    registry = reg_cf_by_the_cent.identityRegistry()
    assert reg_cf_by_the_cent.module("investment-limit").limitOf(investor, registry) == UNLIMITED
    reg_cf_by_the_cent.mint(investor, 500_000_00, sender=deployer)  # $500,000


def test_bands_are_a_privacy_option_whose_limits_come_out_low(chain, reg_cf_by_the_cent, make_investor):
    """With bands, 30k / 105k is read as the floors 25k / 100k: $5,000 instead of the rule's $5,250."""
    module = reg_cf_by_the_cent.module("investment-limit")
    registry = reg_cf_by_the_cent.identityRegistry()
    banded = make_investor("retail", income_usd=30_000, net_worth_usd=105_000, bands=True)
    exact = make_investor("retail", income_usd=30_000, net_worth_usd=105_000)
    assert module.limitOf(banded, registry) == 5_000_00
    assert module.limitOf(exact, registry) == 5_250_00


def test_attested_limit_is_the_limit(chain, reg_cf_by_the_cent, make_investor, deployer, reverts):
    """17 CFR 227.303(b)(1): the intermediary may rely on the investor's representation; the
    limit it attests is recorded and applied to the cent."""
    token = reg_cf_by_the_cent
    investor = make_investor("retail", reg_cf_limit_cents=6_199_95)  # 5% of $123,999
    assert token.module("investment-limit").limitOf(investor, token.identityRegistry()) == 6_199_95
    token.mint(investor, 6_199_95, sender=deployer)
    with reverts(solidity.InvestmentLimitExceeded, limitCents=6_199_95):
        token.mint(investor, 1, sender=deployer)


def test_reg_cf_limit_runs_across_issuers(chain, reg_cf_by_the_cent, make_investor, deployer, reverts):
    """17 CFR 227.100(a)(2): the limit counts what the investor bought in every issuer's Reg CF
    offering in the 12 months; a purchase elsewhere leaves the window 12 calendar months on."""
    token = reg_cf_by_the_cent
    module = token.module("investment-limit")
    investor = make_investor("retail", income_usd=30_000, net_worth_usd=105_000)  # $5,250
    key = investor.identity.investor_id
    bought_at = chain.now()
    module.recordPurchaseElsewhere(investor_id(key), bought_at, 2_000_00, sender=deployer)
    assert module.investedCents(investor_id(key)) == 2_000_00
    token.mint(investor, 3_250_00, sender=deployer)
    with reverts(solidity.InvestmentLimitExceeded, investedCents=5_250_00, amountCents=1):
        token.mint(investor, 1, sender=deployer)
    chain.warp(add_months(bought_at, 12))
    token.mint(investor, 2_000_00, sender=deployer)


def test_purchases_elsewhere_are_recorded_in_time_order_by_the_admin_only(
    chain, reg_cf_by_the_cent, make_investor, deployer, reverts
):
    module = reg_cf_by_the_cent.module("investment-limit")
    stranger = chain.new_account()
    key = b"\x01" * 32
    now = chain.now()
    with reverts(solidity.AccessControlUnauthorizedAccount):
        module.recordPurchaseElsewhere(key, now, 1, sender=stranger)
    with reverts(solidity.InvestmentLimitPurchaseOutOfOrder, time=now + 10):
        module.recordPurchaseElsewhere(key, now + 10, 1, sender=deployer)
    module.recordPurchaseElsewhere(key, now, 1, sender=deployer)
    with reverts(solidity.InvestmentLimitPurchaseOutOfOrder, time=now - 1, last=now):
        module.recordPurchaseElsewhere(key, now - 1, 1, sender=deployer)


def test_reg_cf_purchase_up_to_the_limit_allowed_one_cent_more_refused(
    chain, reg_cf, make_investor, deployer, reverts
):
    investor = make_investor("retail", income_usd=20_000, net_worth_usd=30_000)  # $2,500 floor
    reg_cf.mint(investor, 200, sender=deployer)  # $2,000
    assert reg_cf.restriction(ZERO, investor, 51) == Restriction.INVESTMENT_LIMIT
    with reverts(
        solidity.InvestmentLimitExceeded,
        wallet=investor,
        investedCents=200_000,
        amountCents=51_000,
        limitCents=250_000,
    ):
        reg_cf.mint(investor, 51, sender=deployer)
    reg_cf.mint(investor, 50, sender=deployer)  # exactly $2,500


def test_accredited_investors_have_no_limit(chain, reg_cf, make_investor, deployer):
    investor = make_investor("accredited", income_usd=0)
    reg_cf.mint(investor, 100_000, sender=deployer)  # $1,000,000
    assert reg_cf.module("investment-limit").limitOf(investor, reg_cf.identityRegistry()) == 2**256 - 1


def test_purchases_leave_the_window_after_twelve_calendar_months(
    chain, reg_cf, make_investor, deployer, reverts
):
    investor = make_investor("retail")  # $2,500
    t0 = chain.now()
    reg_cf.mint(investor, 250, sender=deployer)
    chain.warp(add_months(t0, 12) - 1)
    with reverts(solidity.InvestmentLimitExceeded, investedCents=250_000):
        reg_cf.mint(investor, 1, sender=deployer)
    chain.warp(add_months(t0, 12))
    reg_cf.mint(investor, 250, sender=deployer)
    assert reg_cf.balanceOf(investor) == 500


def test_limit_counts_every_wallet_of_the_investor(chain, reg_cf, make_investor, deployer, reverts):
    first = make_investor("retail", investor_id="frank")
    second = make_investor("retail", investor_id="frank")
    reg_cf.mint(first, 250, sender=deployer)
    with reverts(solidity.InvestmentLimitExceeded, investedCents=250_000):
        reg_cf.mint(second, 1, sender=deployer)


def test_resales_are_not_investments(chain, reg_cf, make_investor, deployer):
    seller, buyer = make_investor(), make_investor("retail")
    reg_cf.mint(seller, 1_000, sender=deployer)
    reg_cf.transfer(buyer, 1_000, sender=seller)  # $10,000, over the buyer's limit
    assert reg_cf.balanceOf(buyer) == 1_000


def test_offering_cap_binds_at_five_million(chain, reg_cf, make_investor, deployer, reverts):
    whale = make_investor("institutional")
    reg_cf.mint(whale, 500_000, sender=deployer)  # exactly $5,000,000
    with reverts(
        solidity.OfferingCapExceeded, raisedCents=500_000_000, amountCents=1_000, capCents=500_000_000
    ):
        reg_cf.mint(whale, 1, sender=deployer)


def test_value_rounds_up_to_the_cent(chain, make_security_token):
    token = make_security_token(modules=[InvestmentLimit.reg_cf(price_cents=1)], decimals=2)
    module = token.module("investment-limit")
    assert module.valueInCents(1) == 1  # a hundredth of a cent rounds up
    assert module.valueInCents(100) == 1
    assert module.valueInCents(101) == 2


def test_reg_a_tier_2_limit_counts_per_offering_not_twelve_months(
    chain, make_security_token, make_investor, deployer, reverts
):
    """17 CFR 230.251(d)(2)(i)(C): 10% "in a Tier 2 offering": a purchase still counts after 12
    months while the offering runs (the offering cap's window is 12 months, 251(a))."""
    token = make_security_token(modules=[InvestmentLimit.reg_a_tier2(price_cents=1)])
    investor = make_investor("retail", income_usd=60_000, net_worth_usd=50_000)  # $6,000
    t0 = chain.now()
    token.mint(investor, 6_000_00, sender=deployer)
    chain.warp(add_months(t0, 13))
    with reverts(solidity.InvestmentLimitExceeded, investedCents=6_000_00, amountCents=1, limitCents=6_000_00):
        token.mint(investor, 1, sender=deployer)
    assert token.module("investment-limit").raisedCents() == 0  # the cap's 12 months have passed


def test_reg_a_tier_2_listed_securities_have_no_investor_limit(chain, make_security_token, make_investor, deployer):
    """17 CFR 230.251(d)(2)(i)(D): no limit on securities listed on a national securities
    exchange upon qualification."""
    token = make_security_token(modules=[InvestmentLimit.reg_a_tier2(price_cents=1, listed=True)])
    investor = make_investor("retail", income_usd=60_000, net_worth_usd=50_000)
    assert token.module("investment-limit").limitOf(investor, token.identityRegistry()) == UNLIMITED
    token.mint(investor, 1_000_000_00, sender=deployer)


def test_reg_a_tier_2_non_natural_person_ten_percent_of_revenue_or_net_assets(
    chain, make_security_token, make_investor, deployer, reverts
):
    """17 CFR 230.251(d)(2)(i)(C): a non-natural person: 10% of the greater of annual revenue
    and net assets at the latest fiscal year end (recorded in the income and net-worth fields)."""
    token = make_security_token(modules=[InvestmentLimit.reg_a_tier2(price_cents=1)])
    company = make_investor("retail", income_usd=2_500_000, net_worth_usd=3_750_000)  # revenue, net assets
    token.mint(company, 375_000_00, sender=deployer)
    with reverts(solidity.InvestmentLimitExceeded, limitCents=375_000_00):
        token.mint(company, 1, sender=deployer)


def test_each_regime_reads_its_own_attested_limit(chain, make_security_token, make_investor, identity_registry):
    """An identity carrying attested limits gives each regime its own (227.303(b)(1) for Reg CF)."""
    cf = make_security_token(modules=[InvestmentLimit.reg_cf(price_cents=1)]).module("investment-limit")
    reg_a = make_security_token(modules=[InvestmentLimit.reg_a_tier2(price_cents=1)]).module("investment-limit")
    investor = make_investor("retail", reg_cf_limit_cents=2_500_00, reg_a_limit_cents=9_000_00)
    assert cf.limitOf(investor, identity_registry) == 2_500_00
    assert reg_a.limitOf(investor, identity_registry) == 9_000_00


def test_reg_a_purchases_elsewhere_do_not_count(chain, make_security_token, deployer, reverts):
    """Only Reg CF limits run across issuers; Reg A Tier 2 counts per offering."""
    module = make_security_token(modules=[InvestmentLimit.reg_a_tier2(price_cents=1)]).module("investment-limit")
    with reverts(solidity.InvestmentLimitNotAcrossIssuers, regime=1):
        module.recordPurchaseElsewhere(b"\x01" * 32, chain.now(), 1, sender=deployer)


def test_reg_a_tier_2_limit_is_ten_percent_without_floor_or_ceiling(chain, make_security_token, make_investor):
    token = make_security_token(modules=[InvestmentLimit.reg_a_tier2(price_cents=PRICE_CENTS)])
    module = token.module("investment-limit")
    registry = token.identityRegistry()
    cases = [(60_000, 0, 6_000), (100_000, 300_000, 30_000), (0, 10_000_000, 1_000_000), (0, 0, 0)]
    for income, net_worth, limit_usd in cases:
        investor = make_investor("retail", income_usd=income, net_worth_usd=net_worth)
        assert module.limitOf(investor, registry) == limit_usd * 100, (income, net_worth)


@pytest.mark.parametrize("preset", ["reg_cf", "reg_a_tier2"])
def test_contract_limit_equals_the_python_reference_on_every_other_band(
    chain, make_security_token, identity_registry, deployer, preset
):
    spec = getattr(InvestmentLimit, preset)(price_cents=PRICE_CENTS)
    module = make_security_token(modules=[spec]).module("investment-limit")
    wallet = chain.new_account()
    floors = DEFAULT_BAND_FLOORS_USD[::2]
    for income in floors:
        for net_worth in floors:
            identity = Identity(investor_id="grid", income_usd=income, net_worth_usd=net_worth)
            identity_registry.register(wallet, identity, sender=deployer)
            expected = spec.limit_cents(income, net_worth, accredited=False)
            assert module.limitOf(wallet, identity_registry) == expected, (income, net_worth)


def test_presets_carry_the_rule_numbers():
    cf = InvestmentLimit.reg_cf(price_cents=100)
    assert (cf.threshold_usd, cf.floor_usd, cf.low_bps, cf.high_bps, cf.ceiling_usd) == (
        124_000, 2_500, 500, 1_000, 124_000,
    )
    assert cf.offering_cap_usd == 5_000_000
    assert InvestmentLimit.reg_a_tier2(price_cents=100).offering_cap_usd == 75_000_000


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"price_cents": 0}, "InvestmentLimit.price_cents: Input should be greater than 0"),
        ({"price_cents": 100, "low_bps": 10_001}, "InvestmentLimit.low_bps: Input should be less than or equal to 10000"),
        ({"price_cents": 100, "offering_window_months": 0}, "InvestmentLimit.offering_window_months"),
        ({"price_cents": 100, "listed": True}, "only Reg A Tier 2 exempts listed securities"),
        ({"price_cents": 100, "offering_cap_usd": 0}, "InvestmentLimit.offering_cap_usd"),
    ],
)
def test_bad_parameters_are_refused_before_deployment(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        InvestmentLimit(**kwargs)
