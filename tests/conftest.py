"""Shared helpers of the test suite (the fixtures come from tokensim's own plugin)."""

from __future__ import annotations

import os

from hypothesis import settings

# No per-example deadline: the first examples build codecs and contracts, and CI machines
# are noisy; a slow example is not a failure (speed is the benchmark harness's business).
# Derandomized: ``make test`` draws the same examples on every machine and every run, so a
# red CI run is repeatable and a green one means the same thing twice. To explore new
# sequences (and keep what fails in the example database), run with
# ``TOKENSIM_HYPOTHESIS_RANDOM=1`` and, for more of them, ``TOKENSIM_HYPOTHESIS_EXAMPLES=500``.
settings.register_profile("tokensim", deadline=None, derandomize=True, print_blob=True)
settings.register_profile("tokensim-explore", deadline=None, derandomize=False, print_blob=True)
settings.load_profile("tokensim-explore" if os.environ.get("TOKENSIM_HYPOTHESIS_RANDOM") else "tokensim")

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
