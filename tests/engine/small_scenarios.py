"""Small scenarios for engine tests, built in Python."""

from __future__ import annotations

import json
from pathlib import Path

from sim.scenario import Scenario, validate


def scenario(**overrides) -> Scenario:
    """A small, quick scenario; keyword arguments replace top-level sections."""
    data = {
        "name": "engine-test",
        "seed": 42,
        "start": "2026-03-02T09:00:00Z",  # a Monday
        "duration_days": 12,
        "security": {"name": "Test Share", "symbol": "TST", "compliance": [{"kind": "accredited_only"}]},
        "offering": {"closes_day": 1, "price": 10.0, "shares": 10_000},
        "investors": [
            {
                "name": "inv",
                "count": 12,
                "cash_usd": {"kind": "fixed", "value": 20_000},
                "subscription_usd": {"kind": "fixed", "value": 5_000},
                "orders_per_day": 1.0,
            }
        ],
        "trading": {"starts_day": 2, "order_size": {"kind": "fixed", "value": 20}},
    }
    data.update(overrides)
    return validate(data, source="<engine-test>")


def margin_scenario(faults=(), guard_pct: float | None = None, shocks=(), **accounts) -> Scenario:
    """A small margin world: an index fund on hourly prices, looked at every four hours, and
    two institutional accounts long it on margin (keyword arguments replace an account's
    fields: ``levered={"liquidity_usd": 0}``); ``guard_pct`` is the oracle's deviation guard."""
    book = {
        "levered": {"name": "levered", "cash_usd": 20_000, "liquidity_usd": 20_000,
                    "orders": [{"asset": "IDX", "quantity": 1_000}, {"at_day": 2.5, "asset": "IDX", "quantity": 100}]},
        "steady": {"name": "steady", "cash_usd": 100_000, "orders": [{"asset": "IDX", "quantity": 100}]},
    }
    for name, fields in accounts.items():
        book[name] = {**book[name], **fields}
    oracle = {"update_hours": 1, "max_age_hours": 2}
    if guard_pct is not None:
        oracle["max_deviation_pct"] = guard_pct
    data = {
        "name": "margin-test",
        "seed": 9,
        "start": "2026-03-02T14:00:00Z",
        "duration_days": 6,
        "faults": list(faults),
        "margin": {
            "assets": [{"symbol": "IDX", "name": "Index Fund", "asset_class": "equity", "main_index": True,
                        "price": 100.0, "volatility_pct": 10, "tradable": {"scan_class": "high_cap_broad_index"}}],
            "oracle": oracle,
            "rules": {"check_every_hours": 4, "call_deadline_hours": 24, "default_fund_usd": 50_000},
            "accounts": list(book.values()),
            "shocks": list(shocks),
        },
    }
    return validate(data, source="<margin-test>")


def events(out_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (out_dir / "events.jsonl").read_text().splitlines()]
