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

pytest_plugins = ["pytester"]
