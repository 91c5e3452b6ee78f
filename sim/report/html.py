"""``report.html``: a run's report, one self-contained page built from its files alone.

The page is a function of the run directory's ``summary.json``, ``metrics.csv`` and
``events.jsonl`` (``sim.report.run_files``) and of nothing else, so the same run gives the
same bytes, and ``tokensim report RUN_DIR`` rebuilds it any time::

    write_report(Path("runs/reg_d_506b_lifecycle-seed506"))   # -> .../report.html

What it shows, top to bottom:

- the outcome: done, or failed / interrupted with the reason and the day reached;
- the scenario at a glance: seed, backend, start, days, events, state digest, the rules in
  force and their sources (``sim.report.rules_in_force``);
- headline metrics, each part's own;
- one section per part the run played (``Part.report_sections``): its plots over time and
  tables, every number taken from summary.json (``sim.report.page.figure``) or counted from
  the event log and labelled so;
- every scalar metric of the summary, and the events table, filterable by actor, act and
  outcome (a small script in the page; it loads nothing from elsewhere).

The events table holds every record that is not ``ok`` and the first ``ok`` ones up to
``MAX_EVENTS`` in all, so a long run's page stays a few megabytes; the note above it says
how many of the log's records it holds.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterable
from itertools import islice
from pathlib import Path
from typing import Any

from sim.report.page import Section, Table, document, esc, events_block, figure, pointer
from sim.report.rules_in_force import rules_in_force
from sim.report.run_dir import write_whole
from sim.report.run_files import EventLog, RunFiles, read_run

REPORT_FILE = "report.html"
MAX_EVENTS = 20_000
"""At most this many records in the page's events table (every record that is not ``ok`` first)."""
DETAIL_CHARS = 240
"""A record's details (its fields beyond seq, time, actor, act and outcome) are cut to this length."""
COMMON = ("seq", "t", "time", "actor", "act", "outcome")
_compact = json.JSONEncoder(separators=(",", ":")).encode  # json.dumps(v, separators=...), one encoder


def build_report(files: RunFiles) -> str:
    """The report page of the run whose files are ``files``."""
    from sim.parts import PARTS

    summary = files.summary
    sections = [_outcome(files), _at_a_glance(files), _headline(files)]
    for name in files.parts:
        part = PARTS.get(name)
        if part is not None:
            sections.extend(part.report_sections(files))
    sections += [_all_metrics(files), _events(files)]
    days = f"{summary['sim_days']:g}"
    subtitle = (f"{esc(summary['status'])} after {esc(days)} simulated days; seed "
                f"{esc(summary['seed'])} on {esc(summary['backend'])}; {esc(' + '.join(files.parts))}")
    return document(f"tokensim report: {summary['scenario']}", subtitle, sections)


def write_report(run_dir: str | Path) -> Path:
    """Build the report of the run in ``run_dir`` and write it there as report.html, whole
    (through a temporary file renamed over it). Returns its path.

    Raises:
        RunFilesError: a file of the run is missing or malformed; nothing is written then.
    """
    run_dir = Path(run_dir)
    text = build_report(read_run(run_dir))
    path = run_dir / REPORT_FILE
    write_whole(path, text)
    return path


# ------------------------------------------------------------------- sections


def _outcome(files: RunFiles) -> Section:
    summary = files.summary
    status = str(summary["status"])
    days = figure(pointer("sim_days"), summary["sim_days"], f"{summary['sim_days']:g}")
    if status == "done":
        text = f"The run is done: it simulated all {days} days."
    else:
        reason = esc(summary.get("reason", "no reason recorded"))
        verb = "was interrupted" if status == "interrupted" else status
        text = (f"The run {esc(verb)} at day {days}: {reason}. The figures below are those of the run so far: "
                "the events up to that moment, the samples taken, the summary written then.")
    section = Section("Outcome", "outcome")
    section.add(f'<div class="banner {esc(status) if status in ("done", "failed", "interrupted") else "failed"}">'
                f"{text}</div>")
    return section


def _at_a_glance(files: RunFiles) -> Section:
    summary = files.summary
    section = Section("The scenario at a glance", "glance")
    rows = [
        ["scenario", figure(pointer("scenario"), summary["scenario"])],
        ["parts played", esc(", ".join(files.parts))],
        ["seed", figure(pointer("seed"), summary["seed"], str(summary["seed"]))],
        ["chain backend", figure(pointer("backend"), summary["backend"])],
        ["start (UTC)", figure(pointer("start"), summary["start"])],
        ["simulated days", figure(pointer("sim_days"), summary["sim_days"], f"{summary['sim_days']:g}")],
        ["events recorded", figure(pointer("events"), summary["events"])],
    ]
    if "state_digest" in summary:
        rows.append(["final state digest", f"<code>{figure(pointer('state_digest'), summary['state_digest'])}</code>"])
    for name, version in (summary.get("versions") or {}).items():
        rows.append([f"version of {esc(name)}", figure(pointer("versions", name), version)])
    section.add(Table(["", ""], rows))
    rules = rules_in_force(files)
    if rules:
        section.add("<h3>Rules in force</h3>", Table(
            ["part", "rule", "settings", "source"],
            [[esc(r.part), f"<code>{esc(r.rule)}</code>", esc(r.settings), esc(r.source)] for r in rules],
        ), '<p class="note">Every default tokensim takes, with its value and citation: docs/rules.md.</p>')
    return section


def _headline(files: RunFiles) -> Section:
    from sim.parts import PARTS

    section = Section("Headline metrics", "headline")
    cards = []
    for name in files.parts:
        part = PARTS.get(name)
        if part is None:
            continue
        for key, label in part.headline(files):
            cards.append(f'<div class="card">{key}<span class="label">{esc(label)}</span></div>')
    section.add(f'<div class="cards">{"".join(cards)}</div>' if cards else '<p class="note">no metrics</p>')
    return section


def _leaves(value: Any, keys: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], Any]]:
    if isinstance(value, dict):
        return [leaf for key, inner in value.items() for leaf in _leaves(inner, (*keys, key))]
    if isinstance(value, list):
        return []  # lists are shown by the parts' own tables
    return [(keys, value)]


def _all_metrics(files: RunFiles) -> Section:
    section = Section("Every metric of the summary", "metrics")
    leaves = _leaves(files.metrics, ())
    table = Table(["metric", "value"], [[esc(" / ".join(map(str, keys))), figure(pointer("metrics", *keys), value)]
                                       for keys, value in leaves], right={1})
    section.add(f"<details><summary>{len(leaves):,} values from summary.json (lists are in the sections "
                f"above)</summary>{table.html()}</details>")
    return section


def event_rows(events: Iterable[dict[str, Any]], limit: int = MAX_EVENTS) -> list[list[Any]]:
    """The rows of the events table: every record that is not ``ok`` and the first ``ok``
    ones, ``limit`` in all at most, in the log's order; each ``[seq, time, actor, act,
    outcome, details]``."""
    log = events if isinstance(events, EventLog) else None
    if log is not None:  # two streams merged in the log's order, the lines not needed never decoded
        others = sum(1 for _ in log.not_ok())
        ok = islice(log.where(outcome="ok"), max(0, limit - others))
        chosen: Iterable[dict[str, Any]] = heapq.merge(ok, log.not_ok(), key=lambda r: r["seq"])
    else:
        records = list(events)
        others = sum(1 for e in records if e["outcome"] != "ok")
        room = max(0, limit - others)
        chosen = [e for e in records if e["outcome"] != "ok" or (room := room - 1) >= 0]
    rows = []
    for record in islice(chosen, limit):
        detail = ", ".join(f"{k}={_compact(v)}" for k, v in record.items() if k not in COMMON)
        if len(detail) > DETAIL_CHARS:
            detail = detail[: DETAIL_CHARS - 1] + "…"
        rows.append([record["seq"], record.get("time", ""), record["actor"], record["act"], record["outcome"], detail])
    return rows


def _events(files: RunFiles) -> Section:
    rows = event_rows(files.events)
    total = len(files.events)
    if len(rows) == total:
        note = f"All {total:,} records of events.jsonl."
    else:
        note = (f"{len(rows):,} of the {total:,} records of events.jsonl: every record that is not ok, and the first "
                "ok ones; the file has them all.")
    return Section("Events", "events").add(events_block(rows, esc(note)))


__all__ = ["MAX_EVENTS", "REPORT_FILE", "build_report", "event_rows", "write_report"]
