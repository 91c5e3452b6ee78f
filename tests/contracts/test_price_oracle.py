"""PriceOracle: prices with timestamps; reads older than the maximum age are refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sim import solidity
from sim.contracts.oracle import deploy_oracle, from_oracle_price, to_oracle_price

ASSET = "0x" + "aa" * 20


@pytest.fixture
def oracle(chain, deployer):
    return deploy_oracle(chain, admin=deployer, max_age_seconds=3_600)


def test_a_price_reads_back_with_its_time(chain, oracle, deployer):
    oracle.setPrice(ASSET, to_oracle_price(1_234), sender=deployer)
    price, updated_at = oracle.priceOf(ASSET)
    assert from_oracle_price(price) == Decimal("12.34")
    assert updated_at == chain.now()


def test_a_price_is_fresh_until_max_age_and_stale_one_second_later(chain, oracle, deployer, reverts):
    oracle.setPrice(ASSET, to_oracle_price(100), sender=deployer)
    set_at = chain.now()
    chain.warp(set_at + 3_600)
    assert oracle.priceOf(ASSET)[1] == set_at
    chain.warp(set_at + 3_601)
    with reverts(solidity.OracleStalePrice, asset=ASSET, updatedAt=set_at, maxAge=3_600, now_=set_at + 3_601):
        oracle.priceOf(ASSET)
    assert oracle.latestPrice(ASSET) == (to_oracle_price(100), set_at)


def test_no_price_yet_is_refused(chain, oracle, reverts):
    with reverts(solidity.OracleNoPrice, asset=ASSET):
        oracle.priceOf(ASSET)


def test_zero_price_and_zero_age_are_refused(chain, oracle, deployer, reverts):
    with reverts(solidity.OracleInvalidPrice, asset=ASSET):
        oracle.setPrice(ASSET, 0, sender=deployer)
    with reverts(solidity.OracleInvalidMaxAge, maxAge=0):
        oracle.setMaxAge(0, sender=deployer)


def test_batch_update(chain, oracle, deployer):
    other = "0x" + "bb" * 20
    oracle.setPrices([ASSET, other], [1, 2], sender=deployer)
    assert oracle.latestPrice(other)[0] == 2
