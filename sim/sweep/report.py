"""``sweep.html``: a sweep's report, one self-contained page in the sweep directory.

It shows what was swept (the scenario, the grid, the seeds, the backend), the
distribution of each headline metric at each grid point (the plot of ``plots/<metric>.png``
inline, and the percentiles of ``percentiles.csv``), the runs that failed and why, and
every run with its grid values, seed, status and headline metrics, linked to its own
``runs/<id>/report.html``. Written by ``sweep()`` after the table and the plots, from
them alone, so the same sweep writes the same bytes.
"""

from __future__ import annotations

import base64
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.report.page import Section, Table, document, esc
from sim.sweep.definition import Sweep
from sim.sweep.plots import PERCENTILES, headline, percentiles, point_label
from sim.sweep.sweep_dir import write_whole

if TYPE_CHECKING:
    import pandas as pd

REPORT_FILE = "sweep.html"


def _cell(value: Any) -> str:
    """A table value as the page shows it (``-`` for none or NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    try:
        import pandas as pd

        if pd.isna(value):
            return "-"
    except (TypeError, ValueError):
        pass
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def build_sweep_report(plan: Sweep, table: pd.DataFrame, out: Path) -> str:
    """The page of the sweep ``plan`` whose table is ``table`` and directory ``out``."""
    metrics = headline(plan, table)
    done = int((table["status"] == "done").sum())
    failed = len(table) - done
    sections = [_what(plan, table, done, failed), _distributions(plan, table, out, metrics),
                _failed(plan, table), _runs(plan, table, out, metrics)]
    subtitle = esc(f"{len(table)} runs: {done} done, {failed} failed; {len(plan.points)} grid point"
                   f"{'s' if len(plan.points) != 1 else ''} x {len(plan.seeds)} seed{'s' if len(plan.seeds) != 1 else ''}"
                   f" on {plan.backend}")
    return document(f"tokensim sweep: {plan.name}", subtitle, sections, script=False)


def write_sweep_report(plan: Sweep, table: pd.DataFrame, out: Path) -> Path:
    """Write ``out/sweep.html`` whole; return its path."""
    path = out / REPORT_FILE
    write_whole(path, build_sweep_report(plan, table, out))
    return path


def _what(plan: Sweep, table: pd.DataFrame, done: int, failed: int) -> Section:
    section = Section("The sweep", "sweep")
    rows = [["scenario", esc(plan.name)], ["backend", esc(plan.backend)],
            ["seeds per grid point", esc(", ".join(map(str, plan.seeds)))],
            ["runs", f"{len(table):,} ({done:,} done, {failed:,} failed)"]]
    section.add(Table(["", ""], rows))
    if plan.grid:
        points = Table(["grid point", *plan.grid], right=set(range(1, len(plan.grid) + 1)))
        for point in plan.points:
            points.rows.append([f"g{point.index}", *(esc(point.values[f]) for f in plan.grid)])
        section.add("<h3>Grid</h3>", points)
    return section


def _distributions(plan: Sweep, table: pd.DataFrame, out: Path, metrics: list[str]) -> Section:
    section = Section("Headline metrics by grid point", "distributions")
    if not metrics:
        return section.add('<p class="note">The scenario\'s parts have no headline metric in the table.</p>')
    spread = percentiles(plan, table)
    for metric in metrics:
        section.add(f"<h3>{esc(metric)}</h3>")
        png = out / "plots" / f"{metric}.png"
        if png.is_file():
            data = base64.b64encode(png.read_bytes()).decode("ascii")
            section.add(f'<figure><img alt="{esc(metric)} at each grid point: box 25th-75th percentile, median, '
                        f'whiskers 5th-95th, dots the runs" src="data:image/png;base64,{data}"></figure>')
        rows = spread[spread["metric"] == metric]
        shown = Table(["grid point", "done runs", *(f"p{p}" for p in PERCENTILES), "mean"],
                      right=set(range(1, len(PERCENTILES) + 3)), caption="percentiles.csv")
        for record in rows.to_dict("records"):
            shown.rows.append([esc(point_label(plan, record["grid"])), _cell(record["runs"]),
                               *(_cell(record[f"p{p}"]) for p in PERCENTILES), _cell(record["mean"])])
        section.add(shown)
    return section


def _link(out: Path, run_id: str) -> str:
    report = Path("runs") / run_id / "report.html"
    if (out / report).is_file():
        return f'<a href="{esc(report.as_posix())}">{esc(run_id)}</a>'
    return esc(run_id)


def _failed(plan: Sweep, table: pd.DataFrame) -> Section:
    section = Section("Failed runs", "failed")
    failed = table[table["status"] != "done"]
    if not len(failed):
        return section.add('<p class="note">No run failed.</p>')
    rows = Table(["run", "grid point", "seed", "status", "reason"], right={2})
    for record in failed.to_dict("records"):
        rows.rows.append([esc(record["run"]), esc(point_label(plan, record["grid"])), _cell(record["seed"]),
                          esc(record["status"]), esc(_cell(record["reason"]))])
    return section.add(rows, '<p class="note">Each failed run\'s directory keeps its events up to the failure '
                             "and a report saying why (linked from the table of runs).</p>")


def _runs(plan: Sweep, table: pd.DataFrame, out: Path, metrics: list[str]) -> Section:
    section = Section("Every run", "runs")
    columns = ["run (its report)", *plan.grid, "seed", "status", *metrics]
    rows = Table(columns, right=set(range(1, len(plan.grid) + 2)) | set(range(len(columns) - len(metrics), len(columns))))
    for record in table.to_dict("records"):
        rows.rows.append([_link(out, record["run"]), *(esc(_cell(record[f])) for f in plan.grid), _cell(record["seed"]),
                          esc(record["status"]), *(esc(_cell(record.get(m))) for m in metrics)])
    return section.add(rows)


__all__ = ["REPORT_FILE", "build_sweep_report", "write_sweep_report"]
