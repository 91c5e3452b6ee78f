"""report.html: written at the end of every run, rebuilt by ``tokensim report`` from the run's
three files alone, the same bytes for the same run; a failed or interrupted run's report
says so; a directory that is not a run's is refused with exit code 2 and nothing written."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from sim.chain import chain as chain_module
from sim.chain.revm import RevmBackend
from sim.cli import app
from sim.engine import Run
from sim.errors import ChainError
from sim.report.html import event_rows
from sim.report.page import read_figures, resolve
from sim.report.plots import margin_figures
from sim.scenario import load, shipped

runner = CliRunner()
THREE_FILES = ("summary.json", "metrics.csv", "events.jsonl")
DAY = 86_400


@pytest.fixture(scope="module")
def custody_run(tmp_path_factory):
    """custodian_omnibus_t1 (fails, penalties, buy-ins, breaks, refusals), run once."""
    out = tmp_path_factory.mktemp("custody")
    Run(load(shipped()["custodian_omnibus_t1"]), backend="revm").run(out_dir=out)
    return out


class CrashingBackend(RevmBackend):
    """revm that goes away after ``limit`` transactions, as a node that crashes would."""

    limit = 300

    def transact(self, *args, **kwargs):
        self.sent = getattr(self, "sent", 0) + 1
        if self.sent > self.limit:
            raise ChainError(f"node went away after {self.limit} transactions")
        return super().transact(*args, **kwargs)


def test_every_run_writes_its_report_beside_its_files(custody_run):
    assert (custody_run / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_two_runs_of_the_same_scenario_seed_and_backend_write_the_same_report_bytes(custody_run, tmp_path):
    """The page shows nothing that differs between two runs (wall time): byte for byte the same."""
    Run(load(shipped()["custodian_omnibus_t1"]), backend="revm").run(out_dir=tmp_path)
    assert (tmp_path / "report.html").read_bytes() == (custody_run / "report.html").read_bytes()


def test_tokensim_report_rebuilds_the_same_bytes_from_the_three_files_alone(custody_run, tmp_path):
    for name in THREE_FILES:
        shutil.copy(custody_run / name, tmp_path / name)
    result = runner.invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "report.html").read_bytes() == (custody_run / "report.html").read_bytes()


def test_a_failed_runs_report_says_it_failed_why_and_where(tmp_path, monkeypatch):
    monkeypatch.setitem(chain_module.BACKENDS, "crashing", ("test_html", "CrashingBackend"))
    result = Run(load(shipped()["custodian_omnibus_t1"]), backend="crashing").run(out_dir=tmp_path)
    assert result.status == "failed"
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert '<div class="banner failed">The run failed at day' in page
    assert "ChainError: node went away after 300 transactions" in page


@pytest.mark.parametrize("name", ["custodian_omnibus_t1", "cross_margin_hedged_book", "innovation_exemption_caps"])
def test_a_run_that_fails_while_it_deploys_still_gets_a_report_saying_why(tmp_path, monkeypatch, name):
    """No sample was taken (metrics.csv is empty) and the part has no metrics: the page
    still says what happened, and why (one scenario of each part)."""
    monkeypatch.setitem(chain_module.BACKENDS, "crashing", ("test_html", "CrashingBackend"))
    monkeypatch.setattr(CrashingBackend, "limit", 3)
    run = Run(load(shipped()[name]), backend="crashing")
    result = run.run(out_dir=tmp_path)
    assert (result.status, run.report_error) == ("failed", None)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert '<div class="banner failed">The run failed at day' in page
    assert "node went away after 3 transactions" in page


def test_an_interrupted_runs_report_says_it_was_interrupted_and_at_which_day(tmp_path):
    run = Run(load(shipped()["custodian_omnibus_t1"]), backend="revm")
    result = run.run(out_dir=tmp_path, progress=lambda done, _: run.interrupt() if done >= 10 * DAY else None)
    assert result.status == "interrupted"
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert '<div class="banner interrupted">The run was interrupted at day' in page
    days = [f for f in read_figures(page) if f.pointer == "/sim_days"]
    assert days and {f.value for f in days} == {10}


@pytest.mark.parametrize("missing", THREE_FILES)
def test_report_refuses_a_directory_missing_a_runs_file_with_exit_2_and_writes_nothing(custody_run, tmp_path,
                                                                                       missing):
    for name in THREE_FILES:
        if name != missing:
            shutil.copy(custody_run / name, tmp_path / name)
    result = runner.invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert f"{tmp_path / missing}: not found" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "report.html").exists()


def test_report_names_the_file_and_line_of_a_malformed_event_record(custody_run, tmp_path):
    for name in THREE_FILES:
        shutil.copy(custody_run / name, tmp_path / name)
    lines = (tmp_path / "events.jsonl").read_text().splitlines()
    lines[6] = '{"seq": 7, "t": 0'
    (tmp_path / "events.jsonl").write_text("\n".join(lines) + "\n")
    result = runner.invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert f"{tmp_path / 'events.jsonl'}: line 7: not JSON" in result.output
    assert not (tmp_path / "report.html").exists()


def test_report_names_the_field_a_summary_lacks(custody_run, tmp_path):
    for name in THREE_FILES:
        shutil.copy(custody_run / name, tmp_path / name)
    (tmp_path / "summary.json").write_text('{"status": "done"}\n')
    result = runner.invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert f"{tmp_path / 'summary.json'}: field 'scenario' missing" in result.output


def test_the_collateral_plot_labels_the_peak_freed_as_peak_and_the_final_as_the_summarys():
    """Freed collateral is widest on day 1 ($400,000) and ends at $100,000.50: the plot says
    which is which, and the final figure is the one summary.json reports."""
    rows = [{"t": 0, "collateral_required_siloed": 500_000.0, "collateral_required_cross": 400_000.0},
            {"t": DAY, "collateral_required_siloed": 900_000.0, "collateral_required_cross": 500_000.0},
            {"t": 2 * DAY, "collateral_required_siloed": 300_000.75, "collateral_required_cross": 200_000.25}]
    collateral, _, _ = margin_figures(rows, [], [])
    labels = [text.get_text() for text in collateral.axes[0].texts]
    assert "peak collateral freed\n$400,000.00 (day 1)" in labels
    assert "collateral freed, final: $100,000.50" in labels


def test_the_events_table_keeps_every_record_that_is_not_ok_when_it_is_cut():
    records = [{"seq": i, "t": i, "time": "", "actor": "a", "act": "x", "outcome": "refused" if i % 10 == 0 else "ok"}
               for i in range(1, 101)]
    rows = event_rows(records, limit=20)
    assert len(rows) == 20
    assert {r[0] for r in rows if r[4] == "refused"} == set(range(10, 101, 10))
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)


def test_every_figure_of_a_margin_report_is_the_summarys(tmp_path):
    """A run of the sweep tests' small margin book (its shock, calls and close-outs)."""
    from pathlib import Path

    scenario = load(Path(__file__).resolve().parents[1] / "sweep" / "sweep_small.yaml")
    result = Run(scenario, backend="revm").run(out_dir=tmp_path)
    figures = read_figures((tmp_path / "report.html").read_text(encoding="utf-8"))
    assert any(f.pointer == "/metrics/collateral_freed" for f in figures)
    for figure in figures:
        assert resolve(result.summary, figure.pointer) == figure.value


def test_the_report_names_the_rules_in_force_with_their_settings_and_sources(custody_run):
    from html import unescape

    glance = unescape((custody_run / "report.html").read_text(encoding="utf-8").split('id="glance"')[1].split("</section>")[0])
    for expected in ("accredited_only", "mints_only=False", "Rule 506(c)", "jurisdiction", "block=[CU, IR, KP, SY]",
                     "T+1, netted", "Exchange Act Rule 15c6-1", "after 3 days of fail", "Reg SHO Rule 204(a)(1)"):
        assert expected in glance, expected
