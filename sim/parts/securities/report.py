"""The securities lifecycle's sections of report.html, from the run's files alone.

- holders, supply, price and volume over time (metrics.csv);
- the offering and distributions;
- refusals by reason, with the restriction code and contract error each carried
  (the counts from summary.json, the codes from the event log), and over time;
- settlement: instructions, settled, fails, penalties, buy-ins, and the batches netted;
- custody: each custodian's reconciliations and breaks (from the event log).

Numbers from the event log are labelled so; every other number is summary.json's.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import numpy as np
from sim.report.page import Section, Table, esc, image, part_figure, plot_figure
from sim.report.run_files import RunFiles

PART = "securities"
DAY = 86_400

HEADLINE = (
    ("trades", "trades matched"),
    ("settled", "instructions settled (DvP)"),
    ("fails", "settlement fails (fail-days)"),
    ("refusals", "acts refused by the rules"),
    ("holders", "holders of record at the end"),
    ("supply", "tokens in issue at the end"),
    ("price_usd", "last published price, US$"),
    ("penalties_usd", "fail penalties charged, US$"),
)

OFFERING = (
    ("subscriptions", "subscriptions taken"),
    ("subscriptions_refused", "subscriptions refused"),
    ("minted_shares", "tokens minted to investors"),
    ("orders", "orders placed"),
    ("orders_refused", "orders refused (at the venue or by the rules)"),
    ("dividends_usd", "dividends paid, US$"),
    ("coupons_usd", "coupons paid, US$"),
    ("redeemed_usd", "redeemed at maturity, US$"),
    ("section_12g_flag", "Section 12(g) holder flag raised"),
)

SETTLEMENT = (
    ("instructions", "DvP instructions"),
    ("settled", "settled (an internal book transfer counts once)"),
    ("fails", "fails: one per instruction per day it failed"),
    ("failed_instructions", "instructions that failed at least once"),
    ("open_fails", "instructions still failing at the end"),
    ("penalties_usd", "fail penalties, US$"),
    ("buy_ins", "buy-ins"),
    ("buy_in_costs_usd", "buy-in costs, US$"),
    ("cancelled", "instructions cancelled"),
)


def headline(files: RunFiles) -> list[tuple[str, str]]:
    metrics = files.part_metrics(PART)
    return [(part_figure(files, PART, key), label) for key, label in HEADLINE if key in metrics]


def sections(files: RunFiles) -> list[Section]:
    metrics = files.part_metrics(PART)
    return [_market(files, metrics), _refusals(files, metrics), _settlement(files, metrics), _custody(files, metrics)]


def _figures_table(files: RunFiles, metrics: dict[str, Any], items: tuple[tuple[str, str], ...]) -> Table:
    return Table(["", "value"], [[esc(label), part_figure(files, PART, key)] for key, label in items if key in metrics],
                 right={1})


def _series(files: RunFiles, name: str) -> tuple[np.ndarray, np.ndarray] | None:
    column = files.column(name, PART)
    if column is None:
        return None
    days = np.array([row["t"] / DAY for row in files.rows], dtype=float)
    values = np.array([np.nan if row.get(column) is None else float(row[column]) for row in files.rows], dtype=float)
    return days, values


def _market(files: RunFiles, metrics: dict[str, Any]) -> Section:
    section = Section("Securities: holders, supply, price and volume", "securities")
    panels = (("holders", "holders of record"), ("supply", "tokens in issue"), ("price_usd", "published price, US$"),
              ("volume_shares", "tokens traded, cumulative"))
    fig = plot_figure(10, 6, rows=2, columns=2, top=0.7)
    fig.suptitle("Samples of metrics.csv over the run")
    for ax, (name, title) in zip(fig.subplots(2, 2, sharex=True).flat, panels, strict=True):
        ax.set_title(title, fontsize=10, y=1.0)  # y given: no search for ticks above the axes
        series = _series(files, name)
        if series is None or not len(series[0]):
            ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center", color="0.5")
            continue
        ax.plot(*series, color="tab:blue", drawstyle="steps-post")
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
    for ax in fig.axes[2:]:
        ax.set_xlabel("day")
    section.add(image(fig, "holders, supply, price and cumulative volume by day"))
    section.add("<h3>Offering and distributions</h3>", _figures_table(files, metrics, OFFERING))
    return section


def _codes_by_reason(files: RunFiles) -> dict[str, tuple[set[Any], set[str]]]:
    found: dict[str, tuple[set[Any], set[str]]] = defaultdict(lambda: (set(), set()))
    for record in files.events.where(outcome="refused"):
        codes, errors = found[record.get("reason", record["act"])]
        if "code" in record:
            codes.add(record["code"])
        if "error" in record:
            errors.add(record["error"])
    return found


def _refusals(files: RunFiles, metrics: dict[str, Any]) -> Section:
    section = Section("Securities: refusals by reason", "refusals")
    reasons = metrics.get("refusals_by_reason") or {}
    if not reasons:
        return section.add('<p class="note">No act was refused.</p>')
    codes = _codes_by_reason(files)
    table = Table(["reason", "restriction code", "contract error", "refusals"], right={3})
    for reason, _count in sorted(reasons.items(), key=lambda item: (-item[1], item[0])):
        code, errors = codes.get(reason, (set(), set()))
        table.rows.append([esc(reason), esc(", ".join(map(str, sorted(code))) or "-"),
                           esc(", ".join(sorted(errors)) or "-"), part_figure(files, PART, "refusals_by_reason", reason)])
    section.add(table, '<p class="note">Restriction codes are the ERC-1404 codes the token returned '
                       "(a refusal without one came from the venue or the clearing agent, not the token).</p>")
    fig = plot_figure(10, 4.5)
    ax = fig.add_subplot()
    ax.set_title("Refusals by reason over time (cumulative, from events.jsonl)", y=1.0)
    ax.set_xlabel("day")
    ax.set_ylabel("refusals")
    end = files.summary["sim_days"]
    days_of: dict[str, list[float]] = defaultdict(list)
    for e in files.events.where(outcome="refused"):  # one pass for every reason
        days_of[e.get("reason", e["act"])].append(e["t"] / DAY)
    for reason in sorted(reasons, key=lambda r: (-reasons[r], r)):
        days = days_of.get(reason)
        if not days:
            continue
        code = codes.get(reason, (set(), set()))[0]
        label = (f"[{', '.join(map(str, sorted(code)))}] " if code else "") + reason
        ax.step([0, *days, end], [0, *range(1, len(days) + 1), len(days)], where="post", label=label[:70])
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    section.add(image(fig, "cumulative refusals by reason over time"))
    return section


def _settlement(files: RunFiles, metrics: dict[str, Any]) -> Section:
    section = Section("Securities: settlement", "settlement")
    section.add(_figures_table(files, metrics, SETTLEMENT))
    batches = list(files.events.where(acts={"settle_batch"}, outcome="ok"))
    if batches:
        netted = [b for b in batches if b.get("netted")]
        instructed = sum(b.get("instructions", 0) for b in netted)
        transfers = sum(b.get("transfers", 0) for b in netted)
        section.add("<h3>Settlement cycles (counted from events.jsonl)</h3>", Table(["", "value"], [
            ["settlement cycles run", f"{len(batches):,}"],
            ["of them netted", f"{len(netted):,}"],
            ["instructions in netted cycles", f"{instructed:,}"],
            ["token and cash transfers those cycles made", f"{transfers:,}"],
        ], right={1}))
    fig = plot_figure(10, 3.8)
    ax = fig.add_subplot()
    ax.set_title("Settled instructions and fails over time (cumulative, metrics.csv)", y=1.0)
    ax.set_xlabel("day")
    drawn = False
    for name, colour in (("settled", "tab:green"), ("fails", "tab:red")):
        series = _series(files, name)
        if series is not None and len(series[0]):
            ax.plot(*series, color=colour, drawstyle="steps-post", label=name)
            drawn = True
    buy_ins = [e["t"] / DAY for e in files.events.where(acts={"buy_in"}, outcome="ok")]
    for i, day in enumerate(buy_ins):
        ax.axvline(day, color="black", linestyle=":", linewidth=1, label="buy-in" if i == 0 else None)
    if drawn:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")
        section.add(image(fig, "cumulative settled instructions and fails, with buy-ins"))
    return section


def _custody(files: RunFiles, metrics: dict[str, Any]) -> Section:
    section = Section("Securities: custody reconciliation", "custody")
    if "reconciliation_breaks" in metrics:
        section.add(Table(["", "value"], [["reconciliation breaks (summary.json)",
                                           part_figure(files, PART, "reconciliation_breaks")]], right={1}))
    runs: Counter[str] = Counter()
    breaks: Counter[str] = Counter()
    resolved: Counter[str] = Counter()
    first_break: dict[str, float] = {}
    for e in files.events.where(acts={"reconcile", "resolve_break"}):
        if e["act"] == "reconcile" and e["actor"].startswith(("custodian:", "trustee:")):
            runs[e["actor"]] += 1
            if e["outcome"] == "break":
                breaks[e["actor"]] += 1
                first_break.setdefault(e["actor"], e["t"] / DAY)
        elif e["act"] == "resolve_break" and e["outcome"] == "ok":
            resolved[e["actor"]] += 1
    if not runs:
        return section.add('<p class="note">No custodian reconciled in this run (no custodian, or none '
                           "holding for clients).</p>")
    table = Table(["custodian", "reconciliations", "breaks", "breaks resolved", "first break (day)"],
                  caption="Each custodian's daily reconciliation of its sub-ledger against the chain "
                          "(counted from events.jsonl)", right={1, 2, 3, 4})
    for actor in sorted(runs):
        first = first_break.get(actor)
        table.rows.append([esc(actor), f"{runs[actor]:,}", f"{breaks[actor]:,}", f"{resolved[actor]:,}",
                           "-" if first is None else f"{first:.2f}"])
    return section.add(table)


__all__ = ["HEADLINE", "headline", "sections"]
