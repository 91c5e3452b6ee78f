"""Run plots. Margin: collateral by method, equity against requirement, the margin-event
timeline. Taxonomy: network maturity over time, venue shares of volume by month.

The collateral plot labels what each figure is: the peak of the collateral freed (where
it is widest) and the final figure (the last valued sample, summary.json's
``collateral_freed``).

Three PNGs drawn with matplotlib's Agg renderer on ``Figure`` objects (no pyplot, so no
global figure state). The files are deterministic: fixed size and dpi, and no "Software"
entry in the PNG metadata, so the same input writes the same bytes.

Input, as the engine samples it:

- ``rows``: one dict per sample with ``t`` (seconds from the start), ``collateral_required_siloed``
  and ``collateral_required_cross`` (US dollars) and, for every account ``a``, ``equity:a`` and
  ``requirement:a`` (US dollars, or ``None`` when a stale price left it unvalued: drawn as a gap).
- ``events``: dicts with ``t``, ``act`` (one of ``ACTS``), ``account`` (absent for a shock) and,
  for a shock, optionally ``asset`` and ``move_pct`` (in percent: -20 is -20%).

Taxonomy input (``write_taxonomy_plots``): ``rows`` with ``t``, ``top10_share_pct``,
``developer_share_pct``, ``hhi``, ``independent_holders``; ``venue_months`` with ``month``
(``YYYY-MM``), ``venue`` and ``share_pct``; ``events`` with ``day`` and ``kind``
(``reclassified``, with ``class``, or ``missed``: a missed disclosure).

Empty input still gives valid PNGs, each with a "no data" note.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import Formatter

DAY = 86_400
DPI = 100
MAX_PANELS = 12
PANEL_COLUMNS = 3

# act -> (legend label, marker, colour)
MARKERS: dict[str, tuple[str, str, str]] = {
    "margin_call": ("margin call", "v", "tab:orange"),
    "call_met": ("call met", "^", "tab:green"),
    "liquidation": ("liquidation", "X", "tab:red"),
    "close_out": ("close-out", "s", "black"),
}
ACTS = (*MARKERS, "shock")

FILES = ("collateral_by_method.png", "equity_vs_requirement.png", "margin_timeline.png")


def write_margin_plots(out_dir: Path, rows: list[dict], events: list[dict], accounts: list[str]) -> list[Path]:
    """Write the three margin plots into ``out_dir``; return their paths in the order of ``FILES``."""
    figures = margin_figures(rows, events, accounts)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return _save(out_dir, FILES, figures)


def margin_figures(rows: list[dict], events: list[dict], accounts: list[str]) -> tuple[Figure, Figure, Figure]:
    """The three margin plots as ``Figure`` objects, in the order of ``FILES``."""
    for event in events:
        if event.get("act") not in ACTS:
            raise ValueError(f"event act {event.get('act')!r} is not one of {list(ACTS)}")
    shocks = [e for e in events if e["act"] == "shock"]
    return (
        _collateral_by_method(rows, shocks),
        _equity_vs_requirement(rows, shocks, accounts),
        _margin_timeline(events, shocks, accounts),
    )


def _save(out_dir: Path, names: Iterable[str], figures: Iterable[Figure]) -> list[Path]:
    """Write each figure as a PNG with deterministic bytes (no "Software" metadata)."""
    paths = []
    for name, figure in zip(names, figures, strict=True):
        path = out_dir / name
        FigureCanvasAgg(figure)
        figure.savefig(path, dpi=DPI, format="png", metadata={"Software": None})
        paths.append(path)
    return paths


def _collateral_by_method(rows: list[dict], shocks: list[dict]) -> Figure:
    figure = Figure(figsize=(10, 5), dpi=DPI, layout="constrained")
    ax = figure.add_subplot()
    ax.set_title("Collateral required: siloed vs cross-margined")
    ax.set_xlabel("day")
    ax.set_ylabel("US dollars")
    ax.yaxis.set_major_formatter(_Dollars())
    if not rows:
        _no_data(ax)
    else:
        days = _days(rows)
        siloed = _series(rows, "collateral_required_siloed")
        cross = _series(rows, "collateral_required_cross")
        ax.plot(days, siloed, color="tab:red", label="siloed")
        ax.plot(days, cross, color="tab:blue", label="cross-margined")
        freed = siloed - cross
        with np.errstate(invalid="ignore"):
            positive = freed > 0
        ax.fill_between(days, cross, siloed, where=positive, color="tab:green", alpha=0.25, label="collateral freed")
        if positive.any():
            i = int(np.nanargmax(np.where(positive, freed, np.nan)))
            ax.annotate(
                f"peak collateral freed\n${freed[i]:,.2f} (day {days[i]:g})",
                xy=(days[i], (siloed[i] + cross[i]) / 2),
                ha=("left", "center", "right")[min(2, 3 * i // len(rows))],
                va="center",
                fontsize=8,
                color="darkgreen",
            )
        valued = np.flatnonzero(~np.isnan(siloed) & ~np.isnan(cross))
        if len(valued):  # the last valued sample: the summary's final figure
            j = int(valued[-1])
            final = round(float(siloed[j]) - float(cross[j]), 2)
            ax.annotate(
                f"collateral freed, final: ${final:,.2f}",
                xy=(days[j], cross[j]),
                xytext=(-4, -12),
                textcoords="offset points",
                ha="right",
                va="top",
                fontsize=8,
                color="tab:blue",
            )
    _mark_shocks(ax, shocks, annotate=True)
    _legend(ax)
    return figure


def _equity_vs_requirement(rows: list[dict], shocks: list[dict], accounts: list[str]) -> Figure:
    shown = accounts[:MAX_PANELS]
    title = "Equity vs requirement"
    if len(accounts) > MAX_PANELS:
        title += f" (first {MAX_PANELS} of {len(accounts)} accounts)"
    if not shown or not rows:
        figure = Figure(figsize=(10, 5), dpi=DPI, layout="constrained")
        figure.suptitle(title)
        ax = figure.add_subplot()
        _no_data(ax)
        _mark_shocks(ax, shocks)
        return figure
    columns = min(len(shown), PANEL_COLUMNS)
    lines = -(-len(shown) // columns)
    figure = Figure(figsize=(4 * columns, 2.6 * lines + 0.6), dpi=DPI, layout="constrained")
    figure.suptitle(title)
    axes = figure.subplots(lines, columns, squeeze=False, sharex=True)
    days = _days(rows)
    for ax, account in zip(axes.flat, shown, strict=False):
        equity = _series(rows, f"equity:{account}")
        requirement = _series(rows, f"requirement:{account}")
        ax.plot(days, equity, color="tab:blue", label="equity")
        ax.plot(days, requirement, color="tab:red", label="requirement")
        with np.errstate(invalid="ignore"):
            short = equity < requirement
        ax.fill_between(days, equity, requirement, where=short, color="tab:red", alpha=0.2, label="shortfall")
        _mark_shocks(ax, shocks)
        ax.set_title(account, fontsize=9)
        ax.yaxis.set_major_formatter(_Dollars())
        ax.tick_params(labelsize=7)
    for ax in axes.flat[len(shown) :]:
        ax.set_axis_off()
    for ax in axes[-1]:
        ax.set_xlabel("day", fontsize=8)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize=8)
    return figure


def _margin_timeline(events: list[dict], shocks: list[dict], accounts: list[str]) -> Figure:
    marked = [e for e in events if e["act"] in MARKERS]
    involved = {e.get("account") for e in marked}
    names = [a for a in accounts if a in involved]
    names += sorted({str(a) for a in involved} - set(names))
    figure = Figure(figsize=(10, min(20.0, 2.0 + 0.35 * max(len(names), 3))), dpi=DPI, layout="constrained")
    ax = figure.add_subplot()
    ax.set_title("Margin events")
    ax.set_xlabel("day")
    if not marked and not shocks:
        _no_data(ax)
        return figure
    if not marked:
        _no_data(ax, "no margin events")
    y = {name: i for i, name in enumerate(names)}
    for act, (label, marker, colour) in MARKERS.items():
        these = [e for e in marked if e["act"] == act]
        if these:
            ax.scatter(
                [e["t"] / DAY for e in these],
                [y[str(e.get("account"))] for e in these],
                marker=marker,
                color=colour,
                s=45,
                zorder=3,
            )
    ax.set_yticks(range(len(names)), names, fontsize=8 if len(names) <= 30 else 5)
    ax.set_ylim(-0.75, max(len(names), 1) - 0.25)
    ax.invert_yaxis()
    ax.grid(axis="y", color="0.9")
    _mark_shocks(ax, shocks, annotate=True)
    handles = [
        Line2D([], [], linestyle="none", marker=marker, color=colour, label=label)
        for label, marker, colour in MARKERS.values()
    ]
    if shocks:
        handles.append(Line2D([], [], linestyle="--", color="0.4", label="shock"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    return figure


def _days(rows: list[dict]) -> np.ndarray:
    return np.array([row["t"] / DAY for row in rows], dtype=float)


def _series(rows: Iterable[dict], key: str) -> np.ndarray:
    """The column ``key`` as floats, with ``None`` (or a missing key) as NaN so lines break."""
    return np.array([_number(row.get(key)) for row in rows], dtype=float)


def _number(value: Any) -> float:
    return float("nan") if value is None else float(value)


def _mark_shocks(ax: Axes, shocks: list[dict], annotate: bool = False) -> None:
    for shock in shocks:
        day = shock["t"] / DAY
        ax.axvline(day, color="0.4", linestyle="--", linewidth=1)
        if annotate:
            ax.annotate(
                _shock_label(shock),
                xy=(day, 1),
                xycoords=("data", "axes fraction"),
                xytext=(3, -3),
                textcoords="offset points",
                ha="left",
                va="top",
                rotation=90,
                fontsize=8,
                color="0.3",
            )


def _shock_label(shock: dict) -> str:
    label = str(shock.get("asset") or "shock")
    move = shock.get("move_pct")
    if move is not None:
        label += f" {float(move):+g}%"
    return label


class _Dollars(Formatter):
    """Tick labels like ``$1,250,000``, with as many decimals as the tick spacing needs."""

    decimals = 0

    def format_ticks(self, values: list[float]) -> list[str]:
        step = float(np.min(np.abs(np.diff(values)))) if len(values) > 1 else 1.0
        self.decimals = max(0, -math.floor(math.log10(step))) if step > 0 else 0
        return [self(value) for value in values]

    def __call__(self, x: float, pos: int | None = None) -> str:
        x = round(x, self.decimals) + 0.0  # no "-0"
        return f"{'-' if x < 0 else ''}${abs(x):,.{self.decimals}f}"


def _no_data(ax: Axes, note: str = "no data") -> None:
    ax.text(0.5, 0.5, note, transform=ax.transAxes, ha="center", va="center", fontsize=14, color="0.5")


def _legend(ax: Axes) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best", fontsize=8)


TAXONOMY_FILES = ("maturity.png", "venue_shares.png")


def write_taxonomy_plots(
    out_dir: Path, rows: list[dict], venue_months: list[dict], events: list[dict], threshold_pct: float = 5.0
) -> list[Path]:
    """Write the two taxonomy plots into ``out_dir``; return their paths in the order of
    ``TAXONOMY_FILES``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return _save(out_dir, TAXONOMY_FILES, taxonomy_figures(rows, venue_months, events, threshold_pct))


def taxonomy_figures(
    rows: list[dict], venue_months: list[dict], events: list[dict], threshold_pct: float = 5.0,
    limits: dict[str, float] | None = None,
) -> tuple[Figure, Figure]:
    """The two taxonomy plots as ``Figure`` objects, in the order of ``TAXONOMY_FILES``.

    ``limits``: the exit report's thresholds by measure (``top10_share_pct``,
    ``developer_share_pct``, ``hhi``, ``independent_holders``), drawn as dotted lines in
    their measure's colour."""
    return _maturity(rows, events, limits or {}), _venue_shares(venue_months, threshold_pct)


MATURITY_SERIES = {  # measure -> (label, colour, scale on the left axis; None: the right axis)
    "top10_share_pct": ("top-10 holders' share %", "tab:red", 1.0),
    "developer_share_pct": ("developer team share %", "tab:purple", 1.0),
    "hhi": ("HHI / 100", "tab:orange", 0.01),
    "independent_holders": ("independent holders", "tab:blue", None),
}


def _maturity(rows: list[dict], events: list[dict], limits: dict[str, float] | None = None) -> Figure:
    figure = Figure(figsize=(10, 5), dpi=DPI, layout="constrained")
    ax = figure.add_subplot()
    ax.set_title("Network maturity: concentration of holdings")
    ax.set_xlabel("day")
    ax.set_ylabel("percent of supply / HHI / 100")
    if not rows:
        _no_data(ax)
    else:
        days = _days(rows)
        ax.plot(days, _series(rows, "top10_share_pct"), color="tab:red", label="top-10 holders' share %")
        ax.plot(days, _series(rows, "developer_share_pct"), color="tab:purple", label="developer team share %")
        ax.plot(days, _series(rows, "hhi") / 100, color="tab:orange", linestyle="--", label="HHI / 100")
        holders = ax.twinx()
        holders.plot(days, _series(rows, "independent_holders"), color="tab:blue", alpha=0.6, label="independent holders")
        holders.set_ylabel("independent holders")
        for measure, limit in (limits or {}).items():
            if measure not in MATURITY_SERIES:
                continue
            label, colour, scale = MATURITY_SERIES[measure]
            target = holders if scale is None else ax
            target.axhline(limit * (scale or 1), color=colour, linestyle=":", linewidth=1.2,
                           label=f"exit threshold: {label} {limit:g}" if scale != 0.01 else f"exit threshold: HHI {limit:g}")
    for event in events:
        if event["kind"] == "reclassified":
            ax.axvline(event["day"], color="black", linewidth=1.2)
            ax.annotate(f"reclassified: {event['class'].replace('_', ' ')}", xy=(event["day"], 1),
                        xycoords=("data", "axes fraction"), xytext=(3, -3), textcoords="offset points",
                        ha="left", va="top", rotation=90, fontsize=8)
        elif event["kind"] == "missed":
            ax.axvline(event["day"], color="0.6", linestyle=":", linewidth=1)
    handles, labels = ax.get_legend_handles_labels()
    for other in figure.axes[1:]:  # the independent holders' axis
        more = other.get_legend_handles_labels()
        handles, labels = handles + more[0], labels + more[1]
    if handles:
        ax.legend(handles, labels, loc="best", fontsize=8)
    return figure


def _venue_shares(venue_months: list[dict], threshold_pct: float) -> Figure:
    figure = Figure(figsize=(10, 5), dpi=DPI, layout="constrained")
    ax = figure.add_subplot()
    ax.set_title("Venue share of the token's volume by month")
    ax.set_xlabel("month")
    ax.set_ylabel("percent of volume")
    if not venue_months:
        _no_data(ax)
        return figure
    months = sorted({row["month"] for row in venue_months})
    index = {m: i for i, m in enumerate(months)}
    for venue in sorted({row["venue"] for row in venue_months}):
        shares = np.full(len(months), np.nan)
        for row in venue_months:
            if row["venue"] == venue:
                shares[index[row["month"]]] = row["share_pct"]
        ax.plot(range(len(months)), shares, marker="o", label=venue)
    ax.axhline(threshold_pct, color="0.3", linestyle="--", linewidth=1, label=f"fair-access threshold {threshold_pct:g}%")
    ax.set_xticks(range(len(months)), months, rotation=45, fontsize=8)
    _legend(ax)
    return figure
