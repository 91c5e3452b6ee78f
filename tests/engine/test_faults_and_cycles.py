"""Faults and settlement modes the shipped scenarios do not all exercise."""

from __future__ import annotations

from sim.engine import Run

from small_scenarios import events, scenario


def test_t_plus_0_settles_each_trade_in_the_instant_it_is_made(tmp_path):
    atomic = scenario(clearing={"settlement_days": 0})
    result = Run(atomic, backend="revm").run(out_dir=tmp_path)
    records = events(tmp_path)
    trades = {r["trade"]: r["t"] for r in records if r["act"] == "trade"}
    settled = [r for r in records if r["act"] == "settle" and r["outcome"] == "ok"]
    assert trades and len(settled) == result.metrics["settled"] > 0
    assert all(r["t"] == trades[r["trade"]] for r in settled)
    assert result.metrics["fails"] == 0


def test_a_stale_oracle_refuses_orders_until_the_feed_returns(tmp_path):
    stale = scenario(oracle={"max_age_hours": 30}, faults=[{"kind": "stale_oracle", "at_day": 3.5, "hours": 72}])
    Run(stale, backend="revm").run(out_dir=tmp_path)
    records = events(tmp_path)
    refused = [r for r in records if r.get("error") == "OracleStalePrice"]
    assert refused and all(r["reason"] == "Oracle price is stale" for r in refused)
    # the last push before the stop is at day 3; reads are refused from 30 h later until the next push (day 7)
    assert min(r["t"] for r in refused) > 3 * 86_400 + 30 * 3_600
    assert max(r["t"] for r in refused) < 7 * 86_400


def test_a_pause_refuses_orders_and_settlements_while_it_lasts(tmp_path):
    paused = scenario(faults=[{"kind": "pause", "at_day": 4, "hours": 48}])
    Run(paused, backend="revm").run(out_dir=tmp_path)
    records = events(tmp_path)
    refused = [r for r in records if r.get("error") == "EnforcedPause"]
    assert refused and all(4 * 86_400 <= r["t"] < 6 * 86_400 for r in refused)
    assert [r["act"] for r in records if r["actor"] == "faults"] == ["fault", "pause", "unpause"]


def test_a_lost_key_is_recovered_to_a_new_wallet_of_the_same_investor(tmp_path):
    lost = scenario(faults=[{"kind": "key_loss", "at_day": 3, "count": 2, "recover_after_days": 2}])
    simulation = Run(lost, backend="revm")
    simulation.run(out_dir=tmp_path)
    records = events(tmp_path)
    losers = [r["investor"] for r in records if r["act"] == "key_lost"]
    recovered = [r for r in records if r["act"] == "recover_wallet" and r["outcome"] == "ok"]
    assert len(losers) == 2 and sorted(r["investor"] for r in recovered) == sorted(losers)
    for label in losers:
        p = next(p for p in simulation.part("securities").investors.participants if p.label == label)
        assert simulation.part("securities").system.token.balanceOf(p.lost_wallets[0]) == 0
        assert simulation.part("securities").system.registry.investorIdOf(p.wallet) == simulation.part("securities").system.registry.investorIdOf(p.lost_wallets[0])
