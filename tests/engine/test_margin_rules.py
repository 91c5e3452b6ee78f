"""A margin world margined by the rules its scenario names: the scan method and the schedule."""

from __future__ import annotations

from small_scenarios import events, validate

from sim.engine import Run


def world(rules: dict, cash: dict[str, int]):
    accounts = [
        {"name": name, "method": "portfolio", "cash_usd": usd, "orders": [{"asset": "IDX", "quantity": 100}]}
        for name, usd in cash.items()
    ]
    data = {
        "name": "margin-rules",
        "seed": 3,
        "start": "2026-03-02T14:00:00Z",
        "duration_days": 1,
        "margin": {
            "assets": [
                {"symbol": "IDX", "name": "Index Fund", "asset_class": "equity", "main_index": True, "price": 100.0,
                 "volatility_pct": 10, "tradable": {"scan_class": "high_cap_broad_index"}},
                {"symbol": "CORP7", "name": "A-rated 7-year corporate bond", "asset_class": "tokenized_security",
                 "rating": "A", "maturity_day": 7 * 365, "price": 100.0, "volatility_pct": 1, "collateral": True},
            ],
            "rules": rules,
            "accounts": accounts,
        },
    }
    return validate(data, source="<margin-rules>")


def orders(out_dir):
    return {r["account"]: r for r in events(out_dir) if r["act"] == "order"}


def test_under_finra_a_portfolio_account_needs_100000_of_equity_to_open(tmp_path):
    result = Run(world({"scan_method": "finra"}, {"small": 99_999, "large": 100_000}), backend="revm").run(tmp_path)
    placed = orders(tmp_path)
    assert placed["small"]["outcome"] == "refused" and placed["small"]["error"] == "MarginInsufficient"
    assert placed["large"]["outcome"] == "ok"
    assert result.metrics["scan_method"] == "finra"


def test_under_span_the_same_account_opens_on_its_scan_alone(tmp_path):
    Run(world({"scan_method": "span"}, {"small": 99_999}), backend="revm").run(tmp_path)
    assert orders(tmp_path)["small"]["outcome"] == "ok"


def test_the_schedule_the_scenario_names_values_the_collateral(tmp_path):
    """An A-rated 7-year corporate bond: 8% under 23.156, 16% under 217.132, 12% under Basel II."""

    haircuts = {}
    for schedule in ("cftc_23_156", "us_capital_217_132", "basel_ii"):
        run = Run(world({"haircut_schedule": schedule}, {"small": 1_000}), backend="revm")
        run.run(tmp_path / schedule)
        part = run.part("margin")
        haircuts[schedule] = part.collateral.haircut(part.tokens["CORP7"])
    assert haircuts == {"cftc_23_156": 800, "us_capital_217_132": 1_600, "basel_ii": 1_200}
