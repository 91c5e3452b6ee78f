"""Rules fire at their exact simulated time: the chain's clock is the simulation's."""

from __future__ import annotations

from sim.calendar import DAY, HOUR, add_months, timestamp
from sim.contracts import Restriction
from sim.engine import Run

from small_scenarios import events, scenario


def _run_to(simulation: Run, absolute: int) -> None:
    simulation.advance_to(absolute - simulation.start)
    simulation.world.sync()


def test_the_engine_does_not_run_past_the_scenarios_end():
    simulation = Run(scenario(duration_days=5), backend="revm")
    simulation.setup()
    simulation.advance_to(50 * DAY)
    assert simulation.env.now == 5 * DAY


def test_block_time_is_start_plus_simulated_time():
    simulation = Run(scenario(), backend="revm")
    simulation.setup()
    _run_to(simulation, simulation.start + 3 * DAY + 17)
    assert simulation.chain.now() == simulation.start + 3 * DAY + 17


def test_a_lockup_ends_at_its_exact_second_inside_a_run():
    locked = scenario(security={"name": "T", "symbol": "TST", "compliance": [{"kind": "lockup", "months": 1}]},
                      trading=None, duration_days=40)
    simulation = Run(locked, backend="revm")
    simulation.setup()
    close = simulation.start + DAY  # the offering closes (and mints) on day 1
    _run_to(simulation, close + 1)
    holders = [p for p in simulation.part("securities").investors.participants if simulation.part("securities").system.token.balanceOf(p.wallet) > 0]
    seller, buyer = holders[0], holders[1]
    release = add_months(close, 1)
    _run_to(simulation, release - 1)
    assert simulation.part("securities").system.token.restriction(seller.wallet, buyer.wallet, 1) == Restriction.LOCKUP_ACTIVE
    _run_to(simulation, release)
    assert simulation.part("securities").system.token.restriction(seller.wallet, buyer.wallet, 1) == Restriction.SUCCESS
    assert simulation.finish().status == "done"


def test_the_36th_non_accredited_purchaser_is_refused_in_the_offering(tmp_path):
    capped = scenario(
        security={"name": "T", "symbol": "TST", "compliance": [{"kind": "holder_limit", "max_non_accredited_purchasers": 35}]},
        investors=[{"name": "retail", "count": 40, "types": {"retail": 1.0},
                    "subscription_usd": {"kind": "fixed", "value": 100}}],
        trading=None,
    )
    result = Run(capped, backend="revm").run(out_dir=tmp_path)
    mints = [e for e in events(tmp_path) if e["act"] == "mint"]
    assert sum(e["outcome"] == "ok" for e in mints) == 35
    refused = [e for e in mints if e["outcome"] == "refused"]
    assert len(refused) == 5 and {e["code"] for e in refused} == {Restriction.NON_ACCREDITED_LIMIT}
    assert result.metrics["refusals_by_reason"]["Non-accredited purchaser limit reached"] == 5


def test_t_plus_1_settles_by_the_next_business_days_cutoff_and_fails_one_second_later(tmp_path):
    quiet = scenario(trading={"starts_day": 100})  # no random orders: the test trades itself
    simulation = Run(quiet, backend="revm")
    simulation.setup(tmp_path)
    friday = timestamp("2026-03-06T10:00:00")
    _run_to(simulation, friday)
    holders = [p for p in simulation.part("securities").investors.participants if simulation.part("securities").system.token.balanceOf(p.wallet) > 0]
    seller, buyer = holders[0], holders[1]
    simulation.part("securities").clearing.withhold_deliveries(1.0, simulation.env.now + 30 * DAY)  # the seller will not deliver
    simulation.part("securities").clearing.on_trade(buyer, seller, 5, 1_000)
    (instruction,) = simulation.part("securities").clearing.pending.values()
    monday_cutoff = timestamp("2026-03-09T20:00:00")  # T+1 skips the weekend
    assert instruction.settle_by == monday_cutoff
    _run_to(simulation, monday_cutoff + 2)
    simulation.finish()
    fails = [e for e in events(tmp_path) if e["act"] == "fail"]
    assert fails[0]["t"] == monday_cutoff + 1 - simulation.start
    assert fails[0]["failing_party"] == seller.label
    assert simulation.part("securities").system.dvp.instruction(instruction.id).settleBy == timestamp("2026-03-10T20:00:00")


def test_an_affirmed_t_plus_1_trade_settles_at_the_cutoff(tmp_path):
    quiet = scenario(trading={"starts_day": 100})
    simulation = Run(quiet, backend="revm")
    simulation.setup(tmp_path)
    _run_to(simulation, timestamp("2026-03-04T11:00:00"))  # a Wednesday
    holders = [p for p in simulation.part("securities").investors.participants if simulation.part("securities").system.token.balanceOf(p.wallet) > 0]
    simulation.part("securities").clearing.on_trade(holders[1], holders[0], 5, 1_000)
    cutoff = timestamp("2026-03-05T20:00:00")
    _run_to(simulation, cutoff - 1)
    assert simulation.part("securities").clearing.pending, "settled before the cutoff"
    _run_to(simulation, cutoff + HOUR)
    simulation.finish()
    settled = [e for e in events(tmp_path) if e["act"] == "settle"]
    assert settled and settled[0]["t"] == cutoff - simulation.start


def test_relatives_sharing_a_purchasers_home_are_not_counted_apart_in_a_506b_offering(tmp_path):
    """17 CFR 230.501(e)(1)(i): 35 purchasers and 10 spouses (counted_with) all buy; of two
    more strangers, the 36th and 37th distinct purchasers, both are refused."""
    capped = scenario(
        security={"name": "T", "symbol": "TST", "compliance": [{"holder_limit": {"rule": "506b"}}]},
        investors=[
            {"name": "buyers", "count": 35, "types": {"retail": 1.0}, "subscription_usd": 100},
            {"name": "spouses", "count": 10, "types": {"retail": 1.0}, "subscription_usd": 100,
             "counted_with": "buyers"},
            {"name": "strangers", "count": 2, "types": {"retail": 1.0}, "subscription_usd": 100},
        ],
        trading=None,
    )
    Run(capped, backend="revm").run(out_dir=tmp_path)
    mints = [e for e in events(tmp_path) if e["act"] == "mint"]
    assert sum(e["outcome"] == "ok" for e in mints) == 45
    assert all(e["outcome"] == "ok" for e in mints if e["investor"].startswith("spouses"))
    refused = [e for e in mints if e["outcome"] == "refused"]
    assert len(refused) == 2 and {e["code"] for e in refused} == {Restriction.NON_ACCREDITED_LIMIT}


def test_an_attested_reg_cf_limit_from_the_scenario_binds_to_the_cent(tmp_path):
    """17 CFR 227.303(b)(1): the funding portal relies on the investor's attested limit. The
    YAML's ``reg_cf_limit_usd`` is recorded on chain and used instead of income and net worth:
    a subscription of exactly the limit is minted, one cent over it is refused."""
    attested = scenario(
        security={"name": "T", "symbol": "TST", "compliance": [{"investment_limit": {"rule": "reg_cf"}}]},
        offering={"closes_day": 1, "price": 0.01, "shares": 10_000_000},
        investors=[
            {"name": "at", "count": 1, "types": {"retail": 1.0}, "income_usd": 1_000_000, "net_worth_usd": 1_000_000,
             "reg_cf_limit_usd": 3_456.78, "subscription_usd": 3_456.78},
            {"name": "over", "count": 1, "types": {"retail": 1.0}, "income_usd": 1_000_000, "net_worth_usd": 1_000_000,
             "reg_cf_limit_usd": 3_456.77, "subscription_usd": 3_456.78},
        ],
        trading=None,
    )
    simulation = Run(attested, backend="revm")
    simulation.run(out_dir=tmp_path)
    part = simulation.part("securities")
    module, registry = part.system.modules["investment-limit"], part.system.registry
    at, over = part.investors.participants
    assert module.limitOf(at.wallet, registry) == 345_678  # the attested figure, not 10% of $1M capped
    assert module.limitOf(over.wallet, registry) == 345_677
    mints = {e["investor"]: e for e in events(tmp_path) if e["act"] == "mint"}
    assert mints[at.label]["outcome"] == "ok" and mints[at.label]["cash_cents"] == 345_678
    assert mints[over.label]["outcome"] == "refused" and mints[over.label]["error"] == "InvestmentLimitExceeded"
