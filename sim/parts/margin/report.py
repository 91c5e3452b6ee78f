"""Collateral and margin's sections of report.html, from the run's files alone.

- collateral required, siloed against cross-margined, over time (metrics.csv), with the
  peak and the final collateral freed labelled as what they are;
- each account's equity against its requirement, and the margin-event timeline (calls,
  calls met, liquidations, close-outs, shocks: events.jsonl);
- calls, liquidations, shortfall and the default fund; pledges and orders refused and why;
- the shocks, and every account at the end (summary.json).
"""

from __future__ import annotations

from typing import Any

from sim.report.page import Section, Table, esc, image, part_figure
from sim.report.plots import MARKERS, margin_figures
from sim.report.run_files import RunFiles

PART = "margin"

HEADLINE = (
    ("collateral_required_siloed", "collateral required, siloed: final, US$"),
    ("collateral_required_cross", "collateral required, cross-margined: final, US$"),
    ("collateral_freed", "collateral freed by cross-margining: final, US$"),
    ("collateral_required_siloed_peak", "collateral required, siloed: peak, US$"),
    ("margin_calls", "margin calls"),
    ("liquidations", "liquidations and close-outs"),
    ("shortfall", "shortfall charged, US$"),
    ("uncovered_shortfall", "shortfall the default fund did not cover, US$"),
)

CALLS = (
    ("margin_calls", "margin calls issued"),
    ("calls_met", "calls met"),
    ("top_ups", "top-ups with cash"),
    ("substitutions", "collateral substitutions"),
    ("liquidations", "liquidations (close-outs included)"),
    ("retail_close_outs", "retail close-outs"),
    ("shortfall", "shortfall charged, US$"),
    ("default_fund_used", "paid by the default fund, US$"),
    ("uncovered_shortfall", "left uncovered, US$"),
    ("debit_carried", "debit still owed, secured by collateral that could not be sold, US$"),
    ("defaults", "participants defaulted"),
)

REFUSALS = (
    ("concentration_refusals", "pledges refused: concentration limits"),
    ("stale_price_refusals", "acts refused: stale price"),
    ("leverage_refusals", "orders refused: retail leverage caps"),
    ("position_limit_refusals", "orders refused: position limits"),
    ("insufficient_margin_refusals", "acts refused: insufficient margin"),
    ("orders", "orders filled"),
    ("orders_refused", "orders refused"),
    ("price_rejections", "prices refused by the deviation guard"),
)

COLLATERAL = (
    ("collateral_required_siloed", "siloed: final"),
    ("collateral_required_siloed_peak", "siloed: peak"),
    ("collateral_required_cross", "cross-margined: final"),
    ("collateral_required_cross_peak", "cross-margined: peak"),
    ("collateral_freed", "freed by cross-margining: final (siloed minus cross at the last sample)"),
)


def headline(files: RunFiles) -> list[tuple[str, str]]:
    metrics = files.part_metrics(PART)
    return [(part_figure(files, PART, key), label) for key, label in HEADLINE if key in metrics]


def _table(files: RunFiles, metrics: dict[str, Any], items: tuple[tuple[str, str], ...], caption: str = "") -> Table:
    return Table(["", "value"], [[esc(label), part_figure(files, PART, key)] for key, label in items if key in metrics],
                 right={1}, caption=caption)


def plot_inputs(files: RunFiles) -> tuple[list[dict], list[dict], list[str]]:
    """What the margin plots draw, read from the files: the samples, the margin events and
    shocks of the log, the accounts (in the summary's order)."""
    events = []
    for e in files.events.where(acts={*MARKERS, "shock"}, outcome="ok"):
        if e["act"] in MARKERS:
            events.append({"t": e["t"], "act": e["act"], "account": e.get("account")})
        else:
            events.append({"t": e["t"], "act": "shock", "asset": e.get("asset"), "move_pct": e.get("move_pct")})
    accounts = list((files.part_metrics(PART).get("accounts") or {}))
    return files.rows, events, accounts


def sections(files: RunFiles) -> list[Section]:
    metrics = files.part_metrics(PART)
    collateral, equity, timeline = margin_figures(*plot_inputs(files))
    first = Section("Margin: collateral required, siloed vs cross-margined", "margin")
    first.add(image(collateral, "collateral required siloed and cross-margined over time, peak and final freed"),
              _table(files, metrics, COLLATERAL, "Collateral required, US$ (summary.json)"))
    shocks = metrics.get("shocks") or []
    if shocks:
        table = Table(["day", "asset", "move %", "siloed before", "siloed after", "cross before", "cross after"],
                      caption="Shocks and the collateral required around them, US$", right={0, 2, 3, 4, 5, 6})
        for i, _shock in enumerate(shocks):
            table.rows.append([part_figure(files, PART, "shocks", i, key) for key in (
                "day", "asset", "move_pct", "collateral_required_siloed_before", "collateral_required_siloed_after",
                "collateral_required_cross_before", "collateral_required_cross_after")])
        first.add(table)
    second = Section("Margin: accounts, calls and liquidations", "margin-accounts")
    second.add(image(equity, "each account's equity against its requirement"),
               image(timeline, "margin calls, calls met, liquidations and close-outs by account"),
               _table(files, metrics, CALLS, "Calls, liquidations and shortfall"))
    accounts = metrics.get("accounts") or {}
    if accounts:
        book = Table(["account", "equity", "initial (own method)", "siloed", "cross-margined"], right={1, 2, 3, 4},
                     caption="Accounts at the end, US$")
        for name, row in accounts.items():
            if row is None:
                book.rows.append([esc(name), "stale price", "", "", ""])
            else:
                book.rows.append([esc(name), *(part_figure(files, PART, "accounts", name, key) for key in
                                               ("equity", "initial", "siloed_initial", "portfolio_initial"))])
        second.add(book)
    third = Section("Margin: refusals", "margin-refusals")
    pledges_refused = sum(1 for _ in files.events.where(acts={"pledge"}, outcome="refused"))
    third.add(_table(files, metrics, REFUSALS),
              Table(["", "value"], [["pledges refused (counted from events.jsonl)", f"{pledges_refused:,}"]], right={1}))
    errors = metrics.get("refusals_by_error") or {}
    if errors:
        third.add(Table(["contract error", "refusals"], [
            [f"<code>{esc(error)}</code>", part_figure(files, PART, "refusals_by_error", error)]
            for error in sorted(errors, key=lambda e: (-errors[e], e))], right={1}))
    return [first, second, third]


__all__ = ["HEADLINE", "headline", "plot_inputs", "sections"]
