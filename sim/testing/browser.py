"""A real browser for tests: the system's headless Chromium driven by Playwright.

Nothing downloads a browser: Playwright is pointed at Debian's ``chromium``
(``/usr/bin/chromium``, or ``TOKENSIM_CHROMIUM``), started headless with a fresh profile
and without background networking. Without Chromium (or Playwright) the ``browser``
fixture skips its test with a message saying how to install it::

    def test_the_page_renders(browser, tmp_path):
        page, errors = open_page(browser, tmp_path / "report.html")
        assert errors == []
        assert_every_image_rendered(page)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)
INSTALL = ("install Debian's Chromium (sudo apt-get install chromium) and the test extra (pip install -e '.[test]'), "
           "or point TOKENSIM_CHROMIUM at a Chromium binary")


def chromium_path() -> Path:
    """Where the browser is looked for: ``TOKENSIM_CHROMIUM``, else ``/usr/bin/chromium``."""
    return Path(os.environ.get("TOKENSIM_CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium (Playwright ``BrowserContext``, offline, 1280x900), one per
    session; the test is skipped, saying how to install it, when Chromium is missing."""
    executable = chromium_path()
    if not executable.exists():
        pytest.skip(f"no Chromium at {executable}: {INSTALL}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip(f"the playwright package is missing: {INSTALL}")
    profile = tempfile.mkdtemp(prefix="tokensim-chromium-")
    try:
        with sync_playwright() as driver:
            context = driver.chromium.launch_persistent_context(
                profile, executable_path=str(executable), args=list(CHROMIUM_ARGS), headless=True,
                viewport={"width": 1280, "height": 900}, offline=True,
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def open_page(browser: Any, path: Path) -> tuple[Any, list[str]]:
    """``path`` opened in a new tab of ``browser``; returns the page and the list the
    errors of its console (and uncaught script errors) go into."""
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(Path(path).resolve().as_uri(), wait_until="load")
    return page, errors


def assert_every_image_rendered(page: Any) -> None:
    """Every ``<img>`` of the page loaded and decoded (a natural width above zero)."""
    images = page.eval_on_selector_all("img", "els => els.map(e => [e.alt, e.complete, e.naturalWidth])")
    assert images, "the page has no image"
    assert [alt for alt, complete, width in images if not complete or width == 0] == []


__all__ = ["CHROMIUM_ARGS", "assert_every_image_rendered", "browser", "chromium_path", "open_page"]
