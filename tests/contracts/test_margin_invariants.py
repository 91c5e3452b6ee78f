"""Invariants of the margin engine under random sequences of acts (hypothesis).

Whatever the order of deposits, withdrawals, purchases, sales, perpetual trades,
pledges, releases, price moves, calls and liquidations:

- no withdrawal, release or opening trade leaves its account below its initial requirement;
- a liquidation leaves the account with no positions and non-negative equity, and any
  debit it could not cover is recorded as a shortfall (default fund, then uncovered);
- the engine holds exactly the cash its ledger says;
- every account's valuation equals the Python reference to the unit.

The sequences run on the revm backend (its own chain, built once for the module and
reverted after each example): a hundred sequences of thirty acts, each act followed by
full valuations, take minutes on eth-tester and seconds on revm. The contract tests of
``test_margin_engine.py`` run on the reference backend.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_margin_engine import CALL_PERIOD, T0, USD, Method, build_world, pledge

from sim import solidity
from sim.chain import Chain
from sim.errors import ContractRevert


@pytest.fixture(scope="module")
def revm_world():
    chain = Chain("revm", genesis_timestamp=T0 - 1)
    return chain, build_world(chain, chain.accounts[0])

ACCOUNTS = 3
acts = st.one_of(
    st.tuples(st.just("deposit"), st.integers(0, ACCOUNTS - 1), st.integers(1, 40_000)),
    st.tuples(st.just("withdraw"), st.integers(0, ACCOUNTS - 1), st.integers(1, 40_000)),
    st.tuples(st.just("buy"), st.integers(0, ACCOUNTS - 1), st.sampled_from(["IDX", "ETH"]), st.integers(1, 600)),
    st.tuples(st.just("sell"), st.integers(0, ACCOUNTS - 1), st.sampled_from(["IDX", "ETH"]), st.integers(1, 400)),
    st.tuples(st.just("perp"), st.integers(0, ACCOUNTS - 1), st.sampled_from(["IDX", "ETH"]), st.integers(-400, 400)),
    st.tuples(st.just("pledge"), st.integers(0, ACCOUNTS - 1), st.sampled_from(["TBILL", "MMF"]), st.integers(1, 300)),
    st.tuples(st.just("release"), st.integers(0, ACCOUNTS - 1), st.sampled_from(["TBILL", "MMF"]), st.integers(1, 300)),
    st.tuples(st.just("price"), st.sampled_from(["IDX", "ETH"]), st.integers(-60, 30)),
    st.tuples(st.just("price"), st.sampled_from(["IDX", "ETH"]), st.integers(-60, 30)),
    st.tuples(st.just("liquidate"), st.integers(0, ACCOUNTS - 1)),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(acts, min_size=1, max_size=30))
def test_margin_invariants_hold_under_any_sequence_of_acts(revm_world, sequence):
    chain, world = revm_world
    snapshot, prices, marks = chain.snapshot(), dict(world.prices), dict(world.marks)
    try:
        _play(chain, world, sequence)
    finally:
        chain.revert(snapshot)
        world.prices, world.marks = prices, marks


def _play(chain, w, sequence):
    accounts = [w.open(Method.PORTFOLIO, cash_usd=20_000), w.open(Method.SILOED, cash_usd=20_000),
                w.open(Method.PORTFOLIO, retail=True, cash_usd=20_000)]
    engine = w.engine
    w.buy(accounts[0], "IDX", 1_000)  # $100,000 on $20,000, cross-margined
    w.buy(accounts[1], "IDX", 400)  # $40,000 on $20,000 under Reg T
    w.perp(accounts[2], w.mm, "ETH", 12)  # $36,000 on $20,000, retail (2:1 allows $40,000)
    for act in sequence:
        kind = act[0]
        if kind == "liquidate":  # a call, its deadline passing, then the liquidator: never refused in error
            _call_then_liquidate(chain, w, accounts[act[1]])
            assert w.ledger_balanced()
            continue
        try:
            if kind == "deposit":
                w.deposit(accounts[act[1]], act[2] * USD)
            elif kind == "withdraw":
                engine.withdrawCash(act[2] * USD, sender=accounts[act[1]])
                _at_or_above_initial(w, accounts[act[1]])
            elif kind == "buy":
                w.buy(accounts[act[1]], act[2], act[3])
                _at_or_above_initial(w, accounts[act[1]])
            elif kind == "sell":
                w.buy(accounts[act[1]], act[2], -act[3])
            elif kind == "perp":
                account, qty = accounts[act[1]], act[3]
                if qty == 0:
                    continue
                before = w.perps.positionOf(account, w.market[act[2]])[0]
                if qty > 0:
                    w.perp(account, w.mm, act[2], qty)
                else:
                    w.perp(w.mm, account, act[2], -qty)
                after = before + qty
                if abs(after) > abs(before) or (before > 0) != (after > 0) and after != 0:
                    _at_or_above_initial(w, account)
            elif kind == "pledge":
                pledge(w, accounts[act[1]], act[2], act[3])
            elif kind == "release":
                engine.release(w.tokens[act[2]], act[3], sender=accounts[act[1]])
                _at_or_above_initial(w, accounts[act[1]])
            elif kind == "price":
                w.set_price(act[1], max(1, w.prices[act[1]] * (100 + act[2]) // 100))
            event(f"{kind} done")
        except ContractRevert as exc:
            event(f"{kind} refused {type(exc).__name__}")
        assert w.ledger_balanced()
    for account in accounts:
        w.check(account)


def _call_then_liquidate(chain, w, account):
    """The desk's call is refused only when one is open or the account covers maintenance;
    once the deadline has passed, ``liquidate`` succeeds exactly when ``liquidatable`` says
    so, and leaves the account flat, solvent, with any debit charged as a shortfall."""
    engine = w.engine
    status = w.check(account)
    if engine.account(account).call_deadline != 0:
        with pytest.raises(solidity.MarginCallOutstanding):
            engine.issueCall(account, sender=w.admin)
    elif status.equity < status.maintenance:
        engine.issueCall(account, sender=w.admin)
        event("call issued")
    else:
        with pytest.raises(solidity.MarginNotBelowMaintenance):
            engine.issueCall(account, sender=w.admin)
    chain.warp(chain.now() + CALL_PERIOD + 1)
    w.refresh()
    allowed, _ = engine.liquidatable(account)
    if not allowed:
        with pytest.raises(solidity.MarginNotLiquidatable):
            engine.liquidate(account, sender=w.admin)
        event("liquidate refused: not liquidatable")
        return
    fund, uncovered = engine.defaultFund(), engine.uncoveredShortfall()
    receipt = engine.liquidate(account, sender=w.admin)
    event("liquidated")
    status = w.check(account)
    assert (status.initial, status.positions_value) == (0, 0)
    assert status.equity >= 0
    charged = receipt.events_named("ShortfallCharged")
    drawn = (fund - engine.defaultFund()) + (engine.uncoveredShortfall() - uncovered)
    assert drawn == sum(e.shortfall for e in charged)


def _at_or_above_initial(w, account):
    status = w.check(account)
    assert status.equity >= status.initial, status
