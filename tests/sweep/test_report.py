"""sweep.html: the distributions of the headline metrics per grid point, the failed runs,
a link to each run's own report; self-contained, and rendered in a real browser."""

from __future__ import annotations

import re
from html import unescape

from sweep_helpers import GRID, RUNS, SEEDS, SMALL

from sim.sweep import define
from sim.sweep.report import build_sweep_report
from sim.testing.browser import assert_every_image_rendered, open_page


def _page(reference) -> str:
    return (reference.out / "sweep.html").read_text(encoding="utf-8")


def _section(page: str, section_id: str) -> str:
    return page.split(f'<section id="{section_id}">', 1)[1].split("</section>", 1)[0]


def test_sweep_html_links_every_run_to_its_own_report(reference):
    links = re.findall(r'<a href="([^"]+)">(g\d+-s\d+)</a>', _page(reference))
    assert len(links) == RUNS
    for href, run in links:
        assert href == f"runs/{run}/report.html"
        assert (reference.out / href).is_file()


def test_sweep_html_shows_each_headline_metrics_plot_and_percentiles_per_grid_point(reference):
    distributions = _section(_page(reference), "distributions")
    for metric in ("shortfall", "liquidations", "retail_close_outs", "margin_calls"):
        assert f"<h3>{metric}</h3>" in distributions
    assert distributions.count('src="data:image/png;base64,') == 4
    assert distributions.count("g1: move_pct=-40") == 4  # a row per metric at each grid point


def test_sweep_html_lists_the_failed_runs_with_their_reasons(reference):
    table = reference.table.copy()
    table.loc[table["run"] == "g0-s1", ["status", "reason"]] = ["failed", "KilledWorker: worker-0 died"]
    page = build_sweep_report(define(SMALL, seeds=SEEDS, grid=GRID), table, reference.out)
    failed = unescape(_section(page, "failed"))
    assert "g0-s1" in failed and "KilledWorker: worker-0 died" in failed
    assert "g0-s0" not in failed


def test_a_sweep_without_failures_says_so(reference):
    assert "No run failed." in _section(_page(reference), "failed")


def test_sweep_html_renders_in_chromium_and_its_links_open_the_runs_reports(browser, reference, tmp_path):
    page, errors = open_page(browser, reference.out / "sweep.html")
    try:
        page.screenshot(path=str(tmp_path / "sweep.png"), full_page=False)
        assert errors == []
        assert_every_image_rendered(page)
        page.click("text=g1-s2")
        page.wait_for_load_state("load")
        assert page.url.endswith("/runs/g1-s2/report.html")
        assert_every_image_rendered(page)
        assert errors == []
    finally:
        page.close()
