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


# ------------------------------------------------------------------- deviation guard

OTHER = "0x" + "bb" * 20


@pytest.fixture
def guarded(oracle, deployer):
    oracle.setMaxDeviation(2_000, sender=deployer)  # 20%
    oracle.setPrice(ASSET, to_oracle_price(10_000), sender=deployer)  # $100
    return oracle


def test_a_move_of_exactly_the_maximum_deviation_is_accepted_one_unit_more_refused(chain, guarded, deployer, reverts):
    last = to_oracle_price(10_000)
    with reverts(solidity.OracleDeviationTooLarge, asset=ASSET, last=last, price=last * 12 // 10 + 1, maxDeviationBps=2_000):
        guarded.setPrice(ASSET, last * 12 // 10 + 1, sender=deployer)
    with reverts(solidity.OracleDeviationTooLarge, price=last * 8 // 10 - 1):
        guarded.setPrice(ASSET, last * 8 // 10 - 1, sender=deployer)
    guarded.setPrice(ASSET, last * 12 // 10, sender=deployer)  # +20% exactly
    assert guarded.priceOf(ASSET)[0] == last * 12 // 10


def test_a_batch_skips_the_refused_price_and_updates_the_others(chain, guarded, deployer):
    receipt = guarded.setPrices([ASSET, OTHER], [to_oracle_price(30_000), to_oracle_price(500)], sender=deployer)
    (rejected,) = receipt.events_named("PriceRejected")
    assert (rejected.asset.lower(), rejected.last, rejected.price) == (ASSET, to_oracle_price(10_000), to_oracle_price(30_000))
    assert guarded.priceOf(ASSET)[0] == to_oracle_price(10_000)
    assert guarded.priceOf(OTHER)[0] == to_oracle_price(500)


def test_a_stale_price_is_no_anchor_so_a_real_move_is_published_after_one_oracle_age(chain, guarded, deployer, reverts):
    set_at = chain.now()
    chain.warp(set_at + 3_600)  # still fresh: the guard holds
    with reverts(solidity.OracleDeviationTooLarge):
        guarded.setPrice(ASSET, to_oracle_price(5_000), sender=deployer)
    chain.warp(set_at + 3_601)  # stale: the next update re-anchors
    guarded.setPrice(ASSET, to_oracle_price(5_000), sender=deployer)
    assert guarded.priceOf(ASSET)[0] == to_oracle_price(5_000)


def test_without_a_guard_any_positive_price_is_accepted(oracle, deployer):
    oracle.setPrice(ASSET, to_oracle_price(100), sender=deployer)
    oracle.setPrice(ASSET, to_oracle_price(100_000), sender=deployer)
    assert oracle.maxDeviationBps() == 0 and oracle.priceOf(ASSET)[0] == to_oracle_price(100_000)


def test_a_deviation_above_100_percent_is_refused_as_a_setting(oracle, deployer, reverts):
    with reverts(solidity.OracleInvalidDeviation, maxDeviationBps=10_001):
        oracle.setMaxDeviation(10_001, sender=deployer)
