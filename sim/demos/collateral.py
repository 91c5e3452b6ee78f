"""Collateral and margin, narrated: a haircut, siloed against cross margin, a call, a liquidation.

The demo plays the shipped scenario ``cross_margin_hedged_book`` (two accounts holding the
same hedged index book, one margined siloed and one as a portfolio, and an unhedged long
that pledged T-bills), then tells, one step at a time, what the rule is, what the chain
did and why:

1. a haircut: the pledged T-bills count for their value less the published haircut the
   collateral registry holds (17 CFR 23.156, the scenario's schedule);
2. siloed against cross margin: the same book needs $56,000 margined leg by leg and
   almost nothing scanned as one portfolio, where the legs offset;
3. a call: an account whose equity falls below its maintenance requirement is called;
4. a liquidation: a call not met by its deadline ends in liquidation;
5. the report.

Every figure it tells is a record of the run's ``events.jsonl`` or a sample of its
``metrics.csv``, except the haircut, read from the collateral registry on the chain.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from sim.demos._narration import Narration, day, play

SCENARIO = "cross_margin_hedged_book"


def run(out_dir: Path, console: Console | None = None, pause: Callable[[], None] | None = None) -> Narration:
    """Play the scenario into ``out_dir`` (an earlier demo's files there replaced) and
    narrate it; ``pause`` is called between steps."""
    demo = play(SCENARIO, out_dir, console, pause)
    metrics = demo.summary["metrics"]
    margin = demo.run.part("margin")

    pledge = demo.first("pledge")
    bps = margin.collateral.haircut(margin.tokens[pledge["asset"]])
    demo.step("a haircut",
              f"collateral counts for its market value less a haircut from the published schedule "
              f"({metrics['haircut_schedule']}: 17 CFR 23.156); the collateral registry on the chain holds it.",
              [f"{day(pledge)}: {pledge['account']} pledges {pledge['tokens']:,} {pledge['asset']} tokens.",
               f"The registry's haircut for {pledge['asset']}: {bps / 100:g}%, so each $100 of them counts "
               f"${100 - bps / 100:g} towards the account's margin."], {**pledge, "haircut_bps": bps})

    with (out_dir / "metrics.csv").open(encoding="utf-8") as handle:
        opening = next(csv.DictReader(handle))
    siloed, cross = float(opening["requirement:hedge-siloed"]), float(opening["requirement:hedge-cross"])
    demo.step("siloed against cross margin",
              f"margined siloed, each leg needs its own margin (Reg T 50% on the securities leg, the derivative "
              f"scanned alone); margined as one portfolio ({metrics['scan_method']} scan), a loss on one leg is "
              "offset by the gain on the other.",
              ["hedge-siloed and hedge-cross hold the same book: 1,000 index-fund tokens long, 1,000 index "
               "perpetuals short.",
               f"At the opening price the siloed account needs ${siloed:,.2f}, the cross-margined one "
               f"${cross:,.2f}.",
               f"At the end the collateral freed by cross-margining the whole book is "
               f"${metrics['collateral_freed']:,.2f} (the report shows its peak too)."],
              {"requirement:hedge-siloed": siloed, "requirement:hedge-cross": cross})

    call = demo.first("margin_call")
    demo.step("a margin call",
              "an account whose equity falls below its maintenance requirement is called, and has until the "
              "deadline to add cash or collateral.",
              [f"{day(call)}: {call['account']} is called: equity ${call['equity_usd']:,.2f} against a maintenance "
               f"requirement of ${call['maintenance_usd']:,.2f}."], call)

    liquidation = demo.first("liquidation", account=call["account"])
    demo.step("a liquidation",
              "a call not met by its deadline lets the liquidator close the account's positions; what they do not "
              "cover is a shortfall, charged to the default fund.",
              [f"{day(liquidation)}: {liquidation['account']} is liquidated with equity "
               f"${liquidation['equity_usd']:,.2f} against an initial requirement of "
               f"${liquidation['initial_usd']:,.2f}; shortfall ${metrics['shortfall']:,.2f}."], liquidation)
    demo.report_step()
    return demo


__all__ = ["SCENARIO", "run"]
