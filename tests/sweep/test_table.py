"""The sweep's table and the files beside it."""

from __future__ import annotations

import json

import pandas as pd
from pandas.testing import assert_frame_equal
from sweep_helpers import GRID, SEEDS, SMALL

from sim.engine import RunResult
from sim.sweep import define, read
from sim.sweep.plots import write_plots
from sim.sweep.table import flatten


def test_a_row_holds_the_runs_grid_values_seed_status_and_every_scalar_metric_with_dotted_names(reference):
    row = reference.table.set_index("run").loc["g1-s2"]
    summary = json.loads((reference.out / "runs" / "g1-s2" / "summary.json").read_text())
    assert row["margin.shocks.0.move_pct"] == -40
    assert (row["grid"], row["seed_index"], row["seed"], row["status"]) == (1, 2, summary["seed"], "done")
    assert row["accounts.trader-1.equity"] == summary["metrics"]["accounts"]["trader-1"]["equity"]
    flat = flatten(summary["metrics"])
    assert {name: row[name] for name in flat} == flat
    assert "shocks" not in reference.table.columns  # a list of shocks is not a scalar


def test_rows_come_in_the_sweeps_order_whatever_order_the_runs_ended_in(reference):
    assert list(reference.table["run"]) == [f"g{g}-s{s}" for g in range(2) for s in range(SEEDS)]


def test_the_parquet_and_csv_tables_hold_the_returned_rows(reference):
    assert_frame_equal(read(reference.out), reference.table)
    csv = pd.read_csv(reference.out / "sweep.csv")
    assert list(csv.columns) == list(reference.table.columns)
    assert list(csv["state_digest"]) == list(reference.table["state_digest"])


def test_sweep_json_records_the_definition_and_each_runs_seed(reference):
    record = json.loads((reference.out / "sweep.json").read_text())
    assert record["definition"]["grid"] == GRID
    assert [run["seed"] for run in record["runs"]] == list(reference.table["seed"])
    assert record["digest"].startswith("sha256:") and record["versions"]["tokensim"]


def test_each_run_directory_opens_as_a_run_result_with_its_events_and_metrics(reference):
    row = reference.table.iloc[0]
    result = RunResult.from_dir(row["run_dir"])
    assert result.summary["state_digest"] == row["state_digest"]
    assert len(result.events()) == row["events"]
    assert result.metrics_frame()["t"].iloc[-1] == 4 * 86_400


def test_percentiles_per_grid_point_and_a_plot_per_headline_metric(reference):
    spread = pd.read_csv(reference.out / "percentiles.csv")
    assert list(spread.columns) == ["grid", "margin.shocks.0.move_pct", "metric", "runs", "p5", "p25", "p50", "p75",
                                    "p95", "mean"]
    assert list(spread["metric"][:4]) == ["shortfall", "liquidations", "retail_close_outs", "margin_calls"]
    g1 = reference.table[reference.table["grid"] == 1]["liquidations"]
    row = spread[(spread["grid"] == 1) & (spread["metric"] == "liquidations")].iloc[0]
    assert (row["runs"], row["p50"], row["mean"]) == (SEEDS, g1.median(), g1.mean())
    drawn = sorted(p.name for p in (reference.out / "plots").glob("*.png"))
    assert drawn == ["liquidations.png", "margin_calls.png", "retail_close_outs.png", "shortfall.png"]


def test_the_same_table_draws_the_same_plot_bytes(reference, tmp_path):
    (again,) = [p for p in write_plots(define(SMALL, seeds=SEEDS, grid=GRID), reference.table, tmp_path)
                if p.name == "shortfall.png"]
    assert again.read_bytes() == (reference.out / "plots" / "shortfall.png").read_bytes()
