"""Per-investor balance cap (MaxBalanceModule) and supply cap (SupplyLimitModule)."""

from __future__ import annotations

import pytest

from sim import solidity
from sim.contracts import MaxBalance, Restriction, SupplyLimit
from sim.errors import ConfigError


def test_balance_may_reach_the_cap_exactly(chain, make_security_token, make_investor, deployer, reverts):
    token = make_security_token(modules=[MaxBalance(max_balance=100)])
    investor = make_investor()
    token.mint(investor, 100, sender=deployer)
    with reverts(solidity.MaxBalanceExceeded, wallet=investor, balanceAfter=101, limit=100):
        token.mint(investor, 1, sender=deployer)


def test_balance_cap_counts_every_wallet_of_the_investor(chain, make_security_token, make_investor, deployer, reverts):
    token = make_security_token(modules=[MaxBalance(max_balance=100)])
    first, second = make_investor(investor_id="dana"), make_investor(investor_id="dana")
    token.mint(first, 60, sender=deployer)
    assert token.restriction("0x" + "00" * 20, second, 41) == Restriction.MAX_BALANCE
    with reverts(solidity.MaxBalanceExceeded, balanceAfter=101):
        token.mint(second, 41, sender=deployer)
    token.mint(second, 40, sender=deployer)


def test_moving_between_own_wallets_is_not_capped(chain, make_security_token, make_investor, deployer):
    token = make_security_token(modules=[MaxBalance(max_balance=100)])
    first, second = make_investor(investor_id="erin"), make_investor(investor_id="erin")
    token.mint(first, 100, sender=deployer)
    token.transfer(second, 100, sender=first)
    assert token.balanceOf(second) == 100


def test_supply_may_reach_the_limit_exactly(chain, make_security_token, make_investor, deployer, reverts):
    token = make_security_token(modules=[SupplyLimit(supply_limit=1_000)])
    investor = make_investor()
    token.mint(investor, 1_000, sender=deployer)
    with reverts(solidity.SupplyLimitExceeded, supplyAfter=1_001, limit=1_000, code=Restriction.SUPPLY_LIMIT):
        token.mint(investor, 1, sender=deployer)


def test_burning_frees_room_under_the_supply_limit(chain, make_security_token, make_investor, deployer):
    token = make_security_token(modules=[SupplyLimit(supply_limit=10)])
    investor = make_investor()
    token.mint(investor, 10, sender=deployer)
    token.burn(investor, 3, sender=deployer)
    token.mint(investor, 3, sender=deployer)
    assert token.totalSupply() == 10


def test_supply_limit_does_not_touch_transfers(chain, make_security_token, make_investor, deployer):
    token = make_security_token(modules=[SupplyLimit(supply_limit=10)])
    a, b = make_investor(), make_investor()
    token.mint(a, 10, sender=deployer)
    assert token.restriction(a, b, 10) == Restriction.SUCCESS  # at the limit, a transfer mints nothing
    token.transfer(b, 10, sender=a)
    assert (token.balanceOf(a), token.balanceOf(b), token.totalSupply()) == (0, 10, 10)


@pytest.mark.parametrize(
    ("spec", "kwargs", "message"),
    [
        (MaxBalance, {"max_balance": 0}, "MaxBalance.max_balance: Input should be greater than 0"),
        (SupplyLimit, {"supply_limit": -5}, "SupplyLimit.supply_limit: Input should be greater than 0"),
        (SupplyLimit, {}, "SupplyLimit.supply_limit: Field required"),
        (SupplyLimit, {"supply_limit": 2**256}, "Input should be less than"),
    ],
)
def test_bad_parameters_are_refused_before_deployment(spec, kwargs, message):
    with pytest.raises(ConfigError, match=message):
        spec(**kwargs)


def test_contracts_refuse_a_zero_cap(chain, make_security_token, deployer, reverts):
    compliance = make_security_token().compliance_contract
    with reverts(solidity.SupplyLimitInvalid, supplyLimit=0):
        chain.deploy("SupplyLimitModule", compliance, deployer, 0, sender=deployer)
    with reverts(solidity.MaxBalanceInvalid, maxBalance=0):
        chain.deploy("MaxBalanceModule", compliance, deployer, 0, sender=deployer)
