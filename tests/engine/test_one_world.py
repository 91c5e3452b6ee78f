"""One world: an offering and a margin account in one run, sharing one token and one investor.

``scenarios/fund_and_margin.yaml`` (beside this file) issues a security token to six
accredited investors, and opens a margin account for one of them, ``inv-0001``, which buys
300 tokens on margin from the market maker on day 5: the same token (its transfer rules
apply to the engine that holds it), the same price (the lifecycle's feed), the same wallet.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.contracts.oracle import cents_of
from sim.engine import Run
from sim.scenario import load

from small_scenarios import events

SCENARIO = Path(__file__).parent / "scenarios" / "fund_and_margin.yaml"


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    out = tmp_path_factory.mktemp("one-world")
    run = Run(load(SCENARIO), backend="revm")
    result = run.run(out_dir=out)
    assert result.status == "done", result.summary.get("reason")
    return run, result, out


def test_the_run_plays_both_parts_in_one_world(played):
    run, result, _ = played
    assert [p.name for p in run.parts] == ["securities", "margin"]
    assert result.summary["kind"] == "securities+margin"


def test_the_investors_margin_account_is_its_own_wallet(played):
    run, _, _ = played
    investor = run.world.participants.by_label("inv-0001")
    (client,) = run.part("margin").holders.clients
    assert client.participant is investor and client.wallet == investor.wallet


def test_the_margin_account_holds_the_offered_token_as_a_position(played):
    run, _, out = played
    securities, margin = run.part("securities"), run.part("margin")
    token, engine = securities.system.token, margin.engine
    investor = run.world.participants.by_label("inv-0001")
    assert margin.tokens["ACME"] is token  # the margin asset is the lifecycle's token, not a copy
    assert engine.spotOf(investor.wallet, margin.index["ACME"]) == 300
    assert token.balanceOf(engine) == 300  # the engine holds the position's tokens, under the token's rules
    assert token.balanceOf(investor.wallet) == 500  # and the investor still holds its allocation
    (order,) = [r for r in events(out) if r["act"] == "order" and r["actor"] == "acme-long"]
    assert (order["outcome"], order["quantity"], order["t"]) == ("ok", 300, 5 * 86_400)


def test_the_margin_engine_and_the_market_maker_are_verified_holders_of_the_token(played):
    run, _, _ = played
    securities, margin = run.part("securities"), run.part("margin")
    registry = securities.system.registry
    assert registry.isVerified(margin.engine.address) and registry.isVerified(margin.dealer)


def test_the_margin_oracle_carries_the_lifecycles_price_of_the_token(played):
    _, _, out = played
    lifecycle_price = round(load(SCENARIO).offering.price * 100)  # where the path starts, before the first push
    checked = 0
    for record in events(out):
        if record["actor"] == "oracle" and record["act"] == "price":
            lifecycle_price = record["price_cents"]
        elif record["actor"] == "oracle" and record["act"] == "prices":
            assert record["prices_cents"]["ACME"] == lifecycle_price
            checked += 1
    assert checked > 200  # hourly for twelve days


def test_both_oracles_end_on_one_price(played):
    run, _, _ = played
    securities, margin = run.part("securities"), run.part("margin")
    token = securities.system.token
    assert cents_of(margin.oracle.latestPrice(token)[0]) == securities.feed.cents
    assert cents_of(securities.system.oracle.latestPrice(token)[0]) == securities.feed.cents


def test_metric_names_both_parts_report_are_qualified_by_the_part(played):
    _, result, out = played
    metrics = result.metrics
    assert "orders" not in metrics
    assert metrics["securities.orders"] == 0 and metrics["margin.orders"] == 1
    assert metrics["minted_shares"] == 3_000 and metrics["collateral_required_siloed"] > 0
    assert json.loads((out / "summary.json").read_text())["metrics"] == metrics


def test_the_samples_hold_both_parts_columns(played):
    _, _, out = played
    header = (out / "metrics.csv").read_text().splitlines()[0].split(",")
    assert header[:3] == ["t", "time", "price_usd"] and "price:ACME" in header and "equity:acme-long" in header


def test_a_world_repeats_byte_for_byte(tmp_path):
    Run(load(SCENARIO), backend="revm").run(out_dir=tmp_path / "a")
    Run(load(SCENARIO), backend="revm").run(out_dir=tmp_path / "b")
    assert (tmp_path / "a" / "events.jsonl").read_bytes() == (tmp_path / "b" / "events.jsonl").read_bytes()


def test_a_world_gives_the_same_events_and_state_on_eth_tester_as_on_revm(played, tmp_path):
    _, fast, out = played
    reference = Run(load(SCENARIO), backend="eth-tester").run(out_dir=tmp_path)
    assert (tmp_path / "events.jsonl").read_bytes() == (out / "events.jsonl").read_bytes()
    assert reference.summary["state_digest"] == fast.summary["state_digest"] is not None
