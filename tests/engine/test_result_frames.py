"""A run's results as pandas DataFrames: its event log and its sampled metrics."""

from __future__ import annotations

import json

import pytest
from small_scenarios import events, scenario

from sim.engine import Run, RunResult


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    return Run(scenario(duration_days=4), seed=7).run(out_dir=tmp_path_factory.mktemp("run"))


def test_events_is_the_event_log_one_row_per_record_in_order(result):
    frame = result.events()
    records = events(result.out_dir)
    assert list(frame["seq"]) == [r["seq"] for r in records]
    assert list(frame["act"]) == [r["act"] for r in records]
    assert str(frame["time"].dtype).startswith("datetime64") and str(frame["time"].dt.tz) == "UTC"


def test_metrics_frame_is_metrics_csv_one_row_per_sample(result):
    frame = result.metrics_frame()
    lines = (result.out_dir / "metrics.csv").read_text().splitlines()
    assert list(frame.columns) == lines[0].split(",") and len(frame) == len(lines) - 1
    assert frame["t"].iloc[-1] == 4 * 86_400


def test_a_run_directory_opens_as_the_result_that_wrote_it(result):
    again = RunResult.from_dir(result.out_dir)
    assert again.summary == json.loads((result.out_dir / "summary.json").read_text())
    assert again.metrics == result.metrics


def test_a_run_without_files_says_how_to_get_them():
    with pytest.raises(FileNotFoundError, match=r"this run wrote no files, so no events.jsonl: run it with run\(out_dir=...\)"):
        RunResult({"status": "done", "metrics": {}}, None).events()
