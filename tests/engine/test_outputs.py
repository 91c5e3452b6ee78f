"""What a run writes: events.jsonl, summary.json, metrics.csv."""

from __future__ import annotations

import csv
import json

import pytest

from sim.contracts import Restriction
from sim.engine import Run

from small_scenarios import events, scenario

REQUIRED_SUMMARY = {"status", "scenario", "seed", "backend", "sim_days", "wall_seconds", "metrics"}
REQUIRED_METRICS = {"trades", "settled", "fails", "refusals_by_reason", "holders", "reconciliation_breaks"}
LIFECYCLE_COLUMNS = [
    "t", "time", "price_usd", "supply", "holders", "trades", "volume_shares", "settled", "fails", "open_fails",
    "refusals", "reconciliation_breaks", "penalties_usd", "distributed_usd",
]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    gated = scenario(
        investors=[
            {"name": "inv", "count": 12, "cash_usd": {"kind": "fixed", "value": 20_000},
             "subscription_usd": {"kind": "fixed", "value": 5_000}, "orders_per_day": 1.0},
            {"name": "retail", "count": 4, "types": {"retail": 1.0}, "orders_per_day": 1.0,
             "cash_usd": {"kind": "fixed", "value": 20_000}},
        ],
    )
    simulation = Run(gated, backend="revm")
    result = simulation.run(out_dir=out)
    return simulation, result, out


def test_every_event_record_has_the_common_fields(run):
    _, _, out = run
    for number, record in enumerate(events(out), start=1):
        assert record["seq"] == number
        assert {"t", "time", "actor", "act", "outcome"} <= set(record)
        assert record["outcome"] in {"ok", "refused", "withheld", "break", "failed"}


def test_refusals_carry_code_reason_and_error(run):
    _, _, out = run
    refused = [e for e in events(out) if e["outcome"] == "refused" and "code" in e]
    assert refused, "the retail investors' orders should have been refused"
    for record in refused:
        assert Restriction(record["code"]).message == record["reason"]
        assert record["error"]


def test_summary_has_the_required_fields(run):
    _, result, out = run
    summary = json.loads((out / "summary.json").read_text())
    assert REQUIRED_SUMMARY <= set(summary)
    assert REQUIRED_METRICS <= set(summary["metrics"])
    assert summary == result.summary
    assert summary["metrics"]["refusals_by_reason"]["Recipient is not an accredited investor"] > 0


def test_refusals_by_reason_counts_every_refusal(run):
    _, result, out = run
    refusals = [e for e in events(out) if e["outcome"] == "refused"]
    assert sum(result.metrics["refusals_by_reason"].values()) == len(refusals) == result.metrics["refusals"]


def test_metrics_csv_has_a_row_at_the_start_and_one_per_day(run):
    simulation, _, out = run
    rows = list(csv.DictReader((out / "metrics.csv").open()))
    assert list(rows[0]) == LIFECYCLE_COLUMNS
    assert [int(r["t"]) for r in rows] == [day * 86_400 for day in range(int(simulation.scenario.duration_days) + 1)]
    assert (rows[0]["supply"], rows[0]["trades"]) == ("0", "0")  # at time 0, before the offering closes
    assert int(rows[-1]["trades"]) == simulation.part("securities").metrics.count("trade")


def test_the_holder_index_agrees_with_the_chain(run):
    simulation, _, _ = run
    token = simulation.part("securities").system.token
    indexed = dict(simulation.part("securities").holder_index.holders())
    on_chain = {p.wallet: token.balanceOf(p.wallet) for p in simulation.part("securities").investors.participants}
    assert indexed == {wallet: balance for wallet, balance in on_chain.items() if balance > 0}


def test_settled_trades_moved_exactly_what_was_traded(run):
    simulation, result, out = run
    settled = [e for e in events(out) if e["act"] == "settle" and e["outcome"] == "ok"]
    assert result.metrics["settled"] == len(settled)
    assert sum(e["shares"] for e in settled) <= result.metrics["volume_shares"]
