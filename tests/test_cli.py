"""The ``tokensim`` command line."""

from __future__ import annotations

import json
import io
import os
import subprocess
import sys

import pytest
from rich.console import Console
from typer.testing import CliRunner

from sim.calendar import timestamp
from sim.cli import app
from sim.demos import issuance

runner = CliRunner()


def test_help_lists_the_commands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("run", "sweep", "report", "validate", "list", "schema", "compile", "demo"):
        assert command in result.output


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("tokensim ")


def test_console_script_is_installed():
    out = subprocess.run([sys.executable, "-m", "sim", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "demo" in out.stdout


def test_issuance_demo_refuses_what_the_rules_refuse():
    result = issuance.run(console=Console(file=io.StringIO()))
    assert result.refusals == {
        "Non-accredited purchaser limit reached": 1,
        "Recipient jurisdiction not permitted": 1,
        "Recipient identity is not verified": 1,
        "Holding period has not ended for these tokens": 2,
    }
    assert result.minted == 75
    assert result.non_accredited_purchasers == 35
    assert result.holders == 75
    assert result.total_supply == 40 * issuance.SHARES_ACCREDITED + 35 * issuance.SHARES_NON_ACCREDITED
    assert result.resale_settled_at == timestamp("2027-01-15T14:00:00")  # one calendar year on


def test_demo_command_prints_the_story(tmp_path):
    result = runner.invoke(app, ["demo", "issuance", "--no-pause", "--out", str(tmp_path / "run")])
    assert result.exit_code == 0
    assert "NonAccreditedLimitReached" in result.output
    assert "35/35 non-accredited purchasers" in result.output


def test_an_unknown_backend_is_named_with_exit_2_and_nothing_written(tmp_path):
    out = tmp_path / "run"
    result = runner.invoke(app, ["run", "reg_cf_crowdfunding", "--backend", "geth", "--out", str(out)])
    assert result.exit_code == 2
    assert "unknown backend 'geth'; expected one of: eth-tester, revm, rpc" in result.output
    assert not out.exists()


def test_schema_is_one_scenario_with_a_section_per_part():
    from typer.testing import CliRunner

    from sim.cli import app

    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["title"] == "Scenario"
    assert {"security", "offering", "margin", "taxonomy", "faults"} <= set(schema["properties"])
    assert {"MarginSection", "TaxonomySection", "Security"} <= set(schema["$defs"])


def test_an_error_printed_to_a_pipe_stays_on_one_line(tmp_path):
    """``file:line: field: message`` is one line however long, so grep and editors can use it."""
    from typer.testing import CliRunner

    from sim.cli import app
    from sim.scenario import shipped

    path = tmp_path / "a_rather_long_file_name_for_a_scenario_that_does_not_validate.yaml"
    path.write_text(shipped()["safe_harbor_matures"].read_text().replace("per_investor_usd: 25000", "per_investor_usd: 0"))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    (line,) = [row for row in result.output.splitlines() if "per_investor_usd" in row]
    assert line.startswith(f"{path}:") and line.endswith(
        "taxonomy.safe_harbor.caps.per_investor_usd: Input should be greater than 0 (got 0)")


# ------------------------------------------------------------------ the run directory

TINY = """\
name: tiny
duration_days: 3
security: {name: Tiny, symbol: TNY}
offering: {closes_day: 1, price: 10.0, shares: 100}
investors: [{name: inv, count: 3, subscription_usd: {kind: fixed, value: 100}}]
"""


def _tiny(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY)
    return path


def _earlier_run(directory):
    directory.mkdir(parents=True)
    for name in ("events.jsonl", "summary.json", "metrics.csv", "old.png"):
        (directory / name).write_text("from an earlier run\n")


def test_a_run_directory_holding_an_earlier_run_is_refused_with_exit_2_naming_it_and_force(tmp_path):
    out = tmp_path / "run"
    _earlier_run(out)
    result = runner.invoke(app, ["run", str(_tiny(tmp_path)), "--out", str(out), "-q"])
    assert result.exit_code == 2
    assert f"{out}: holds an earlier run's files (events.jsonl, metrics.csv, old.png, summary.json)" in result.output
    assert "pass --force" in result.output and "Traceback" not in result.output
    assert (out / "events.jsonl").read_text() == "from an earlier run\n"


def test_force_replaces_the_earlier_runs_files_and_nothing_else(tmp_path):
    out = tmp_path / "run"
    _earlier_run(out)
    (out / "notes.txt").write_text("mine\n")
    (out / "plots").mkdir()
    (out / "plots" / "keep.png").write_text("mine\n")
    result = runner.invoke(app, ["run", str(_tiny(tmp_path)), "--out", str(out), "-q", "--force"])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "summary.json").read_text())["status"] == "done"
    assert not (out / "old.png").exists()
    assert (out / "notes.txt").read_text() == (out / "plots" / "keep.png").read_text() == "mine\n"


def test_the_default_run_directory_is_refused_the_same_way(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _earlier_run(tmp_path / "runs" / "tiny-seed0")
    result = runner.invoke(app, ["run", str(_tiny(tmp_path)), "-q"])
    assert result.exit_code == 2
    assert "runs/tiny-seed0: holds an earlier run's files" in result.output and "--force" in result.output


def test_a_directory_without_an_earlier_run_is_used_as_it_is(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n")
    result = runner.invoke(app, ["run", str(_tiny(tmp_path)), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["events.jsonl", "metrics.csv", "notes.txt", "report.html", "summary.json"]


def test_an_out_that_is_a_file_is_refused_with_exit_2_and_left_alone(tmp_path):
    out = tmp_path / "results"
    out.write_text("a file\n")
    result = runner.invoke(app, ["run", str(_tiny(tmp_path)), "--out", str(out), "-q"])
    assert result.exit_code == 2
    assert f"bad run directory: {out}: is a file, not a directory" in result.output
    assert "Traceback" not in result.output and out.read_text() == "a file\n"


def test_an_out_under_a_file_is_refused_with_exit_2_and_nothing_created(tmp_path):
    parent = tmp_path / "results"
    parent.write_text("a file\n")
    out = parent / "deeper" / "run"
    result = runner.invoke(app, ["run", str(_tiny(tmp_path)), "--out", str(out), "-q"])
    assert result.exit_code == 2
    assert f"{out}: cannot be created: {parent} is a file, not a directory" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results", "tiny.yaml"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through permissions; the file cases stand in")
def test_an_out_without_write_permission_is_refused_with_exit_2(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        result = runner.invoke(app, ["run", str(_tiny(tmp_path)), "--out", str(locked / "run"), "-q"])
        assert result.exit_code == 2
        assert f"{locked / 'run'}: cannot be created: {locked} is not writable (permission denied)" in result.output
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


def test_run_help_says_what_force_does():
    result = runner.invoke(app, ["run", "--help"])
    text = " ".join(result.output.replace("│", " ").split())
    assert "--force" in text and "Replace an earlier run's files in the run directory" in text
    assert "nothing else in it is touched" in text


# ------------------------------------------------------------------ scenario scripts

SCRIPT = """\
import sys

print("script", __name__, sys.argv[1:])
sys.exit(int(sys.argv[-1]))
"""


def _script(tmp_path):
    path = tmp_path / "my_script.py"
    path.write_text(SCRIPT)
    return path


def test_run_plays_a_scenario_script_as_python_would_with_its_arguments_and_exit_code(tmp_path):
    result = runner.invoke(app, ["run", str(_script(tmp_path)), "--", "--seed", "7", "3"])
    assert result.exit_code == 3
    assert "script __main__ ['--seed', '7', '3']" in result.output


def test_a_scripts_own_options_go_after_a_double_dash(tmp_path):
    script = _script(tmp_path)
    result = runner.invoke(app, ["run", str(script), "--seed", "7"])
    assert result.exit_code == 2
    assert (f"--seed is an option of scenario files; a script reads its own arguments: give them after --, as in "
            f"tokensim run {script} -- --seed 7") in result.output
    assert "script" not in result.output.split("--seed is")[0]


def test_arguments_after_a_scenario_file_are_refused(tmp_path):
    result = runner.invoke(app, ["run", str(_tiny(tmp_path)), "extra", "-q"])
    assert result.exit_code == 2
    assert "unexpected arguments extra: only a scenario script (.py) takes arguments of its own" in result.output



# ------------------------------------------------------------------ what a run prints

ACCOUNTS_SUMMARY = {
    "scenario": "book", "status": "done", "sim_days": 3.0, "wall_seconds": 1.0,
    "metrics": {"haircut_schedule": "cftc_23_156", "margin_calls": 3, "shortfall": 21_764.12,
                "accounts": {f"a-rather-long-account-name-{i}": {"equity": 15_000.0 + i, "initial": 3_332.01,
                                                                 "siloed_initial": 1_999.21, "portfolio_initial": 0.0}
                             for i in range(5)},
                "refusals_by_error": {"MarginLeverageCap": 8}},
}


def _printed(width: int, terminal: bool) -> list[str]:
    from sim.cli import _print_summary
    from sim.parts import MarginPart

    buffer = io.StringIO()
    out = Console(file=buffer, width=width, force_terminal=terminal, color_system=None)
    _print_summary(ACCOUNTS_SUMMARY, [(MarginPart, ACCOUNTS_SUMMARY["metrics"])], None, out=out)
    return buffer.getvalue().splitlines()


def test_quiet_prints_only_the_outcome_line_and_the_run_directory(tmp_path):
    out = tmp_path / "run"
    result = runner.invoke(app, ["run", str(_tiny(tmp_path)), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [result.output.splitlines()[0], str(out)]
    assert result.output.startswith("tiny: done after 3 simulated days (")


def test_a_narrow_terminal_gets_each_table_row_on_one_line_within_its_width():
    lines = _printed(48, terminal=True)
    table_lines = lines[1:]  # after the outcome line
    assert max(len(line) for line in table_lines) <= 48
    for i in range(5):  # each account's row is one line, its numbers whole
        (row,) = [line for line in lines if "15,00" + str(i) + ".00" in line]
        assert "3,332.01" in row and "1,999.21" in row and "…" in row


def test_off_a_terminal_tables_are_plain_lines_at_full_width_one_per_row():
    lines = _printed(40, terminal=False)
    for i in range(5):
        (row,) = [line for line in lines if f"a-rather-long-account-name-{i}" in line]
        assert row.split() == [f"a-rather-long-account-name-{i}", f"15,00{i}.00", "3,332.01", "1,999.21", "0.00"]
    assert not any(set(line) & set("─│┃━") for line in lines)


def test_tokensim_demo_lists_the_narrated_demos():
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    for name in ("issuance", "settlement", "collateral", "safe-harbor"):
        assert f"tokensim demo {name}: " in result.output
