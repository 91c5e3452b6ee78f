"""events.jsonl read back for a report: streamed, never held whole, each pass the same records."""

from __future__ import annotations

import json

import pytest

from sim.report.html import event_rows
from sim.report.run_files import EventLog, RunFilesError, read_run


def _run_dir(tmp_path, records):
    (tmp_path / "summary.json").write_text(json.dumps({"status": "done", "scenario": "s", "seed": 1, "backend": "revm",
                                                       "start": "", "sim_days": 1, "events": len(records),
                                                       "metrics": {}}))
    (tmp_path / "metrics.csv").write_text("t,time\n0,x\n")
    encode = json.JSONEncoder(separators=(",", ":")).encode  # as the recorder writes it
    (tmp_path / "events.jsonl").write_text("".join(encode(r) + "\n" for r in records))
    return tmp_path


RECORDS = [{"seq": i, "t": i, "time": "", "actor": "a", "act": "settle" if i % 3 else "pledge",
            "outcome": "refused" if i % 10 == 0 else "ok"} for i in range(1, 101)]
RECORDS.append({"seq": 101, "t": 101, "time": "", "actor": "a", "act": "assess", "outcome": "break",
                "rule": {"outcome": "ok", "act": "settle"}})  # a nested object naming the same keys


def test_the_log_is_read_as_a_stream_not_a_list(tmp_path):
    files = read_run(_run_dir(tmp_path, RECORDS))
    assert isinstance(files.events, EventLog) and not isinstance(files.events, list)
    assert len(files.events) == 101
    assert list(files.events) == list(files.events) == RECORDS  # every pass reads the same records in order


def test_where_gives_exactly_the_records_of_those_acts_and_outcome(tmp_path):
    log = read_run(_run_dir(tmp_path, RECORDS)).events
    assert list(log.where(acts={"pledge"}, outcome="refused")) == [
        r for r in RECORDS if r["act"] == "pledge" and r["outcome"] == "refused"]
    assert list(log.where(acts={"settle"})) == [r for r in RECORDS if r["act"] == "settle"]  # not the nested one
    assert list(log.where(outcome="ok")) == [r for r in RECORDS if r["outcome"] == "ok"]


def test_not_ok_gives_every_record_that_is_not_ok_even_one_whose_details_say_ok(tmp_path):
    log = read_run(_run_dir(tmp_path, RECORDS)).events
    assert [r["seq"] for r in log.not_ok()] == [*range(10, 101, 10), 101]


def test_the_events_table_is_the_same_from_the_stream_and_from_a_list(tmp_path):
    log = read_run(_run_dir(tmp_path, RECORDS)).events
    for limit in (5, 11, 20, 200):
        assert event_rows(log, limit=limit) == event_rows(RECORDS, limit=limit)


def test_a_malformed_line_is_refused_with_its_number_before_any_pass(tmp_path):
    run = _run_dir(tmp_path, RECORDS)
    with (run / "events.jsonl").open("a") as log:
        log.write('{"seq": 102, "t": 1}\n')
    with pytest.raises(RunFilesError, match=r"events.jsonl: line 102: field 'actor' missing"):
        read_run(run)
