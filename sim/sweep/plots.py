"""The distributions of a sweep's headline metrics at each grid point: percentiles and plots.

Each part names the metrics a sweep over it is usually about (``HEADLINE``): fails and
refusals for the securities lifecycle, shortfall and liquidations for margin, money raised
and holders locked in for the taxonomy. For each such metric the table has, at each grid
point, over its ``done`` runs (a failed run's metrics stop where it failed, so they are
left out; ``runs`` counts those used), the 5th, 25th, 50th, 75th and 95th percentiles
(``numpy.percentile``, linear interpolation) and the mean: ``percentiles.csv``, and one plot
per metric, ``plots/<metric>.png``, a box per grid point drawn from those very percentiles
(the box from the 25th to the 75th, the line at the median, whiskers at the 5th and 95th)
over the runs' values as dots.

The PNGs are drawn on ``Figure`` objects with the Agg renderer (no pyplot, no global
state), at a fixed size and dpi and without a "Software" entry, so the same table draws
the same bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.sweep.definition import Sweep

if TYPE_CHECKING:
    import pandas as pd

HEADLINE: dict[str, tuple[str, ...]] = {
    "securities": ("fails", "refusals", "penalties_usd", "buy_ins"),
    "margin": ("shortfall", "liquidations", "retail_close_outs", "margin_calls"),
    "taxonomy": ("raised_usd", "exemption_refusals.total", "locked_in.holders"),
}
"""Each part's headline metrics, as the table names them (a name two parts report is
qualified by the part: ``margin.orders``)."""

PERCENTILES = (5, 25, 50, 75, 95)
DPI = 100


def headline(sweep: Sweep, table: pd.DataFrame) -> list[str]:
    """The table's columns holding the headline metrics of the scenario's parts."""
    found = []
    for part in sweep.scenario.parts:
        for name in HEADLINE.get(part, ()):
            for column in (name, f"{part}.{name}"):
                if column in table.columns and column not in found:
                    found.append(column)
                    break
    return found


def percentiles(sweep: Sweep, table: pd.DataFrame) -> pd.DataFrame:
    """One row per grid point and headline metric: the grid values, ``metric``, ``runs``
    (done runs with a value), the percentiles ``p5`` ... ``p95`` and ``mean``."""
    import numpy as np
    import pandas as pd

    records = []
    metrics = headline(sweep, table)
    for point in sweep.points:
        done = table[(table["grid"] == point.index) & (table["status"] == "done")]
        for metric in metrics:
            values = pd.to_numeric(done[metric], errors="coerce").dropna().to_numpy(dtype=float)
            record: dict[str, Any] = {"grid": point.index, **point.values, "metric": metric, "runs": len(values)}
            shown = np.percentile(values, PERCENTILES) if len(values) else [float("nan")] * len(PERCENTILES)
            record.update({f"p{p}": float(v) for p, v in zip(PERCENTILES, shown, strict=True)})
            record["mean"] = float(values.mean()) if len(values) else float("nan")
            records.append(record)
    columns = ["grid", *sweep.grid, "metric", "runs", *(f"p{p}" for p in PERCENTILES), "mean"]
    return pd.DataFrame.from_records(records, columns=columns)


def point_label(sweep: Sweep, index: int) -> str:
    """A grid point as a short label: ``g1: move_pct=-40`` (each field by its last name)."""
    values = sweep.point(index).values
    if not values:
        return f"g{index}"
    return f"g{index}: " + ", ".join(f"{field.rsplit('.', 1)[-1]}={value}" for field, value in values.items())


def write_plots(sweep: Sweep, table: pd.DataFrame, out: Path) -> list[Path]:
    """``plots/<metric>.png`` for each headline metric; return their paths."""
    import numpy as np
    import pandas as pd
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    plots = out / "plots"
    written = []
    spread = percentiles(sweep, table)
    for metric in headline(sweep, table):
        width = max(6.0, 1.3 * len(sweep.points) + 2)
        figure = Figure(figsize=(width, 4.5), dpi=DPI)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        positions = list(range(1, len(sweep.points) + 1))
        boxes = []
        for position, point in zip(positions, sweep.points, strict=True):
            stats = spread[(spread["grid"] == point.index) & (spread["metric"] == metric)].iloc[0]
            if stats["runs"] == 0:
                continue
            boxes.append({"med": stats["p50"], "q1": stats["p25"], "q3": stats["p75"], "whislo": stats["p5"],
                          "whishi": stats["p95"], "fliers": [], "position": position})
            done = table[(table["grid"] == point.index) & (table["status"] == "done")]
            values = pd.to_numeric(done[metric], errors="coerce").dropna().to_numpy(dtype=float)
            offsets = np.linspace(-0.18, 0.18, len(values)) if len(values) > 1 else np.zeros(len(values))
            axes.scatter(position + offsets, values, s=10, color="tab:blue", alpha=0.6, zorder=3)
        if boxes:
            axes.bxp(boxes, positions=[b.pop("position") for b in boxes], widths=0.5, showfliers=False,
                     medianprops={"color": "tab:red"})
        else:
            axes.text(0.5, 0.5, "no done runs", ha="center", va="center", transform=axes.transAxes)
        many = len(positions) > 3
        axes.set_xticks(positions, [point_label(sweep, p.index) for p in sweep.points],
                        rotation=20 if many else 0, ha="right" if many else "center")
        axes.set_xlim(0.4, len(positions) + 0.6)
        axes.set_ylabel(metric)
        runs = len(sweep.seeds)
        axes.set_title(f"{sweep.name}: {metric}, {runs} seed{'s' if runs != 1 else ''} per grid point\n"
                       "box 25th-75th percentile, red line median, whiskers 5th-95th, dots the runs", fontsize=9)
        axes.grid(axis="y", alpha=0.3)
        figure.tight_layout()
        plots.mkdir(parents=True, exist_ok=True)
        path = plots / f"{metric}.png"
        figure.savefig(path, dpi=DPI, format="png", metadata={"Software": None})
        written.append(path)
    return written


__all__ = ["HEADLINE", "PERCENTILES", "headline", "percentiles", "point_label", "write_plots"]
