"""The README tells the truth: its issuer example is a real test, its commands exist."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_quotes_the_issuer_example_verbatim():
    readme = (ROOT / "README.md").read_text()
    example = (ROOT / "tests" / "test_issuer_example.py").read_text()
    assert example.strip() in readme


def test_readme_quickstart_commands_are_make_targets():
    readme = (ROOT / "README.md").read_text()
    makefile = (ROOT / "Makefile").read_text()
    for target in ("run", "test", "contracts", "bench"):
        assert f"make {target}" in readme
        assert f"\n{target}:" in makefile


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_readme_run_output_matches_the_golden_summary():
    """The numbers the README shows for `make run` are the ones the scenario produces."""
    import json

    readme = (ROOT / "README.md").read_text()
    golden = json.loads((ROOT / "tests" / "scenarios" / "golden" / "reg_d_506b_lifecycle.json").read_text())
    metrics = golden["metrics"]
    for key in ("trades", "holders", "refusals", "minted_shares"):
        row = next(line for line in readme.splitlines() if line.lstrip(" │").startswith(f"{key} "))
        assert row.rstrip(" │").endswith(f" {metrics[key]:,}"), (key, row)
    for reason, count in metrics["refusals_by_reason"].items():
        row = next(line for line in readme.splitlines() if line.lstrip(" │").startswith(f"{reason} "))
        assert row.rstrip(" │").endswith(f" {count:,}"), (reason, row)


def test_readme_shows_a_report_screenshot_that_its_script_regenerates():
    readme = (ROOT / "README.md").read_text()
    assert "![The top of custodian_omnibus_t1's report.html](docs/images/report.png)" in readme
    assert (ROOT / "docs" / "images" / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "python tools/report_screenshot.py" in readme
    assert (ROOT / "tools" / "report_screenshot.py").is_file()
