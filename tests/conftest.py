"""Shared helpers of the test suite (the fixtures come from tokensim's own plugin)."""

from __future__ import annotations

from hypothesis import settings

# No per-example deadline: the first examples build codecs and contracts, and CI machines
# are noisy; a slow example is not a failure (speed is the benchmark harness's business).
settings.register_profile("tokensim", deadline=None)
settings.load_profile("tokensim")

DAY = 86_400


def sealed_time(chain) -> int:
    """The time of the next transaction (alias kept short for boundary tests)."""
    return chain.now()

pytest_plugins = ["pytester", "sim.testing.browser"]  # the browser fixture: report pages in headless Chromium


LONGEST_FIRST = ("tests/engine/test_equivalence.py::test_shipped_scenario_events_are_identical_on_eth_tester_and_revm",)
"""Tests that take a minute or more each (whole scenarios on eth-tester). Collected first, so
that ``pytest -n 2`` starts both workers on them rather than leaving one to finish them alone
while the other idles at the end."""


def pytest_collection_modifyitems(session, config, items):
    items.sort(key=lambda item: not item.nodeid.startswith(LONGEST_FIRST))
