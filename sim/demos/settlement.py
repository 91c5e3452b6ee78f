"""Settlement, narrated: delivery versus payment, a netted cycle, a fail, its penalty, a buy-in.

The demo plays the shipped scenario ``custodian_omnibus_t1`` (an omnibus bank, a
segregated trust, a broker; T+1 netted settlement; two investors who stop paying), then
walks through what its event log shows, one step at a time, saying for each what the rule
is, what the chain did and why:

1. a trade becomes a DvP instruction; both sides affirm; at the cycle on T+1 the tokens and
   the cash move in one transaction, or neither does;
2. a netted cycle: the instructions of the cycle settle together, each party's net
   position moving once;
3. a fail: a party that cannot deliver or pay by the settle-by time fails, and is charged
   the daily cash penalty (CSDR);
4. a buy-in: a seller still failing after the close-out period is bought in (Reg SHO
   Rule 204), and the cost is theirs;
5. the report: every figure of the run on one page (``report.html``).

Every figure it tells is a record of the run's ``events.jsonl``; nothing is made up for the
story. In a terminal it waits for Enter between steps (``pause``); scripts pass none.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

SCENARIO = "custodian_omnibus_t1"


@dataclass
class SettlementDemo:
    """What the demo showed: the run directory and the records each step told."""

    out_dir: Path
    steps: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def _usd(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def _first(records: list[dict[str, Any]], act: str, **fields: Any) -> dict[str, Any]:
    for record in records:
        if record["act"] == act and record["outcome"] == "ok" and all(record.get(k) == v for k, v in fields.items()):
            return record
    raise LookupError(f"the run of {SCENARIO} has no {act} record with {fields}: the scenario changed")


def run(out_dir: Path, console: Console | None = None, pause: Callable[[], None] | None = None) -> SettlementDemo:
    """Play the scenario into ``out_dir`` (prepared first: an earlier demo's files are
    replaced) and narrate it; ``pause`` is called between steps."""
    from sim.engine import Run
    from sim.report.run_dir import prepare
    from sim.scenario import load, shipped

    console = console or Console()
    prepare(out_dir, force=True)
    console.print(f"[bold]Settlement[/bold]: playing {SCENARIO} on revm (60 days) ...", highlight=False)
    result = Run(load(shipped()[SCENARIO]), backend="revm").run(out_dir=out_dir)
    records = [json.loads(line) for line in (out_dir / "events.jsonl").read_text(encoding="utf-8").splitlines()]
    terms = next(r for r in records if r["act"] == "deploy")["clearing"]
    demo = SettlementDemo(out_dir)
    trades = {r["trade"]: r for r in records if r["act"] == "trade" and r["outcome"] == "ok"}

    def step(number: int, title: str, rule: str, told: list[str], record: dict[str, Any]) -> None:
        if number > 1 and pause is not None:
            pause()
        console.rule(f"Step {number}: {title}")
        console.print(f"[italic]The rule.[/italic] {rule}", highlight=False)
        for line in told:
            console.print(line, highlight=False)
        demo.steps.append((title, record))

    first = _first(records, "settle")
    trade = trades[first["trade"]]
    instructed = _first(records, "instruct", instruction=first["instruction"])
    step(1, "delivery versus payment",
         f"a trade settles T+{terms['settlement_days']} (Exchange Act Rule 15c6-1): on the settlement date the "
         "tokens go to the buyer and the cash to the seller in one transaction, or nothing moves.",
         [f"Day {trade['t'] / 86_400:.2f}: trade {trade['trade']}, {trade['buyer']} buys {trade['shares']:,} tokens "
          f"from {trade['seller']} at {_usd(trade['price_cents'])}, {_usd(trade['cash_cents'])} in all.",
          f"The clearing agent instructs DvP instruction {instructed['instruction']}, to settle by day "
          f"{instructed['settle_by'] / 86_400:.2f}; each side (or its custodian) affirms, and the token and the cash "
          "are put on hold in the parties' wallets.",
          f"Day {first['t'] / 86_400:.2f}: the cycle settles it: {first['shares']:,} tokens one way, "
          f"{_usd(first['cash_cents'])} the other, in the same transaction."], first)

    batch = _first(records, "settle_batch", netted=True)
    step(2, "a netted cycle",
         "with netting, a cycle's instructions settle together: each party's tokens and cash move by its net "
         "position, so a party that buys and sells in one cycle moves only the difference.",
         [f"Day {batch['t'] / 86_400:.2f}: {batch['instructions']} instructions settled in one netted cycle with "
          f"{batch['transfers']} token and cash transfers."], batch)

    fail = _first(records, "fail")
    failed_trade = trades[fail["trade"]]
    step(3, "a fail and its penalty",
         f"an instruction not settled by its settle-by time fails; each day it stays failed, the party that did not "
         f"deliver or pay owes a cash penalty of {terms['fail_penalty_bp']:g} basis point of the trade's value "
         "(CSDR cash penalties, Commission Delegated Regulation (EU) 2017/389).",
         [f"Day {fail['t'] / 86_400:.2f}: instruction {fail['instruction']} ({failed_trade['shares']:,} tokens for "
          f"{_usd(failed_trade['cash_cents'])}) fails: {fail['failing_party']} did not deliver or pay; "
          f"penalty {_usd(fail['penalty_cents'])} for day {fail['fail_days']} of the fail."], fail)

    buy_in = _first(records, "buy_in")
    step(4, "a buy-in",
         f"a seller's fail still open after {terms['buy_in_after_days']} days is closed out: the tokens are bought "
         "for the buyer from a dealer at the market price (plus the dealer's premium), and the seller is charged "
         "what that cost above the trade's price (Reg SHO Rule 204(a)(1)).",
         [f"Day {buy_in['t'] / 86_400:.2f}: instruction {buy_in['instruction']} is bought in for {buy_in['buyer']}: "
          f"{buy_in['shares']:,} tokens, the seller {buy_in['seller']} charged {_usd(buy_in['cost_cents'])}."],
         buy_in)

    metrics = result.summary["metrics"]
    step(5, "the whole run",
         "every act of the run, refusals included, is a record of events.jsonl; report.html draws them.",
         [f"{metrics['instructions']:,} instructions, {metrics['settled']:,} settled, {metrics['fails']:,} fail-days, "
          f"{metrics['buy_ins']:,} buy-ins, penalties ${metrics['penalties_usd']:,.2f}.",
          f"Open {out_dir / 'report.html'} in a browser to see them all."], {"act": "report"})
    return demo


__all__ = ["SCENARIO", "SettlementDemo", "run"]
