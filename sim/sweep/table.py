"""The sweep's table: one row per run, built from the run's ``summary.json``.

Columns, in this order:

| column | what |
|---|---|
| ``run`` | the run's id, ``g<point>-s<seed index>`` |
| ``grid`` | the grid point's index |
| each grid field | its value at that point, the column named by the field's path |
| ``seed_index``, ``seed`` | which of the sweep's seeds, and the seed itself |
| ``status``, ``reason`` | ``done`` or ``failed``; why it failed (empty when done) |
| ``sim_days``, ``events``, ``state_digest`` | from the summary |
| every scalar metric | ``metrics`` of the summary, nested mappings flattened with dotted names (``accounts.retail-1.equity``); lists are left out; a name taken by a column above gets the prefix ``metrics.`` |
| ``wall_seconds`` | the run's own wall time |
| ``run_dir`` | the run's directory (``RunResult.from_dir`` opens it) |

Rows come in the sweep's order (grid point by grid point, seed by seed), whatever order
the runs ended in, and a row depends only on the run's summary: a run read back from disk
by a resumed sweep gives the same row as when it ran.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.sweep.definition import RunSpec, Sweep
from sim.sweep.sweep_dir import write_whole

if TYPE_CHECKING:
    import pandas as pd

LEADING = ("run", "grid")
AFTER_GRID = ("seed_index", "seed", "status", "reason", "sim_days", "events", "state_digest")
TRAILING = ("wall_seconds", "run_dir")
TEXT = ("run", "status", "reason", "state_digest", "run_dir")
"""Columns of text, nullable strings (``pandas.StringDtype``) in every table."""
VARIABLE = ("wall_seconds", "run_dir")
"""Columns that differ between two sweeps of the same definition (compare the rest)."""

Scalar = str | int | float | bool | None


def flatten(metrics: dict[str, Any], prefix: str = "") -> dict[str, Scalar]:
    """Scalar metrics with dotted names; nested mappings flattened, lists left out."""
    flat: dict[str, Scalar] = {}
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        elif value is None or isinstance(value, str | int | float | bool):
            flat[name] = value
    return flat


def row(sweep: Sweep, run: RunSpec, summary: dict[str, Any], run_dir: Path) -> dict[str, Any]:
    """The table's row of one run."""
    values = sweep.point(run.grid).values
    fixed: dict[str, Any] = {"run": run.id, "grid": run.grid, **values, "seed_index": run.seed_index, "seed": run.seed,
                             "status": summary.get("status"), "reason": summary.get("reason"),
                             "sim_days": summary.get("sim_days"), "events": summary.get("events"),
                             "state_digest": summary.get("state_digest")}
    taken = set(fixed) | set(TRAILING)
    for name, value in flatten(summary.get("metrics") or {}).items():
        fixed[f"metrics.{name}" if name in taken else name] = value
    fixed["wall_seconds"] = summary.get("wall_seconds")
    fixed["run_dir"] = str(run_dir)
    return fixed


def frame(sweep: Sweep, rows: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """The rows present, in the sweep's order, as a DataFrame (columns as the module says)."""
    import pandas as pd

    ordered = [rows[run.id] for run in sweep.runs if run.id in rows]
    first = [*LEADING, *sweep.grid, *AFTER_GRID]
    metrics: dict[str, None] = {}
    for r in ordered:
        for name in r:
            if name not in first and name not in TRAILING:
                metrics.setdefault(name)
    columns = [*first, *metrics, *TRAILING]
    table = pd.DataFrame.from_records(ordered, columns=columns)
    for name in TEXT:  # one schema whatever the rows hold (a reason only where a run failed)
        table[name] = table[name].astype(pd.StringDtype())
    table["events"] = table["events"].astype("Int64")  # none for a run that never started
    return table


def write(table: pd.DataFrame, out: Path) -> list[Path]:
    """``sweep.parquet`` and ``sweep.csv`` in ``out``, each written whole."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = pa.Table.from_pandas(_parquet_safe(table), preserve_index=False)
    parquet = out / "sweep.parquet"
    temporary = parquet.with_name(f".sweep.parquet.tmp-{id(table)}")
    try:
        pq.write_table(arrow, temporary)
        temporary.replace(parquet)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    csv = out / "sweep.csv"
    write_whole(csv, table.to_csv(index=False, lineterminator="\n"))
    return [parquet, csv]


def _parquet_safe(table: pd.DataFrame) -> pd.DataFrame:
    """Columns whose values are of several kinds (a metric that is a number in one run and
    text in another) as text, which Parquet can hold; every other column as it is."""
    import pandas as pd

    mixed = []
    for name in table.columns:
        column = table[name]
        if column.dtype != object:
            continue
        kinds = {_kind(v) for v in column if not (v is None or (isinstance(v, float) and pd.isna(v)))}
        if len(kinds) > 1:
            mixed.append(name)
    if not mixed:
        return table
    safe = table.copy()
    for name in mixed:
        safe[name] = [None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v) for v in table[name]]
    return safe


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def read(out: Path) -> pd.DataFrame:
    """A sweep directory's table (``sweep.parquet``)."""
    import pandas as pd

    return pd.read_parquet(Path(out) / "sweep.parquet")


__all__ = ["VARIABLE", "flatten", "frame", "read", "row", "write"]
