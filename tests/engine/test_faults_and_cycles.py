"""Faults and settlement modes the shipped scenarios do not all exercise."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import yaml

from sim.calendar import DAY, HOUR
from sim.contracts.oracle import to_oracle_price
from sim.engine import Run
from sim.scenario import validate

from small_scenarios import events, margin_scenario, scenario

FUND_AND_MARGIN = Path(__file__).parent / "scenarios" / "fund_and_margin.yaml"


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


# ------------------------------------------------------------------ oracle spikes

SPIKE = {"kind": "oracle_spike", "at_day": 5, "factor": 3.0}


def _price_records(records, act="price"):
    return [r for r in records if r["act"] == act]


def test_without_a_guard_a_spike_is_the_on_chain_price_for_exactly_one_update(tmp_path):
    """The first update at or after the spike's day prints three times the path's price; it
    is the oracle's price until the next daily update, which prints the path's again."""
    simulation = Run(scenario(faults=[SPIKE]), backend="revm")
    simulation.setup(tmp_path)
    system = simulation.part("securities").system
    simulation.advance_to(5 * DAY + HOUR)
    (spike,) = [r for r in _price_records(events(tmp_path)) if "spike" in r]
    assert (spike["t"], spike["outcome"], spike["spike"]) == (5 * DAY, "ok", 3.0)
    assert spike["price_cents"] == round(3 * spike["path_cents"])
    assert system.oracle.latestPrice(system.token) == (to_oracle_price(spike["price_cents"]), simulation.start + 5 * DAY)
    simulation.advance_to(6 * DAY + HOUR)
    following = _price_records(events(tmp_path))[-1]
    assert (following["t"], "spike" in following) == (6 * DAY, False)
    assert abs(following["price_cents"] / spike["path_cents"] - 1) < 0.1
    assert system.oracle.latestPrice(system.token) == (to_oracle_price(following["price_cents"]), simulation.start + 6 * DAY)
    simulation.finish()


def test_valuations_read_the_spike_while_it_is_the_oracles_price(tmp_path):
    """Every order placed while the spike is on chain has its limit around the spiked price."""
    Run(scenario(faults=[SPIKE]), backend="revm").run(out_dir=tmp_path)
    records = events(tmp_path)
    (spike,) = [r for r in _price_records(records) if "spike" in r]
    during = [r for r in records if r["act"] == "order" and r["outcome"] == "ok" and 5 * DAY <= r["t"] < 6 * DAY]
    assert during and all(r["price_cents"] > 2 * spike["path_cents"] for r in during)


def test_a_deviation_guard_refuses_the_spike_and_the_last_good_price_stays(tmp_path):
    """With a 10% guard the spiked update is refused (``OracleDeviationTooLarge``); the price
    of day 4 stays the oracle's, and no accepted update moved the price by more than 10%."""
    simulation = Run(scenario(oracle={"max_deviation_pct": 10}, faults=[SPIKE]), backend="revm")
    simulation.setup(tmp_path)
    system = simulation.part("securities").system
    simulation.advance_to(5 * DAY + HOUR)
    prices = _price_records(events(tmp_path))
    refused = [r for r in prices if r["outcome"] == "refused"]
    assert [(r["t"], r["error"], r["spike"]) for r in refused] == [(5 * DAY, "OracleDeviationTooLarge", 3.0)]
    day_4 = next(r for r in prices if r["t"] == 4 * DAY)
    assert system.oracle.latestPrice(system.token) == (to_oracle_price(day_4["price_cents"]), simulation.start + 4 * DAY)
    result = simulation.finish()
    accepted = [r["price_cents"] for r in _price_records(events(tmp_path)) if r["outcome"] == "ok"]
    assert all(abs(b - a) <= 0.1 * a for a, b in pairwise(accepted))
    assert (result.metrics["price_spikes_refused"], result.metrics["price_spikes_published"]) == (1, 0)


MARGIN_SPIKE = {"kind": "oracle_spike", "at_day": 0.125, "asset": "IDX", "factor": 0.7}
"""At hour 3: the margin desk looks at hour 4, while the print is the oracle's price."""


def test_a_margin_spike_without_a_guard_calls_an_account_on_the_wrong_print(tmp_path):
    """Printed 30% low for one hourly update, the index puts the levered account below its
    maintenance margin: the desk calls it on that print, and the call is met without a cent
    once the next update prints the true price again."""
    Run(margin_scenario([MARGIN_SPIKE]), backend="revm").run(out_dir=tmp_path)
    records = events(tmp_path)
    (spike,) = [r for r in _price_records(records, "prices") if "spikes" in r]
    following = next(r for r in _price_records(records, "prices") if r["t"] > spike["t"])
    assert following["t"] == spike["t"] + HOUR and "spikes" not in following
    (call,) = [r for r in records if r["act"] == "margin_call"]
    assert call["account"] == "levered" and spike["t"] <= call["t"] <= following["t"] and call["equity_usd"] < 0
    (met,) = [r for r in records if r["act"] == "call_met"]
    assert met["t"] > following["t"] and not [r for r in records if r["act"] == "top_up"]


def test_a_margin_guard_refuses_the_print_and_no_account_is_called(tmp_path):
    """With a 25% guard the 30% print is refused (``PriceRejected``, recorded as a refused
    ``price``): the oracle keeps the last good price and nobody is called or liquidated."""
    result = Run(margin_scenario([MARGIN_SPIKE], guard_pct=25), backend="revm").run(out_dir=tmp_path)
    records = events(tmp_path)
    refused = [r for r in records if r["act"] == "price" and r["outcome"] == "refused"]
    assert [(r["t"], r["asset"], r["feed"], r["error"], r["max_deviation_bps"]) for r in refused] == [
        (3 * HOUR, "IDX", "price", "OracleDeviationTooLarge", 2500)]
    assert not [r for r in records if r["act"] in ("margin_call", "liquidation")]
    assert result.metrics["price_rejections"] == 1


def test_a_spike_on_the_security_token_reaches_every_feed_that_prints_it(tmp_path):
    """In a world with the lifecycle and a margin section on its token, one spike is printed
    by both feeds: the lifecycle's oracle, without a guard, publishes it; the margin firm's,
    with one, refuses it."""
    data = yaml.safe_load(FUND_AND_MARGIN.read_text())
    data["faults"] = [{"kind": "oracle_spike", "at_day": 3, "factor": 2.0}]
    data["margin"]["oracle"] = {"max_deviation_pct": 20}
    Run(validate(data), backend="revm").run(out_dir=tmp_path)
    records = events(tmp_path)
    spiked = [r for r in records if "spike" in r or "spikes" in r]
    assert [(r["t"] / DAY, r["act"], r["outcome"], r.get("asset")) for r in spiked] == [
        (3, "price", "ok", None),                    # the lifecycle's oracle publishes it
        (3, "prices", "ok", None),                   # the margin feed sends it...
        (3, "price", "refused", "ACME"),             # ...and the margin oracle's guard refuses it
    ]
    lifecycle, sent, refused = spiked
    assert lifecycle["price_cents"] == round(2 * lifecycle["path_cents"]) == sent["prices_cents"]["ACME"]
    assert refused["error"] == "OracleDeviationTooLarge" and refused["max_deviation_bps"] == 2000


# ---------------------------------------------------------------- participant default

DEFAULTERS = ("inv-0004", "inv-0010", "inv-0003")


def _defaulting(tmp_path):
    """Three investors stop paying on day 4 (a Friday); a dealer is there for buy-ins."""
    spec = scenario(
        duration_days=14,
        trading={"starts_day": 2, "order_size": {"kind": "fixed", "value": 20},
                 "market_maker": {"shares": 2_000, "cash_usd": 100_000}},
        faults=[{"kind": "participant_default", "at_day": 4, "participant": label} for label in DEFAULTERS],
    )
    simulation = Run(spec, backend="revm")
    simulation.run(out_dir=tmp_path)
    records = events(tmp_path)
    trades = {r["trade"]: r for r in records if r["act"] == "trade"}
    instructions = {r["instruction"]: trades[r["trade"]] for r in records if r["act"] == "instruct"}
    return simulation, records, instructions


def _theirs(instructions, label, after=4 * DAY):
    return [i for i, t in instructions.items() if label in (t["buyer"], t["seller"]) and t["t"] > after]


def test_a_defaulter_places_no_order_and_affirms_nothing(tmp_path):
    """From its default on, a defaulter places no order, and each of its later instructions
    is recorded once as a withheld affirmation, however often the clearing agent chases it."""
    _, records, instructions = _defaulting(tmp_path)
    for label in DEFAULTERS:
        assert not [r for r in records if r["act"] == "order" and r.get("investor") == label and r["t"] >= 4 * DAY]
        withheld = [r["instruction"] for r in records if r["act"] == "affirm" and r["outcome"] == "withheld"
                    and r["investor"] == label]
        assert withheld == _theirs(instructions, label)
    assert sum(len(_theirs(instructions, label)) for label in DEFAULTERS) >= 3


def test_a_defaulters_trades_fail_with_the_penalty_on_it_and_close_out_by_the_buy_in_rule(tmp_path):
    """Every later instruction of a defaulter fails daily with the penalty on the defaulter;
    after the buy-in period its sales are bought in from the dealer and its purchases
    cancelled; none is left open at the end."""
    simulation, records, instructions = _defaulting(tmp_path)
    closed = {r["instruction"]: r["act"] for r in records if r["act"] in ("settle", "buy_in", "cancel") and r["outcome"] == "ok"}
    kinds = set()
    for label in DEFAULTERS:
        for i in _theirs(instructions, label):
            fails = [r for r in records if r["act"] == "fail" and r["instruction"] == i]
            assert [(r["fail_days"], r["failing_party"]) for r in fails] == [(1, label), (2, label), (3, label)]
            assert all(r["penalty_cents"] > 0 for r in fails)
            kinds.add(closed[i])
            assert closed[i] == ("buy_in" if instructions[i]["seller"] == label else "cancel")
    assert kinds == {"buy_in", "cancel"}
    pending = simulation.part("securities").clearing.pending.values()
    assert not [i for i in pending if {i.buyer.label, i.seller.label} & set(DEFAULTERS)]


def test_what_a_defaulter_affirmed_before_its_default_settles_from_its_holds(tmp_path):
    """An affirmation put the defaulter's securities or cash on hold: the instruction settles
    on its date from that hold, default or not."""
    _, records, instructions = _defaulting(tmp_path)
    settled = {r["instruction"]: r["t"] for r in records if r["act"] == "settle" and r["outcome"] == "ok"}
    before = [i for i, t in instructions.items() if t["t"] < 4 * DAY and set(DEFAULTERS) & {t["buyer"], t["seller"]}
              and settled.get(i, 0) > 4 * DAY]
    assert before


def test_nothing_of_a_defaulters_failed_trades_moves_and_no_hold_outlives_its_instruction(tmp_path):
    """A defaulter's wallet holds its allocation and what its settled instructions moved,
    nothing else; at the end every wallet's holds are those of its open instructions (the
    cancelled purchases released the sellers' tokens, the buy-ins the buyers' cash)."""
    simulation, records, instructions = _defaulting(tmp_path)
    system = simulation.part("securities").system
    settled = {r["instruction"] for r in records if r["act"] == "settle" and r["outcome"] == "ok"}
    for label in DEFAULTERS:
        p = simulation.world.participants.by_label(label)
        (mint,) = [r for r in records if r["act"] == "mint" and r.get("investor") == label]
        signs = [(1 if instructions[i]["buyer"] == label else -1, instructions[i]) for i in settled
                 if label in (instructions[i]["buyer"], instructions[i]["seller"])]
        assert system.token.balanceOf(p.wallet) == mint["shares"] + sum(s * t["shares"] for s, t in signs)
        assert system.cents(system.cash.balanceOf(p.wallet)) == (
            p.cash_cents - mint["cash_cents"] - sum(s * t["cash_cents"] for s, t in signs))
    pending = simulation.part("securities").clearing.pending.values()
    for p in simulation.part("securities").investors.participants:
        assert system.token.heldBalanceOf(p.wallet) == sum(
            i.shares for i in pending if i.seller is p and i.seller_affirmed) * system.token_unit
        assert system.cash.heldBalanceOf(p.wallet) == sum(
            system.cash_units(i.cash_cents) for i in pending if i.buyer is p and i.buyer_affirmed)


def test_a_defaulting_margin_client_answers_no_call_and_places_no_order(tmp_path):
    """The levered account's holder defaults on day 1; the shock of day 2 calls it, and it
    neither answers (it had the cash) nor places its order of day 2.5."""
    spec = margin_scenario([{"kind": "participant_default", "at_day": 1, "participant": "levered"}],
                           shocks=[{"at_day": 2, "asset": "IDX", "move_pct": -30}])
    Run(spec, backend="revm").run(out_dir=tmp_path)
    records = [r for r in events(tmp_path) if r.get("account") == "levered"]
    assert [(r["act"], r["outcome"]) for r in records if r["t"] >= DAY][:4] == [
        ("default", "ok"), ("margin_call", "ok"), ("answer_call", "withheld"), ("order", "withheld")]
    assert not [r for r in records if r["act"] in ("top_up", "substitution", "call_met")]


def test_without_the_default_the_same_call_is_met(tmp_path):
    Run(margin_scenario(shocks=[{"at_day": 2, "asset": "IDX", "move_pct": -30}]), backend="revm").run(out_dir=tmp_path)
    records = [r for r in events(tmp_path) if r.get("account") == "levered"]
    assert [r["act"] for r in records if r["act"] in ("margin_call", "top_up", "call_met")][:3] == [
        "margin_call", "top_up", "call_met"]
    assert not [r for r in records if r["act"] == "liquidation"]


def test_a_defaulters_unmet_call_is_liquidated_and_the_default_fund_pays_its_shortfall(tmp_path):
    """At the first look after the call's deadline the liquidator takes the book over; the
    negative cash left is charged to the default fund, which drops by exactly that, the
    institution keeps the claim, and the engine's cash still equals its ledger."""
    spec = margin_scenario([{"kind": "participant_default", "at_day": 1, "participant": "levered"}],
                           shocks=[{"at_day": 2, "asset": "IDX", "move_pct": -30}])
    simulation = Run(spec, backend="revm")
    result = simulation.run(out_dir=tmp_path)
    records = events(tmp_path)
    (call,) = [r for r in records if r["act"] == "margin_call"]
    (liquidation,) = [r for r in records if r["act"] == "liquidation"]
    assert call["t"] + 24 * HOUR < liquidation["t"] <= call["t"] + 28 * HOUR
    (shortfall,) = [r for r in records if r["act"] == "shortfall"]
    part = simulation.part("margin")
    engine, usd = part.engine, part.usd
    assert shortfall["shortfall_usd"] > 0 and shortfall["uncovered_usd"] == 0 and not shortfall["retail"]
    assert 50_000 * usd - engine.defaultFund() == round(shortfall["default_fund_usd"] * usd)
    assert result.metrics["default_fund_used"] == shortfall["shortfall_usd"] == result.metrics["shortfall"]
    levered = next(c for c in part.holders.clients if c.name == "levered")
    assert engine.account(levered.wallet).claim == round(shortfall["shortfall_usd"] * usd)
    wallets = [c.wallet for c in part.holders.clients] + [part.dealer, part.liquidation_account]
    ledger = sum(engine.account(w).cash for w in wallets)
    assert part.cash.balanceOf(engine) == (ledger + engine.defaultFund() + engine.lendingCapital()
                                           + engine.perpetualsPool() - engine.uncoveredShortfall())


# ---------------------------------------------------------------- custodian failure

def _custody(tmp_path, lockup_days=None, **overrides):
    """Six investors hold their own wallets, six hold at an omnibus bank; the bank fails at
    day 4.5 and its trustee steps in two days later."""
    compliance = [{"kind": "accredited_only"}]
    if lockup_days is not None:
        compliance.append({"kind": "lockup", "mode": "rule144", "days": lockup_days})
    population = {"count": 6, "cash_usd": {"kind": "fixed", "value": 20_000},
                  "subscription_usd": {"kind": "fixed", "value": 5_000}, "orders_per_day": 1.0}
    spec = scenario(
        security={"name": "Test Share", "symbol": "TST", "compliance": compliance},
        investors=[{"name": "inv", **population}, {"name": "bank-clients", "custody": "bank", **population}],
        custodians=[{"name": "bank", "mode": "omnibus"}],
        faults=[{"kind": "custodian_failure", "at_day": 4.5, "custodian": "bank", "recover_after_days": 2}],
        **overrides,
    )
    simulation = Run(spec, backend="revm")
    simulation.run(out_dir=tmp_path)
    return simulation, events(tmp_path)


def test_a_failed_custodian_does_nothing_more_and_its_open_instructions_are_cancelled(tmp_path):
    """At the failure the clearing agent cancels every open instruction of the vault (the
    other party's hold is released), the clients' resting orders leave the book, and the
    custodian neither books, reconciles nor trades for its clients again: what it would
    have booked is recorded withheld, and its trustee books it."""
    simulation, records = _custody(tmp_path)
    cancelled = [r for r in records if r["act"] == "cancel" and r.get("reason") == "Custodian failed"]
    assert cancelled and {r["t"] for r in cancelled} == {4.5 * DAY}
    withheld = [r["instruction"] for r in records if r["actor"] == "custodian:bank" and r["outcome"] == "withheld"]
    assert withheld == [r["instruction"] for r in cancelled]
    assert [r["instruction"] for r in records if r["actor"] == "trustee:bank" and r["act"] == "book"] == withheld
    assert not [r for r in records if r["actor"] == "custodian:bank" and r["t"] > 4.5 * DAY and r["outcome"] == "ok"]
    clients = {p.label for p in simulation.world.participants.in_group("bank-clients")}
    assert not [r for r in records if r["act"] in ("order", "trade") and 4.5 * DAY <= r["t"] < 6.5 * DAY
                and clients & {r.get("investor"), r.get("buyer"), r.get("seller")}]


def test_the_trustee_gives_each_client_all_it_owned_and_empties_the_vault(tmp_path):
    """Each client's tokens and cash, as the sub-ledger stood at the failure, are moved to
    the client's own wallet (tokens by the agent's forced transfer, booked out; cash
    withdrawn); the vault then reconciles at zero on both sides and the supply is unchanged."""
    simulation, records = _custody(tmp_path)
    system = simulation.part("securities").system
    vault = system.custodians["bank"].vault
    (failure,) = [r for r in records if r["act"] == "failure"]
    recovered = {r["investor"]: r["shares"] for r in records if r["act"] == "recover_tokens" and r["outcome"] == "ok"}
    returned = {r["investor"]: r["cash_cents"] for r in records if r["act"] == "return_cash"}
    assert recovered == {label: p["tokens"] for label, p in failure["positions"].items()}
    assert returned == {label: p["cash_cents"] for label, p in failure["positions"].items()}
    assert vault.reconcile(system.token) == vault.reconcile(system.cash) == (0, 0)
    assert [(r["ledger"], r["on_chain"]) for r in records if r["actor"] == "trustee:bank" and r["act"] == "reconcile"] == [(0, 0)] * 2
    minted = sum(r["shares"] for r in records if r["act"] == "mint" and r["outcome"] == "ok")
    assert system.token.totalSupply() == minted


def test_a_recovery_the_tokens_rules_refuse_is_tried_daily_until_it_passes(tmp_path):
    """Under an eight-day Rule 144 lock-up (minted on day 1) the agent's forced transfer runs
    the token's rules: refused with ``LockupActive`` at the recovery and every day after,
    it passes on the first try after the lots are released (day 9); the cash was returned
    at once, and the clients held in the vault until then."""
    _, records = _custody(tmp_path, lockup_days=8, trading={"starts_day": 10})
    attempts = [r for r in records if r["act"] == "recover_tokens" and r["investor"] == "bank-clients-0001"]
    assert [(r["t"] / DAY, r["outcome"], r.get("error")) for r in attempts] == [
        (6.5, "refused", "LockupActive"), (7.5, "refused", "LockupActive"), (8.5, "refused", "LockupActive"),
        (9.5, "ok", None)]
    assert {r["t"] for r in records if r["act"] == "return_cash"} == {6.5 * DAY}
    assert {r["t"] for r in records if r["act"] == "self_custody"} == {9.5 * DAY}


def test_recovered_clients_hold_and_settle_in_their_own_wallets(tmp_path):
    """After the recovery a former client holds in self custody: its trades settle from its
    own wallet, which holds what it got back plus what those trades moved."""
    simulation, records = _custody(tmp_path)
    system = simulation.part("securities").system
    (failure,) = [r for r in records if r["act"] == "failure"]
    trades = {r["trade"]: r for r in records if r["act"] == "trade"}
    moved = 0
    for label, position in failure["positions"].items():
        p = simulation.world.participants.by_label(label)
        assert (p.mode, p.custody, p.party) == ("self", None, p.wallet)
        shares = cash = 0
        for r in records:
            if r["act"] == "settle" and r["outcome"] == "ok" and r["t"] > 6.5 * DAY:
                t = trades[r["trade"]]
                sign = 1 if t["buyer"] == label else -1 if t["seller"] == label else 0
                shares, cash = shares + sign * t["shares"], cash - sign * t["cash_cents"]
        moved += abs(shares)
        assert system.token.balanceOf(p.wallet) == position["tokens"] + shares
        assert system.cents(system.cash.balanceOf(p.wallet)) == position["cash_cents"] + cash
    assert moved
