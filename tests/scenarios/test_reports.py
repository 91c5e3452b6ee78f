"""Every shipped scenario's report.html: its figures are summary.json's, and it renders in a
real browser (headless Chromium, the system's own: no browser is downloaded).

The browser tests use the ``browser`` fixture (``sim.testing.browser``): Debian's
``chromium`` and the ``playwright`` package; without Chromium they are skipped with how to
install it. Each saves a screenshot of the page under its tmp dir.
"""

from __future__ import annotations

import pytest

from sim.report.page import number, pointer, read_figures, resolve
from sim.scenario import shipped
from sim.testing.browser import assert_every_image_rendered, open_page

SHIPPED = shipped()

MAX_REPORT_BYTES = 4_000_000


def shown_as(value) -> set[str]:
    """The texts a page may show for ``value``: the report's number format, or the value
    written plainly (a seed, simulated days)."""
    texts = {number(value), str(value)}
    if isinstance(value, float):
        texts.add(f"{value:g}")
    return texts


def scalar_leaves(value, keys=()):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from scalar_leaves(inner, (*keys, key))
    elif not isinstance(value, list):
        yield keys, value


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_figure_on_the_report_equals_summary_json(shipped_run, name):
    run = shipped_run(name)
    figures = read_figures((run.out / "report.html").read_text(encoding="utf-8"))
    assert figures
    for figure in figures:
        assert resolve(run.summary, figure.pointer) == figure.value, figure.pointer
        assert figure.text in shown_as(figure.value), figure


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_scalar_metric_of_the_summary_is_on_the_report(shipped_run, name):
    run = shipped_run(name)
    shown = {f.pointer for f in read_figures((run.out / "report.html").read_text(encoding="utf-8"))}
    missing = [keys for keys, _ in scalar_leaves(run.summary["metrics"]) if pointer("metrics", *keys) not in shown]
    assert missing == []


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_the_report_is_self_contained_and_a_few_megabytes_at_most(shipped_run, name):
    page = (shipped_run(name).out / "report.html").read_text(encoding="utf-8")
    assert len(page.encode()) < MAX_REPORT_BYTES
    for reference in ('src="http', "src='http", 'href="http', "@import", "url(http"):
        assert reference not in page


# ------------------------------------------------------------------- the browser


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_the_report_renders_in_chromium_with_its_headline_numbers(browser, shipped_run, name, tmp_path):
    """No console error, every plot rendered, the headline cards show summary.json's
    figures, the events table filled by its script."""
    run = shipped_run(name)
    page, errors = open_page(browser, run.out / "report.html")
    try:
        page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=False)
        assert errors == []
        assert_every_image_rendered(page)
        cards = page.eval_on_selector_all(".card .fig", "els => els.map(e => [e.dataset.metric, e.textContent])")
        assert cards
        for path, text in cards:
            assert text in shown_as(resolve(run.summary, path)), path
        assert page.locator("#events-table tbody tr").count() > 0
    finally:
        page.close()


def test_the_events_table_filters_by_actor_act_and_outcome(browser, shipped_run):
    run = shipped_run("custodian_omnibus_t1")
    page, errors = open_page(browser, run.out / "report.html")
    try:
        page.select_option("#f-act", "reconcile")
        page.select_option("#f-outcome", "break")
        page.fill("#f-actor", "custodian:bank")
        cells = page.eval_on_selector_all("#events-table tbody tr", "rows => rows.map(r => "
                                          "[r.cells[2].textContent, r.cells[3].textContent, r.cells[4].textContent])")
        expected = [[r["actor"], r["act"], r["outcome"]] for r in run.records
                    if r["act"] == "reconcile" and r["outcome"] == "break" and "custodian:bank" in r["actor"]]
        assert cells == expected and expected
        assert errors == []
    finally:
        page.close()
