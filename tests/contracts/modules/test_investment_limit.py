"""Rolling 12-month investment limits: Reg CF and Reg A Tier 2 (InvestmentLimitModule).

Incomes and net worths are recorded as bands whose floors are
``sim.contracts.DEFAULT_BAND_FLOORS_USD``; the limits below are computed from the floors.
"""

from __future__ import annotations

import pytest

from sim import solidity
from sim.calendar import add_months
from sim.contracts import DEFAULT_BAND_FLOORS_USD, Identity, InvestmentLimit, Restriction
from sim.errors import ConfigError

PRICE_CENTS = 1_000  # $10 a share
ZERO = "0x" + "00" * 20


@pytest.fixture
def reg_cf(make_security_token):
    return make_security_token(modules=[InvestmentLimit.reg_cf(price_cents=PRICE_CENTS)])


@pytest.mark.parametrize(
    ("income", "net_worth", "limit_usd", "why"),
    [
        (60_000, 30_000, 2_500, "below $124k: 5% of $50k floor = $2,500"),
        (80_000, 110_000, 5_000, "below $124k: 5% of the $100k band"),
        (0, 0, 2_500, "no income or assets: the $2,500 floor"),
        (160_000, 250_000, 20_000, "both at or above $124k: 10% of $200k"),
        (3_000_000, 6_000_000, 124_000, "10% of $5M capped at $124,000"),
        (130_000, 60_000, 6_200, "one below $124k: 5% of $124k band"),
    ],
)
def test_reg_cf_limit_follows_17_cfr_227_100(chain, reg_cf, make_investor, income, net_worth, limit_usd, why):
    investor = make_investor("retail", income_usd=income, net_worth_usd=net_worth)
    module = reg_cf.module("investment-limit")
    assert module.limitOf(investor, reg_cf.identityRegistry()) == limit_usd * 100, why


def test_reg_cf_purchase_up_to_the_limit_allowed_one_cent_more_refused(
    chain, reg_cf, make_investor, deployer, reverts
):
    investor = make_investor("retail", income_usd=60_000, net_worth_usd=30_000)  # $2,500
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


def test_reg_a_tier_2_limit_is_ten_percent_without_floor_or_ceiling(chain, make_security_token, make_investor):
    token = make_security_token(modules=[InvestmentLimit.reg_a_tier2(price_cents=PRICE_CENTS)])
    module = token.module("investment-limit")
    registry = token.identityRegistry()
    cases = [(60_000, 0, 5_000), (100_000, 300_000, 30_000), (0, 10_000_000, 1_000_000), (0, 0, 0)]
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
        ({"price_cents": 100, "window_months": 0}, "InvestmentLimit.window_months"),
        ({"price_cents": 100, "offering_cap_usd": 0}, "InvestmentLimit.offering_cap_usd"),
    ],
)
def test_bad_parameters_are_refused_before_deployment(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        InvestmentLimit(**kwargs)
