"""The ``tokensim`` command line."""

from __future__ import annotations

import json
import io
import subprocess
import sys

from rich.console import Console
from typer.testing import CliRunner

from sim.calendar import timestamp
from sim.cli import app
from sim.demos import issuance

runner = CliRunner()


def test_help_lists_the_commands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("compile", "demo"):
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


def test_demo_command_prints_the_story():
    result = runner.invoke(app, ["demo", "issuance"])
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
    path.write_text(shipped()["safe_harbor_matures"].read_text().replace("window_days: 1095", "window_days: 0"))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    (line,) = [row for row in result.output.splitlines() if "window_days" in row]
    assert line.startswith(f"{path}:") and line.endswith("taxonomy.safe_harbor.window_days: Input should be greater than 0 (got 0)")
