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


def events(out_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (out_dir / "events.jsonl").read_text().splitlines()]
