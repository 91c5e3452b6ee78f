"""The report worker (``sim.report.worker``): the page it draws is the one ``write_report``
draws in the run's own process, byte for byte; whatever goes wrong with it, ``write`` draws
the report in the calling process, so the caller sees what ``write_report`` would have done,
its error included."""

from __future__ import annotations

import io
import json
import shutil

import pytest

from sim.engine import Run
from sim.report.html import write_report
from sim.report.run_files import RunFilesError
from sim.report.worker import ReportWorker, serve
from sim.scenario import load, shipped

THREE_FILES = ("summary.json", "metrics.csv", "events.jsonl")


@pytest.fixture(scope="module")
def bond_run(tmp_path_factory):
    """tokenized_bond_maturity (the smallest shipped scenario), its report drawn by a worker."""
    out = tmp_path_factory.mktemp("bond")
    with ReportWorker.start() as worker:
        Run(load(shipped()["tokenized_bond_maturity"]), backend="revm", report_writer=worker.write).run(out_dir=out)
    return out


def copy_run(run_dir, to):
    for name in THREE_FILES:
        shutil.copy(run_dir / name, to / name)
    return to


def test_the_workers_report_is_write_reports_byte_for_byte(bond_run, tmp_path):
    copy_run(bond_run, tmp_path)
    write_report(tmp_path)
    assert (tmp_path / "report.html").read_bytes() == (bond_run / "report.html").read_bytes()


def test_a_report_the_worker_cannot_build_raises_write_reports_error_in_the_caller(bond_run, tmp_path):
    copy_run(bond_run, tmp_path)
    (tmp_path / "metrics.csv").unlink()
    with ReportWorker.start() as worker, pytest.raises(RunFilesError, match="metrics.csv"):
        worker.write(tmp_path)
    assert not (tmp_path / "report.html").exists()


def test_a_worker_that_is_gone_still_writes_the_report_in_the_caller(bond_run, tmp_path):
    copy_run(bond_run, tmp_path)
    worker = ReportWorker.start()
    worker.close()
    worker.write(tmp_path)
    assert (tmp_path / "report.html").read_bytes() == (bond_run / "report.html").read_bytes()


def test_serve_answers_each_run_directory_in_order_until_its_input_ends(bond_run, tmp_path):
    good = copy_run(bond_run, tmp_path)
    missing = tmp_path / "missing"
    answers = io.StringIO()
    serve(io.StringIO(f"{json.dumps(str(good))}\n{json.dumps(str(missing))}\n"), answers)
    assert [json.loads(line) for line in answers.getvalue().splitlines()] == ["written", "failed"]
    assert (good / "report.html").read_bytes() == (bond_run / "report.html").read_bytes()
