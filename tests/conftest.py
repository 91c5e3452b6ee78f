"""Shared helpers of the test suite (the fixtures come from tokensim's own plugin)."""

from __future__ import annotations

DAY = 86_400


def sealed_time(chain) -> int:
    """The time of the next transaction (alias kept short for boundary tests)."""
    return chain.now()

pytest_plugins = ["pytester"]
