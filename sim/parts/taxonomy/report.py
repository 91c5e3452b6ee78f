"""The taxonomy's sections of report.html, from the run's files alone.

- the class history (each class, when, by whom);
- network maturity over time (metrics.csv), the exit report's thresholds drawn on it, and
  its tests, each measure against its threshold;
- venue shares of the token's volume by month against the fair-access threshold, and the
  fair-access duties that followed;
- trades by class, exemption refusals, refunds, and who is locked in at the end.
"""

from __future__ import annotations

from typing import Any

from sim.report.page import Section, Table, esc, image, part_figure
from sim.report.plots import taxonomy_figures
from sim.report.run_files import RunFiles
from sim.rules import ATS_FAIR_ACCESS_SHARE_BPS

PART = "taxonomy"
DAY = 86_400

MEASURES = {
    "top10_share_pct": "top-10 holders' share %",
    "hhi": "Herfindahl-Hirschman index",
    "developer_share_pct": "developer team share %",
    "independent_holders": "independent holders",
    "venues": "venues trading it",
}


def headline(files: RunFiles) -> list[tuple[str, str]]:
    metrics = files.part_metrics(PART)
    cards = []
    history = metrics.get("classification_history") or []
    if history:
        cards.append((part_figure(files, PART, "classification_history", len(history) - 1, "class"),
                      "the token's class at the end"))
    if metrics.get("exit"):
        cards.append((part_figure(files, PART, "exit", "outcome"), "exit report's outcome"))
    if "raised_usd" in metrics:
        cards.append((part_figure(files, PART, "raised_usd"), "raised under the safe harbor, US$"))
    if "exemption_refusals" in metrics:
        cards.append((part_figure(files, PART, "exemption_refusals", "total"), "refusals under the exemption's terms"))
    if metrics.get("locked_in"):
        cards.append((part_figure(files, PART, "locked_in", "holders"), "holders locked in at the end"))
    return cards


def _limits(metrics: dict[str, Any]) -> dict[str, float]:
    """The exit report's thresholds by measure, as numbers (``"<= 50"`` is 50)."""
    exit_report = metrics.get("exit") or {}
    return {name: float(str(test["limit"]).split()[-1]) for name, test in (exit_report.get("tests") or {}).items()}


def plot_inputs(files: RunFiles) -> tuple[list[dict], list[dict], list[dict], float, dict[str, float]]:
    """What the taxonomy plots draw, read from the files: samples, venue shares by month,
    the reclassifications and missed disclosures, the fair-access threshold in force, the
    exit report's thresholds."""
    metrics = files.part_metrics(PART)
    events: list[dict[str, Any]] = [
        {"day": entry["day"], "kind": "reclassified", "class": entry["class"]}
        for entry in (metrics.get("classification_history") or [])[1:]
    ]
    events += [{"day": e["t"] / DAY, "kind": "missed"} for e in files.events.where(acts={"disclosure_missed"}, outcome="ok")]
    rule = next((e["rule"] for e in files.events.where(acts={"assess_fair_access"}) if "rule" in e), None)
    threshold = rule["share_pct"] if rule else ATS_FAIR_ACCESS_SHARE_BPS / 100
    return files.rows, metrics.get("venue_shares") or [], events, threshold, _limits(metrics)


def sections(files: RunFiles) -> list[Section]:
    metrics = files.part_metrics(PART)
    maturity, venues = taxonomy_figures(*plot_inputs(files))
    fig = lambda *keys: part_figure(files, PART, *keys)  # noqa: E731

    classes = Section("Taxonomy: the token's class", "taxonomy")
    history = Table(["day", "time (UTC)", "class", "by"], right={0}, caption="Class history")
    for i, _ in enumerate(metrics.get("classification_history") or []):
        history.rows.append([fig("classification_history", i, "day"), fig("classification_history", i, "time"),
                             fig("classification_history", i, "class"), fig("classification_history", i, "by")])
    classes.add(history)
    trades = Table(["class at the time", "trades settled", "trades refused"], right={1, 2},
                   caption="Trades by the token's class at the time")
    for name, counts in (metrics.get("trades_by_class") or {}).items():
        trades.rows.append([esc(name), *(fig("trades_by_class", name, k) if k in counts else "0"
                                         for k in ("settled", "refused"))])
    classes.add(trades)

    maturity_section = Section("Taxonomy: network maturity", "maturity")
    maturity_section.add(image(maturity, "concentration of holdings and independent holders over time"))
    exit_report = metrics.get("exit")
    if exit_report:
        tests = Table(["maturity measure", "measured", "threshold", "passed"], right={1, 2},
                      caption=f"Exit report, day {exit_report['day']:g}: {exit_report['outcome']} -> "
                              f"{exit_report['class']}")
        for name in exit_report["tests"]:
            tests.rows.append([esc(MEASURES.get(name, name)), fig("exit", "tests", name, "measured"),
                               fig("exit", "tests", name, "limit"), fig("exit", "tests", name, "passed")])
        maturity_section.add(tests)
    final = (metrics.get("maturity_measures") or {}).get("final")
    if final:
        maturity_section.add(Table(["maturity measure", "at the end"], [
            [esc(MEASURES.get(name, name)), fig("maturity_measures", "final", name)] for name in final
        ], right={1}))

    venue_section = Section("Taxonomy: venues and fair access", "venues")
    venue_section.add(image(venues, "each venue's share of the token's volume by month, against the threshold"))
    flags = metrics.get("fair_access_flags") or []
    if flags:
        table = Table(["venue", "month", "day", "duty", "months at the threshold"], right={2, 4},
                      caption="Fair-access duties assessed on chain")
        for i, _ in enumerate(flags):
            table.rows.append([fig("fair_access_flags", i, k) for k in ("venue", "month", "day", "duty",
                                                                          "months_at_threshold")])
        venue_section.add(table)
    else:
        venue_section.add('<p class="note">No ATS took on or lost the fair-access duty.</p>')
    listed = metrics.get("listed_venues")
    if listed is not None:
        venue_section.add(f'<p>Listed at the end: {esc(", ".join(listed) or "none")}.</p>')

    exemption = Section("Taxonomy: the exemption and who is locked in", "exemption")
    rows = []
    if "exemption_refusals" in metrics:
        rows.append(["refusals under the exemption's terms", fig("exemption_refusals", "total")])
        rows += [[f"<code>{esc(k)}</code>", fig("exemption_refusals", k)] for k in metrics["exemption_refusals"]
                 if k != "total"]
    if "raised_usd" in metrics:
        rows.append(["raised, US$", fig("raised_usd")])
        rows += [[f"disclosures: {esc(k)}", fig("disclosures", k)] for k in metrics["disclosures"]]
        rows += [[f"refunds: {esc(k)}", fig("refunds", k)] for k in metrics["refunds"]]
    if rows:
        exemption.add(Table(["", "value"], rows, right={1}))
    locked = metrics.get("locked_in")
    if locked:
        exemption.add(Table(["", "value"], [
            ["holders who cannot sell what they hold", fig("locked_in", "holders")],
            ["tokens they hold", fig("locked_in", "tokens")],
            ["sellers refused after the reclassification", fig("locked_in", "sellers_refused_after_reclassification")],
        ], right={1}))
        if locked["largest"]:
            largest = Table(["holder", "type", "tokens", "why", "sells refused"], right={2, 4},
                            caption="The largest holders locked in")
            for i, _ in enumerate(locked["largest"]):
                largest.rows.append([fig("locked_in", "largest", i, k) for k in ("holder", "type", "tokens",
                                                                               "reason", "sells_refused")])
            exemption.add(largest)
    errors = metrics.get("refusals_by_error") or {}
    if errors:
        exemption.add(Table(["contract error", "refusals"], [
            [f"<code>{esc(e)}</code>", fig("refusals_by_error", e)] for e in sorted(errors, key=lambda e: (-errors[e], e))
        ], right={1}))
    return [classes, maturity_section, venue_section, exemption]


__all__ = ["headline", "plot_inputs", "sections"]
