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
5. the run as a whole, and its report (``report.html``).

Every figure it tells is a record of the run's ``events.jsonl``; nothing is made up for the
story. In a terminal it waits for Enter between steps (``pause``); scripts pass none.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from sim.demos._narration import DAY, Narration, day, play, usd

SCENARIO = "custodian_omnibus_t1"


def run(out_dir: Path, console: Console | None = None, pause: Callable[[], None] | None = None) -> Narration:
    """Play the scenario into ``out_dir`` (an earlier demo's files there replaced) and
    narrate it; ``pause`` is called between steps."""
    demo = play(SCENARIO, out_dir, console, pause)
    terms = demo.first("deploy")["clearing"]
    trades = {r["trade"]: r for r in demo.records if r["act"] == "trade" and r["outcome"] == "ok"}

    first = demo.first("settle")
    trade = trades[first["trade"]]
    instructed = demo.first("instruct", instruction=first["instruction"])
    demo.step("delivery versus payment",
              f"a trade settles T+{terms['settlement_days']} (Exchange Act Rule 15c6-1): on the settlement date the "
              "tokens go to the buyer and the cash to the seller in one transaction, or nothing moves.",
              [f"{day(trade)}: trade {trade['trade']}, {trade['buyer']} buys {trade['shares']:,} tokens from "
               f"{trade['seller']} at {usd(trade['price_cents'])}, {usd(trade['cash_cents'])} in all.",
               f"The clearing agent instructs DvP instruction {instructed['instruction']}, to settle by day "
               f"{instructed['settle_by'] / DAY:.2f}; each side (or its custodian) affirms, and the tokens and the "
               "cash are put on hold in the parties' wallets.",
               f"{day(first)}: the cycle settles it: {first['shares']:,} tokens one way, {usd(first['cash_cents'])} "
               "the other, in the same transaction."], first)

    batch = demo.first("settle_batch", netted=True)
    demo.step("a netted cycle",
              "with netting, a cycle's instructions settle together: each party's tokens and cash move by its net "
              "position, so a party that buys and sells in one cycle moves only the difference.",
              [f"{day(batch)}: {batch['instructions']} instructions settled in one netted cycle with "
               f"{batch['transfers']} token and cash transfers."], batch)

    fail = demo.first("fail")
    failed_trade = trades[fail["trade"]]
    demo.step("a fail and its penalty",
              "an instruction not settled by its settle-by time fails; each day it stays failed, the party that did "
              f"not deliver or pay owes a cash penalty of {terms['fail_penalty_bp']:g} basis point of the trade's "
              "value (CSDR cash penalties, Commission Delegated Regulation (EU) 2017/389).",
              [f"{day(fail)}: instruction {fail['instruction']} ({failed_trade['shares']:,} tokens for "
               f"{usd(failed_trade['cash_cents'])}) fails: {fail['failing_party']} did not deliver or pay; "
               f"penalty {usd(fail['penalty_cents'])} for day {fail['fail_days']} of the fail."], fail)

    buy_in = demo.first("buy_in")
    demo.step("a buy-in",
              f"a seller's fail still open after {terms['buy_in_after_days']} days is closed out: the tokens are "
              "bought for the buyer from a dealer at the market price (plus the dealer's premium), and the seller "
              "is charged what that cost above the trade's price (Reg SHO Rule 204(a)(1)).",
              [f"{day(buy_in)}: instruction {buy_in['instruction']} is bought in for {buy_in['buyer']}: "
               f"{buy_in['shares']:,} tokens, the seller {buy_in['seller']} charged {usd(buy_in['cost_cents'])}."],
              buy_in)

    metrics = demo.summary["metrics"]
    demo.step("the whole run", "every instruction of the run ends settled, bought in or cancelled.",
              [f"{metrics['instructions']:,} instructions, {metrics['settled']:,} settled, {metrics['fails']:,} "
               f"fail-days, {metrics['buy_ins']:,} buy-ins, penalties ${metrics['penalties_usd']:,.2f}."],
              {"act": "summary"})
    demo.report_step()
    return demo


__all__ = ["SCENARIO", "run"]
