"""The token safe harbor, narrated: the clock, the exit report, the reclassification and
what it switches on and off.

The demo plays the shipped scenario ``safe_harbor_fails`` (a concentrated launch under the
safe harbor; three years later its exit report fails and the token becomes a security),
then tells, one step at a time, what the rule is, what the chain did and why:

1. the clock: the notice of reliance starts the exemption, and its three years run from the notice;
2. sales under the exemption, with their disclosures;
3. the exit report: each maturity measure against its threshold, and the class that follows;
4. what the reclassification switches on (the security's rules: accredited buyers only, a
   lock-up) and off (venues that may not trade a security);
5. the report.

Every figure it tells is a record of the run's ``events.jsonl`` or its summary.json.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from sim.calendar import add_months, timestamp
from sim.demos._narration import DAY, Narration, day, play

SCENARIO = "safe_harbor_fails"


def run(out_dir: Path, console: Console | None = None, pause: Callable[[], None] | None = None) -> Narration:
    """Play the scenario into ``out_dir`` (an earlier demo's files there replaced) and
    narrate it; ``pause`` is called between steps."""
    demo = play(SCENARIO, out_dir, console, pause)
    metrics = demo.summary["metrics"]

    notice, first_sale = demo.first("file_notice"), demo.first("sale")
    filed = timestamp(notice["time"])
    ends = (add_months(filed, notice["window_months"]) - (filed - notice["t"])) / DAY
    demo.step("the clock",
              "a developer that files a notice of reliance may sell the token as an exempt network token for three "
              "years from the notice, while it builds a decentralised network (Token Safe Harbor Proposal 2.0); "
              "its exit report is due by the end of those three years.",
              [f"{day(notice)}: the developer files its notice of reliance: relief for {notice['window_months']} "
               f"calendar months, to day {ends:g}.",
               f"{day(first_sale)}: the first sale, {first_sale['tokens']:,} tokens to {first_sale['buyer']} at "
               f"${first_sale['price_usd']:g}."], notice)

    sales = [r for r in demo.records if r["act"] == "sale" and r["outcome"] == "ok"]
    disclosures = metrics["disclosures"]
    demo.step("sales under the exemption",
              "while the window runs the developer sells within the exemption's terms and updates its disclosures "
              "every six months; a missed update pauses its sales.",
              [f"{len(sales):,} sales raised ${metrics['raised_usd']:,.2f}; {disclosures['updates']} disclosure "
               f"updates, {disclosures['missed']} missed."], {"act": "sale", "count": len(sales)})

    report = demo.first("exit_report")
    exit_report = metrics["exit"]
    told = [f"{day(report)}: the developer files its exit report; the regulator's tests:"]
    for name, test in exit_report["tests"].items():
        told.append(f"  {name}: measured {test['measured']:,} against {test['limit']}: "
                    f"{'passed' if test['passed'] else 'FAILED'}")
    told.append(f"Outcome: {exit_report['outcome']}; the token is now a {exit_report['class'].replace('_', ' ')}.")
    demo.step("the exit report",
              "at the window's end the network's maturity is measured on chain (concentration of holdings, the "
              "team's share, independent holders, venues); a network that fails the tests becomes a security.",
              told, report)

    routes = metrics["routes"].get(exit_report["class"], [])
    refused = next((r for r in demo.records if r["outcome"] == "refused" and r["t"] > report["t"]
                    and r.get("error") == "InvestorNotAccredited"), None)
    delisted = [r for r in demo.records if r["act"] == "delist" and r["outcome"] == "ok"]
    events = [(r["t"], f"{day(r)}: {r['venue']} may not trade a {r['asset_class'].replace('_', ' ')} and delists it.")
              for r in delisted]
    if refused is not None:
        events.append((refused["t"], f"{day(refused)}: {refused['buyer']} is refused a purchase: {refused['reason']} "
                                     f"({refused['error']}, restriction code {refused['code']})."))
    told = [f"Switched on, from that block: {', '.join(routes) or 'no module'} (the class routes them).",
            *(line for _, line in sorted(events))]
    locked = metrics["locked_in"]
    told.append(f"At the end {locked['holders']:,} holders cannot sell {locked['tokens']:,} tokens "
                f"({', '.join(f'{k} {v:,}' for k, v in locked['by_reason'].items())}).")
    demo.step("what the reclassification switches on and off",
              "a class decides which compliance modules apply and which venues may list the token; a "
              "reclassification changes both in the block it happens.",
              told, {"act": "reclassification", "routes": routes, "delisted": [r["venue"] for r in delisted]})
    demo.report_step()
    return demo


__all__ = ["SCENARIO", "run"]
